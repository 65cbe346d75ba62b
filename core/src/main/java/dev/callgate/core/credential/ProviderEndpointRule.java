package dev.callgate.core.credential;

import java.net.URI;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What an identity provider's URL must be before Callgate sends it a client secret, a code or a
 * token: http or https with a host and no user info, and https unless the host is loopback (a
 * provider beside Callgate, as in development) or {@code allowHttp} says plain http is accepted
 * everywhere ({@code CALLGATE_PROVIDER_ALLOW_HTTP}). It holds for configured endpoints and for
 * those a discovery document names alike.
 */
public record ProviderEndpointRule(boolean allowHttp) {

  /** The environment variable that sets {@code allowHttp}. */
  public static final String SETTING = "CALLGATE_PROVIDER_ALLOW_HTTP";

  private static final Pattern LOOPBACK_V4 = Pattern.compile("127(\\.\\d{1,3}){3}");

  /** https, or http to loopback only. */
  public static ProviderEndpointRule httpsOrLoopback() {
    return new ProviderEndpointRule(false);
  }

  /** The rule {@code uri} breaks, in words, or empty when it is a usable provider endpoint. */
  public Optional<String> violation(URI uri) {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !scheme.equals("http")) {
      return Optional.of("only https (or http to loopback) URLs are used, not '" + scheme + ":'");
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      return Optional.of("it has no host");
    }
    if (uri.getRawUserInfo() != null) {
      return Optional.of("credentials in the URL are not allowed");
    }
    if (uri.getRawFragment() != null) {
      return Optional.of("a fragment is not allowed");
    }
    if (scheme.equals("http") && !allowHttp && !isLoopback(uri.getHost())) {
      return Optional.of(
          "plain http is used only for loopback hosts unless " + SETTING + "=true: use https");
    }
    return Optional.empty();
  }

  /** localhost (RFC 6761 §6.3), 127.x.x.x or [::1], as written, without a lookup. */
  static boolean isLoopback(String host) {
    String name = host.toLowerCase(Locale.ROOT);
    if (name.endsWith(".")) {
      name = name.substring(0, name.length() - 1);
    }
    return name.equals("localhost")
        || name.endsWith(".localhost")
        || LOOPBACK_V4.matcher(name).matches()
        || name.equals("[::1]")
        || name.equals("::1");
  }
}
