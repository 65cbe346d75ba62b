package dev.callgate.core.testkit;

import static dev.callgate.core.testkit.Concurrently.join;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.callgate.core.credential.AuthProvider;
import dev.callgate.core.credential.ClientAuthMethod;
import dev.callgate.core.credential.Secret;
import dev.callgate.core.port.GrantOutcome;
import dev.callgate.core.port.RevocationOutcome;
import dev.callgate.core.port.TokenResponse;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

class InMemoryIdentityProviderTest {

  private static final String VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
  private static final String CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
  private static final URI REDIRECT = URI.create("https://callgate.test/v1/oauth/callback");
  private static final AuthProvider PROVIDER =
      new AuthProvider(
          "idp",
          Optional.of(URI.create(InMemoryIdentityProvider.ISSUER)),
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          "callgate",
          Optional.of(Secret.of("client-secret")),
          ClientAuthMethod.CLIENT_SECRET_BASIC,
          List.of("openid", "offline_access"),
          Optional.empty());

  private final ManualClock clock = new ManualClock();
  private final InMemoryIdentityProvider idp = new InMemoryIdentityProvider(clock);

  @Test
  void s256WhenGivenTheRfc7636ExampleVerifierThenYieldsItsChallenge() {
    assertThat(InMemoryIdentityProvider.s256(VERIFIER)).isEqualTo(CHALLENGE);
  }

  @Test
  void exchangeCodeWhenVerifierMatchesTheChallengeThenGrantsTokens() {
    InMemoryIdentityProvider.Approval approval =
        idp.approve(authorizationUrl("openid offline_access", "S256"), "alice");

    TokenResponse tokens =
        granted(idp.exchangeCode(PROVIDER, approval.code(), Secret.of(VERIFIER), REDIRECT));

    assertThat(approval.state()).isEqualTo("state-1");
    assertThat(approval.redirectUri()).isEqualTo(REDIRECT);
    assertThat(tokens.accessToken().reveal()).isEqualTo("at-1");
    assertThat(tokens.refreshToken()).contains(Secret.of("rt-1"));
    assertThat(tokens.expiresIn()).contains(Duration.ofHours(1));
    assertThat(tokens.scope()).contains(List.of("openid", "offline_access"));
    assertThat(idp.isCurrentAccessToken("at-1")).isTrue();
    assertThat(idp.subjectOf("at-1")).contains("alice");
    assertThat(idp.lastAuthorizationQuery()).containsEntry("client_id", "callgate");
  }

  @Test
  void exchangeCodeWhenVerifierDoesNotMatchThenRefusesWithInvalidGrant() {
    InMemoryIdentityProvider.Approval approval =
        idp.approve(authorizationUrl("openid", "S256"), "alice");

    GrantOutcome outcome =
        join(
            idp.exchangeCode(
                PROVIDER, approval.code(), Secret.of(VERIFIER.replace('d', 'e')), REDIRECT));

    assertInvalidGrant(
        outcome, "PKCE verification failed: code verifier does not match the challenge");
  }

  @Test
  void exchangeCodeWhenTheCodeIsUsedTwiceThenRefusesTheSecondTime() {
    InMemoryIdentityProvider.Approval approval =
        idp.approve(authorizationUrl("openid", "S256"), "alice");
    granted(idp.exchangeCode(PROVIDER, approval.code(), Secret.of(VERIFIER), REDIRECT));

    GrantOutcome again =
        join(idp.exchangeCode(PROVIDER, approval.code(), Secret.of(VERIFIER), REDIRECT));

    assertInvalidGrant(again, "Code not valid");
    assertThat(idp.codeExchanges()).isEqualTo(2);
  }

  @Test
  void exchangeCodeWhenTheRedirectUriDiffersThenRefuses() {
    InMemoryIdentityProvider.Approval approval =
        idp.approve(authorizationUrl("openid", "S256"), "alice");

    GrantOutcome outcome =
        join(
            idp.exchangeCode(
                PROVIDER,
                approval.code(),
                Secret.of(VERIFIER),
                URI.create("https://evil.test/cb")));

    assertInvalidGrant(outcome, "Incorrect redirect_uri");
  }

