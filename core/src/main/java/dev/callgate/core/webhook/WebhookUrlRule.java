package dev.callgate.core.webhook;

import dev.callgate.core.credential.ProviderEndpointRule;
import dev.callgate.core.outbound.AddressRange;
import dev.callgate.core.outbound.OutboundAddressPolicy;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Where Callgate may send webhooks, decided as for identity providers and callouts: https, or plain
 * http to a loopback host, to a host or range named in {@code CALLGATE_OUTBOUND_ALLOW}, or anywhere
 * when {@code CALLGATE_PROVIDER_ALLOW_HTTP=true}; never to an address the {@link
 * OutboundAddressPolicy} refuses (a cloud metadata name, or a private or loopback address written
 * in the URL and not allowed). Names are judged again, resolved, when each delivery connects.
 */
public record WebhookUrlRule(ProviderEndpointRule endpoints, OutboundAddressPolicy outbound) {

  public WebhookUrlRule {
    Objects.requireNonNull(endpoints, "endpoints");
    Objects.requireNonNull(outbound, "outbound");
  }

  /** The URL {@code text} names, or the rule it breaks, in words. */
  public Optional<String> violation(String text) {
    URI url;
    try {
      url = new URI(text);
    } catch (URISyntaxException e) {
      return Optional.of("it is not a URL");
    }
    if (!url.isAbsolute()) {
      return Optional.of("it is not an absolute URL");
    }
    Optional<String> broken = endpoints.violation(url);
    if (broken.isPresent() && !(plainHttp(url) && named(url.getHost()))) {
      return broken.map(
          rule ->
              rule.startsWith("plain http")
                  ? "plain http is sent only to loopback hosts or hosts named in "
                      + OutboundAddressPolicy.SETTING
                      + ", unless "
                      + ProviderEndpointRule.SETTING
                      + "=true: use https"
                  : rule);
    }
    String host = url.getHost();
    Optional<InetAddress> literal = AddressRange.numericHost(host);
    OutboundAddressPolicy.Verdict verdict =
        literal.isPresent() ? outbound.judge(host, literal.get()) : outbound.judgeName(host);
    return verdict instanceof OutboundAddressPolicy.Verdict.Refused refused
        ? Optional.of("Callgate does not connect to " + refused.address() + ": " + refused.rule())
        : Optional.empty();
  }

  private static boolean plainHttp(URI url) {
    return "http".equalsIgnoreCase(url.getScheme()) && url.getHost() != null;
  }

  private boolean named(String host) {
    String name = host.toLowerCase(Locale.ROOT);
    Optional<InetAddress> literal = AddressRange.numericHost(name);
    return outbound.allowedHosts().contains(name)
        || literal
            .map(address -> outbound.allowedRanges().stream().anyMatch(r -> r.contains(address)))
            .orElse(false);
  }
}
