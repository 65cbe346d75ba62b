package dev.callgate.core.callout;

import static dev.callgate.core.callout.CalloutFixtures.ACCESS_TOKEN;
import static dev.callgate.core.callout.CalloutFixtures.tokens;
import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.core.credential.Authentication;
import dev.callgate.core.credential.Secret;
import dev.callgate.core.credential.TokenPlacement;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AuthorizationHeadersTest {

  @Test
  void generateWhenAuthorizationCodeWithTokensThenBearer() {
    Optional<Headers.Header> header =
        AuthorizationHeaders.generate(CalloutFixtures.oauth(), Optional.of(tokens()));

    assertThat(header).contains(new Headers.Header("Authorization", "Bearer " + ACCESS_TOKEN));
  }

  @Test
  void generateWhenTokenIsPlacedInAHeaderThenThatHeaderWithThePrefixAndNoAuthorization() {
    assertThat(
            AuthorizationHeaders.generate(
                CalloutFixtures.oauth(),
                Optional.of(tokens()),
                new TokenPlacement.InHeader("X-Auth-Token", "")))
        .contains(new Headers.Header("X-Auth-Token", ACCESS_TOKEN));
    assertThat(
            AuthorizationHeaders.generate(
                CalloutFixtures.oauth(),
                Optional.of(tokens()),
                new TokenPlacement.InHeader("Authorization", "token ")))
        .contains(new Headers.Header("Authorization", "token " + ACCESS_TOKEN));
  }

  @Test
  void generateWhenTokenIsPlacedInTheQueryThenNoHeader() {
    assertThat(
            AuthorizationHeaders.generate(
                CalloutFixtures.oauth(),
                Optional.of(tokens()),
                new TokenPlacement.InQuery("access_token")))
        .isEmpty();
  }

  @Test
  void generateWhenEveryOAuthProtocolThenBearer() {
    for (Authentication authentication :
        new Authentication[] {
          new Authentication.ClientCredentials("wso2"),
          new Authentication.JwtBearer(
              "salesforce",
              "3MVG9-client-id",
              "integration@acme.example",
              Optional.empty(),
              Secret.of("-----BEGIN PRIVATE KEY-----"))
        }) {
      assertThat(AuthorizationHeaders.generate(authentication, Optional.of(tokens())))
          .contains(new Headers.Header("Authorization", "Bearer " + ACCESS_TOKEN));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"bearer", "Bearer", "BEARER", "", "DPoP", "MAC", "N_A"})
  void generateWhenAnyTokenTypeThenStillBearer(String tokenType) {
    Optional<Headers.Header> header =
        AuthorizationHeaders.generate(
            CalloutFixtures.oauth(),
            Optional.of(tokens("eyJhbGciOiJSUzI1NiJ9.e30.sig", tokenType)));

    assertThat(header.map(Headers.Header::value)).contains("Bearer eyJhbGciOiJSUzI1NiJ9.e30.sig");
  }

  @Test
  void generateWhenOAuthWithoutTokensThenNothing() {
    assertThat(AuthorizationHeaders.generate(CalloutFixtures.oauth(), Optional.empty())).isEmpty();
  }

  @Test
  void generateWhenBasicThenRfc7617Example() {
    Optional<Headers.Header> header =
        AuthorizationHeaders.generate(
            new Authentication.Basic("Aladdin", Secret.of("open sesame")), Optional.empty());

    assertThat(header)
        .contains(new Headers.Header("Authorization", "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="));
  }

  @Test
  void generateWhenBasicWithNonAsciiPasswordThenUtf8AsInRfc7617() {
    // RFC 7617 §2.1: "test" / "123£" with charset UTF-8
    Optional<Headers.Header> header =
        AuthorizationHeaders.generate(
            new Authentication.Basic("test", Secret.of("123\u00A3")), Optional.empty());

    assertThat(header.map(Headers.Header::value)).contains("Basic dGVzdDoxMjPCow==");
  }

  @Test
  void generateWhenApiKeyThenTheKeyInItsHeader() {
    Optional<Headers.Header> header =
        AuthorizationHeaders.generate(
            new Authentication.ApiKey("X-Api-Key", Secret.of("sk_live_51HxYz")),
            Optional.of(tokens()));

    assertThat(header).contains(new Headers.Header("X-Api-Key", "sk_live_51HxYz"));
  }

  @Test
  void generateWhenNoneThenNothing() {
    assertThat(AuthorizationHeaders.generate(new Authentication.None(), Optional.of(tokens())))
        .isEmpty();
  }

  @Test
  void generatedHeaderWhenPrintedThenHidesTheValue() {
    Optional<Headers.Header> header =
        AuthorizationHeaders.generate(CalloutFixtures.oauth(), Optional.of(tokens()));

    assertThat(header.orElseThrow().toString()).doesNotContain(ACCESS_TOKEN);
  }
}
