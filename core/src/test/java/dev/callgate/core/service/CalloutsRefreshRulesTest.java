package dev.callgate.core.service;

import static dev.callgate.core.service.ServiceFixture.ADMIN;
import static dev.callgate.core.service.ServiceFixture.join;
import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.core.callout.Body;
import dev.callgate.core.callout.CalloutRequest;
import dev.callgate.core.callout.Headers;
import dev.callgate.core.callout.OutboundRequest;
import dev.callgate.core.callout.RefreshRuleDraft;
import dev.callgate.core.callout.RefreshRules;
import dev.callgate.core.credential.CredentialDraft;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.diagnosis.DiagnosisCode;
import dev.callgate.core.diagnosis.Validated;
import dev.callgate.core.port.CalloutTransport;
import dev.callgate.core.port.RequestSigner;
import dev.callgate.core.testkit.ScriptedTarget;
import dev.callgate.core.token.TokenKey;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The {@code refreshOn} rules: answers besides a 401 that bring one refresh and one retry. */
class CalloutsRefreshRulesTest {
  private static final Caller APP = Caller.caller("app");
  private static final TokenKey CRM = TokenKey.named("crm");
  private static final String SOAP_FAULT =
      "<soapenv:Envelope><soapenv:Body><soapenv:Fault>"
          + "<faultcode>sf:INVALID_SESSION_ID</faultcode>"
          + "</soapenv:Fault></soapenv:Body></soapenv:Envelope>";
  private static final RefreshRuleDraft INVALID_SESSION =
      new RefreshRuleDraft(
          List.of("500"), "<faultcode>sf:INVALID_SESSION_ID</faultcode>", null, null);

  private final ServiceFixture f = new ServiceFixture();
  private final List<String> fired = new CopyOnWriteArrayList<>();
  private final Callouts callouts =
      new Callouts(
          f.credentials,
          f.tokens,
          f.refresher,
          f.target,
          f.clock,
          f.policy,
          Callouts.DEFAULT_BUFFERED_BODY_LIMIT,
          (credential, matched) -> fired.add(credential + " " + matched.describe()),
          RequestSigner.NONE);

  static CredentialDraft withRules(String protocol, List<RefreshRuleDraft> rules) {
    return ServiceFixture.namedDraft("crm", protocol, "secret-password", rules, null);
  }

  private void authorizedCrm(List<RefreshRuleDraft> rules) {
    f.provider(List.of("openid", "offline_access"), null);
    f.credential(withRules("oauth2_authorization_code", rules));
    f.authorize("crm", ADMIN);
  }

  private CalloutResult call() {
    return join(
        callouts.send(
            APP,
            "crm",
            new CalloutRequest("GET", "accounts", Optional.empty(), Headers.EMPTY, Body.EMPTY)));
  }

  private static String bearerOf(OutboundRequest request) {
    return request.headers().first("Authorization").orElseThrow().substring("Bearer ".length());
  }

  /** A SOAP fault for the token first issued, 200 for any other. */
  private String faultForFirstToken() {
    String first = f.stored(CRM).tokens().orElseThrow().accessToken().reveal();
    Function<OutboundRequest, CalloutTransport.TransportOutcome> fault =
        ScriptedTarget.status(500, Headers.of("Content-Type", "text/xml"), SOAP_FAULT);
    Function<OutboundRequest, CalloutTransport.TransportOutcome> ok = ScriptedTarget.ok("{}");
    f.target.respondWith(r -> bearerOf(r).equals(first) ? fault.apply(r) : ok.apply(r));
    return first;
  }

