package dev.callgate.core.service;

import static dev.callgate.core.diagnosis.DiagnosisCode.CREDENTIAL_NOT_FOUND;
import static dev.callgate.core.diagnosis.DiagnosisCode.FLOW_NOT_SUPPORTED;
import static dev.callgate.core.diagnosis.DiagnosisCode.NOT_AUTHORIZED_YET;
import static dev.callgate.core.diagnosis.DiagnosisCode.NO_REFRESH_TOKEN_ISSUED;
import static dev.callgate.core.diagnosis.DiagnosisCode.PROVIDER_NOT_FOUND;
import static dev.callgate.core.diagnosis.DiagnosisCode.REFRESH_FAILED_TRANSIENT;

import dev.callgate.core.credential.AuthProvider;
import dev.callgate.core.credential.Authentication;
import dev.callgate.core.credential.NamedCredential;
import dev.callgate.core.credential.Protocol;
import dev.callgate.core.credential.Secret;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.port.Clock;
import dev.callgate.core.port.CredentialStore;
import dev.callgate.core.port.GrantOutcome;
import dev.callgate.core.port.IdentityProvider;
import dev.callgate.core.port.TokenStore;
import dev.callgate.core.refresh.FailureContext;
import dev.callgate.core.refresh.RefreshFailure;
import dev.callgate.core.refresh.RefreshPolicy;
import dev.callgate.core.token.RefreshAttempts;
import dev.callgate.core.token.RefreshStart;
import dev.callgate.core.token.TokenEvent;
import dev.callgate.core.token.TokenKey;
import dev.callgate.core.token.TokenRecord;
import dev.callgate.core.token.TokenSet;
import dev.callgate.core.token.TokenState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Refreshes tokens, once per token however many ask. Inside the process, concurrent requests for
 * one token share one refresh (single flight); across a cluster, the store's refresh lease lets one
 * instance call the identity provider while the others wait for its result. A refresh that another
 * caller already did is not repeated: a request names the access token it found wanting, and gets
 * the newer one if the token has changed since. Failures are classified by the {@link
 * RefreshPolicy}: passing ones back off (attempts since the last refresh that succeeded because a
 * token was due are bounded per hour), final ones move the token to {@code NEEDS_AUTHORIZATION}
 * with a diagnosis, and the identity provider is not called again for it.
 */
public final class Refresher {
  private static final System.Logger LOG = System.getLogger(Refresher.class.getName());

  /**
   * {@code instanceId} owns leases taken by this process; a lease lasts {@code leaseDuration}
   * (longer than a token-endpoint call may take); waiters poll every {@code leasePollInterval}.
   */
  public record Settings(String instanceId, Duration leaseDuration, Duration leasePollInterval) {
    public Settings {
      Objects.requireNonNull(instanceId, "instanceId");
      Objects.requireNonNull(leaseDuration, "leaseDuration");
      Objects.requireNonNull(leasePollInterval, "leasePollInterval");
    }

    /** How often a waiter looks for the lease holder's result. */
    public static final Duration LEASE_POLL_INTERVAL = Duration.ofMillis(100);

    public static Settings defaults(String instanceId) {
      return new Settings(instanceId, Duration.ofSeconds(30), LEASE_POLL_INTERVAL);
    }
  }

  private final CredentialStore credentials;
  private final TokenStore tokens;
  private final IdentityProvider identityProvider;
  private final Clock clock;
  private final RefreshPlanner planner;
  private final TokenUpdates updates;
  private final Settings settings;
  private final RefreshObserver observer;
  private final ConcurrentHashMap<TokenKey, CompletableFuture<RefreshOutcome>> inFlight =
      new ConcurrentHashMap<>();

  public Refresher(
      CredentialStore credentials,
      TokenStore tokens,
      IdentityProvider identityProvider,
      Clock clock,
      RefreshPolicy policy,
      Settings settings) {
    this(credentials, tokens, identityProvider, clock, policy, settings, RefreshObserver.NONE);
  }

