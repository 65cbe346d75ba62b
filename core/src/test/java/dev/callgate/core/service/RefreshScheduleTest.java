package dev.callgate.core.service;

import static dev.callgate.core.service.ServiceFixture.ADMIN;
import static dev.callgate.core.service.ServiceFixture.draft;
import static dev.callgate.core.service.ServiceFixture.join;
import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.core.callout.Body;
import dev.callgate.core.callout.CalloutRequest;
import dev.callgate.core.callout.Headers;
import dev.callgate.core.diagnosis.DiagnosisCode;
import dev.callgate.core.testkit.ScriptedTarget;
import dev.callgate.core.token.TokenKey;
import dev.callgate.core.token.TokenState;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The first failure Callgate exists for: an access token of 5 s, a refresh token that idles out
 * after 20 s, and nobody calling for a minute.
 */
class RefreshScheduleTest {
  private static final TokenKey CRM = TokenKey.named("crm");
  private final ServiceFixture f = new ServiceFixture();

  private void shortLivedCredential(boolean keepAlive) {
    f.idp.expiresIn(Optional.of(Duration.ofSeconds(5)));
    f.idp.refreshTokenIdleLifetime(Optional.of(Duration.ofSeconds(20)));
    f.idp.rotateRefreshTokens(true);
    f.provider(List.of("openid", "offline_access"), "PT20S");
    f.credential(
        draft("crm", "oauth2_authorization_code", "named", true, false, List.of("app"), keepAlive));
    f.authorize("crm", ADMIN);
    f.target.respondWith(ScriptedTarget.bearerChecked(f.idp::isCurrentAccessToken, "{}"));
  }

  private void idleFor(Duration duration) {
    for (long s = 0; s < duration.toSeconds(); s++) {
      f.clock.advance(Duration.ofSeconds(1));
      join(f.schedule.runDue());
    }
  }

  private CalloutResult call() {
    return join(
        f.callouts.send(
            Caller.caller("app"),
            "crm",
            new CalloutRequest("GET", "accounts", Optional.empty(), Headers.EMPTY, Body.EMPTY)));
  }

  @Test
  void runDueWhenNobodyCallsForLongerThanTheRefreshTokenIdleLifetimeThenKeepsTheCredentialUsable() {
    shortLivedCredential(true);

    idleFor(Duration.ofSeconds(60));

    CalloutResult result = call();
    assertThat(result).isInstanceOf(CalloutResult.Relayed.class);
    assertThat(((CalloutResult.Relayed) result).response().status()).isEqualTo(200);
    assertThat(f.stored(CRM).state()).isEqualTo(TokenState.ACTIVE);
    // keep-alive refreshes ride on the refresh token's lifetime, not on every access-token expiry
    assertThat(f.idp.refreshCalls()).isBetween(3, 7);
  }

  @Test
  void runDueWhenKeepAliveIsOffThenTheRefreshTokenIdlesOutAndTheCalloutSaysSo() {
    shortLivedCredential(false);

    idleFor(Duration.ofSeconds(60));

    assertThat(f.idp.refreshCalls()).isZero();
    CalloutResult result = call();
    assertThat(result).isInstanceOf(CalloutResult.Refused.class);
    assertThat(((CalloutResult.Refused) result).diagnosis().code())
        .isEqualTo(DiagnosisCode.REFRESH_TOKEN_EXPIRED);
    assertThat(f.stored(CRM).state()).isEqualTo(TokenState.NEEDS_AUTHORIZATION);
  }

  @Test
  void runDueWhenTokenIsInUseThenRefreshesProactivelyBeforeExpiry() {
    shortLivedCredential(false);
    assertThat(call()).isInstanceOf(CalloutResult.Relayed.class);

    f.clock.advance(Duration.ofSeconds(3));
    RefreshSchedule.Run run = join(f.schedule.runDue());

    assertThat(run.refreshed()).isEqualTo(1);
    assertThat(f.idp.refreshCalls()).isEqualTo(1);
    assertThat(f.stored(CRM).tokens().orElseThrow().expiresAt())
        .isAfter(f.clock.now().plusSeconds(4));
  }

  @Test
  void runDueWhenTwoInstancesRunTogetherThenEachTokenIsRefreshedOnce() {
    shortLivedCredential(true);
    RefreshSchedule otherSchedule =
        new RefreshSchedule(
            f.credentials,
            f.tokens,
            new Refresher(
                f.credentials,
                f.tokens,
                f.idp,
                f.clock,
                f.policy,
                Refresher.Settings.defaults("instance-2")),
            f.clock,
            f.policy,
            new RefreshSchedule.Settings("instance-2", 100, Duration.ofSeconds(30)));
    f.clock.advance(Duration.ofSeconds(12));

    var mine = f.schedule.runDue().toCompletableFuture();
    var theirs = otherSchedule.runDue().toCompletableFuture();

    assertThat(join(mine).claimed() + join(theirs).claimed()).isEqualTo(1);
    assertThat(f.idp.refreshCalls()).isEqualTo(1);
  }

  @Test
  void runDueWhenNothingIsDueThenClaimsNothing() {
    shortLivedCredential(true);

    RefreshSchedule.Run run = join(f.schedule.runDue());

    assertThat(run.claimed()).isZero();
    assertThat(f.idp.refreshCalls()).isZero();
  }
}