  @Test
  void calloutWhenRuleMatchesTheAnswerThenRefreshesOnceRetriesOnceAndTellsWhichRuleFired() {
    authorizedCrm(List.of(new RefreshRuleDraft(List.of("4xx"), null, null, null), INVALID_SESSION));
    String first = faultForFirstToken();

    CalloutResult result = call();

    assertThat(result).isInstanceOf(CalloutResult.Relayed.class);
    CalloutResult.Relayed relayed = (CalloutResult.Relayed) result;
    assertThat(relayed.afterRefresh()).isTrue();
    assertThat(relayed.response().status()).isEqualTo(200);
    assertThat(f.idp.refreshCalls()).isEqualTo(1);
    assertThat(f.target.count()).isEqualTo(2);
    assertThat(bearerOf(f.target.lastRequest())).isNotEqualTo(first);
    assertThat(fired)
        .containsExactly(
            "crm refreshOn[1] (status 500, body ~ /<faultcode>sf:INVALID_SESSION_ID</faultcode>/)");
  }

  @Test
  void calloutWhenNoRuleIsSetThenTheStaleAnswerIsRelayedAsIs() {
    authorizedCrm(null);
    faultForFirstToken();

    CalloutResult result = call();

    assertThat(result).isInstanceOf(CalloutResult.Relayed.class);
    CalloutResult.Relayed relayed = (CalloutResult.Relayed) result;
    assertThat(relayed.afterRefresh()).isFalse();
    assertThat(relayed.response().status()).isEqualTo(500);
    assertThat(((Body.Bytes) relayed.response().body()).text()).isEqualTo(SOAP_FAULT);
    assertThat(f.idp.refreshCalls()).isZero();
    assertThat(f.target.count()).isEqualTo(1);
    assertThat(fired).isEmpty();
  }

  @Test
  void calloutWhenRuleMatchesNothingThenChangesNothing() {
    authorizedCrm(List.of(new RefreshRuleDraft(List.of("503"), null, null, null)));
    faultForFirstToken();

    CalloutResult result = call();

    assertThat(((CalloutResult.Relayed) result).response().status()).isEqualTo(500);
    assertThat(f.idp.refreshCalls()).isZero();
    assertThat(fired).isEmpty();
  }

  @Test
  void calloutWhenRetryMatchesTheRuleTooThenTokenRejectedAfterRefreshNamingTheRule() {
    authorizedCrm(List.of(INVALID_SESSION));
    f.target.respondWith(
        ScriptedTarget.status(500, Headers.of("Content-Type", "text/xml"), SOAP_FAULT));

    CalloutResult result = call();

    assertThat(result).isInstanceOf(CalloutResult.RejectedAfterRefresh.class);
    CalloutResult.RejectedAfterRefresh rejected = (CalloutResult.RejectedAfterRefresh) result;
    assertThat(rejected.response().status()).isEqualTo(500);
    assertThat(rejected.diagnosis().code()).isEqualTo(DiagnosisCode.TOKEN_REJECTED_AFTER_REFRESH);
    assertThat(rejected.diagnosis().message())
        .startsWith(
            "The target answered 500, which refreshOn[0] (status 500, body ~"
                + " /<faultcode>sf:INVALID_SESSION_ID</faultcode>/) names a stale token, even to a"
                + " freshly refreshed access token");
    assertThat(f.idp.refreshCalls()).isEqualTo(1);
    assertThat(f.target.count()).isEqualTo(2);
  }

  @Test
  void validateWhenRulesAreSetOnAProtocolWithoutTokensThenRefuses() {
    Validated<?> validated = withRules("basic", List.of(INVALID_SESSION)).validate();

    assertThat(validated.problems())
        .extracting(Diagnosis::message)
        .contains("refreshOn is invalid: it needs a protocol with tokens to refresh, not basic.");
  }

  @Test
  void validateWhenRulesAreValidThenTheCredentialKeepsThem() {
    Validated<?> validated =
        withRules("oauth2_authorization_code", List.of(INVALID_SESSION)).validate();

    RefreshRules rules =
        ((dev.callgate.core.credential.NamedCredential) ((Validated.Valid<?>) validated).value())
            .refreshOn();
    assertThat(rules.rules()).hasSize(1);
  }
}
