package dev.callgate.core.refresh;

import dev.callgate.core.credential.Secret;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.diagnosis.DiagnosisCode;
import dev.callgate.core.port.GrantOutcome;
import dev.callgate.core.port.TokenResponse;
import dev.callgate.core.token.RefreshAttempts;
import dev.callgate.core.token.RefreshStart;
import dev.callgate.core.token.RefreshTokenExpiry;
import dev.callgate.core.token.TokenSet;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * The refresh policy as pure functions: how a token response becomes a {@link TokenSet}, when to
 * refresh an access token before it expires and a refresh token before it idles out (keep-alive),
 * how fresh a token is at a moment, how long to back off after failures, how many attempts an hour
 * a credential may make, and which identity-provider failures are final. Time is always passed in
 * and randomness comes only from the injected {@link RandomGenerator}, so every decision can be
 * replayed in a test.
 */
public final class RefreshPolicy {

  /**
   * The policy's tunables: the clock skew kept before an expiry, the lifetime given to an access
   * token whose response has no {@code expires_in}, the lifetime assumed for a refresh token nobody
   * reports, the back-off base and cap, and the bound on refresh attempts per window.
   */
  public record Settings(
      Duration clockSkew,
      Duration unreportedAccessTokenLifetime,
      Duration assumedRefreshTokenLifetime,
      Duration backoffBase,
      Duration backoffMax,
      int maxAttemptsPerHour,
      Duration attemptWindow) {

    public Settings {
      Objects.requireNonNull(clockSkew, "clockSkew");
      Objects.requireNonNull(unreportedAccessTokenLifetime, "unreportedAccessTokenLifetime");
      Objects.requireNonNull(assumedRefreshTokenLifetime, "assumedRefreshTokenLifetime");
      Objects.requireNonNull(backoffBase, "backoffBase");
      Objects.requireNonNull(backoffMax, "backoffMax");
      Objects.requireNonNull(attemptWindow, "attemptWindow");
      if (clockSkew.isNegative()) {
        throw new IllegalArgumentException("clockSkew cannot be negative");
      }
      requirePositive(unreportedAccessTokenLifetime, "unreportedAccessTokenLifetime");
      requirePositive(assumedRefreshTokenLifetime, "assumedRefreshTokenLifetime");
      requirePositive(backoffBase, "backoffBase");
      requirePositive(attemptWindow, "attemptWindow");
      if (backoffMax.compareTo(backoffBase) < 0) {
        throw new IllegalArgumentException("backoffMax cannot be shorter than backoffBase");
      }
      try {
        // the jitter is drawn in nanoseconds
        backoffMax.toNanos();
      } catch (ArithmeticException tooLong) {
        throw new IllegalArgumentException("backoffMax is too long", tooLong);
      }
      if (maxAttemptsPerHour < 1) {
        throw new IllegalArgumentException("maxAttemptsPerHour must be at least 1");
      }
    }

    /**
     * 60 s skew, 1 h unreported access lifetime, 12 h assumed refresh lifetime, 2 s–5 min, 12/h.
     */
    public static Settings defaults() {
      return new Settings(
          Duration.ofSeconds(60),
          Duration.ofHours(1),
          Duration.ofHours(12),
          Duration.ofSeconds(2),
          Duration.ofMinutes(5),
          12,
          Duration.ofHours(1));
    }

    private static void requirePositive(Duration duration, String name) {
      if (duration.isNegative() || duration.isZero()) {
        throw new IllegalArgumentException(name + " must be positive");
      }
    }
  }

  private static final List<String> EXPIRY_WORDS =
      List.of("expired", "expiry", "idle", "inactive", "not active", "timeout");

  private final Settings settings;
  private final RandomGenerator random;

