package dev.callgate.core.credential;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProviderEndpointRuleTest {

  @ParameterizedTest(name = "{0}: strict {1}, allowHttp {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        "https://idp.example.com/token       | ok    | ok",
        "http://idp.example.com/token        | http  | ok",
        "http://localhost:8080/token         | ok    | ok",
        "http://idp.localhost/token          | ok    | ok",
        "http://127.0.0.1:8080/token         | ok    | ok",
        "http://127.9.9.9/token              | ok    | ok",
        "http://[::1]:8080/token             | ok    | ok",
        "http://10.0.0.1/token               | http  | ok",
        "file:///etc/passwd                  | scheme | scheme",
        "ftp://idp.example.com/token         | scheme | scheme",
        "https://user:pw@idp.example.com/t   | credentials | credentials",
        "https://idp.example.com/t#frag      | fragment | fragment",
      })
  void violationWhenEndpointIsOfAKindThenByTheRule(String url, String strict, String allowHttp) {
    assertThat(kind(ProviderEndpointRule.httpsOrLoopback().violation(URI.create(url))))
        .isEqualTo(strict);
    assertThat(kind(new ProviderEndpointRule(true).violation(URI.create(url))))
        .isEqualTo(allowHttp);
  }

  private static String kind(Optional<String> violation) {
    if (violation.isEmpty()) {
      return "ok";
    }
    String text = violation.get();
    if (text.contains("CALLGATE_PROVIDER_ALLOW_HTTP")) {
      return "http";
    }
    if (text.contains("not '")) {
      return "scheme";
    }
    if (text.contains("credentials")) {
      return "credentials";
    }
    return text.contains("fragment") ? "fragment" : text;
  }
}
