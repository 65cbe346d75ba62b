package dev.callgate.core.service;

import static dev.callgate.core.diagnosis.DiagnosisCode.CREDENTIAL_NOT_FOUND;
import static dev.callgate.core.diagnosis.DiagnosisCode.PROVIDER_NOT_FOUND;

import dev.callgate.core.credential.AuthProvider;
import dev.callgate.core.credential.Authentication;
import dev.callgate.core.credential.NamedCredential;
import dev.callgate.core.credential.Secret;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.diagnosis.DiagnosisCode;
import dev.callgate.core.event.EventSource;
import dev.callgate.core.event.TokenChange;
import dev.callgate.core.port.Clock;
import dev.callgate.core.port.CredentialStore;
import dev.callgate.core.port.GrantOutcome;
import dev.callgate.core.port.IdentityProvider;
import dev.callgate.core.port.TokenExchangeRequest;
import dev.callgate.core.port.TokenStore;
import dev.callgate.core.refresh.FailureContext;
import dev.callgate.core.refresh.Freshness;
import dev.callgate.core.refresh.GrantType;
import dev.callgate.core.refresh.RefreshFailure;
import dev.callgate.core.refresh.RefreshGate;
import dev.callgate.core.refresh.RefreshPolicy;
import dev.callgate.core.refresh.RefreshTrigger;
import dev.callgate.core.token.RefreshPlan;
import dev.callgate.core.token.RefreshStart;
import dev.callgate.core.token.TokenKey;
import dev.callgate.core.token.TokenRecord;
import dev.callgate.core.token.TokenSet;
import dev.callgate.core.token.TokenState;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Refreshes tokens, once per token however many ask. Inside the process, concurrent requests for
 * one token share one refresh ({@link SingleFlight}); across a cluster, the store's refresh lease
 * lets one instance call the identity provider while the others wait for its result ({@link
 * LeaseWait}). A refresh that another caller already did is not repeated: a request names the
 * access token it found wanting, and gets the newer one if the token has changed since. Whether the
 * provider may be called at all, and which diagnosis stands if not, is the {@link RefreshGate}'s
 * decision; what a failure means, the {@link RefreshPolicy}'s: passing ones back off (never past
 * the refresh token's expiry), a refused client keeps its grant until the provider changes, and a
 * refused grant waits for a person.
 */
public final class Refresher {
  private static final System.Logger LOG = System.getLogger(Refresher.class.getName());

  /** How often an instance may take over a refresh whose lease holder vanished. */
  private static final int MAX_ROUNDS = 3;

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
  private final EventSource events;
  private final TokenUpdates updates;
  private final Settings settings;
  private final RefreshObserver observer;
  private final LeaseWait leaseWait;
  private final SingleFlight<TokenKey, RefreshOutcome> flights = new SingleFlight<>();

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
    this.events = new EventSource(settings.instanceId(), clock);
    this.updates = new TokenUpdates(tokens, events);
    this.settings = settings;
    this.leaseWait =
        new LeaseWait(tokens, clock, settings.leasePollInterval(), settings.leaseDuration());
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

  /**
   * A person's "refresh now" of the token {@code key}: an admin may refresh any token; a caller
   * only its own per-user token, counted against that token's owner budget. A named credential's
   * token is shared by every caller and renewed by the schedule and after a target's 401, so no
   * single caller may drive its provider.
   */
  public CompletionStage<RefreshOutcome> refreshAskedBy(Caller caller, TokenKey key) {
    if (caller.isAdmin()) {
      return refresh(key, RefreshTrigger.MANUAL, Optional.empty());
    }
    if (key.isNamedPrincipal() || !key.userSubject().equals(caller.subject())) {
      return done(
          rejected(
              DiagnosisCode.CALLER_NOT_ALLOWED,
              "subject",
              caller.subject(),
              "credential",
              key.credentialName()));
    }
    return refresh(key, RefreshTrigger.OWNER, Optional.empty());
  }

