package dev.callgate.core.service;

import static dev.callgate.core.service.ServiceFixture.ADMIN_ACTOR;
import static dev.callgate.core.service.ServiceFixture.join;
import static dev.callgate.core.service.ServiceFixture.valid;
import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.core.callout.Body;
import dev.callgate.core.callout.CalloutRequest;
import dev.callgate.core.callout.Headers;
import dev.callgate.core.callout.OutboundRequest;
import dev.callgate.core.credential.CredentialDraft;
import dev.callgate.core.credential.NamedCredential;
import dev.callgate.core.credential.TokenExchangeDraft;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.diagnosis.DiagnosisCode;
import dev.callgate.core.port.GrantOutcome;
import dev.callgate.core.testkit.ScriptedTarget;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Token exchange (RFC 8693) in the domain: which subject credentials a credential may take its
 * subject token from, the subject token a caller sends (required, never forwarded, its exchanged
 * token reused), one new exchange and one retry after a 401, and what each refusal of the provider
 * is diagnosed as. The protocol against a real provider is tested end to end with Keycloak.
 */
class TokenExchangeTest {
  private static final Caller APP = Caller.caller("app");
  private static final String HEADER = "Callgate-Subject-Token";

  private final ServiceFixture f = new ServiceFixture();

  static CredentialDraft exchange(String name, TokenExchangeDraft settings) {
    return ServiceFixture.namedDraft(name, "oauth2_token_exchange", null, null, settings);
  }

  private static TokenExchangeDraft from(String subjectCredential) {
    return new TokenExchangeDraft(subjectCredential, List.of("orders"), null, null, null);
  }

  private Credentials.SaveOutcome save(CredentialDraft draft, SaveMode mode) {
    return join(
        f.credentialUseCases.save(new Credentials.SaveCredential(valid(draft), mode, ADMIN_ACTOR)));
  }

  /** The provider, and a client-credentials credential {@code svc} to take subject tokens from. */
  private void providerAndServiceCredential() {
    f.provider(List.of("openid"), null);
    f.credential(
        ServiceFixture.draft(
            "svc", "oauth2_client_credentials", "named", true, false, List.of("app"), true));
  }

  private static Diagnosis refusal(Credentials.SaveOutcome outcome) {
    return outcome.fold(saved -> null, diagnosis -> diagnosis);
  }

  private CalloutResult call(String credential, Headers headers) {
    return join(
        f.callouts.send(
            APP,
            credential,
            new CalloutRequest("GET", "orders", Optional.empty(), headers, Body.EMPTY)));
  }

  private static Diagnosis refused(CalloutResult result) {
    assertThat(result).isInstanceOf(CalloutResult.Refused.class);
    return ((CalloutResult.Refused) result).diagnosis();
  }

  private static int status(CalloutResult result) {
    assertThat(result).isInstanceOf(CalloutResult.Relayed.class);
    return ((CalloutResult.Relayed) result).response().status();
  }

  private static String bearerOf(OutboundRequest request) {
    return request.headers().first("Authorization").orElseThrow().substring("Bearer ".length());
  }

  @Test
  void saveWhenTheSubjectCredentialDoesNotExistThenRefusedNamingTheField() {
    f.provider(List.of("openid"), null);

    Diagnosis problem = refusal(save(exchange("orders", from("missing")), new SaveMode.Create()));

    assertThat(problem.code()).isEqualTo(DiagnosisCode.INVALID_VALUE);
    assertThat(problem.fact("field")).isEqualTo("tokenExchange.subjectCredential");
    assertThat(problem.fact("problem")).contains("'missing'");
    assertThat(join(f.credentials.findCredential("orders"))).isEmpty();
  }

  @Test
  void saveWhenTheSubjectCredentialWouldCloseACycleThenRefused() {
    providerAndServiceCredential();
    assertThat(refusal(save(exchange("first", from("svc")), new SaveMode.Create()))).isNull();
    assertThat(refusal(save(exchange("second", from("first")), new SaveMode.Create()))).isNull();

    Diagnosis problem =
        refusal(save(exchange("first", from("second")), new SaveMode.Replace("first")));

    assertThat(problem.fact("field")).isEqualTo("tokenExchange.subjectCredential");
    assertThat(problem.fact("problem")).contains("cycle");
  }