  public Refresher(
      CredentialStore credentials,
      TokenStore tokens,
      IdentityProvider identityProvider,
      Clock clock,
      RefreshPolicy policy,
      Settings settings,
      RefreshObserver observer) {
    this.observer = observer;
    this.credentials = credentials;
    this.tokens = tokens;
    this.identityProvider = identityProvider;
    this.clock = clock;
    this.planner = new RefreshPlanner(policy);
    this.updates = new TokenUpdates(tokens, clock);
    this.settings = settings;
  }

  /**
   * Refreshes the token of {@code key}. {@code basedOn} is the access token the caller found
   * wanting: if the stored one differs, someone refreshed meanwhile and that result is returned
   * without calling the provider. Empty {@code basedOn} asks for a new token whatever is stored (a
   * person asked), though a refresh that another instance completes while this one waits for the
   * lease is shared rather than repeated. The stage fails only for infrastructure (the store);
   * every expected failure is an outcome.
   */
  public CompletionStage<RefreshOutcome> refresh(
      TokenKey key, RefreshTrigger trigger, Optional<Secret> basedOn) {
    return refresh(key, trigger, basedOn, true);
  }

  private CompletionStage<RefreshOutcome> refresh(
      TokenKey key, RefreshTrigger trigger, Optional<Secret> basedOn, boolean mayJoin) {
    CompletableFuture<RefreshOutcome> mine = new CompletableFuture<>();
    CompletableFuture<RefreshOutcome> running = inFlight.putIfAbsent(key, mine);
    if (running != null) {
      // The refresh under way began before this caller found its token wanting, and may end with
      // that very token (another instance's, read from the store): then this caller needs one more.
      return running
          .copy()
          .thenCompose(
              outcome ->
                  mayJoin && endsWith(outcome, basedOn)
                      ? refresh(key, trigger, basedOn, false)
                      : done(outcome));
    }
    CompletionStage<RefreshOutcome> work;
    try {
      work = attempt(key, trigger, basedOn, 1);
    } catch (RuntimeException e) {
      work = CompletableFuture.failedStage(e);
    }
    work.whenComplete(
        (outcome, failure) -> {
          // leave the flight before completing, so a caller woken by it can start a new one
          inFlight.remove(key, mine);
          if (failure != null) {
            mine.completeExceptionally(failure);
          } else {
            try {
              observer.settled(key, trigger, outcome);
            } finally {
              mine.complete(outcome);
            }
          }
        });
    return mine.copy();
  }

  /** The number of refreshes in progress in this process (for metrics and tests). */
  public int inFlight() {
    return inFlight.size();
  }

  private CompletionStage<RefreshOutcome> attempt(
      TokenKey key, RefreshTrigger trigger, Optional<Secret> basedOn, int round) {
    return tokens
        .find(key)
        .thenCompose(
            found -> {
              TokenRecord record = found.orElseGet(() -> TokenRecord.unauthorized(key));
              if (refreshedSince(record, basedOn)) {
                return done(new RefreshOutcome.Refreshed(record, false));
              }
              return credentials
                  .findCredential(key.credentialName())
                  .thenCompose(
                      credential -> {
                        if (credential.isEmpty()) {
                          return done(
                              rejected(CREDENTIAL_NOT_FOUND, "credential", key.credentialName()));
                        }
                        return withProvider(credential.get(), record, trigger, basedOn, round);
                      });
            });
  }

  private CompletionStage<RefreshOutcome> withProvider(
      NamedCredential credential,
      TokenRecord record,
      RefreshTrigger trigger,
      Optional<Secret> basedOn,
      int round) {
    Optional<String> providerName = credential.authentication().providerName();
    if (providerName.isEmpty()) {
      return done(
          rejected(
              FLOW_NOT_SUPPORTED,
              "credential",
              credential.name(),
              "protocol",
              credential.protocol().wireName(),
              "flow",
              "token refresh"));
    }
    return credentials
        .findProvider(providerName.get())
        .thenCompose(
            provider -> {
              if (provider.isEmpty()) {
                return done(rejected(PROVIDER_NOT_FOUND, "provider", providerName.get()));
              }
              Optional<CompletionStage<RefreshOutcome>> answered =
                  answerWithoutProvider(credential, record, trigger);
              if (answered.isPresent()) {
                return answered.get();
              }
              return leased(credential, provider.get(), record, trigger, basedOn, round);
            });
  }