  private CompletionStage<RefreshOutcome> refresh(
      TokenKey key, RefreshTrigger trigger, Optional<Secret> basedOn, boolean mayJoin) {
    SingleFlight.Flight<RefreshOutcome> flight =
        flights.join(
            key,
            () -> attempt(key, trigger, basedOn, 1),
            outcome -> observer.settled(key, trigger, outcome));
    if (!flight.joined()) {
      return flight.result();
    }
    // The refresh under way began before this caller found its token wanting, and may end with
    // that very token (another instance's, read from the store): then this caller needs one more.
    return flight
        .result()
        .thenCompose(
            outcome ->
                mayJoin && endsWith(outcome, basedOn)
                    ? refresh(key, trigger, basedOn, false)
                    : done(outcome));
  }

  /** Where this process's events come from: the instance that refreshes, and its clock. */
  EventSource events() {
    return events;
  }

  /** The identity provider refreshes go to; callouts exchange callers' tokens there too. */
  IdentityProvider identityProvider() {
    return identityProvider;
  }

  /** The number of refreshes in progress in this process (for metrics and tests). */
  public int inFlight() {
    return flights.size();
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
    Optional<GrantType> grant = GrantType.of(credential.protocol());
    if (providerName.isEmpty() || grant.isEmpty()) {
      return done(flowNotSupported(credential, "token refresh"));
    }
    Refresh refresh =
        new Refresh(
            credential, grant.get(), trigger, planner.planFor(credential), Optional.empty());
    if (credential.authentication() instanceof Authentication.TokenExchange exchange) {
      return exchanged(refresh, exchange, record, basedOn, round);
    }
    return withProvider(refresh, providerName.get(), record, basedOn, round);
  }

  private CompletionStage<RefreshOutcome> withProvider(
      Refresh refresh,
      String providerName,
      TokenRecord record,
      Optional<Secret> basedOn,
      int round) {
    return credentials
        .findProvider(providerName)
        .thenCompose(
            provider -> {
              if (provider.isEmpty()) {
                return done(rejected(PROVIDER_NOT_FOUND, "provider", providerName));
              }
              return gated(
                  refresh, record, () -> leased(refresh, provider.get(), record, basedOn, round));
            });
  }

  /**
   * A token exchange with a subject credential: its current access token first (refreshed if it is
   * about to expire, as a callout would), then the exchange. A credential that exchanges each
   * caller's own token stores none, so there is nothing to refresh.
   */
  private CompletionStage<RefreshOutcome> exchanged(
      Refresh refresh,
      Authentication.TokenExchange exchange,
      TokenRecord record,
      Optional<Secret> basedOn,
      int round) {
    NamedCredential credential = refresh.credential();
    if (exchange.subjectCredential().isEmpty()) {
      return done(
          flowNotSupported(
              credential,
              "a stored token (each callout exchanges the caller's "
                  + Authentication.TokenExchange.SUBJECT_TOKEN_HEADER
                  + ")"));
    }
    String subjectCredential = exchange.subjectCredential().get();
    return subjectToken(subjectCredential)
        .thenCompose(
            subject ->
                subject.token().isPresent()
                    ? withProvider(
                        refresh.withSubjectToken(subject.token().get()),
                        exchange.provider(),
                        record,
                        basedOn,
                        round)
                    : done(
                        new RefreshOutcome.Rejected(
                            Diagnosis.of(
                                DiagnosisCode.TOKEN_EXCHANGE_SUBJECT_UNAVAILABLE,
                                "credential",
                                credential.name(),
                                "subjectCredential",
                                subjectCredential,
                                "reason",
                                subject.unavailable().orElseThrow().message(),
                                "subjectRemedy",
                                subject.unavailable().orElseThrow().remedy()),
                            false)));
  }

  /**
   * The current access token of {@code subjectCredential}, refreshed first when it is about to
   * expire (a callout's rule), or the diagnosis that says why it has none.
   */
  private CompletionStage<Subject> subjectToken(String subjectCredential) {
    TokenKey key = TokenKey.named(subjectCredential);
    return tokens
        .find(key)
        .thenCompose(
            found -> {
              Optional<TokenSet> current =
                  found.filter(r -> r.state().keepsGrant()).flatMap(TokenRecord::tokens);
              if (current.isPresent()
                  && planner.policy().freshness(current.get(), clock.now())
                      != Freshness.MUST_REFRESH) {
                return CompletableFuture.completedStage(Subject.token(current.get().accessToken()));
              }
              return refresh(key, RefreshTrigger.ON_DEMAND, current.map(TokenSet::accessToken))
                  .thenApply(
                      outcome ->
                          outcome.fold(
                              refreshed ->
                                  refreshed
                                      .record()
                                      .tokens()
                                      .map(tokens -> Subject.token(tokens.accessToken()))
                                      .orElseGet(
                                          () ->
                                              Subject.unavailable(
                                                  Diagnosis.of(
                                                      DiagnosisCode.NOT_AUTHORIZED_YET,
                                                      "credential",
                                                      subjectCredential,
                                                      "principal",
                                                      "its named principal"))),
                              refused -> Subject.unavailable(refused.diagnosis()),
                              deferred -> Subject.unavailable(deferred.diagnosis())));
            });
  }

