package dev.callgate.core.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import dev.callgate.core.credential.Secret;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TokenSetTest {
  private static final Instant ISSUED = Instant.parse("2024-05-01T10:00:00Z");

  private static TokenSet tokens(
      Instant expiresAt, Optional<Secret> refreshToken, Optional<RefreshTokenExpiry> expiry) {
    return new TokenSet(
        Secret.of("access-1"),
        "Bearer",
        ISSUED,
        expiresAt,
        refreshToken,
        expiry,
        List.of("openid", "offline_access"));
  }

  @Test
  void constructorWhenAccessTokenExpiresBeforeItIsIssuedThenRefuses() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> tokens(ISSUED.minusNanos(1), Optional.empty(), Optional.empty()))
        .withMessageContaining("expire before it is issued");
  }

  @Test
  void constructorWhenAccessTokenExpiresTheInstantItIsIssuedThenAccepts() {
    TokenSet set = tokens(ISSUED, Optional.empty(), Optional.empty());

    assertThat(set.accessTokenLifetime()).isZero();
  }

  @Test
  void constructorWhenRefreshTokenExpiryIsGivenWithoutRefreshTokenThenRefuses() {
    RefreshTokenExpiry expiry =
        new RefreshTokenExpiry(ISSUED.plus(Duration.ofDays(1)), RefreshTokenExpiry.Source.REPORTED);

    assertThatIllegalArgumentException()
        .isThrownBy(() -> tokens(ISSUED.plusSeconds(3600), Optional.empty(), Optional.of(expiry)))
        .withMessageContaining("needs a refresh token");
  }

  @Test
  void constructorWhenRequiredPartIsMissingThenRefuses() {
    assertThatNullPointerException()
        .isThrownBy(
            () ->
                new TokenSet(
                    null, "Bearer", ISSUED, ISSUED, Optional.empty(), Optional.empty(), List.of()))
        .withMessage("accessToken");
    assertThatNullPointerException()
        .isThrownBy(
            () ->
                new TokenSet(
                    Secret.of("a"),
                    "Bearer",
                    ISSUED,
                    null,
                    Optional.empty(),
                    Optional.empty(),
                    List.of()))
        .withMessage("expiresAt");
  }

  @Test
  void refreshTokenExpiresAtWhenExpiryKnownThenReportsIt() {
    Instant at = ISSUED.plus(Duration.ofDays(1));
    TokenSet set =
        tokens(
            ISSUED.plusSeconds(3600),
            Optional.of(Secret.of("refresh-1")),
            Optional.of(new RefreshTokenExpiry(at, RefreshTokenExpiry.Source.CONFIGURED)));

    assertThat(set.hasRefreshToken()).isTrue();
    assertThat(set.refreshTokenExpiresAt()).contains(at);
    assertThat(set.accessTokenLifetime()).isEqualTo(Duration.ofHours(1));
  }

  @Test
  void refreshTokenExpiresAtWhenNoRefreshTokenThenEmpty() {
    TokenSet set = tokens(ISSUED.plusSeconds(3600), Optional.empty(), Optional.empty());

    assertThat(set.hasRefreshToken()).isFalse();
    assertThat(set.refreshTokenExpiresAt()).isEmpty();
  }

  @Test
  void isAccessTokenExpiredAtWhenNowReachesExpiresAtThenExpired() {
    Instant expiresAt = ISSUED.plusSeconds(3600);
    TokenSet set = tokens(expiresAt, Optional.empty(), Optional.empty());

    assertThat(set.isAccessTokenExpiredAt(expiresAt.minusNanos(1))).isFalse();
    assertThat(set.isAccessTokenExpiredAt(expiresAt)).isTrue();
    assertThat(set.isAccessTokenExpiredAt(expiresAt.plusSeconds(1))).isTrue();
  }

  @Test
  void scopeWhenSourceListChangesLaterThenTokenSetKeepsItsCopy() {
    List<String> scope = new ArrayList<>(List.of("openid"));
    TokenSet set =
        new TokenSet(
            Secret.of("a"), "Bearer", ISSUED, ISSUED, Optional.empty(), Optional.empty(), scope);

    scope.add("admin");

    assertThat(set.scope()).containsExactly("openid");
  }

  @Test
  void toStringWhenPrintedThenShowsNeitherToken() {
    TokenSet set =
        tokens(ISSUED.plusSeconds(3600), Optional.of(Secret.of("refresh-1")), Optional.empty());

    assertThat(set.toString()).doesNotContain("access-1").doesNotContain("refresh-1");
  }

  @Test
  void isKnownWhenProviderOrConfigurationSaidThenTrueAndWhenAssumedThenFalse() {
    assertThat(new RefreshTokenExpiry(ISSUED, RefreshTokenExpiry.Source.REPORTED).isKnown())
        .isTrue();
    assertThat(new RefreshTokenExpiry(ISSUED, RefreshTokenExpiry.Source.JWT_CLAIM).isKnown())
        .isTrue();
    assertThat(new RefreshTokenExpiry(ISSUED, RefreshTokenExpiry.Source.CONFIGURED).isKnown())
        .isTrue();
    assertThat(new RefreshTokenExpiry(ISSUED, RefreshTokenExpiry.Source.ASSUMED).isKnown())
        .isFalse();
  }
}
