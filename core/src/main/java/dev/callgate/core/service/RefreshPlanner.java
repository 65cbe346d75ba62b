package dev.callgate.core.service;

import dev.callgate.core.credential.AuthProvider;
import dev.callgate.core.credential.NamedCredential;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.diagnosis.DiagnosisCode;
import dev.callgate.core.refresh.RefreshPolicy;
import dev.callgate.core.token.RefreshPlan;
import dev.callgate.core.token.RefreshTokenExpiry;
import dev.callgate.core.token.TokenRecord;
import dev.callgate.core.token.TokenSet;
import dev.callgate.core.token.TokenState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The refresh policy applied to one credential's records: when the schedule should next refresh a
 * record (the {@link RefreshPlan} every transition takes), and which warnings a new token set
 * deserves.
 */
final class RefreshPlanner {
  /** Providers round their reported lifetimes; less than this is "not extended". */
  private static final Duration EXTENSION_TOLERANCE = Duration.ofSeconds(2);

  private final RefreshPolicy policy;

  RefreshPlanner(RefreshPolicy policy) {
    this.policy = policy;
  }

  RefreshPolicy policy() {
    return policy;
  }

  /** The plan for the records of {@code credential}. */
  RefreshPlan planFor(NamedCredential credential) {
    return record -> nextRefreshAt(credential, record);
  }

  Optional<Instant> nextRefreshAt(NamedCredential credential, TokenRecord record) {
    if (!record.state().allowsRefresh() || record.tokens().isEmpty()) {
      return Optional.empty();
    }
    if (record.state() == TokenState.REFRESH_FAILED) {
      return record.nextAttemptAt();
    }
    // refreshing cannot extend a refresh token that has reached its absolute lifetime: keeping it
    // "alive" would only refresh ever closer to the same end
    boolean keepAlive =
        credential.keepAlive()
            && record.diagnoses().stream()
                .noneMatch(d -> d.code() == DiagnosisCode.REFRESH_TOKEN_EXPIRING);
    return policy.nextRefreshAt(record.tokens().get(), keepAlive, record.lastUsedAt());
  }

  /**
   * What a person should know about a new token set from {@code provider}: a refresh that did not
   * move the refresh token's reported expiry means an absolute lifetime (a maximum session) that
   * refreshing cannot save; a refresh token whose lifetime nobody states is kept alive on an
   * assumption, which is said from the moment of authorization.
   */
  List<Diagnosis> warnings(Optional<TokenSet> previous, TokenSet next, AuthProvider provider) {
    List<Diagnosis> warnings = new ArrayList<>();
    Optional<RefreshTokenExpiry> before = previous.flatMap(TokenSet::refreshTokenExpiry);
    Optional<RefreshTokenExpiry> after = next.refreshTokenExpiry();
    if (before.isPresent()
        && after.isPresent()
        && reported(before.get())
        && reported(after.get())) {
      Instant extendedAt = before.get().at().plus(EXTENSION_TOLERANCE);
      if (!after.get().at().isAfter(extendedAt)) {
        warnings.add(
            Diagnosis.of(
                DiagnosisCode.REFRESH_TOKEN_EXPIRING, "refreshTokenExpiresAt", after.get().at()));
      }
    }
    if (after.filter(e -> e.source() == RefreshTokenExpiry.Source.ASSUMED).isPresent()) {
      warnings.add(
          Diagnosis.of(
              DiagnosisCode.REFRESH_TOKEN_LIFETIME_ASSUMED,
              "provider",
              provider.name(),
              "assumed",
              RefreshPolicy.humanDuration(policy.settings().assumedRefreshTokenLifetime())));
    }
    return warnings;
  }

  private static boolean reported(RefreshTokenExpiry expiry) {
    return switch (expiry.source()) {
      case REPORTED, JWT_CLAIM -> true;
      case CONFIGURED, ASSUMED -> false;
    };
  }
}
