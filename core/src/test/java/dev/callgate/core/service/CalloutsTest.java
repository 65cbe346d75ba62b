package dev.callgate.core.service;

import static dev.callgate.core.service.ServiceFixture.ADMIN;
import static dev.callgate.core.service.ServiceFixture.authorizationCode;
import static dev.callgate.core.service.ServiceFixture.draft;
import static dev.callgate.core.service.ServiceFixture.join;
import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.core.callout.Body;
import dev.callgate.core.callout.BodyMode;
import dev.callgate.core.callout.CalloutHead;
import dev.callgate.core.callout.CalloutRequest;
import dev.callgate.core.callout.EchoGuard;
import dev.callgate.core.callout.Headers;
import dev.callgate.core.callout.OutboundRequest;
import dev.callgate.core.credential.CredentialDraft;
import dev.callgate.core.credential.Secret;
import dev.callgate.core.credential.TokenPlacementDraft;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.diagnosis.DiagnosisCode;
import dev.callgate.core.port.CalloutTransport;
import dev.callgate.core.port.CredentialStore;
import dev.callgate.core.port.GrantOutcome;
import dev.callgate.core.port.StoreUnavailableException;
import dev.callgate.core.testkit.ScriptedTarget;
import dev.callgate.core.token.TokenKey;
import dev.callgate.core.token.TokenRecord;
import dev.callgate.core.token.TokenSet;
import dev.callgate.core.token.TokenState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class CalloutsTest {
  private static final Caller APP = Caller.caller("app");
  private static final TokenKey CRM = TokenKey.named("crm");

  private final ServiceFixture f = new ServiceFixture();

  private CalloutResult call(Caller caller, String path, Headers headers) {
    return join(
        f.callouts.send(
            caller, "crm", new CalloutRequest("GET", path, Optional.empty(), headers, Body.EMPTY)));
  }

  private CalloutResult call() {
    return call(APP, "accounts", Headers.EMPTY);
  }

  private void authorizedCrm(List<String> scopes) {
    f.provider(scopes, null);
    f.credential(authorizationCode("crm"));
    f.authorize("crm", ADMIN);
  }

  private static int status(CalloutResult result) {
    assertThat(result).isInstanceOf(CalloutResult.Relayed.class);
    return ((CalloutResult.Relayed) result).response().status();
  }

  private static DiagnosisCode refusal(CalloutResult result) {
    assertThat(result).isInstanceOf(CalloutResult.Refused.class);
    return ((CalloutResult.Refused) result).diagnosis().code();
  }

  private String bearerOf(OutboundRequest request) {
    return request.headers().first("Authorization").orElseThrow().substring("Bearer ".length());
  }

  @Test
  void calloutWhenTokenIsValidThenSendsItAsBearerToTheJoinedUrl() {
    authorizedCrm(List.of("openid", "offline_access"));
    f.target.respondWith(ScriptedTarget.bearerChecked(f.idp::isCurrentAccessToken, "{}"));

    CalloutResult result = call(APP, "accounts/42", Headers.of("Accept", "application/json"));

    assertThat(status(result)).isEqualTo(200);
    OutboundRequest sent = f.target.lastRequest();
    assertThat(sent.uri()).hasToString("https://api.test/v1/accounts/42");
    assertThat(sent.headers().first("Accept")).contains("application/json");
    assertThat(f.idp.refreshCalls()).isZero();
  }

  @Test
  void calloutWhenHundredCallersHitAnExpiredTokenThenRefreshesOnce() throws Exception {
    authorizedCrm(List.of("openid", "offline_access"));
    f.target.respondWith(ScriptedTarget.bearerChecked(f.idp::isCurrentAccessToken, "{}"));
    f.clock.advance(Duration.ofHours(2));
    f.idp.hold();

    ExecutorService callers = Executors.newFixedThreadPool(16);
    CountDownLatch go = new CountDownLatch(1);
    List<CompletableFuture<CalloutResult>> results = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      CompletableFuture<CalloutResult> result = new CompletableFuture<>();
      results.add(result);
      callers.execute(
          () -> {
            try {
              go.await();
              f.callouts
                  .send(
                      APP,
                      "crm",
                      new CalloutRequest(
                          "GET", "accounts", Optional.empty(), Headers.EMPTY, Body.EMPTY))
                  .whenComplete(
                      (r, e) -> {
                        if (e != null) {
                          result.completeExceptionally(e);
                        } else {
                          result.complete(r);
                        }
                      });
            } catch (InterruptedException e) {
              result.completeExceptionally(e);
            }
          });
    }
    go.countDown();
    callers.shutdown();
    assertThat(callers.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    f.idp.release();

    for (CompletableFuture<CalloutResult> result : results) {
      assertThat(status(result.get(10, TimeUnit.SECONDS))).isEqualTo(200);
    }
    assertThat(f.idp.refreshCalls()).isEqualTo(1);
    assertThat(f.target.requests())
        .hasSize(100)
        .allSatisfy(r -> assertThat(f.idp.isCurrentAccessToken(bearerOf(r))).isTrue());
    // the new token set is marked as used once, not once per callout
    assertThat(f.tokens.writes().stream().filter(TokenRecord::usedSinceIssued)).hasSize(1);
  }

  static Stream<Arguments> expiredTokenDialects() {
    return Stream.of(
        Arguments.of(
            "RFC 6750",
            Headers.of("WWW-Authenticate", "Bearer realm=\"api\", error=\"invalid_token\""),
            ""),
        Arguments.of(
            "Salesforce",
            Headers.of("Content-Type", "application/json"),
            "[{\"message\":\"Session expired or invalid\",\"errorCode\":\"INVALID_SESSION_ID\"}]"),
        Arguments.of(
            "WSO2",
            Headers.of("Content-Type", "application/json"),
            "{\"message\":\"unauthorized request, please refresh your access token\","
                + "\"statusCode\":401,\"error\":\"Unauthorized\"}"),
        Arguments.of("plain", Headers.EMPTY, ""));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("expiredTokenDialects")
  void calloutWhenTargetAnswersExpiredTokenThenRefreshesOnceAndRetriesOnce(
      String dialect, Headers headers, String body) {
    authorizedCrm(List.of("openid", "offline_access"));
    String first = f.stored(CRM).tokens().orElseThrow().accessToken().reveal();
    Function<OutboundRequest, CalloutTransport.TransportOutcome> rejectFirst =
        ScriptedTarget.unauthorized(headers, body);
    Function<OutboundRequest, CalloutTransport.TransportOutcome> ok = ScriptedTarget.ok("{}");
    f.target.respondWith(r -> bearerOf(r).equals(first) ? rejectFirst.apply(r) : ok.apply(r));

    CalloutResult result = call();

    assertThat(result).isInstanceOf(CalloutResult.Relayed.class);
    assertThat(((CalloutResult.Relayed) result).afterRefresh()).isTrue();
    assertThat(status(result)).isEqualTo(200);
    assertThat(f.idp.refreshCalls()).isEqualTo(1);
    assertThat(f.target.count()).isEqualTo(2);
    assertThat(bearerOf(f.target.lastRequest())).isNotEqualTo(first);
  }

  @Test
  void calloutWhenFreshTokenIsRejectedTooThenReportsTokenRejectedAfterRefreshWithoutLooping() {
    authorizedCrm(List.of("openid", "offline_access"));
    f.target.respondWith(ScriptedTarget.unauthorized());

    CalloutResult result = call();

    assertThat(result).isInstanceOf(CalloutResult.RejectedAfterRefresh.class);
    CalloutResult.RejectedAfterRefresh rejected = (CalloutResult.RejectedAfterRefresh) result;
    assertThat(rejected.diagnosis().code()).isEqualTo(DiagnosisCode.TOKEN_REJECTED_AFTER_REFRESH);
    assertThat(rejected.response().status()).isEqualTo(401);
    assertThat(f.idp.refreshCalls()).isEqualTo(1);
    assertThat(f.target.count()).isEqualTo(2);
  }

  @Test
  void calloutWhenTargetForbidsThenRelaysWithoutRefresh() {
    authorizedCrm(List.of("openid", "offline_access"));
    f.target.respondWith(ScriptedTarget.status(403, Headers.EMPTY, "{\"error\":\"forbidden\"}"));

    assertThat(status(call())).isEqualTo(403);
    assertThat(f.idp.refreshCalls()).isZero();
    assertThat(f.target.count()).isEqualTo(1);
  }

  @Test
  void calloutWhenRefreshTokenRotatesThenStoresItBeforeTheRetryGoesOut() {
    f.idp.rotateRefreshTokens(true);
    authorizedCrm(List.of("openid", "offline_access"));
    Secret oldRefreshToken = f.stored(CRM).tokens().orElseThrow().refreshToken().orElseThrow();
    String first = f.stored(CRM).tokens().orElseThrow().accessToken().reveal();
    AtomicBoolean storedBeforeRetry = new AtomicBoolean();
    f.target.respondWith(
        r -> {
          if (bearerOf(r).equals(first)) {
            return ScriptedTarget.unauthorized().apply(r);
          }
          Secret stored = f.stored(CRM).tokens().orElseThrow().refreshToken().orElseThrow();
          storedBeforeRetry.set(
              !stored.equals(oldRefreshToken) && f.idp.isActiveRefreshToken(stored.reveal()));
          return ScriptedTarget.ok("{}").apply(r);
        });

    assertThat(status(call())).isEqualTo(200);
    assertThat(storedBeforeRetry).isTrue();
    assertThat(f.idp.isActiveRefreshToken(oldRefreshToken.reveal())).isFalse();
  }

  @Test
  void calloutWhenRefreshIsRefusedAsRevokedThenNeedsAuthorizationAndCallsTheProviderNoMore() {
    authorizedCrm(List.of("openid", "offline_access"));
    f.target.respondWith(ScriptedTarget.bearerChecked(f.idp::isCurrentAccessToken, "{}"));
    f.idp.revokeAll();
    f.clock.advance(Duration.ofHours(2));

    assertThat(refusal(call())).isEqualTo(DiagnosisCode.REFRESH_TOKEN_REVOKED);
    TokenRecord record = f.stored(CRM);
    assertThat(record.state()).isEqualTo(TokenState.NEEDS_AUTHORIZATION);
    assertThat(record.diagnoses())
        .extracting(d -> d.code())
        .containsExactly(DiagnosisCode.REFRESH_TOKEN_REVOKED);

    assertThat(refusal(call())).isEqualTo(DiagnosisCode.REFRESH_TOKEN_REVOKED);
    join(f.schedule.runDue());
    f.clock.advance(Duration.ofDays(2));
    join(f.schedule.runDue());
    assertThat(refusal(call())).isEqualTo(DiagnosisCode.REFRESH_TOKEN_REVOKED);
    assertThat(f.idp.refreshCalls()).isEqualTo(1);
    assertThat(f.target.count()).isZero();
  }

  @Test
  void calloutWhenRefreshTokenIdledOutThenReportsExpiryWithLastUseAndCallsTheProviderNoMore() {
    f.idp.refreshTokenIdleLifetime(Optional.of(Duration.ofSeconds(20)));
    f.idp.expiresIn(Optional.of(Duration.ofSeconds(5)));
    f.provider(List.of("openid", "offline_access"), "PT20S");
    f.credential(
        draft("crm", "oauth2_authorization_code", "named", true, false, List.of("app"), false));
    f.authorize("crm", ADMIN);
    f.target.respondWith(ScriptedTarget.bearerChecked(f.idp::isCurrentAccessToken, "{}"));

    f.clock.advance(Duration.ofSeconds(60));
    join(f.schedule.runDue());
    CalloutResult result = call();

    assertThat(refusal(result)).isEqualTo(DiagnosisCode.REFRESH_TOKEN_EXPIRED);
    String message = ((CalloutResult.Refused) result).diagnosis().message();
    assertThat(message).contains("2030-01-01T00:00:00Z");
    assertThat(f.stored(CRM).state()).isEqualTo(TokenState.NEEDS_AUTHORIZATION);
    assertThat(refusal(call())).isEqualTo(DiagnosisCode.REFRESH_TOKEN_EXPIRED);
    assertThat(f.idp.refreshCalls()).isEqualTo(1);
  }

  @Test
  void calloutWhenCallerSendsItsOwnAuthorizationWhileCallgateGeneratesOneThenConflict() {
    authorizedCrm(List.of("openid", "offline_access"));
    f.target.respondWith(ScriptedTarget.ok("{}"));

    CalloutResult result =
        call(
            APP,
            "accounts",
            Headers.of("Callgate-Proxy-Authorization", "OAuth {!$Credential.OAuthToken}"));

    assertThat(refusal(result)).isEqualTo(DiagnosisCode.AUTHORIZATION_HEADER_CONFLICT);
    assertThat(((CalloutResult.Refused) result).diagnosis().message()).contains("Authorization");
    assertThat(f.target.count()).isZero();
  }

  @Test
  void calloutWhenGenerationIsOffAndMergeFieldsAreAllowedThenTheMergeFieldCarriesTheRealToken() {
    f.provider(List.of("openid", "offline_access"), null);
    f.credential(
        draft("crm", "oauth2_authorization_code", "named", false, true, List.of("app"), true));
    f.authorize("crm", ADMIN);
    f.target.respondWith(ScriptedTarget.ok("{}"));
    String token = f.stored(CRM).tokens().orElseThrow().accessToken().reveal();

    CalloutResult result =
        call(
            APP,
            "accounts",
            Headers.of("Callgate-Proxy-Authorization", "OAuth {!$Credential.OAuthToken}"));

    assertThat(status(result)).isEqualTo(200);
    assertThat(f.target.lastRequest().headers().all("Authorization"))
        .containsExactly("OAuth " + token);
  }

  @Test
  void calloutWhenMergeFieldsAreNotAllowedThenRefusesWithoutSending() {
    f.provider(List.of("openid", "offline_access"), null);
    f.credential(
        draft("crm", "oauth2_authorization_code", "named", false, false, List.of("app"), true));
    f.authorize("crm", ADMIN);

    CalloutResult result =
        call(
            APP,
            "accounts",
            Headers.of("Callgate-Proxy-Authorization", "OAuth {!$Credential.OAuthToken}"));

    assertThat(refusal(result)).isEqualTo(DiagnosisCode.MERGE_FIELDS_NOT_ALLOWED);
    assertThat(f.target.count()).isZero();
  }

  @Test
  void calloutWhenNeverAuthorizedThenNotAuthorizedYetWithoutProviderCall() {
    f.provider(List.of("openid", "offline_access"), null);
    f.credential(authorizationCode("crm"));

    CalloutResult result = call();

    assertThat(refusal(result)).isEqualTo(DiagnosisCode.NOT_AUTHORIZED_YET);
    assertThat(((CalloutResult.Refused) result).diagnosis().remedy())
        .contains("/v1/credentials/crm/authorizations");
    assertThat(f.idp.refreshCalls() + f.idp.codeExchanges()).isZero();
  }

  @Test
  void calloutWhenCallerIsNotListedThenCallerNotAllowedButAdminMayCall() {
    authorizedCrm(List.of("openid", "offline_access"));
    f.target.respondWith(ScriptedTarget.ok("{}"));

    assertThat(refusal(call(Caller.caller("intruder"), "accounts", Headers.EMPTY)))
        .isEqualTo(DiagnosisCode.CALLER_NOT_ALLOWED);
    assertThat(status(call(ADMIN, "accounts", Headers.EMPTY))).isEqualTo(200);
    assertThat(f.target.count()).isEqualTo(1);
  }

  @Test
  void calloutWhenCredentialIsUnknownThenCredentialNotFound() {
    assertThat(refusal(call())).isEqualTo(DiagnosisCode.CREDENTIAL_NOT_FOUND);
  }

  @Test
  void calloutWhenPathClimbsAboveTheBaseThenTargetPathRejected() {
    authorizedCrm(List.of("openid", "offline_access"));
    f.target.respondWith(ScriptedTarget.ok("{}"));

    for (String path :
        List.of(
            "../admin",
            "%2e%2e/admin",
            "a/..%2f..%2fadmin",
            "a\\b",
            "//evil.test/x",
            "http://evil.test/")) {
      assertThat(refusal(call(APP, path, Headers.EMPTY)))
          .as(path)
          .isEqualTo(DiagnosisCode.TARGET_PATH_REJECTED);
    }
    assertThat(f.target.count()).isZero();
  }

  @Test
  void calloutWhenTargetIsUnreachableThenTargetUnreachable() {
    authorizedCrm(List.of("openid", "offline_access"));
    f.target.respondWith(ScriptedTarget.unreachable("connection refused"));

    CalloutResult result = call();

    assertThat(refusal(result)).isEqualTo(DiagnosisCode.TARGET_UNREACHABLE);
    assertThat(((CalloutResult.Refused) result).diagnosis().message())
        .contains("https://api.test", "connection refused");
  }

  @Test
  void calloutWhenCredentialsConnectionsAreAllBusyThenConnectionLimitReachedNamingTheSettings() {
    authorizedCrm(List.of("openid", "offline_access"));
    f.target.respondWith(request -> new CalloutTransport.ConnectionLimitReached(32, 256));

    CalloutResult result = call();

    assertThat(refusal(result)).isEqualTo(DiagnosisCode.TARGET_CONNECTION_LIMIT_REACHED);
    assertThat(((CalloutResult.Refused) result).diagnosis().message())
        .contains("32 connections", "'crm'", "https://api.test", "256 callouts");
    assertThat(((CalloutResult.Refused) result).diagnosis().remedy())
        .contains("CALLGATE_CALLOUT_POOL_SIZE", "CALLGATE_CALLOUT_POOL_QUEUE");
  }

  @Test
  void calloutWhenTargetIsCalledThenTheRequestNamesItsCredential() {
    authorizedCrm(List.of("openid", "offline_access"));

    call();

    assertThat(f.target.lastRequest().credential()).isEqualTo("crm");
  }

  @Test
  void calloutWhenTheTransportRefusesTheAddressThenItsDiagnosisNotTargetUnreachable() {
    authorizedCrm(List.of("openid", "offline_access"));
    Diagnosis refused =
        Diagnosis.of(
            DiagnosisCode.OUTBOUND_ADDRESS_REFUSED,
            "host",
            "api.test",
            "address",
            "10.0.0.7",
            "rule",
            "a private address, not named in CALLGATE_OUTBOUND_ALLOW");
    f.target.respondWith(request -> new CalloutTransport.Refused(refused));

    CalloutResult result = call();

    assertThat(((CalloutResult.Refused) result).diagnosis()).isEqualTo(refused);
  }

  @Test
  void calloutWhenTokenStoreIsDownThenStoreUnavailable() {
    authorizedCrm(List.of("openid", "offline_access"));
    f.tokens.failWith(new StoreUnavailableException("connection to the database lost", null));

    assertThat(refusal(call())).isEqualTo(DiagnosisCode.STORE_UNAVAILABLE);
  }

  @Test
  void calloutWhenTokenIsInItsProactiveWindowThenServesItAndRefreshesInTheBackground() {
    authorizedCrm(List.of("openid", "offline_access"));
    TokenSet first = f.stored(CRM).tokens().orElseThrow();
    f.target.respondWith(ScriptedTarget.ok("{}"));
    f.clock.advance(Duration.ofMinutes(50));
    f.idp.hold();

    assertThat(status(call())).isEqualTo(200);
    assertThat(bearerOf(f.target.lastRequest())).isEqualTo(first.accessToken().reveal());
    assertThat(f.idp.heldCalls()).isEqualTo(1);

    f.idp.release();
    assertThat(f.stored(CRM).tokens().orElseThrow().accessToken())
        .isNotEqualTo(first.accessToken());
    assertThat(f.idp.refreshCalls()).isEqualTo(1);
  }

  @Test
  void calloutWhenProviderIsDownAndTokenStillValidThenKeepsWorkingAndBacksOff() {
    authorizedCrm(List.of("openid", "offline_access"));
    TokenSet first = f.stored(CRM).tokens().orElseThrow();
    f.target.respondWith(ScriptedTarget.ok("{}"));
    GrantOutcome down =
        new GrantOutcome.Failed(
            GrantOutcome.Failure.UNREACHABLE,
            "connection refused",
            Optional.empty(),
            Optional.empty());
    f.idp.scriptNext(down, down, down);
    f.clock.advance(Duration.ofMinutes(50));

    for (int i = 0; i < 20; i++) {
      assertThat(status(call())).isEqualTo(200);
    }
    assertThat(bearerOf(f.target.lastRequest())).isEqualTo(first.accessToken().reveal());
    TokenRecord record = f.stored(CRM);
    assertThat(record.state()).isEqualTo(TokenState.REFRESH_FAILED);
    assertThat(record.diagnoses())
        .extracting(d -> d.code())
        .containsExactly(DiagnosisCode.REFRESH_FAILED_TRANSIENT);
    assertThat(f.idp.refreshCalls()).isEqualTo(1);

    f.clock.advance(Duration.ofMinutes(1));
    assertThat(status(call())).isEqualTo(200);
    f.clock.advance(Duration.ofMinutes(5));
    assertThat(status(call())).isEqualTo(200);
    f.clock.advance(Duration.ofMinutes(5));
    assertThat(status(call())).isEqualTo(200);
    assertThat(f.stored(CRM).state()).isEqualTo(TokenState.ACTIVE);
    assertThat(f.stored(CRM).tokens().orElseThrow().accessToken())
        .isNotEqualTo(first.accessToken());
  }

  @Test
  void calloutWhenClientCredentialsAreFirstUsedThenOneGrantServesConcurrentCallers() {
    f.provider(List.of("api.read"), null);
    f.credential(
        draft("crm", "oauth2_client_credentials", "named", true, false, List.of("app"), true));
    f.target.respondWith(ScriptedTarget.bearerChecked(f.idp::isCurrentAccessToken, "{}"));
    f.idp.hold();

    List<CompletableFuture<CalloutResult>> results = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      results.add(
          f.callouts
              .send(
                  APP,
                  "crm",
                  new CalloutRequest("GET", "x", Optional.empty(), Headers.EMPTY, Body.EMPTY))
              .toCompletableFuture());
    }
    f.idp.release();

    assertThat(results).allSatisfy(r -> assertThat(status(r.join())).isEqualTo(200));
    assertThat(f.idp.clientCredentialsCalls()).isEqualTo(1);
    assertThat(f.stored(CRM).state()).isEqualTo(TokenState.ACTIVE);
  }

  @Test
  void calloutWhenCredentialIsBasicThenSendsBasicAndRelaysA401WithoutRefresh() {
    f.credential(
        new CredentialDraft(
            "crm",
            "https://api.test/v1",
            "basic",
            null,
            null,
            null,
            null,
            null,
            List.of("app"),
            null,
            null,
            "svc",
            "pa55",
            null,
            null,
            null,
            null,
            null,
            null));
    f.target.respondWith(ScriptedTarget.unauthorized());

    assertThat(status(call())).isEqualTo(401);
    assertThat(f.target.lastRequest().headers().first("Authorization"))
        .contains("Basic c3ZjOnBhNTU=");
    assertThat(f.target.count()).isEqualTo(1);
  }

  private static CredentialDraft basic(Boolean mergeInBody, List<String> methods) {
    return new CredentialDraft(
        "crm",
        "https://api.test/v1",
        "basic",
        null,
        null,
        null,
        null,
        mergeInBody,
        List.of("app"),
        null,
        null,
        "svc-account",
        "pa55word-secret",
        null,
        null,
        null,
        null,
        null,
        null,
        methods,
        null,
        null);
  }

  private CalloutResult call(String method, Headers headers) {
    return join(
        f.callouts.send(
            APP,
            "crm",
            new CalloutRequest(method, "accounts", Optional.empty(), headers, Body.EMPTY)));
  }

  private PreparationOutcome prepare(Caller caller, String method, Headers headers) {
    return join(
        f.callouts.prepare(
            caller, "crm", new CalloutHead(method, "accounts", Optional.empty(), headers)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"TRACE", "CONNECT", "PROPFIND"})
  void calloutWhenMethodIsNotAllowedThenMethodNotAllowedAndNothingSent(String method) {
    f.credential(basic(null, null));
    f.target.respondWith(ScriptedTarget.ok("{}"));

    CalloutResult result = call(method, Headers.EMPTY);

    assertThat(refusal(result)).isEqualTo(DiagnosisCode.METHOD_NOT_ALLOWED);
    assertThat(((CalloutResult.Refused) result).diagnosis().fact("allowed"))
        .isEqualTo("GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
    assertThat(f.target.count()).isZero();
  }

  @Test
  void calloutWhenCredentialAllowsOnlyGetThenPostIsRefusedAndGetPasses() {
    f.credential(basic(null, List.of("get")));
    f.target.respondWith(ScriptedTarget.ok("{}"));

    assertThat(refusal(call("POST", Headers.EMPTY))).isEqualTo(DiagnosisCode.METHOD_NOT_ALLOWED);
    assertThat(status(call("GET", Headers.EMPTY))).isEqualTo(200);
    assertThat(f.target.count()).isEqualTo(1);
  }

  @Test
  void calloutWhenTargetEchoesTheGeneratedHeaderInAHeaderThenSecretEchoedAndNothingRelayed() {
    f.credential(basic(null, null));
    f.target.respondWith(
        request ->
            ScriptedTarget.status(
                    200,
                    Headers.of(
                        "X-Echo-Authorization",
                        request.headers().first("Authorization").orElseThrow()),
                    "{}")
                .apply(request));

    CalloutResult result = call("GET", Headers.EMPTY);

    assertThat(refusal(result)).isEqualTo(DiagnosisCode.SECRET_ECHOED);
    assertThat(((CalloutResult.Refused) result).diagnosis().fact("where")).isEqualTo("headers");
  }

  @ParameterizedTest
  @ValueSource(strings = {"svc-account:pa55word-secret", "c3ZjLWFjY291bnQ6cGE1NXdvcmQtc2VjcmV0"})
  void calloutWhenTargetEchoesBasicCredentialsInABodyInMemoryThenSecretEchoed(String echoed) {
    f.credential(basic(null, null));
    f.target.respondWith(ScriptedTarget.unauthorized(Headers.EMPTY, "you sent " + echoed));

    CalloutResult result = call("GET", Headers.EMPTY);

    assertThat(refusal(result)).isEqualTo(DiagnosisCode.SECRET_ECHOED);
    assertThat(((CalloutResult.Refused) result).diagnosis().fact("where")).isEqualTo("body");
  }

  @Test
  void calloutWhenRelayedThenCarriesAGuardThatKnowsTheBearerToken() {
    authorizedCrm(List.of("openid", "offline_access"));
    f.target.respondWith(ScriptedTarget.ok("{}"));

    CalloutResult result = call();

    String token = f.stored(CRM).tokens().orElseThrow().accessToken().reveal();
    EchoGuard guard = ((CalloutResult.Relayed) result).echoGuard();
    assertThat(guard.echoedIn(Body.of("{\"echo\":\"Bearer " + token + "\"}"))).isTrue();
    assertThat(guard.echoedIn(Body.of("{}"))).isFalse();
  }

  private CalloutResult callWithQuery(String query) {
    return join(
        f.callouts.send(
            APP,
            "crm",
            new CalloutRequest("GET", "accounts", Optional.of(query), Headers.EMPTY, Body.EMPTY)));
  }

  private void authorizedCrmPlacing(TokenPlacementDraft placement) {
    f.provider(List.of("openid", "offline_access"), null);
    CredentialDraft code = authorizationCode("crm");
    f.credential(
        new CredentialDraft(
            code.name(),
            code.url(),
            code.protocol(),
            code.principal(),
            code.provider(),
            code.generateAuthorizationHeader(),
            code.allowMergeFieldsInHeaders(),
            code.allowMergeFieldsInBody(),
            code.allowedCallers(),
            code.keepAlive(),
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            placement,
            null,
            null,
            null,
            null,
            null));
    f.authorize("crm", ADMIN);
  }

  @Test
  void calloutWhenTokenIsPlacedInACustomHeaderThenSendsItThereWithItsPrefixAndNoAuthorization() {
    authorizedCrmPlacing(new TokenPlacementDraft("header", "X-Auth-Token", "Token "));
    f.target.respondWith(ScriptedTarget.ok("{}"));

    assertThat(status(call(APP, "accounts", Headers.EMPTY))).isEqualTo(200);

    String token = f.stored(CRM).tokens().orElseThrow().accessToken().reveal();
    OutboundRequest sent = f.target.lastRequest();
    assertThat(sent.headers().all("X-Auth-Token")).containsExactly("Token " + token);
    assertThat(sent.headers().contains("Authorization")).isFalse();
  }

  @Test
  void calloutWhenCallerSendsTheHeaderTheTokenIsPlacedInThenConflictAndNothingSent() {
    authorizedCrmPlacing(new TokenPlacementDraft("header", "X-Auth-Token", null));
    f.target.respondWith(ScriptedTarget.ok("{}"));

    CalloutResult result = call(APP, "accounts", Headers.of("X-Auth-Token", "mine"));

    assertThat(refusal(result)).isEqualTo(DiagnosisCode.AUTHORIZATION_HEADER_CONFLICT);
    assertThat(f.target.count()).isZero();
  }

  @Test
  void calloutWhenTokenIsPlacedInTheQueryThenAppendsItAfterTheCallersQueryAndSendsNoHeader() {
    authorizedCrmPlacing(new TokenPlacementDraft("query", "access_token", null));
    f.target.respondWith(ScriptedTarget.ok("{}"));

    CalloutResult result = callWithQuery("q=1");

    assertThat(status(result)).isEqualTo(200);
    String token = f.stored(CRM).tokens().orElseThrow().accessToken().reveal();
    OutboundRequest sent = f.target.lastRequest();
    assertThat(sent.uri().getRawQuery()).isEqualTo("q=1&access_token=" + token);
    assertThat(sent.headers().contains("Authorization")).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"access_token=mine", "q=1&access_token", "access%5Ftoken=mine"})
  void calloutWhenTheCallersQueryHasTheTokensParameterThenConflictAndNothingSent(String query) {
    authorizedCrmPlacing(new TokenPlacementDraft("query", "access_token", null));
    f.target.respondWith(ScriptedTarget.ok("{}"));

    CalloutResult result = callWithQuery(query);

    assertThat(refusal(result)).isEqualTo(DiagnosisCode.TOKEN_PARAMETER_CONFLICT);
    assertThat(((CalloutResult.Refused) result).diagnosis().fact("parameter"))
        .isEqualTo("access_token");
    assertThat(f.target.count()).isZero();
  }

  @Test
  void prepareWhenMergeFieldsInBodyThenBufferedWithTheLimitAndADeclaredLargerBodyIsRefused() {
    f.credential(basic(true, null));

    PreparationOutcome small = prepare(APP, "POST", Headers.of("Content-Length", "10"));
    PreparationOutcome large =
        prepare(
            APP,
            "POST",
            Headers.of("Content-Length", String.valueOf(Callouts.DEFAULT_BUFFERED_BODY_LIMIT + 1)));

    assertThat(small.<Object>fold(p -> p.bodyMode(), d -> d.code()))
        .isEqualTo(new BodyMode.Buffered(Callouts.DEFAULT_BUFFERED_BODY_LIMIT));
    assertThat(large.<Object>fold(p -> p.bodyMode(), d -> d.code()))
        .isEqualTo(DiagnosisCode.REQUEST_TOO_LARGE);
  }

  @Test
  void prepareWhenCallerIsNotAllowedThenRefusedBeforeTheLimitIsLookedAt() {
    f.credential(basic(true, null));

    PreparationOutcome outcome =
        prepare(Caller.caller("stranger"), "POST", Headers.of("Content-Length", "999999999"));

    assertThat(outcome.<Object>fold(p -> p.bodyMode(), d -> d.code()))
        .isEqualTo(DiagnosisCode.CALLER_NOT_ALLOWED);
  }

  @Test
  void prepareWhenNoMergeFieldsInBodyThenStreamedWhateverTheLength() {
    f.credential(basic(false, null));

    PreparationOutcome outcome = prepare(APP, "POST", Headers.of("Content-Length", "999999999"));

    assertThat(outcome.<Object>fold(p -> p.bodyMode(), d -> d.code())).isEqualTo(BodyMode.STREAMED);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "bad name", "x:y"})
  void calloutWhenAHeaderNameIsNotATokenThenInvalidValueAndNothingSent(String name) {
    f.credential(basic(null, null));

    CalloutResult result = call("GET", new Headers(List.of(new Headers.Header(name, "v"))));

    assertThat(refusal(result)).isEqualTo(DiagnosisCode.INVALID_VALUE);
    assertThat(f.target.count()).isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {"caf\u00e9", "caf\u00c3\u00a9", "\u65e5\u672c", "a\u0000b"})
  void calloutWhenAHeaderValueIsNotVisibleAsciiThenInvalidValueAndNothingSent(String value) {
    f.credential(basic(null, null));

    CalloutResult result = call("GET", Headers.of("X-Note", value));

    assertThat(refusal(result)).isEqualTo(DiagnosisCode.INVALID_VALUE);
    assertThat(f.target.count()).isZero();
  }

  @Test
  void calloutWhenPreparedAndSentThenTheCredentialIsReadOnce() {
    f.credential(basic(null, null));
    f.target.respondWith(ScriptedTarget.ok("{}"));
    AtomicInteger reads = new AtomicInteger();
    CredentialStore counting =
        (CredentialStore)
            java.lang.reflect.Proxy.newProxyInstance(
                CredentialStore.class.getClassLoader(),
                new Class<?>[] {CredentialStore.class},
                (proxy, method, args) -> {
                  if (method.getName().equals("findCredential")) {
                    reads.incrementAndGet();
                  }
                  return method.invoke(f.credentials, args);
                });
    Callouts callouts = new Callouts(counting, f.tokens, f.refresher, f.target, f.clock, f.policy);

    CalloutResult result =
        join(
            callouts.send(
                APP,
                "crm",
                new CalloutRequest(
                    "GET", "accounts", Optional.empty(), Headers.EMPTY, Body.EMPTY)));

    assertThat(status(result)).isEqualTo(200);
    assertThat(reads).hasValue(1);
  }
}