  /** A subject credential's access token, or why it has none. */
  private record Subject(Optional<Secret> token, Optional<Diagnosis> unavailable) {
    static Subject token(Secret token) {
      return new Subject(Optional.of(token), Optional.empty());
    }

    static Subject unavailable(Diagnosis why) {
      return new Subject(Optional.empty(), Optional.of(why));
    }
  }

  /**
   * One refresh's fixed facts: the credential, its grant, why it was asked, its plan, and for a
   * token exchange the subject token.
   */
  private record Refresh(
      NamedCredential credential,
      GrantType grant,
      RefreshTrigger trigger,
      RefreshPlan plan,
      Optional<Secret> subjectToken) {

    Refresh withSubjectToken(Secret token) {
      return new Refresh(credential, grant, trigger, plan, Optional.of(token));
    }
  }

  /** The gate's decision on {@code record}, carried out; {@code call} when it says call. */
  private CompletionStage<RefreshOutcome> gated(
      Refresh refresh, TokenRecord record, Supplier<CompletionStage<RefreshOutcome>> call) {
    RefreshGate.Decision decision =
        RefreshGate.decide(
            record, refresh.grant(), refresh.trigger(), clock.now(), planner.policy());
    return decision.fold(
        allowed -> call.get(),
        wait -> done(new RefreshOutcome.Deferred(wait.diagnosis(), wait.until(), false)),
        refuse -> done(new RefreshOutcome.Rejected(refuse.diagnosis(), false)),
        ended ->
            updates
                .update(
                    record.key(),
                    TokenChange.REFRESH_TOKEN_ENDED,
                    latest -> latest.refreshTokenExpired(ended.diagnosis(), refresh.plan()))
                .thenApply(stored -> new RefreshOutcome.Rejected(ended.diagnosis(), false)),
        fresh -> done(new RefreshOutcome.Refreshed(record, false)));
  }