  /**
   * The answer when the provider must not or cannot be called for {@code record}: a refusal by the
   * {@linkplain #gate gate}, or an authorization-code token without a refresh token.
   */
  private Optional<CompletionStage<RefreshOutcome>> answerWithoutProvider(
      NamedCredential credential, TokenRecord record, RefreshTrigger trigger) {
    Optional<RefreshOutcome> refusal = gate(credential, record, trigger);
    if (refusal.isPresent()) {
      return Optional.of(done(refusal.get()));
    }
    if (credential.protocol() == Protocol.OAUTH2_AUTHORIZATION_CODE
        && record.tokens().flatMap(TokenSet::refreshToken).isEmpty()) {
      return Optional.of(withoutRefreshToken(credential, record, noRefreshToken(record)));
    }
    return Optional.empty();
  }

  /** Why this refresh must not call the provider now, if it must not. */
  private Optional<RefreshOutcome> gate(
      NamedCredential credential, TokenRecord record, RefreshTrigger trigger) {
    Instant now = clock.now();
    Protocol protocol = credential.protocol();
    boolean grantsWithoutPerson =
        protocol == Protocol.OAUTH2_CLIENT_CREDENTIALS || protocol == Protocol.OAUTH2_JWT_BEARER;
    if (!record.state().allowsRefresh()) {
      boolean mayGrant =
          grantsWithoutPerson
              && (record.state() == TokenState.UNAUTHORIZED || trigger == RefreshTrigger.MANUAL);
      if (!mayGrant) {
        return Optional.of(new RefreshOutcome.Rejected(standingDiagnosis(record)));
      }
    }
    if (!trigger.skipsBackoff()
        && record.nextAttemptAt().isPresent()
        && now.isBefore(record.nextAttemptAt().get())) {
      Instant next = record.nextAttemptAt().get();
      return Optional.of(
          new RefreshOutcome.Deferred(
              record.diagnoses().isEmpty()
                  ? transientDiagnosis("backing off after a failed refresh", next)
                  : record.diagnoses().get(0),
              next));
    }
    RefreshPolicy policy = planner.policy();
    if (!policy.attemptAllowed(record.attempts(), now)) {
      Instant reset = policy.attemptsResetAt(record.attempts());
      return Optional.of(
          new RefreshOutcome.Deferred(
              transientDiagnosis(
                  policy.settings().maxAttemptsPerHour()
                      + " refresh attempts within the hour, the most Callgate makes for one token",
                  reset),
              reset));
    }
    return Optional.empty();
  }

  private CompletionStage<RefreshOutcome> leased(
      NamedCredential credential,
      AuthProvider provider,
      TokenRecord record,
      RefreshTrigger trigger,
      Optional<Secret> basedOn,
      int round) {
    TokenKey key = record.key();
    Instant now = clock.now();
    Instant leaseUntil = now.plus(settings.leaseDuration());
    return tokens
        .tryLease(key, settings.instanceId(), leaseUntil, now)
        .thenCompose(
            taken -> {
              if (!taken) {
                return awaitOtherInstance(record, trigger, basedOn, round, now);
              }
              return underLease(credential, provider, record, trigger, leaseUntil)
                  .whenComplete(
                      (outcome, failure) -> tokens.releaseLease(key, settings.instanceId()));
            });
  }

