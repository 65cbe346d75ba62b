package dev.callgate.core.service;

import static dev.callgate.core.service.ServiceFixture.ADMIN;
import static dev.callgate.core.service.ServiceFixture.REQUEST_ID;
import static dev.callgate.core.service.ServiceFixture.authorizationCode;
import static dev.callgate.core.service.ServiceFixture.draft;
import static dev.callgate.core.service.ServiceFixture.join;
import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.core.callout.Headers;
import dev.callgate.core.credential.CredentialDraft;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.diagnosis.DiagnosisCode;
import dev.callgate.core.port.GrantOutcome;
import dev.callgate.core.testkit.ScriptedTarget;
import dev.callgate.core.token.TokenKey;
import dev.callgate.core.token.TokenState;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** Refreshing a token now and testing a credential's connection, as a person asks for them. */
class TokenUseCasesTest {
  private final ServiceFixture f = new ServiceFixture();

  // ---- refresh now ----

  @Test
  void refreshNowWhenAuthorizedThenRefreshedWithTheNewStatus() {
    f.provider(List.of("openid", "offline_access"), "PT24H");
    f.credential(authorizationCode("crm"));
    f.authorize("crm", ADMIN);
    int calls = f.idp.refreshCalls();

    ManualRefreshes.RefreshNowOutcome outcome = join(f.manualRefreshes.refresh(refreshNow(ADMIN)));

    TokenStatus status = outcome.fold(s -> s, d -> null, (d, wait) -> null);
    assertThat(status.state()).isEqualTo(TokenState.ACTIVE);
    assertThat(f.idp.refreshCalls()).isEqualTo(calls + 1);
  }

  @Test
  void refreshNowWhenTheProviderIsDownThenDeferredUntilTheNextAttempt() {
    f.provider(List.of("openid", "offline_access"), "PT24H");
    f.credential(authorizationCode("crm"));
    f.authorize("crm", ADMIN);
    f.idp.scriptNext(
        new GrantOutcome.Failed(
            GrantOutcome.Failure.UNREACHABLE,
            "connection refused",
            Optional.empty(),
            Optional.empty()));

    ManualRefreshes.RefreshNowOutcome outcome = join(f.manualRefreshes.refresh(refreshNow(ADMIN)));

    Duration retryAfter = outcome.fold(s -> null, d -> null, (d, wait) -> wait);
    assertThat(retryAfter).isPositive();
    assertThat(retryAfter)
        .isEqualTo(
            Duration.between(
                f.clock.now(), f.stored(TokenKey.named("crm")).nextAttemptAt().orElseThrow()));
  }

  @Test
  void refreshNowWhenTheCredentialHoldsNoTokensThenRejectedFlowNotSupported() {
    f.credential(draft("open", "none", "named", false, false, List.of("app"), false));

    ManualRefreshes.RefreshNowOutcome outcome =
        join(
            f.manualRefreshes.refresh(
                new ManualRefreshes.RefreshNow(
                    ADMIN, "open", Optional.empty(), ADMIN.actor(REQUEST_ID))));

    assertThat(rejected(outcome)).isEqualTo(DiagnosisCode.FLOW_NOT_SUPPORTED);
  }

  @Test
  void refreshNowWhenTheCallerMayNotUseTheCredentialOrItIsUnknownThenRejected() {
    f.provider(List.of("openid", "offline_access"), "PT24H");
    f.credential(authorizationCode("crm"));

    assertThat(rejected(join(f.manualRefreshes.refresh(refreshNow(Caller.caller("eve"))))))
        .isEqualTo(DiagnosisCode.CALLER_NOT_ALLOWED);
    assertThat(
            rejected(
                join(
                    f.manualRefreshes.refresh(
                        new ManualRefreshes.RefreshNow(
                            ADMIN, "none", Optional.empty(), ADMIN.actor(REQUEST_ID))))))
        .isEqualTo(DiagnosisCode.CREDENTIAL_NOT_FOUND);
  }

  // ---- connection test ----

