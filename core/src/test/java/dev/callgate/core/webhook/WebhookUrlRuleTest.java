package dev.callgate.core.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.core.credential.ProviderEndpointRule;
import dev.callgate.core.outbound.OutboundAddressPolicy;
import org.junit.jupiter.api.Test;

class WebhookUrlRuleTest {
  private static OutboundAddressPolicy allow(String setting) {
    return OutboundAddressPolicy.parse(setting)
        .fold(
            p -> p,
            problems -> {
              throw new AssertionError(problems);
            });
  }

  private final WebhookUrlRule publicOnly =
      new WebhookUrlRule(
          ProviderEndpointRule.httpsOrLoopback(), OutboundAddressPolicy.publicOnly());

  @Test
  void violationWhenHttpsToAPublicHostThenNone() {
    assertThat(publicOnly.violation("https://hooks.example.com/callgate?team=7")).isEmpty();
  }

  @Test
  void violationWhenPlainHttpToAPublicHostThenRefusedUnlessAllowed() {
    assertThat(publicOnly.violation("http://hooks.example.com/in"))
        .get()
        .asString()
        .contains("https");
    assertThat(
            new WebhookUrlRule(new ProviderEndpointRule(true), OutboundAddressPolicy.publicOnly())
                .violation("http://hooks.example.com/in"))
        .isEmpty();
    assertThat(
            new WebhookUrlRule(ProviderEndpointRule.httpsOrLoopback(), allow("hooks.internal"))
                .violation("http://hooks.internal/in"))
        .isEmpty();
  }

  @Test
  void violationWhenLoopbackOrPrivateAddressIsNotAllowedThenRefused() {
    assertThat(publicOnly.violation("http://127.0.0.1:8080/in"))
        .get()
        .asString()
        .contains("loopback");
    assertThat(publicOnly.violation("https://10.1.2.3/in")).isPresent();
    assertThat(
            new WebhookUrlRule(ProviderEndpointRule.httpsOrLoopback(), allow("127.0.0.0/8"))
                .violation("http://127.0.0.1:8080/in"))
        .isEmpty();
  }

  @Test
  void violationWhenMetadataServiceOrOtherSchemeThenRefused() {
    assertThat(publicOnly.violation("https://169.254.169.254/latest")).isPresent();
    assertThat(publicOnly.violation("https://metadata.google.internal/x")).isPresent();
    assertThat(publicOnly.violation("ftp://hooks.example.com/in")).isPresent();
    assertThat(publicOnly.violation("/relative")).isPresent();
    assertThat(publicOnly.violation("https://user:pw@hooks.example.com/")).isPresent();
  }
}
