package dev.callgate.core.callout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.core.diagnosis.Diagnosis;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RefreshRulesTest {
  private static final String SOAP_FAULT =
      "<soapenv:Envelope><soapenv:Body><soapenv:Fault>"
          + "<faultcode>sf:INVALID_SESSION_ID</faultcode>"
          + "<faultstring>INVALID_SESSION_ID: Invalid Session ID found in SessionHeader</faultstring>"
          + "</soapenv:Fault></soapenv:Body></soapenv:Envelope>";

  /** The rules of the table, by name. */
  private static final Map<String, RefreshRuleDraft> RULES =
      Map.of(
          "500+INVALID_SESSION_ID",
          new RefreshRuleDraft(
              List.of("500"), "<faultcode>[^<]*INVALID_SESSION_ID</faultcode>", null, null),
          "5xx",
          new RefreshRuleDraft(List.of("5xx"), null, null, null),
          "403+header",
          new RefreshRuleDraft(List.of("403"), null, "X-Error", "(?i)token.?expired"),
          "419-440+body",
          new RefreshRuleDraft(List.of("419-440"), "expired", null, null));

  private static CalloutResponse bytes(int status, Headers headers, String body) {
    return new CalloutResponse(status, headers, Body.of(body));
  }

  private static CalloutResponse streamed(int status, Headers headers) {
    return new CalloutResponse(
        status,
        headers,
        new Body.Streamed(
            new Body.StreamedContent() {
              @Override
              public java.util.OptionalLong length() {
                return java.util.OptionalLong.empty();
              }
            }));
  }

  static Stream<Arguments> answersAndRules() {
    Headers none = Headers.EMPTY;
    Headers expiredHeader = Headers.of("X-Error", "Token-Expired");
    return Stream.of(
        // answer, rule, matches
        Arguments.of(
            "500 SOAP fault", bytes(500, none, SOAP_FAULT), "500+INVALID_SESSION_ID", true),
        Arguments.of(
            "500 other fault",
            bytes(500, none, "<faultcode>sf:OTHER</faultcode>"),
            "500+INVALID_SESSION_ID",
            false),
        Arguments.of(
            "503 SOAP fault", bytes(503, none, SOAP_FAULT), "500+INVALID_SESSION_ID", false),
        Arguments.of("500 streamed", streamed(500, none), "500+INVALID_SESSION_ID", false),
        Arguments.of(
            "200 SOAP fault", bytes(200, none, SOAP_FAULT), "500+INVALID_SESSION_ID", false),
        Arguments.of("500 SOAP fault", bytes(500, none, SOAP_FAULT), "5xx", true),
        Arguments.of("503 empty", new CalloutResponse(503, none, Body.EMPTY), "5xx", true),
        Arguments.of("500 streamed", streamed(500, none), "5xx", true),
        Arguments.of("499", bytes(499, none, ""), "5xx", false),
        Arguments.of("200", bytes(200, none, "{}"), "5xx", false),
        Arguments.of("403 token expired header", bytes(403, expiredHeader, ""), "403+header", true),
        Arguments.of("403 streamed, header", streamed(403, expiredHeader), "403+header", true),
        Arguments.of("403 without header", bytes(403, none, "token expired"), "403+header", false),
        Arguments.of(
            "403 other header value",
            bytes(403, Headers.of("X-Error", "quota"), ""),
            "403+header",
            false),
        Arguments.of("401 header", bytes(401, expiredHeader, ""), "403+header", false),
        Arguments.of("419 expired", bytes(419, none, "session expired"), "419-440+body", true),
        Arguments.of("440 expired", bytes(440, none, "expired"), "419-440+body", true),
        Arguments.of("441 expired", bytes(441, none, "expired"), "419-440+body", false),
        Arguments.of("419 other", bytes(419, none, "slow down"), "419-440+body", false));
  }

  @ParameterizedTest(name = "{0} × {2} → {3}")
  @MethodSource("answersAndRules")
  void matchWhenAnswerMeetsRuleThenNamesItElseNone(
      String answer, CalloutResponse response, String rule, boolean matches) {
    RefreshRules rules = rules(List.of(RULES.get(rule)));

    RefreshRules.Verdict verdict = rules.match(response);

    assertThat(verdict.<Integer>fold(m -> m.index(), none -> -1)).isEqualTo(matches ? 0 : -1);
  }

  @Test
  void matchWhenSeveralRulesMatchThenTheFirstDecidesAndIsDescribed() {
    RefreshRules rules =
        rules(
            List.of(
                RULES.get("419-440+body"), RULES.get("500+INVALID_SESSION_ID"), RULES.get("5xx")));

    RefreshRules.Verdict verdict = rules.match(bytes(500, Headers.EMPTY, SOAP_FAULT));

    assertThat(verdict).isInstanceOf(RefreshRules.Verdict.Matched.class);
    RefreshRules.Verdict.Matched matched = (RefreshRules.Verdict.Matched) verdict;
    assertThat(matched.index()).isEqualTo(1);
    assertThat(matched.describe())
        .isEqualTo(
            "refreshOn[1] (status 500, body ~ /<faultcode>[^<]*INVALID_SESSION_ID</faultcode>/)");
  }

  @Test
  void matchWhenNoRulesThenNothingMatches() {
    assertThat(RefreshRules.NONE.match(bytes(500, Headers.EMPTY, SOAP_FAULT)))
        .isInstanceOf(RefreshRules.Verdict.NoneMatched.class);
  }

  @Test
  void matchWhenMarkerLiesBeyondTheReadLimitThenItIsNotSeen() {
    RefreshRules rules = rules(List.of(RULES.get("500+INVALID_SESSION_ID")));
    String padded = " ".repeat(RefreshRule.MAX_BODY_CHARS) + SOAP_FAULT;

    assertThat(rules.match(bytes(500, Headers.EMPTY, padded)))
        .isInstanceOf(RefreshRules.Verdict.NoneMatched.class);
  }

  @Test
  void rulesWhenEqualTextsThenEqualRules() {
    assertThat(rules(List.of(RULES.get("403+header"))))
        .isEqualTo(rules(List.of(RULES.get("403+header"))));
  }

  private static RefreshRules rules(List<RefreshRuleDraft> drafts) {
    List<Diagnosis> problems = new ArrayList<>();
    RefreshRules rules = RefreshRuleDraft.validateAll(drafts, problems);
    assertThat(problems).isEmpty();
    return rules;
  }
}