  @Test
  void testConnectionWhenTheTargetAnswersThenReportsItsStatusAndHowLongItTook() {
    f.credential(withTestPath("/health?deep=1"));
    f.target.respondWith(
        request -> {
          f.clock.advance(Duration.ofMillis(120));
          return ScriptedTarget.status(503, Headers.EMPTY, "").apply(request);
        });

    ConnectionTests.ConnectionReport report = tested(ADMIN);

    assertThat(report.status()).isEqualTo(OptionalInt.of(503));
    assertThat(report.ok()).isFalse();
    assertThat(report.latency()).isEqualTo(Duration.ofMillis(120));
    assertThat(report.path()).isEqualTo("/health?deep=1");
    assertThat(f.target.lastRequest().method()).isEqualTo("GET");
    assertThat(f.target.lastRequest().uri().toString())
        .isEqualTo("https://api.test/v1/health?deep=1");
  }

  @Test
  void testConnectionWhenTheTargetIsUnreachableThenReportsCallgatesDiagnosisWithoutAStatus() {
    f.credential(withTestPath("/health"));
    f.target.respondWith(ScriptedTarget.unreachable("connection refused"));

    ConnectionTests.ConnectionReport report = tested(ADMIN);

    assertThat(report.status()).isEmpty();
    assertThat(report.ok()).isFalse();
    assertThat(report.diagnosis().map(Diagnosis::code)).contains(DiagnosisCode.TARGET_UNREACHABLE);
  }

  @Test
  void testConnectionWhenTheCredentialHasNoTestPathThenRejectedWithoutACallout() {
    f.credential(draft("open", "none", "named", false, false, List.of("app"), false));

    ConnectionTests.TestConnectionOutcome outcome =
        join(f.connectionTests.test(new ConnectionTests.TestConnection(ADMIN, "open")));

    String field = outcome.fold(report -> null, d -> d.fact("field"));
    assertThat(field).isEqualTo("testPath");
    assertThat(f.target.count()).isZero();
  }

  @Test
  void refreshNowWhenTheNamedUserIsNoSubjectThenInvalidValueBeforeAnyTokenIsRead() {
    f.provider(List.of("openid", "offline_access"), "PT24H");
    f.credential(
        draft("mail", "oauth2_authorization_code", "per_user", true, false, List.of(), true));

    for (String user : List.of("a\r\nb", "a\u0000b", "s".repeat(3_000))) {
      ManualRefreshes.RefreshNowOutcome outcome =
          join(
              f.manualRefreshes.refresh(
                  new ManualRefreshes.RefreshNow(
                      ADMIN, "mail", Optional.of(user), ADMIN.actor(REQUEST_ID))));
      String field = outcome.fold(s -> null, d -> d.fact("field"), (d, wait) -> null);
      assertThat(field).as(user.length() > 20 ? "a long user" : user).isEqualTo("user");
    }
  }

  private static ManualRefreshes.RefreshNow refreshNow(Caller caller) {
    return new ManualRefreshes.RefreshNow(
        caller, "crm", Optional.empty(), caller.actor(REQUEST_ID));
  }

  private static DiagnosisCode rejected(ManualRefreshes.RefreshNowOutcome outcome) {
    return outcome.fold(s -> null, Diagnosis::code, (d, wait) -> null);
  }

  private ConnectionTests.ConnectionReport tested(Caller caller) {
    return join(f.connectionTests.test(new ConnectionTests.TestConnection(caller, "open")))
        .fold(
            report -> report,
            diagnosis -> {
              throw new AssertionError("not tested: " + diagnosis.message());
            });
  }

  /** A credential without authentication whose connection is tested at {@code testPath}. */
  private static CredentialDraft withTestPath(String testPath) {
    CredentialDraft d = draft("open", "none", "named", false, false, List.of("app"), false);
    return new CredentialDraft(
        d.name(),
        d.url(),
        d.protocol(),
        d.principal(),
        null,
        d.generateAuthorizationHeader(),
        d.allowMergeFieldsInHeaders(),
        d.allowMergeFieldsInBody(),
        d.allowedCallers(),
        d.keepAlive(),
        testPath,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null);
  }
}