  @Test
  void saveWhenTheSubjectCredentialKeepsNoTokenThenRefused() {
    f.provider(List.of("openid"), null);
    assertThat(refusal(save(exchange("callers", TokenExchangeDraft.NONE), new SaveMode.Create())))
        .isNull();

    Diagnosis problem = refusal(save(exchange("orders", from("callers")), new SaveMode.Create()));

    assertThat(problem.fact("problem")).contains("keeps no access token");
  }

  @Test
  void calloutWhenTheSubjectIsAnotherCredentialThenExchangesItsTokenOnceAndReusesTheResult() {
    providerAndServiceCredential();
    f.credential(exchange("orders", from("svc")));

    assertThat(status(call("orders", Headers.EMPTY))).isEqualTo(200);
    assertThat(status(call("orders", Headers.EMPTY))).isEqualTo(200);

    // the subject's own token came from client credentials, then one exchange served both
    assertThat(f.idp.clientCredentialsCalls()).isEqualTo(1);
    assertThat(f.idp.tokenExchangeCalls()).isEqualTo(1);
    assertThat(f.stored(dev.callgate.core.token.TokenKey.named("orders")).tokens()).isPresent();
  }

  @Test
  void calloutWhenTheTargetRejectsAStoredExchangedTokenThenExchangesAgainAndRetriesOnce() {
    providerAndServiceCredential();
    f.credential(exchange("orders", from("svc")));
    assertThat(status(call("orders", Headers.EMPTY))).isEqualTo(200);
    String stale = bearerOf(f.target.lastRequest());
    f.target.respondWith(
        r ->
            bearerOf(r).equals(stale)
                ? ScriptedTarget.unauthorized().apply(r)
                : ScriptedTarget.ok("{}").apply(r));

    CalloutResult result = call("orders", Headers.EMPTY);

    assertThat(status(result)).isEqualTo(200);
    assertThat(((CalloutResult.Relayed) result).afterRefresh()).isTrue();
    assertThat(f.idp.tokenExchangeCalls()).isEqualTo(2);
    assertThat(
            f.stored(dev.callgate.core.token.TokenKey.named("orders"))
                .tokens()
                .orElseThrow()
                .accessToken()
                .reveal())
        .isNotEqualTo(stale);
  }

  @Test
  void calloutWhenTheSubjectCredentialIsRefusedThenSubjectUnavailableWithItsDiagnosis() {
    f.provider(List.of("openid"), null);
    f.credential(ServiceFixture.authorizationCode("crm"));
    f.credential(exchange("orders", from("crm")));

    Diagnosis diagnosis = refused(call("orders", Headers.EMPTY));

    assertThat(diagnosis.code()).isEqualTo(DiagnosisCode.TOKEN_EXCHANGE_SUBJECT_UNAVAILABLE);
    assertThat(diagnosis.fact("subjectCredential")).isEqualTo("crm");
    assertThat(f.idp.tokenExchangeCalls()).isZero();
  }

  @Test
  void calloutWhenTheCallerSendsNoSubjectTokenThenRefusedBeforeAnythingIsSent() {
    f.provider(List.of("openid"), null);
    f.credential(exchange("orders", TokenExchangeDraft.NONE));

    Diagnosis diagnosis = refused(call("orders", Headers.EMPTY));

    assertThat(diagnosis.code()).isEqualTo(DiagnosisCode.TOKEN_EXCHANGE_SUBJECT_TOKEN_MISSING);
    assertThat(diagnosis.fact("header")).isEqualTo(HEADER);
    assertThat(f.idp.tokenExchangeCalls()).isZero();
    assertThat(f.target.count()).isZero();
  }

