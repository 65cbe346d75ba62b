package dev.callgate.core.refresh;

import dev.callgate.core.credential.Secret;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.diagnosis.DiagnosisCode;
import dev.callgate.core.port.GrantOutcome;
import dev.callgate.core.port.TokenResponse;
import dev.callgate.core.token.FailureStreak;
import dev.callgate.core.token.RefreshAttempts;
import dev.callgate.core.token.RefreshBudget;
import dev.callgate.core.token.RefreshStart;
import dev.callgate.core.token.RefreshTokenExpiry;
import dev.callgate.core.token.TokenSet;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
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
    return toTokenSet(
        response, now, configuredRefreshTokenLifetime, Optional.empty(), previous, requestedScopes);
  }

  /**
   * As {@link #toTokenSet(TokenResponse, Instant, Optional, Optional, List)}, with the provider's
   * {@code configuredAccessTokenLifetime} assumed when the response has no {@code expires_in}
   * (before the policy's own unreported lifetime); a stated {@code expires_in} always wins.
   */
  public TokenSet toTokenSet(
      TokenResponse response,
      Instant now,
      Optional<Duration> configuredRefreshTokenLifetime,
      Optional<Duration> configuredAccessTokenLifetime,
      Optional<TokenSet> previous,
      List<String> requestedScopes) {
    Objects.requireNonNull(response, "response");
    Objects.requireNonNull(now, "now");
    Duration accessLifetime =
        response
            .expiresIn()
            .filter(RefreshPolicy::isPositive)
            .or(() -> configuredAccessTokenLifetime.filter(RefreshPolicy::isPositive))
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

  static final Duration RECENT_REFRESH_WINDOW = Duration.ofSeconds(30);

  /** Attempts crowding before a deadline are never closer together than this. */
  static final Duration CROWDED_GAP = Duration.ofSeconds(1);

  /** A callout that needs a token may try again this long after the last passing failure... */
  static final Duration PROBE_FLOOR = Duration.ofSeconds(5);

  /** ...and, in a long outage, no more often than this. */
  static final Duration PROBE_CEILING = Duration.ofSeconds(30);

  /**
   * When to try again after the {@code failures}-th passing failure in a row at {@code now}: after
   * the back-off, or the provider's {@code Retry-After} when longer — but never past the last
   * useful moment before the refresh token expires ({@link #lastChanceAt}). As that moment nears,
   * attempts crowd before it instead, each halving the time left (at least {@link #CROWDED_GAP}
   * apart), so that a provider back shortly before the deadline still saves the grant. After that
   * moment, the back-off applies again: the provider's next answer decides.
   */
  public Instant retryAt(
      int failures, Instant now, Optional<TokenSet> tokens, Optional<Duration> retryAfter) {
    Duration wait = backoff(failures);
    if (retryAfter.isPresent() && retryAfter.get().compareTo(wait) > 0) {
      wait = retryAfter.get();
    }
    Instant planned = now.plus(wait);
    Optional<Instant> lastChance = tokens.flatMap(this::lastChanceAt);
    if (lastChance.isEmpty()
        || !now.isBefore(lastChance.get())
        || !planned.isAfter(lastChance.get())) {
      return planned;
    }
    Duration left = Duration.between(now, lastChance.get());
    Duration step = max(left.dividedBy(2), CROWDED_GAP);
    return step.compareTo(left) >= 0 ? lastChance.get() : now.plus(step);
  }

  /**
   * The last moment a refresh is worth trying before the refresh token's expiry (known or assumed):
   * the expiry less a margin for the clocks of Callgate and the provider, a twentieth of the
   * refresh token's lifetime, between one second and the clock skew. Empty without a refresh token
   * or an expiry.
   */
  public Optional<Instant> lastChanceAt(TokenSet tokens) {
    if (tokens.refreshToken().isEmpty()) {
      return Optional.empty();
    }
    return tokens
        .refreshTokenExpiresAt()
        .map(
            expiry -> {
              Duration lifetime = Duration.between(tokens.issuedAt(), expiry);
              Duration margin =
                  max(Duration.ofSeconds(1), min(settings.clockSkew(), lifetime.dividedBy(20)));
              return expiry.minus(margin);
            });
  }

  /**
   * How long after the last passing failure a callout whose access token has expired may try the
   * provider again, whatever the back-off says, so that recovery follows the provider and not the
   * back-off clock: a tenth of the outage so far, between {@link #PROBE_FLOOR} and {@link
   * #PROBE_CEILING}, which bounds such tries per token however many callouts ask.
   */
  public Duration probeFloor(FailureStreak streak) {
    if (streak.isEmpty()) {
      return PROBE_FLOOR;
    }
    Duration outage = Duration.between(streak.firstAt().get(), streak.lastAt().get());
    return min(PROBE_CEILING, max(PROBE_FLOOR, outage.dividedBy(10)));
  }

  /**
   * Whether one more refresh attempt of {@code budget} fits into the window holding {@code now}.
   */
  public boolean attemptAllowed(RefreshAttempts attempts, RefreshBudget budget, Instant now) {
    return attempts.countAt(budget, now, settings.attemptWindow()) < settings.maxAttemptsPerHour();
  }

  /**
   * How long a token that was just refreshed answers a person's request to refresh it again: the
   * new token is returned without calling the provider, so that repeated requests cost one call.
   */
  public Duration recentRefreshWindow() {
    return RECENT_REFRESH_WINDOW;
  }

  /** When the window of {@code attempts} ends and attempts are allowed again. */
  public Instant attemptsResetAt(RefreshAttempts attempts) {
    return attempts.windowStart().plus(settings.attemptWindow());
  }

  /**
   * Judges a failed refresh. An outage never ends a grant: no answer, a timeout, 429, any 5xx, an
   * answer that is not OAuth at all (an outage often serves HTML) and error codes no RFC defines
   * are transient. A refused client ({@code invalid_client}) or grant type ({@code
   * unauthorized_client}, {@code unsupported_grant_type}) is the configuration's fault, and so is
   * every refusal of a grant without a person: the token is {@link Severity#CLIENT_REJECTED} and
   * its grant kept, as is a provider whose metadata or address breaks a rule. A refused refresh
   * token ({@code invalid_grant}) or scope ends the grant, with the cause {@link InvalidGrantCause}
   * can tell and no more.
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
    if (outcome instanceof GrantOutcome.Misconfigured misconfigured) {
      // Retrying changes nothing until the provider's settings do, and saving it re-arms.
      return clientRejected(misconfigured.diagnosis());
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
    boolean withoutPerson = context.grant().withoutPerson();
    if (ClientRefusals.authenticationFailed(refused)) {
      return clientRejected(
          ClientRefusals.authenticationFailed(
              refused,
              context.clientId(),
              context.providerName(),
              context.clientAuthMethod(),
              keptGrant(context)));
    }
    if (context.grant() == GrantType.TOKEN_EXCHANGE) {
      Optional<Diagnosis> exchange = TokenExchangeRefusals.diagnose(refused, context);
      if (exchange.isPresent()) {
        return clientRejected(exchange.get());
      }
    }
    switch (error) {
      case "unauthorized_client":
      case "unsupported_grant_type":
        return clientRejected(grantTypeNotAllowed(refused, context));
      case "invalid_scope":
        Diagnosis scope =
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
                context.credentialName());
        return withoutPerson ? clientRejected(scope) : terminal(scope);
      case "invalid_grant":
        if (context.grant() == GrantType.JWT_BEARER) {
          return clientRejected(
              Diagnosis.of(
                  DiagnosisCode.JWT_ASSERTION_REJECTED,
                  "error",
                  error,
                  "errorDescription",
                  description,
                  "credential",
                  context.credentialName()));
        }
        if (withoutPerson) {
          return clientRejected(grantTypeNotAllowed(refused, context));
        }
        return terminal(invalidGrant(refused, context));
      default:
        // temporarily_unavailable, server_error, and codes no RFC defines: may pass.
        return transientFailure(refusedReason(refused), context);
    }
  }

  private static Diagnosis grantTypeNotAllowed(
      GrantOutcome.Refused refused, FailureContext context) {
    return ClientRefusals.grantTypeNotAllowed(
        refused,
        context.clientId(),
        context.providerName(),
        context.grant().wireName(),
        keptGrant(context));
  }

  /** What happens to the grant when the client is refused: kept, and re-armed by a change. */
  static String keptGrant(FailureContext context) {
    if (context.grant().withoutPerson()) {
      return "The change re-arms every credential that uses the provider at once; POST"
          + " /v1/credentials/"
          + context.credentialName()
          + "/refresh tries again without one.";
    }
    String until =
        context
            .tokens()
            .flatMap(TokenSet::refreshTokenExpiresAt)
            .map(at -> " (its refresh token lasts until " + format(at) + ")")
            .orElse("");
    return "The grant is kept"
        + until
        + ": the change re-arms every credential that uses the provider at once, and POST"
        + " /v1/credentials/"
        + context.credentialName()
        + "/refresh tries again without one.";
  }

  private Diagnosis invalidGrant(GrantOutcome.Refused refused, FailureContext context) {
    String error = refused.error();
    String description = refused.errorDescription().orElse("none");
    InvalidGrantCause cause = InvalidGrantCause.of(context, refused.errorDescription());
    Optional<RefreshTokenExpiry> expiry = context.tokens().flatMap(TokenSet::refreshTokenExpiry);
    Optional<Instant> lastUsed = context.refreshTokenLastUsedAt();
    String lastUsedAt = lastUsed.map(RefreshPolicy::format).orElse("unknown");
    String idleFor =
        lastUsed.map(at -> humanDuration(Duration.between(at, context.now()))).orElse("unknown");
    return switch (cause) {
      case RESULT_LOST -> {
        RefreshStart lost = context.interruptedRefresh().orElseThrow();
        yield Diagnosis.of(
            cause.code(),
            "instance",
            lost.instance(),
            "startedAt",
            format(lost.at()),
            "error",
            error,
            "errorDescription",
            description,
            "credential",
            context.credentialName());
      }
      case LOST_DURING_OUTAGE ->
          Diagnosis.of(
              cause.code(),
              "error",
              error,
              "errorDescription",
              description,
              "attempts",
              context.record().failures().count(),
              "firstFailureAt",
              context.record().failures().firstAt().map(RefreshPolicy::format).orElse("?"),
              "lastFailureAt",
              context.record().failures().lastAt().map(RefreshPolicy::format).orElse("?"),
              "whatHappened",
              lostDuringOutage(expiry, context),
              "credential",
              context.credentialName());
      case EXPIRED -> {
        boolean beforeKnownExpiry =
            expiry
                .filter(RefreshTokenExpiry::isKnown)
                .filter(e -> !InvalidGrantCause.passed(e, context.now()))
                .isPresent();
        ExpiryCause why = ExpiryCause.of(context.record(), context.keepAlive(), beforeKnownExpiry);
        yield refreshTokenExpired(
            "the identity provider refused it (" + error + ": " + description + ")",
            "this refresh",
            lastUsedAt,
            idleFor,
            knownLifetime(context.tokens()),
            why,
            context.credentialName(),
            context.providerName());
      }
      case REVOKED ->
          Diagnosis.of(
              cause.code(),
              "error",
              error,
              "errorDescription",
              description,
              "evidence",
              revokedEvidence(expiry, context),
              "credential",
              context.credentialName());
      case EXPIRED_OR_REVOKED ->
          Diagnosis.of(
              cause.code(),
              "error",
              error,
              "errorDescription",
              description,
              "unknown",
              "its lifetime is not known to Callgate, and the answer does not say",
              "lastUsedAt",
              lastUsedAt,
              "idleFor",
              idleFor,
              "provider",
              context.providerName(),
              "credential",
              context.credentialName());
    };
  }

  private static String revokedEvidence(
      Optional<RefreshTokenExpiry> expiry, FailureContext context) {
    Optional<RefreshTokenExpiry> known = expiry.filter(RefreshTokenExpiry::isKnown);
    if (known.isEmpty()) {
      return "the identity provider's answer says so";
    }
    String until = format(known.get().at());
    return switch (known.get().source()) {
      case REPORTED -> "the identity provider itself said it would last until " + until;
      case JWT_CLAIM -> "its exp claim said it would last until " + until;
      case CONFIGURED ->
          "the refreshTokenLifetime configured on provider '"
              + context.providerName()
              + "' says it would last until "
              + until
              + " (if that is longer than the identity provider's, it expired instead)";
      case ASSUMED -> "the identity provider's answer says so";
    };
  }

  private static String lostDuringOutage(
      Optional<RefreshTokenExpiry> expiry, FailureContext context) {
    Optional<RefreshTokenExpiry> known = expiry.filter(RefreshTokenExpiry::isKnown);
    if (known.isPresent() && InvalidGrantCause.passed(known.get(), context.now())) {
      return "The refresh token's lifetime ended at "
          + format(known.get().at())
          + ", while the identity provider could not be reached.";
    }
    if (known.isPresent() && InvalidGrantCause.isProviderStated(known.get())) {
      return "Its lifetime had not ended (the identity provider stated "
          + format(known.get().at())
          + "): the grant was ended at the identity provider meanwhile — revoked, or lost if the"
          + " identity provider restarted without keeping its sessions.";
    }
    return "Its lifetime ended during that time, or it was revoked meanwhile; Callgate cannot tell"
        + " which.";
  }

  /**
   * {@code REFRESH_TOKEN_EXPIRED} with its facts: {@code evidence} says how Callgate knows (the
   * provider's refusal, or a known expiry that has passed), {@code moment} what the idle time is
   * measured to, and {@code why} the cause with its advice.
   */
  public static Diagnosis refreshTokenExpired(
      String evidence,
      String moment,
      String lastUsedAt,
      String idleFor,
      String knownLifetime,
      ExpiryCause why,
      String credential,
      String provider) {
    return Diagnosis.of(
        DiagnosisCode.REFRESH_TOKEN_EXPIRED,
        "evidence",
        evidence,
        "lastUsedAt",
        lastUsedAt,
        "idleFor",
        idleFor,
        "moment",
        moment,
        "knownLifetime",
        knownLifetime,
        "cause",
        why.cause(credential, provider),
        "advice",
        why.advice(credential, provider),
        "credential",
        credential);
  }

  /** "2m (reported by the identity provider)": the refresh token's lifetime and its source. */
  public static String knownLifetime(Optional<TokenSet> tokens) {
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

  private static RefreshFailure clientRejected(Diagnosis diagnosis) {
    return new RefreshFailure(Severity.CLIENT_REJECTED, diagnosis);
  }

  private static RefreshFailure transientFailure(String reason, FailureContext context) {
    return new RefreshFailure(
        Severity.TRANSIENT,
        refreshFailedTransient(context.credentialName(), reason, context.nextAttemptAt()));
  }

  /** {@code REFRESH_FAILED_TRANSIENT}: a refresh of {@code credential} waits, and why. */
  public static Diagnosis refreshFailedTransient(
      String credential, String reason, Instant nextAttemptAt) {
    return Diagnosis.of(
        DiagnosisCode.REFRESH_FAILED_TRANSIENT,
        "reason",
        reason,
        "nextAttemptAt",
        format(nextAttemptAt),
        "credential",
        credential);
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

  /** An instant for people and diagnoses, to the second. */
  public static String format(Instant instant) {
    return instant.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  /** "25h 3m", "4m 10s", "20s", "500ms": how long something took, for people. */
  public static String humanDuration(Duration duration) {
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
