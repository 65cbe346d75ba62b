package dev.callgate.core.callout;

import static dev.callgate.core.callout.UnauthorizedResponseClassifier.Verdict.ACCEPTED;
import static dev.callgate.core.callout.UnauthorizedResponseClassifier.Verdict.EXPIRED_TOKEN;
import static dev.callgate.core.callout.UnauthorizedResponseClassifier.Verdict.REJECTED_OTHERWISE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.core.callout.UnauthorizedResponseClassifier.Classification;
import dev.callgate.core.callout.UnauthorizedResponseClassifier.Verdict;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UnauthorizedResponseClassifierTest {

  private static final String SALESFORCE_BODY =
      "[{\"message\":\"Session expired or invalid\",\"errorCode\":\"INVALID_SESSION_ID\"}]";
  private static final String WSO2_BODY =
      "{\"message\":\"unauthorized request, please refresh your access token\","
          + "\"statusCode\":401,\"error\":\"Unauthorized\"}";

  private static Classification classify(int status, Headers headers, Body body) {
    return UnauthorizedResponseClassifier.classify(new CalloutResponse(status, headers, body));
  }

  private static Verdict challenged(String... wwwAuthenticate) {
    Headers headers = Headers.EMPTY;
    for (String value : wwwAuthenticate) {
      headers = headers.with("WWW-Authenticate", value);
    }
    return classify(401, headers, Body.EMPTY).verdict();
  }

  @ParameterizedTest
  @ValueSource(ints = {200, 201, 204, 302, 304, 400, 404, 429, 500, 503})
  void classifyWhenNot401Or403ThenAccepted(int status) {
    assertThat(classify(status, Headers.EMPTY, Body.of(SALESFORCE_BODY)).verdict())
        .isEqualTo(ACCEPTED);
  }

  @Test
  void classifyWhen403ThenRejectedOtherwiseEvenWithAnExpiredTokenDialect() {
    Classification classification =
        classify(
            403,
            Headers.of("WWW-Authenticate", "Bearer error=\"invalid_token\""),
            Body.of(SALESFORCE_BODY));

    assertThat(classification.verdict()).isEqualTo(REJECTED_OTHERWISE);
  }

  @Test
  void classifyWhenBearerInvalidTokenThenExpiredToken() {
    Classification classification =
        classify(
            401,
            Headers.of(
                "WWW-Authenticate",
                "Bearer realm=\"example\", error=\"invalid_token\","
                    + " error_description=\"The access token expired\""),
            Body.EMPTY);

    assertThat(classification.verdict()).isEqualTo(EXPIRED_TOKEN);
    assertThat(classification.dialect()).contains("invalid_token");
  }

  @Test
  void classifyWhenBearerInsufficientScopeThenRejectedOtherwise() {
    assertThat(
            challenged(
                "Bearer realm=\"example\", error=\"insufficient_scope\", scope=\"api refresh_token\""))
        .isEqualTo(REJECTED_OTHERWISE);
  }

  @Test
  void classifyWhenBearerInvalidRequestThenRejectedOtherwise() {
    assertThat(challenged("Bearer error=\"invalid_request\"")).isEqualTo(REJECTED_OTHERWISE);
  }

  @Test
  void classifyWhenSchemeInAnyCaseAndUnquotedErrorThenStillRead() {
    assertThat(challenged("bEaReR error=invalid_token")).isEqualTo(EXPIRED_TOKEN);
  }

  @Test
  void classifyWhenBasicChallengeOnlyThenRejectedOtherwise() {
    Classification classification =
        classify(401, Headers.of("WWW-Authenticate", "Basic realm=\"Acme API\""), Body.EMPTY);

    assertThat(classification.verdict()).isEqualTo(REJECTED_OTHERWISE);
    assertThat(classification.dialect()).contains("basic");
  }

  @Test
  void classifyWhenBasicAndBearerInOneLineThenTheBearerErrorDecides() {
    assertThat(
            challenged(
                "Basic realm=\"Acme, Inc.\", charset=\"UTF-8\", Bearer realm=\"api\","
                    + " error=\"invalid_token\""))
        .isEqualTo(EXPIRED_TOKEN);
  }

  @Test
  void classifyWhenChallengesOnSeveralLinesThenAllRead() {
    assertThat(challenged("Negotiate", "Basic realm=\"x\"", "Bearer error=\"invalid_token\""))
        .isEqualTo(EXPIRED_TOKEN);
  }

  @Test
  void classifyWhenErrorTextOnlyInsideAQuotedStringThenNotMistakenForTheError() {
    // error_description mentions invalid_token, the error itself is insufficient_scope
    assertThat(
            challenged(
                "Bearer error_description=\"not \\\"invalid_token\\\", error=invalid_token\","
                    + " error=\"insufficient_scope\""))
        .isEqualTo(REJECTED_OTHERWISE);
  }

  @Test
  void classifyWhenBearerWithoutErrorThenExpiredToken() {
    assertThat(challenged("Bearer realm=\"https://accounts.example.com/\""))
        .isEqualTo(EXPIRED_TOKEN);
  }

  @Test
  void classifyWhenSalesforceInvalidSessionIdThenExpiredToken() {
    Classification classification = classify(401, Headers.EMPTY, Body.of(SALESFORCE_BODY));

    assertThat(classification.verdict()).isEqualTo(EXPIRED_TOKEN);
    assertThat(classification.dialect()).contains("INVALID_SESSION_ID");
  }

  @Test
  void classifyWhenSalesforceBodyPrettyPrintedThenExpiredToken() {
    Classification classification =
        classify(
            401,
            Headers.EMPTY,
            Body.of(
                "[ {\n  \"message\" : \"Session expired or invalid\",\n"
                    + "  \"errorCode\" : \"INVALID_SESSION_ID\"\n} ]"));

    assertThat(classification.dialect()).contains("INVALID_SESSION_ID");
  }

  @Test
  void classifyWhenWso2RefreshYourAccessTokenThenExpiredToken() {
    Classification classification = classify(401, Headers.EMPTY, Body.of(WSO2_BODY));

    assertThat(classification.verdict()).isEqualTo(EXPIRED_TOKEN);
    assertThat(classification.dialect()).contains("WSO2");
  }

  @Test
  void classifyWhenBasicChallengeButSalesforceBodyThenTheBodyDecides() {
    Classification classification =
        classify(401, Headers.of("WWW-Authenticate", "Token"), Body.of(SALESFORCE_BODY));

    assertThat(classification.verdict()).isEqualTo(EXPIRED_TOKEN);
  }

  @Test
  void classifyWhenPlain401ThenExpiredTokenAsPlain401() {
    Classification classification =
        classify(401, Headers.EMPTY, Body.of("{\"message\":\"Bad credentials\"}"));

    assertThat(classification).isEqualTo(new Classification(EXPIRED_TOKEN, "plain 401"));
  }

  @Test
  void classifyWhenBodyIsStreamedThenNeverRead() {
    Body streamed =
        new Body.Streamed(
            () -> {
              throw new AssertionError("a streamed body must not be read");
            });

    assertThat(
            classify(401, Headers.of("WWW-Authenticate", "Basic realm=\"x\""), streamed).verdict())
        .isEqualTo(REJECTED_OTHERWISE);
  }

  @Test
  void parseWhenQuotedStringsEscapesAndToken68ThenEachChallengeRead() {
    List<AuthenticationChallenge> challenges =
        AuthenticationChallenge.parse(
            List.of(
                "Newauth realm=\"apps\", type=1, title=\"Login to \\\"apps\\\"\", Basic"
                    + " realm=\"simple\"",
                "Negotiate YIIHAgYGKwYBBQUCoIIG9jCCBvKgMDAuBgkqhkiC9xIBAgIG==, Bearer"));

    assertThat(challenges)
        .extracting(AuthenticationChallenge::scheme)
        .containsExactly("newauth", "basic", "negotiate", "bearer");
    assertThat(challenges.get(0).params())
        .isEqualTo(Map.of("realm", "apps", "type", "1", "title", "Login to \"apps\""));
    assertThat(challenges.get(1).param("REALM")).contains("simple");
    assertThat(challenges.get(2).token68())
        .contains("YIIHAgYGKwYBBQUCoIIG9jCCBvKgMDAuBgkqhkiC9xIBAgIG==");
    assertThat(challenges.get(3).params()).isEmpty();
    assertThat(challenges.get(3).token68()).isEqualTo(Optional.empty());
  }

  @Test
  void parseWhenMalformedThenKeepsWhatCameBefore() {
    List<AuthenticationChallenge> challenges =
        AuthenticationChallenge.parse(List.of("Bearer error=\"invalid_token\", @@@"));

    assertThat(challenges).hasSize(1);
    assertThat(challenges.get(0).param("error")).contains("invalid_token");
  }
}