  @Test
  void calloutWhenTheCallerSendsASubjectTokenThenItIsExchangedPerTokenAndNeverForwarded() {
    f.provider(List.of("openid"), null);
    f.credential(exchange("orders", TokenExchangeDraft.NONE));

    assertThat(status(call("orders", Headers.of(HEADER, "alice-token")))).isEqualTo(200);
    String first = bearerOf(f.target.lastRequest());
    assertThat(status(call("orders", Headers.of(HEADER, "alice-token")))).isEqualTo(200);
    assertThat(bearerOf(f.target.lastRequest())).isEqualTo(first);
    assertThat(f.idp.tokenExchangeCalls()).isEqualTo(1);
    assertThat(status(call("orders", Headers.of(HEADER, "bob-token")))).isEqualTo(200);

    assertThat(f.idp.tokenExchangeCalls()).isEqualTo(2);
    assertThat(bearerOf(f.target.lastRequest())).isNotEqualTo(first);
    assertThat(f.target.requests())
        .allSatisfy(r -> assertThat(r.headers().first(HEADER)).isEmpty());
    // nothing of the caller's exchange is stored
    assertThat(join(f.tokens.find(dev.callgate.core.token.TokenKey.named("orders")))).isEmpty();
  }

  @Test
  void calloutWhenTheTargetAnswers401ThenExchangesOnceMoreAndRetriesOnce() {
    f.provider(List.of("openid"), null);
    f.credential(exchange("orders", TokenExchangeDraft.NONE));
    assertThat(status(call("orders", Headers.of(HEADER, "alice-token")))).isEqualTo(200);
    String stale = bearerOf(f.target.lastRequest());
    f.target.respondWith(
        r ->
            bearerOf(r).equals(stale)
                ? ScriptedTarget.unauthorized().apply(r)
                : ScriptedTarget.ok("{}").apply(r));

    CalloutResult result = call("orders", Headers.of(HEADER, "alice-token"));

    assertThat(status(result)).isEqualTo(200);
    assertThat(((CalloutResult.Relayed) result).afterRefresh()).isTrue();
    assertThat(f.idp.tokenExchangeCalls()).isEqualTo(2);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "unauthorized_client | Client not allowed to use the grant | TOKEN_EXCHANGE_NOT_ALLOWED",
        "invalid_request | Standard token exchange is not enabled for the requested client"
            + " | TOKEN_EXCHANGE_NOT_ALLOWED",
        "access_denied | Client not allowed to exchange | TOKEN_EXCHANGE_NOT_ALLOWED",
        "invalid_request | Requested audience not available: orders"
            + " | TOKEN_EXCHANGE_AUDIENCE_REJECTED",
        "invalid_target | unknown resource | TOKEN_EXCHANGE_AUDIENCE_REJECTED",
        "access_denied | Client is not within the token audience"
            + " | TOKEN_EXCHANGE_SUBJECT_TOKEN_REJECTED",
        "invalid_request | Invalid token | TOKEN_EXCHANGE_SUBJECT_TOKEN_REJECTED",
        "invalid_client | Invalid client or Invalid client credentials | CLIENT_AUTH_FAILED",
      })
  void calloutWhenTheProviderRefusesTheExchangeThenDiagnosedByItsWords(
      String error, String description, DiagnosisCode expected) {
    f.provider(List.of("openid"), null);
    f.credential(exchange("orders", TokenExchangeDraft.NONE));
    f.idp.scriptNext(new GrantOutcome.Refused(error, Optional.of(description), 400));

    Diagnosis diagnosis = refused(call("orders", Headers.of(HEADER, "alice-token")));

    assertThat(diagnosis.code()).isEqualTo(expected);
    assertThat(diagnosis.message()).contains(description);
    assertThat(f.target.count()).isZero();
  }

  @Test
  void refreshWhenTheSubjectComesFromCallersThenNotSupported() {
    f.provider(List.of("openid"), null);
    NamedCredential orders = f.credential(exchange("orders", TokenExchangeDraft.NONE));

    RefreshOutcome outcome =
        join(
            f.refresher.refresh(
                dev.callgate.core.token.TokenKey.named(orders.name()),
                dev.callgate.core.refresh.RefreshTrigger.MANUAL,
                Optional.empty()));

    DiagnosisCode code =
        outcome.fold(refreshed -> null, rejected -> rejected.diagnosis().code(), d -> null);
    assertThat(code).isEqualTo(DiagnosisCode.FLOW_NOT_SUPPORTED);
  }
}