  /**
   * The refresh itself, with the lease held. The record is read again first: the one read before
   * the lease may predate a refresh that another instance finished just before this one took the
   * lease, and refreshing again would call the provider twice for one need. A refresh that began
   * and never recorded its outcome ({@link TokenRecord#unsettledRefresh()}) is kept on the record
   * until an outcome settles it, so a refused refresh token can be told apart from a lost answer.
   */
  private CompletionStage<RefreshOutcome> underLease(
      NamedCredential credential,
      AuthProvider provider,
      TokenRecord seen,
      RefreshTrigger trigger,
      Instant leaseUntil) {
    TokenKey key = seen.key();
    return tokens
        .find(key)
        .thenCompose(
            found -> {
              TokenRecord latest = found.orElseGet(() -> TokenRecord.unauthorized(key));
              if (!sameAccessToken(latest, seen) && latest.state().allowsRefresh()) {
                return done(new RefreshOutcome.Refreshed(latest, false));
              }
              Optional<CompletionStage<RefreshOutcome>> answered =
                  answerWithoutProvider(credential, latest, trigger);
              if (answered.isPresent()) {
                return answered.get();
              }
              Optional<RefreshStart> interrupted = latest.unsettledRefresh();
              interrupted.ifPresent(
                  start ->
                      LOG.log(
                          System.Logger.Level.WARNING,
                          "token {0}: the refresh that {1} began at {2} never recorded its"
                              + " outcome; refreshing with the stored refresh token",
                          key,
                          start.instance(),
                          start.at()));
              Instant now = clock.now();
              RefreshStart mine = new RefreshStart(settings.instanceId(), now);
              return updates
                  .update(
                      latest,
                      current ->
                          current
                              .on(TokenEvent.REFRESH_STARTED)
                              .withAttempts(current.attempts().plusOne(now, attemptWindow()))
                              .withUnsettledRefresh(
                                  Optional.of(current.unsettledRefresh().orElse(mine))))
                  .thenCompose(
                      started ->
                          grant(credential, provider, started)
                              .thenCompose(
                                  outcome ->
                                      settle(
                                          credential,
                                          provider,
                                          started,
                                          trigger,
                                          new Unsettled(interrupted, mine),
                                          outcome,
                                          leaseUntil)));
            });
  }

  /** The refresh that had not settled before this one began ({@code interrupted}), and this one. */
  private record Unsettled(Optional<RefreshStart> interrupted, RefreshStart mine) {

    /**
     * What stays unsettled after a failure that may pass: the interrupted refresh still, and this
     * one too when the provider may have answered unseen (a timeout after the request went out).
     */
    Optional<RefreshStart> afterPassingFailure(GrantOutcome outcome) {
      boolean answerMayBeLost =
          outcome instanceof GrantOutcome.Failed failed
              && failed.failure() == GrantOutcome.Failure.TIMEOUT;
      return interrupted.or(() -> answerMayBeLost ? Optional.of(mine) : Optional.empty());
    }
  }

  /**
   * Another instance holds the lease: wait for its result rather than refresh the same token twice
   * (with rotating refresh tokens, the second refresh would be refused as a reuse).
   */
  private CompletionStage<RefreshOutcome> awaitOtherInstance(
      TokenRecord before,
      RefreshTrigger trigger,
      Optional<Secret> basedOn,
      int round,
      Instant since) {
    return clock
        .delay(settings.leasePollInterval())
        .thenCompose(ignored -> tokens.find(before.key()))
        .thenCompose(
            found -> {
              TokenRecord latest = found.orElseGet(() -> TokenRecord.unauthorized(before.key()));
              if (!sameAccessToken(latest, before) && latest.state().allowsRefresh()) {
                return done(new RefreshOutcome.Refreshed(latest, false));
              }
              if (latest.state() == TokenState.NEEDS_AUTHORIZATION
                  || latest.state() == TokenState.REVOKED) {
                return done(new RefreshOutcome.Rejected(standingDiagnosis(latest)));
              }
              if (latest.state() == TokenState.REFRESH_FAILED
                  && latest.version() != before.version()) {
                Instant next = latest.nextAttemptAt().orElse(clock.now());
                return done(
                    new RefreshOutcome.Deferred(
                        latest.diagnoses().isEmpty()
                            ? transientDiagnosis("another instance's refresh failed", next)
                            : latest.diagnoses().get(0),
                        next));
              }
              if (clock.now().isBefore(since.plus(settings.leaseDuration()))) {
                return awaitOtherInstance(before, trigger, basedOn, round, since);
              }
              // the holder vanished without a result (it crashed): its lease has expired, try again
              if (round < 3) {
                return attempt(before.key(), trigger, basedOn, round + 1);
              }
              Instant next = clock.now().plus(settings.leaseDuration());
              return done(
                  new RefreshOutcome.Deferred(
                      transientDiagnosis(
                          "another instance holds the refresh lease and has not finished", next),
                      next));
            });
  }