  public RefreshPolicy(Settings settings, RandomGenerator random) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.random = Objects.requireNonNull(random, "random");
  }

  public Settings settings() {
    return settings;
  }

  /**
   * The token set a successful token response yields at {@code now}. A response without a refresh
   * token keeps the previous one (RFC 6749 §6), and without {@code scope} keeps the previous
   * grant's scopes, or else the requested ones (RFC 6749 §5.1).
   */
  public TokenSet toTokenSet(
      TokenResponse response,
      Instant now,
      Optional<Duration> configuredRefreshTokenLifetime,
      Optional<TokenSet> previous,
      List<String> requestedScopes) {
    Objects.requireNonNull(response, "response");
    Objects.requireNonNull(now, "now");
    Duration accessLifetime =
        response
            .expiresIn()
            .filter(RefreshPolicy::isPositive)
            .orElse(settings.unreportedAccessTokenLifetime());
    boolean rotated = response.refreshToken().isPresent();
    Optional<Secret> refreshToken =
        rotated ? response.refreshToken() : previous.flatMap(TokenSet::refreshToken);
    Optional<RefreshTokenExpiry> refreshTokenExpiry =
        refreshToken.isEmpty()
            ? Optional.empty()
            : Optional.of(
                refreshTokenExpiry(
                    response,
                    now,
                    rotated,
                    configuredRefreshTokenLifetime,
                    previous.flatMap(TokenSet::refreshTokenExpiry)));
    List<String> scope =
        response.scope().orElseGet(() -> previous.map(TokenSet::scope).orElse(requestedScopes));
    return new TokenSet(
        response.accessToken(),
        response.tokenType(),
        now,
        now.plus(accessLifetime),
        refreshToken,
        refreshTokenExpiry,
        scope);
  }

  private RefreshTokenExpiry refreshTokenExpiry(
      TokenResponse response,
      Instant now,
      boolean rotated,
      Optional<Duration> configuredLifetime,
      Optional<RefreshTokenExpiry> previousExpiry) {
    // Keycloak reports 0 for offline tokens, which do not expire by time: not a lifetime.
    Optional<Duration> reported = response.refreshExpiresIn().filter(RefreshPolicy::isPositive);
    if (reported.isPresent()) {
      return new RefreshTokenExpiry(now.plus(reported.get()), RefreshTokenExpiry.Source.REPORTED);
    }
    if (rotated && response.refreshTokenJwtExpiry().isPresent()) {
      return new RefreshTokenExpiry(
          response.refreshTokenJwtExpiry().get(), RefreshTokenExpiry.Source.JWT_CLAIM);
    }
    if (!rotated && previousExpiry.isPresent() && isProviderStated(previousExpiry.get())) {
      // The same refresh token was used; nothing says its expiry moved.
      return previousExpiry.get();
    }
    Optional<Duration> configured = configuredLifetime.filter(RefreshPolicy::isPositive);
    if (configured.isPresent()) {
      // A configured lifetime is an idle lifetime: using the refresh token restarts it.
      return new RefreshTokenExpiry(
          now.plus(configured.get()), RefreshTokenExpiry.Source.CONFIGURED);
    }
    return new RefreshTokenExpiry(
        now.plus(settings.assumedRefreshTokenLifetime()), RefreshTokenExpiry.Source.ASSUMED);
  }

  private static boolean isProviderStated(RefreshTokenExpiry expiry) {
    return switch (expiry.source()) {
      case REPORTED, JWT_CLAIM -> true;
      case CONFIGURED, ASSUMED -> false;
    };
  }

  /**
   * When to refresh the access token ahead of its expiry: the clock skew before it for medium
   * lifetimes, never later than 80 % of the lifetime, and never sooner than half of it, so that a
   * very short-lived token does not cause a refresh storm.
   */
  public Instant proactiveRefreshAt(TokenSet tokens) {
    return refreshAhead(tokens.issuedAt(), tokens.expiresAt());
  }

  /**
   * When to refresh only to keep the refresh token from expiring, computed like {@link
   * #proactiveRefreshAt} over the refresh token's lifetime; empty when there is no refresh token or
   * its expiry is not known.
   */
  public Optional<Instant> keepAliveRefreshAt(TokenSet tokens) {
    if (tokens.refreshToken().isEmpty()) {
      return Optional.empty();
    }
    return tokens.refreshTokenExpiresAt().map(expiry -> refreshAhead(tokens.issuedAt(), expiry));
  }

  /**
   * When the schedule should refresh next: the proactive time if a callout used the token since it
   * was issued (only tokens people use are refreshed ahead), the keep-alive time if keep-alive is
   * on; the earlier of both, and empty when neither applies. A proactive refresh is never planned
   * after the refresh token stops working: it would only meet {@code invalid_grant}.
   */
  public Optional<Instant> nextRefreshAt(
      TokenSet tokens, boolean keepAlive, Optional<Instant> lastUsedAt) {
    Optional<Instant> keepAliveAt = keepAliveRefreshAt(tokens);
    boolean used = lastUsedAt.filter(at -> !at.isBefore(tokens.issuedAt())).isPresent();
    Optional<Instant> next = Optional.empty();
    if (used) {
      next = Optional.of(earlier(proactiveRefreshAt(tokens), keepAliveAt));
    }
    if (keepAlive && keepAliveAt.isPresent()) {
      next = Optional.of(earlier(keepAliveAt.get(), next));
    }
    return next;
  }

  /**
   * How fresh the access token is at {@code now}: fresh before the proactive refresh time, due
   * after it (serve it, refresh in the background), and must-refresh once it is within the smaller
   * of the clock skew and a quarter of its lifetime from expiry.
   */
  public Freshness freshness(TokenSet tokens, Instant now) {
    Duration lifetime = tokens.accessTokenLifetime();
    Duration mustLead = min(settings.clockSkew(), lifetime.dividedBy(4));
    if (!now.isBefore(tokens.expiresAt().minus(mustLead))) {
      return Freshness.MUST_REFRESH;
    }
    if (!now.isBefore(proactiveRefreshAt(tokens))) {
      return Freshness.REFRESH_DUE;
    }
    return Freshness.FRESH;
  }

  /**
   * How long to wait after the {@code consecutiveFailures}-th failure in a row: exponential from
   * the base up to the cap, with equal jitter (uniform over the upper half), so that many
   * credentials failing together do not retry in lockstep.
   */
  public Duration backoff(int consecutiveFailures) {
    if (consecutiveFailures < 1) {
      throw new IllegalArgumentException("backoff is for the first failure onwards");
    }
    Duration max = settings.backoffMax();
    Duration ceiling = settings.backoffBase();
    // Doubling stops at the cap, so no failure count overflows; it takes fewer than 100 steps.
    for (int i = 1; i < consecutiveFailures && ceiling.compareTo(max) < 0; i++) {
      ceiling = ceiling.compareTo(max.dividedBy(2)) > 0 ? max : ceiling.multipliedBy(2);
    }
    long upper = min(ceiling, max).toNanos();
    long lower = upper / 2;
    return Duration.ofNanos(random.nextLong(lower, upper + 1));
  }

  /** Whether one more refresh attempt fits into the window holding {@code now}. */
  public boolean attemptAllowed(RefreshAttempts attempts, Instant now) {
    return attempts.countAt(now, settings.attemptWindow()) < settings.maxAttemptsPerHour();
  }

  /** When the window of {@code attempts} ends and attempts are allowed again. */
  public Instant attemptsResetAt(RefreshAttempts attempts) {
    return attempts.windowStart().plus(settings.attemptWindow());
  }

  /**
   * Judges a failed refresh. The grant or client being refused ({@code invalid_grant}, {@code
   * invalid_client}, {@code unauthorized_client}, {@code invalid_scope}, {@code
   * unsupported_grant_type}) is terminal — an {@code invalid_grant} after a refresh that never
   * recorded its result is that result lost, not a revocation; everything else — no answer, a
   * timeout, 429, any 5xx, an answer that is not OAuth at all (a provider outage often serves
   * HTML), an unknown error code — may pass and is transient.
   *
   * @throws IllegalArgumentException for a {@link GrantOutcome.Granted}, which is no failure
   */
  public RefreshFailure classify(GrantOutcome outcome, FailureContext context) {
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(context, "context");
    if (outcome instanceof GrantOutcome.Failed failed) {
      return classifyFailed(failed, context);
    }
    if (outcome instanceof GrantOutcome.Refused refused) {
      return classifyRefused(refused, context);
    }
    throw new IllegalArgumentException("a granted refresh is not a failure");
  }

  private RefreshFailure classifyFailed(GrantOutcome.Failed failed, FailureContext context) {
    String reason = failedReason(failed);
    return switch (failed.failure()) {
      case UNREACHABLE, TIMEOUT, SERVER_ERROR, RATE_LIMITED -> transientFailure(reason, context);
      case INVALID_RESPONSE ->
          new RefreshFailure(
              Severity.TRANSIENT,
              Diagnosis.of(
                  DiagnosisCode.IDP_RESPONSE_INVALID,
                  "endpoint",
                  "the token endpoint",
                  "reason",
                  reason,
                  "nextAttemptAt",
                  format(context.nextAttemptAt()),
                  "credential",
                  context.credentialName()));
    };
  }

  private static String failedReason(GrantOutcome.Failed failed) {
    StringBuilder reason = new StringBuilder(failed.reason());
    failed
        .retryAfter()
        .ifPresent(
            after ->
                reason
                    .append("; the identity provider asked to retry after ")
                    .append(humanDuration(after)));
    return reason.toString();
  }

  private RefreshFailure classifyRefused(GrantOutcome.Refused refused, FailureContext context) {
    if (refused.httpStatus() >= 500) {
      // A 5xx is the provider's trouble, whatever its body claims: never drop a grant for it.
      return transientFailure(refusedReason(refused), context);
    }
    String error = refused.error();
    String description = refused.errorDescription().orElse("none");
    switch (error) {
      case "invalid_grant":
        // A lost answer explains the refusal better than its wording ("not active" is said of
        // rotated-away tokens too); only a known expiry that has passed explains it better.
        if (!knownExpiryPassed(context) && context.unsettledRefresh().isPresent()) {
          RefreshStart lost = context.unsettledRefresh().get();
          return terminal(
              Diagnosis.of(
                  DiagnosisCode.REFRESH_RESULT_LOST,
                  "instance",
                  lost.instance(),
                  "startedAt",
                  format(lost.at()),
                  "error",
                  error,
                  "errorDescription",
                  description,
                  "credential",
                  context.credentialName()));
        }
        DiagnosisCode code =
            refreshTokenExpired(refused, context)
                ? DiagnosisCode.REFRESH_TOKEN_EXPIRED
                : DiagnosisCode.REFRESH_TOKEN_REVOKED;
        return terminal(
            Diagnosis.of(
                code,
                "error",
                error,
                "errorDescription",
                description,
                "lastUsedAt",
                lastUsedAt(context).map(RefreshPolicy::format).orElse("unknown"),
                "idleFor",
                lastUsedAt(context)
                    .map(at -> humanDuration(Duration.between(at, context.now())))
                    .orElse("unknown"),
                "knownLifetime",
                knownLifetime(context.tokens()),
                "credential",
                context.credentialName()));
      case "invalid_client":
      case "unauthorized_client":
      case "unsupported_grant_type":
        return terminal(
            Diagnosis.of(
                DiagnosisCode.CLIENT_AUTH_FAILED,
                "clientId",
                context.clientId(),
                "error",
                error,
                "errorDescription",
                description,
                "credential",
                context.credentialName()));
      case "invalid_scope":
        return terminal(
            Diagnosis.of(
                DiagnosisCode.SCOPE_REJECTED,
                "scopes",
                context
                    .tokens()
                    .map(tokens -> "'" + String.join(" ", tokens.scope()) + "'")
                    .orElse("of the grant"),
                "reason",
                error + ": " + description,
                "credential",
                context.credentialName()));
      default:
        // temporarily_unavailable, server_error, and codes no RFC defines: may pass.
        return transientFailure(refusedReason(refused), context);
    }
  }

  private static boolean refreshTokenExpired(GrantOutcome.Refused refused, FailureContext context) {
    String description = refused.errorDescription().orElse("").toLowerCase(Locale.ROOT);
    return EXPIRY_WORDS.stream().anyMatch(description::contains) || knownExpiryPassed(context);
  }

  private static boolean knownExpiryPassed(FailureContext context) {
    return context
        .tokens()
        .flatMap(TokenSet::refreshTokenExpiresAt)
        .filter(expiry -> !expiry.isAfter(context.now()))
        .isPresent();
  }

  private static Optional<Instant> lastUsedAt(FailureContext context) {
    // Without a record of its last use, the refresh token was last used (or issued) with this set.
    return context.refreshTokenLastUsedAt().or(() -> context.tokens().map(TokenSet::issuedAt));
  }

  private static String knownLifetime(Optional<TokenSet> tokens) {
    Optional<TokenSet> withExpiry = tokens.filter(set -> set.refreshTokenExpiry().isPresent());
    if (withExpiry.isEmpty()) {
      return "unknown";
    }
    TokenSet set = withExpiry.get();
    RefreshTokenExpiry expiry = set.refreshTokenExpiry().get();
    String lifetime = humanDuration(Duration.between(set.issuedAt(), expiry.at()));
    return switch (expiry.source()) {
      case REPORTED -> lifetime + " (reported by the identity provider)";
      case JWT_CLAIM -> lifetime + " (from the refresh token's exp claim)";
      case CONFIGURED -> lifetime + " (configured)";
      case ASSUMED -> "unknown (assumed " + lifetime + ")";
    };
  }

  private static String refusedReason(GrantOutcome.Refused refused) {
    return "the identity provider answered HTTP "
        + refused.httpStatus()
        + " with "
        + refused.error()
        + refused.errorDescription().map(description -> " (" + description + ")").orElse("");
  }

  private static RefreshFailure terminal(Diagnosis diagnosis) {
    return new RefreshFailure(Severity.TERMINAL, diagnosis);
  }

  private static RefreshFailure transientFailure(String reason, FailureContext context) {
    return new RefreshFailure(
        Severity.TRANSIENT,
        Diagnosis.of(
            DiagnosisCode.REFRESH_FAILED_TRANSIENT,
            "reason",
            reason,
            "nextAttemptAt",
            format(context.nextAttemptAt()),
            "credential",
            context.credentialName()));
  }

  /** {@code expiry} minus a lead of max(min(skew, L/2), L/5) over the lifetime L from issue. */
  private Instant refreshAhead(Instant issuedAt, Instant expiry) {
    Duration lifetime = Duration.between(issuedAt, expiry);
    if (!isPositive(lifetime)) {
      return issuedAt;
    }
    Duration lead = max(min(settings.clockSkew(), lifetime.dividedBy(2)), lifetime.dividedBy(5));
    // A lifetime of a few nanoseconds would round the lead to zero: refresh strictly before expiry.
    return expiry.minus(max(lead, Duration.ofNanos(1)));
  }

  private static Instant earlier(Instant instant, Optional<Instant> other) {
    return other.filter(candidate -> candidate.isBefore(instant)).orElse(instant);
  }

  private static boolean isPositive(Duration duration) {
    return !duration.isNegative() && !duration.isZero();
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  private static String format(Instant instant) {
    return instant.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  /** "25h 3m", "4m 10s", "20s", "500ms": how long something took, for people. */
  static String humanDuration(Duration duration) {
    if (duration.isNegative() || duration.isZero()) {
      return "0s";
    }
    long seconds = duration.getSeconds();
    if (seconds == 0) {
      return duration.toMillis() + "ms";
    }
    long hours = seconds / 3600;
    long minutes = seconds % 3600 / 60;
    long rest = seconds % 60;
    if (hours > 0) {
      return minutes > 0 ? hours + "h " + minutes + "m" : hours + "h";
    }
    if (minutes > 0) {
      return rest > 0 ? minutes + "m " + rest + "s" : minutes + "m";
    }
    return rest + "s";
  }
}