  @Test
  void authorizeWhenTheChallengeMethodIsPlainThenAnswersInvalidRequest() {
    InMemoryIdentityProvider.AuthorizationResponse response =
        idp.authorize(authorizationUrl("openid", "plain"), "alice");

    assertThat(response).isInstanceOf(InMemoryIdentityProvider.Denial.class);
    assertThat(((InMemoryIdentityProvider.Denial) response).error()).isEqualTo("invalid_request");
    assertThat(response.callbackUri().getRawQuery())
        .contains("error=invalid_request", "state=state-1");
    assertThatThrownBy(() -> idp.approve(authorizationUrl("openid", "plain"), "alice"))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void exchangeCodeWhenOfflineScopeIsNotRequestedThenIssuesNoRefreshToken() {
    idp.offlineScope("offline_access");
    InMemoryIdentityProvider.Approval approval =
        idp.approve(authorizationUrl("openid", "S256"), "alice");

    TokenResponse tokens =
        granted(idp.exchangeCode(PROVIDER, approval.code(), Secret.of(VERIFIER), REDIRECT));

    assertThat(tokens.refreshToken()).isEmpty();
  }

  @Test
  void refreshWhenRotationIsOnThenTheOldRefreshTokenIsRefusedAfterwards() {
    idp.rotateRefreshTokens(true);
    TokenResponse first = authorize();

    TokenResponse second = granted(idp.refresh(PROVIDER, first.refreshToken().get()));
    GrantOutcome reuse = join(idp.refresh(PROVIDER, first.refreshToken().get()));

    assertThat(second.refreshToken()).contains(Secret.of("rt-2"));
    assertThat(second.accessToken().reveal()).isEqualTo("at-2");
    assertInvalidGrant(reuse, "Token is not active");
    assertThat(granted(idp.refresh(PROVIDER, second.refreshToken().get())).accessToken().reveal())
        .isEqualTo("at-3");
    assertThat(idp.isCurrentAccessToken("at-2")).isFalse();
    assertThat(idp.refreshCalls()).isEqualTo(3);
  }

  @Test
  void refreshWhenRotationIsOffThenTheSameRefreshTokenKeepsWorking() {
    TokenResponse first = authorize();

    TokenResponse second = granted(idp.refresh(PROVIDER, first.refreshToken().get()));

    assertThat(second.refreshToken()).isEqualTo(first.refreshToken());
    granted(idp.refresh(PROVIDER, first.refreshToken().get()));
  }

  @Test
  void refreshWhenIdleLongerThanTheIdleLifetimeThenRefusesAsExpired() {
    idp.refreshTokenIdleLifetime(Optional.of(Duration.ofHours(24)));
    TokenResponse tokens = authorize();
    Secret refreshToken = tokens.refreshToken().get();

    clock.advance(Duration.ofHours(23));
    granted(idp.refresh(PROVIDER, refreshToken));
    clock.advance(Duration.ofHours(23));
    granted(idp.refresh(PROVIDER, refreshToken));
    clock.advance(Duration.ofHours(24));

    assertInvalidGrant(join(idp.refresh(PROVIDER, refreshToken)), "Refresh token expired");
    assertThat(idp.isActiveRefreshToken(refreshToken.reveal())).isFalse();
  }

  @Test
  void refreshWhenRefreshExpiresInIsReportedThenSendsTheIdleLifetime() {
    idp.refreshTokenIdleLifetime(Optional.of(Duration.ofMinutes(30))).reportRefreshExpiresIn(true);

    assertThat(authorize().refreshExpiresIn()).contains(Duration.ofMinutes(30));
  }

  @Test
  void refreshWhenRevokedThenRefusesAsRevoked() {
    TokenResponse tokens = authorize();

    idp.revokeAll();

    assertInvalidGrant(
        join(idp.refresh(PROVIDER, tokens.refreshToken().get())), "Token has been revoked");
    assertThat(idp.validAccessTokens()).isEmpty();
  }

  @Test
  void revokeWhenRevocationsFailThenAnswersTheFailureAndTheGrantLivesOnUntilTheyWorkAgain() {
    TokenResponse tokens = authorize();
    Secret refreshToken = tokens.refreshToken().get();

    idp.failRevocations(Optional.of("the revocation endpoint answered HTTP 503"));
    RevocationOutcome failed = join(idp.revoke(PROVIDER, refreshToken, "refresh_token"));
    boolean activeAfterFailure = idp.isActiveRefreshToken(refreshToken.reveal());
    idp.failRevocations(Optional.empty());
    RevocationOutcome revoked = join(idp.revoke(PROVIDER, refreshToken, "refresh_token"));

    assertThat(failed)
        .isEqualTo(new RevocationOutcome.Failed("the revocation endpoint answered HTTP 503"));
    assertThat(activeAfterFailure).isTrue();
    assertThat(revoked).isEqualTo(new RevocationOutcome.Revoked());
    assertThat(idp.isActiveRefreshToken(refreshToken.reveal())).isFalse();
  }

  @Test
  void refreshWhenTheTokenIsUnknownThenRefuses() {
    assertInvalidGrant(join(idp.refresh(PROVIDER, Secret.of("rt-made-up"))), "Token is not active");
  }

  @Test
  void validAccessTokensWhenTheAccessTokenExpiredThenLeavesItOut() {
    authorize();
    assertThat(idp.validAccessTokens()).containsExactly("at-1");

    clock.advance(Duration.ofHours(1));

    assertThat(idp.validAccessTokens()).isEmpty();
    assertThat(idp.isCurrentAccessToken("at-1")).isTrue();
  }

  @Test
  void scriptNextWhenSetThenTheNextCallsAnswerTheScriptedOutcomes() {
    TokenResponse tokens = authorize();
    GrantOutcome outage =
        new GrantOutcome.Failed(
            GrantOutcome.Failure.SERVER_ERROR, "HTTP 503", Optional.of(503), Optional.empty());

    idp.scriptNext(outage);

    assertThat(join(idp.refresh(PROVIDER, tokens.refreshToken().get()))).isEqualTo(outage);
    granted(idp.refresh(PROVIDER, tokens.refreshToken().get()));
  }

  @Test
  void holdWhenHeldThenAnswersWaitForRelease() {
    TokenResponse tokens = authorize();
    idp.hold();

    CompletionStage<GrantOutcome> pending = idp.refresh(PROVIDER, tokens.refreshToken().get());

    assertThat(pending.toCompletableFuture()).isNotDone();
    assertThat(idp.heldCalls()).isEqualTo(1);
    idp.release();
    assertThat(pending.toCompletableFuture()).isDone();
    granted(pending);
  }

  @Test
  void clientCredentialsWhenCalledThenGrantsTheProviderScopesWithoutRefreshToken() {
    TokenResponse tokens = granted(idp.clientCredentials(PROVIDER));

    assertThat(tokens.refreshToken()).isEmpty();
    assertThat(tokens.scope()).contains(PROVIDER.scopes());
    assertThat(idp.subjectOf(tokens.accessToken().reveal())).contains("callgate");
    assertThat(idp.clientCredentialsCalls()).isEqualTo(1);
  }

  private TokenResponse authorize() {
    InMemoryIdentityProvider.Approval approval =
        idp.approve(authorizationUrl("openid offline_access", "S256"), "alice");
    return granted(idp.exchangeCode(PROVIDER, approval.code(), Secret.of(VERIFIER), REDIRECT));
  }

  private static URI authorizationUrl(String scope, String method) {
    return URI.create(
        InMemoryIdentityProvider.AUTHORIZATION_ENDPOINT
            + "?response_type=code&client_id=callgate&redirect_uri="
            + URLEncoder.encode(REDIRECT.toString(), StandardCharsets.UTF_8)
            + "&scope="
            + URLEncoder.encode(scope, StandardCharsets.UTF_8)
            + "&state=state-1&code_challenge="
            + CHALLENGE
            + "&code_challenge_method="
            + method);
  }

  private static TokenResponse granted(CompletionStage<GrantOutcome> stage) {
    GrantOutcome outcome = join(stage);
    assertThat(outcome).isInstanceOf(GrantOutcome.Granted.class);
    return ((GrantOutcome.Granted) outcome).response();
  }

  private static void assertInvalidGrant(GrantOutcome outcome, String description) {
    assertThat(outcome)
        .isEqualTo(new GrantOutcome.Refused("invalid_grant", Optional.of(description), 400));
  }
}