  private CompletionStage<RefreshOutcome> leased(
      Refresh refresh,
      AuthProvider provider,
      TokenRecord record,
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
                return leaseWait
                    .await(record, now)
                    .thenCompose(
                        result ->
                            result.isPresent()
                                ? done(result.get())
                                : afterVanishedHolder(key, refresh.trigger(), basedOn, round));
              }
              return underLease(refresh, provider, record, leaseUntil)
                  .whenComplete(
                      (outcome, failure) -> tokens.releaseLease(key, settings.instanceId()));
            });
  }

  /** The lease holder vanished without a result (it crashed): its lease has expired, try again. */
  private CompletionStage<RefreshOutcome> afterVanishedHolder(
      TokenKey key, RefreshTrigger trigger, Optional<Secret> basedOn, int round) {
    if (round < MAX_ROUNDS) {
      return attempt(key, trigger, basedOn, round + 1);
    }
    Instant next = clock.now().plus(settings.leaseDuration());
    return done(
        new RefreshOutcome.Deferred(
            RefreshPolicy.refreshFailedTransient(
                key.credentialName(),
                "another instance holds the refresh lease and has not finished",
                next),
            next,
            false));
  }

  /**
   * The refresh itself, with the lease held. The record is read again first: the one read before
   * the lease may predate a refresh that another instance finished just before this one took the
   * lease, and refreshing again would call the provider twice for one need. A refresh that began
   * and never recorded its outcome ({@link TokenRecord#unsettledRefresh()}) is kept on the record
   * until an outcome settles it, so a refused refresh token can be told apart from a lost answer.
   */
  private CompletionStage<RefreshOutcome> underLease(
      Refresh refresh, AuthProvider provider, TokenRecord seen, Instant leaseUntil) {
    TokenKey key = seen.key();
    return tokens
        .find(key)
        .thenCompose(
            found -> {
              TokenRecord latest = found.orElseGet(() -> TokenRecord.unauthorized(key));
              if (!sameAccessToken(latest, seen) && latest.state().allowsRefresh()) {
                return done(new RefreshOutcome.Refreshed(latest, false));
              }
              return gated(refresh, latest, () -> start(refresh, provider, latest, leaseUntil));
            });
  }

  private CompletionStage<RefreshOutcome> start(
      Refresh refresh, AuthProvider provider, TokenRecord latest, Instant leaseUntil) {
    Optional<RefreshStart> interrupted = latest.unsettledRefresh();
    interrupted.ifPresent(
        start ->
            LOG.log(
                System.Logger.Level.WARNING,
                "token {0}: the refresh that {1} began at {2} never recorded its outcome;"
                    + " refreshing with the stored refresh token",
                latest.key(),
                start.instance(),
                start.at()));
    RefreshStart mine = new RefreshStart(settings.instanceId(), clock.now());
    Duration window = planner.policy().settings().attemptWindow();
    return updates
        .update(
            latest,
            TokenChange.BOOKKEEPING,
            current ->
                current.refreshStarted(mine, refresh.trigger().budget(), window, refresh.plan()))
        .thenCompose(
            started ->
                grant(refresh, provider, started)
                    .thenCompose(
                        outcome ->
                            settle(
                                refresh,
                                provider,
                                started,
                                new Unsettled(interrupted, mine, latest.state()),
                                outcome,
                                leaseUntil)));
  }

  /**
   * The refresh that had not settled before this one began ({@code interrupted}), this one, and the
   * state the token was in when it began (a refresh that works after failures is a recovery).
   */
  private record Unsettled(
      Optional<RefreshStart> interrupted, RefreshStart mine, TokenState beganIn) {

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

  private CompletionStage<GrantOutcome> grant(
      Refresh refresh, AuthProvider provider, TokenRecord started) {
    Authentication authentication = refresh.credential().authentication();
    CompletionStage<GrantOutcome> call =
        switch (refresh.grant()) {
          case REFRESH_TOKEN ->
              identityProvider.refresh(
                  provider, started.tokens().flatMap(TokenSet::refreshToken).orElseThrow());
          case CLIENT_CREDENTIALS -> identityProvider.clientCredentials(provider);
          case JWT_BEARER -> jwtBearer(authentication, provider, started.key());
          case TOKEN_EXCHANGE ->
              identityProvider.tokenExchange(
                  provider,
                  TokenExchangeRequest.of(
                      (Authentication.TokenExchange) authentication,
                      refresh.subjectToken().orElseThrow(),
                      provider.scopes()));
        };
    // An adapter reports expected failures as values; an exception is a defect or a crash in it,
    // and must still leave the token backing off rather than stuck in REFRESHING.
    return call.handle(GrantOutcome::ofCall);
  }

  private CompletionStage<GrantOutcome> jwtBearer(
      Authentication authentication, AuthProvider provider, TokenKey key) {
    if (!(authentication instanceof Authentication.JwtBearer jwt)) {
      throw new IllegalStateException("a JWT bearer grant needs JWT bearer settings");
    }
    String subject = key.isNamedPrincipal() ? jwt.subject() : key.userSubject();
    return identityProvider.jwtBearer(provider, jwt, subject, provider.scopes());
  }

  private CompletionStage<RefreshOutcome> settle(
      Refresh refresh,
      AuthProvider provider,
      TokenRecord started,
      Unsettled unsettled,
      GrantOutcome outcome,
      Instant leaseUntil) {
    Instant now = clock.now();
    RefreshPolicy policy = planner.policy();
    if (outcome instanceof GrantOutcome.Granted granted) {
      return stored(refresh, provider, started, unsettled.beganIn(), granted, now, leaseUntil);
    }
    Optional<Duration> retryAfter =
        outcome instanceof GrantOutcome.Failed failed ? failed.retryAfter() : Optional.empty();
    Instant nextAttemptAt =
        policy.retryAt(started.failures().count() + 1, now, started.tokens(), retryAfter);
    RefreshFailure failure =
        policy.classify(
            outcome,
            new FailureContext(
                refresh.credential().name(),
                provider.name(),
                provider.clientId(),
                provider.clientAuthMethod(),
                refresh.grant(),
                refresh.credential().keepAlive(),
                started,
                now,
                nextAttemptAt,
                unsettled.interrupted()));
    Diagnosis diagnosis = failure.diagnosis();
    RefreshPlan plan = refresh.plan();
    return switch (failure.severity()) {
      case TERMINAL ->
          updates
              .update(
                  started,
                  TokenChange.GRANT_REFUSED,
                  latest -> latest.refreshRejected(diagnosis, plan))
              .thenApply(stored -> new RefreshOutcome.Rejected(diagnosis, true));
      case CLIENT_REJECTED ->
          updates
              .update(
                  started,
                  TokenChange.CLIENT_REFUSED,
                  latest -> latest.clientRejected(diagnosis, plan))
              .thenApply(stored -> new RefreshOutcome.Rejected(diagnosis, true));
      case TRANSIENT ->
          updates
              .update(
                  started,
                  TokenChange.REFRESH_DEFERRED,
                  latest ->
                      latest.refreshFailed(
                          diagnosis,
                          now,
                          nextAttemptAt,
                          unsettled.afterPassingFailure(outcome),
                          plan))
              .thenApply(stored -> new RefreshOutcome.Deferred(diagnosis, nextAttemptAt, true));
    };
  }

  /**
   * Stores the tokens the provider issued, retried while the lease lasts: after it, another
   * instance may refresh with the old refresh token, which a rotating provider has just replaced.
   */
  private CompletionStage<RefreshOutcome> stored(
      Refresh refresh,
      AuthProvider provider,
      TokenRecord started,
      TokenState beganIn,
      GrantOutcome.Granted granted,
      Instant now,
      Instant leaseUntil) {
    RefreshPolicy policy = planner.policy();
    return updates
        .updateDurably(
            started,
            TokenChange.refreshed(refresh.trigger(), beganIn),
            latest -> {
              TokenSet next =
                  policy.toTokenSet(
                      granted.response(),
                      now,
                      provider.refreshTokenLifetime(),
                      provider.accessTokenLifetime(),
                      latest.tokens(),
                      provider.scopes());
              return latest.refreshed(
                  next,
                  granted.response().identity(),
                  planner.warnings(latest.tokens(), next, provider),
                  now,
                  Optional.of(refresh.trigger().budget())
                      .filter(budget -> refresh.trigger().successRestartsAttemptCount()),
                  refresh.plan());
            },
            leaseUntil)
        .whenComplete(
            (stored, failure) -> {
              if (failure != null) {
                LOG.log(
                    System.Logger.Level.ERROR,
                    "token {0}: the identity provider issued new tokens that could not be"
                        + " stored ({1}); the next refresh retries with the stored refresh token",
                    started.key(),
                    failure.getClass().getSimpleName());
              }
            })
        .thenApply(stored -> new RefreshOutcome.Refreshed(stored, true));
  }

  private static boolean endsWith(RefreshOutcome outcome, Optional<Secret> basedOn) {
    return basedOn.isPresent()
        && outcome.fold(
            refreshed ->
                refreshed
                    .record()
                    .tokens()
                    .map(tokens -> tokens.accessToken().equals(basedOn.get()))
                    .orElse(false),
            rejected -> false,
            deferred -> false);
  }

  private static boolean refreshedSince(TokenRecord record, Optional<Secret> basedOn) {
    return basedOn.isPresent()
        && record.state().allowsRefresh()
        && record.tokens().map(t -> !t.accessToken().equals(basedOn.get())).orElse(false);
  }

  private static boolean sameAccessToken(TokenRecord a, TokenRecord b) {
    return a.tokens().map(TokenSet::accessToken).equals(b.tokens().map(TokenSet::accessToken));
  }

  private static RefreshOutcome flowNotSupported(NamedCredential credential, String flow) {
    return new RefreshOutcome.Rejected(Credentials.flowNotSupported(credential, flow), false);
  }

  private static RefreshOutcome rejected(DiagnosisCode code, Object... facts) {
    return new RefreshOutcome.Rejected(Diagnosis.of(code, facts), false);
  }

  private static CompletionStage<RefreshOutcome> done(RefreshOutcome outcome) {
    return CompletableFuture.completedStage(outcome);
  }
}