  private CompletionStage<GrantOutcome> grant(
      NamedCredential credential, AuthProvider provider, TokenRecord started) {
    Authentication authentication = credential.authentication();
    CompletionStage<GrantOutcome> call;
    if (authentication instanceof Authentication.AuthorizationCode) {
      Secret refreshToken = started.tokens().flatMap(TokenSet::refreshToken).orElseThrow();
      call = identityProvider.refresh(provider, refreshToken);
    } else if (authentication instanceof Authentication.ClientCredentials) {
      call = identityProvider.clientCredentials(provider);
    } else if (authentication instanceof Authentication.JwtBearer jwt) {
      String subject =
          started.key().isNamedPrincipal() ? jwt.subject() : started.key().userSubject();
      call = identityProvider.jwtBearer(provider, jwt, subject, provider.scopes());
    } else {
      throw new IllegalStateException(credential.protocol() + " has no token grant");
    }
    // An adapter reports expected failures as values; an exception is a defect or a crash in it,
    // and must still leave the token backing off rather than stuck in REFRESHING.
    return call.handle(
        (outcome, failure) ->
            failure == null
                ? outcome
                : new GrantOutcome.Failed(
                    GrantOutcome.Failure.UNREACHABLE,
                    "the identity-provider client failed: " + failure.getClass().getSimpleName(),
                    Optional.empty(),
                    Optional.empty()));
  }

  private CompletionStage<RefreshOutcome> settle(
      NamedCredential credential,
      AuthProvider provider,
      TokenRecord started,
      RefreshTrigger trigger,
      Unsettled unsettled,
      GrantOutcome outcome,
      Instant leaseUntil) {
    Instant now = clock.now();
    RefreshPolicy policy = planner.policy();
    if (outcome instanceof GrantOutcome.Granted granted) {
      // Retried while the lease lasts: after it, another instance may refresh with the old
      // refresh token, which a rotating provider has just replaced.
      return updates
          .updateDurably(
              started,
              latest -> {
                TokenSet next =
                    policy.toTokenSet(
                        granted.response(),
                        now,
                        provider.refreshTokenLifetime(),
                        latest.tokens(),
                        provider.scopes());
                TokenEvent event =
                    latest.state().allowsRefresh()
                        ? TokenEvent.REFRESH_SUCCEEDED
                        : TokenEvent.AUTHORIZED;
                return planner.scheduled(
                    credential,
                    latest
                        .withTokens(next)
                        .on(event)
                        .withLastRefreshAt(now)
                        .withFailures(0, Optional.empty())
                        .withAttempts(
                            trigger.successRestartsAttemptCount()
                                ? RefreshAttempts.NONE
                                : latest.attempts())
                        .withUnsettledRefresh(Optional.empty())
                        .withDiagnoses(planner.warnings(latest.tokens(), next)));
              },
              leaseUntil)
          .whenComplete(
              (stored, failure) -> {
                if (failure != null) {
                  LOG.log(
                      System.Logger.Level.ERROR,
                      "token {0}: the identity provider issued new tokens that could not be"
                          + " stored ({1}); the next refresh retries with the stored refresh"
                          + " token",
                      started.key(),
                      failure.getClass().getSimpleName());
                }
              })
          .thenApply(stored -> new RefreshOutcome.Refreshed(stored, true));
    }
    int failures = started.consecutiveFailures() + 1;
    Duration wait = policy.backoff(failures);
    if (outcome instanceof GrantOutcome.Failed failed
        && failed.retryAfter().isPresent()
        && failed.retryAfter().get().compareTo(wait) > 0) {
      wait = failed.retryAfter().get();
    }
    Instant nextAttemptAt = now.plus(wait);
    RefreshFailure failure =
        policy.classify(
            outcome,
            new FailureContext(
                credential.name(),
                provider.clientId(),
                started.tokens(),
                started.tokens().map(TokenSet::issuedAt),
                now,
                nextAttemptAt,
                unsettled.interrupted()));
    Diagnosis diagnosis = failure.diagnosis();
    return switch (failure.severity()) {
      case TERMINAL ->
          updates
              .update(
                  started,
                  latest ->
                      planner.scheduled(
                          credential,
                          latest
                              .on(TokenEvent.REFRESH_REJECTED)
                              .withFailures(failures, Optional.empty())
                              .withUnsettledRefresh(Optional.empty())
                              .withDiagnoses(List.of(diagnosis))))
              .thenApply(stored -> new RefreshOutcome.Rejected(diagnosis));
      case TRANSIENT ->
          updates
              .update(
                  started,
                  latest ->
                      planner.scheduled(
                          credential,
                          latest
                              .on(TokenEvent.REFRESH_FAILED_TRANSIENTLY)
                              .withFailures(failures, Optional.of(nextAttemptAt))
                              .withUnsettledRefresh(unsettled.afterPassingFailure(outcome))
                              .withDiagnoses(List.of(diagnosis))))
              .thenApply(stored -> new RefreshOutcome.Deferred(diagnosis, nextAttemptAt));
    };
  }

  /**
   * A token with no refresh token cannot be refreshed; once its access token has expired the
   * credential needs a new authorization, and the record says so.
   */
  private CompletionStage<RefreshOutcome> withoutRefreshToken(
      NamedCredential credential, TokenRecord record, Diagnosis diagnosis) {
    boolean expired = record.tokens().map(t -> t.isAccessTokenExpiredAt(clock.now())).orElse(true);
    if (!expired) {
      return done(new RefreshOutcome.Rejected(diagnosis));
    }
    return updates
        .update(
            record.key(),
            latest ->
                planner.scheduled(
                    credential,
                    latest.on(TokenEvent.REFRESH_TOKEN_EXPIRED).withDiagnoses(List.of(diagnosis))))
        .thenApply(stored -> new RefreshOutcome.Rejected(diagnosis));
  }

  private Duration attemptWindow() {
    return planner.policy().settings().attemptWindow();
  }

  private static boolean endsWith(RefreshOutcome outcome, Optional<Secret> basedOn) {
    return basedOn.isPresent()
        && outcome instanceof RefreshOutcome.Refreshed refreshed
        && refreshed
            .record()
            .tokens()
            .map(tokens -> tokens.accessToken().equals(basedOn.get()))
            .orElse(false);
  }

  private static boolean refreshedSince(TokenRecord record, Optional<Secret> basedOn) {
    return basedOn.isPresent()
        && record.state().allowsRefresh()
        && record.tokens().map(t -> !t.accessToken().equals(basedOn.get())).orElse(false);
  }

  private static boolean sameAccessToken(TokenRecord a, TokenRecord b) {
    return a.tokens().map(TokenSet::accessToken).equals(b.tokens().map(TokenSet::accessToken));
  }

  /** The diagnosis a token that cannot be refreshed stands under. */
  static Diagnosis standingDiagnosis(TokenRecord record) {
    if (!record.diagnoses().isEmpty() && record.state() != TokenState.UNAUTHORIZED) {
      return record.diagnoses().get(0);
    }
    return Diagnosis.of(
        NOT_AUTHORIZED_YET,
        "credential",
        record.key().credentialName(),
        "principal",
        record.key().principalDescription());
  }

  private static Diagnosis noRefreshToken(TokenRecord record) {
    return record.diagnoses().stream()
        .filter(d -> d.code() == NO_REFRESH_TOKEN_ISSUED)
        .findFirst()
        .orElseGet(
            () ->
                Diagnosis.of(
                    NO_REFRESH_TOKEN_ISSUED,
                    "accessTokenExpiresAt",
                    record.tokens().map(TokenSet::expiresAt).map(Object::toString).orElse("?"),
                    "missingScope",
                    "the scope offline_access, or the provider's own scope for refresh tokens"));
  }

  private static Diagnosis transientDiagnosis(String reason, Instant next) {
    return Diagnosis.of(REFRESH_FAILED_TRANSIENT, "reason", reason, "nextAttemptAt", next);
  }

  private static RefreshOutcome rejected(
      dev.callgate.core.diagnosis.DiagnosisCode code, Object... facts) {
    return new RefreshOutcome.Rejected(Diagnosis.of(code, facts));
  }

  private static CompletionStage<RefreshOutcome> done(RefreshOutcome outcome) {
    return CompletableFuture.completedStage(outcome);
  }
}
