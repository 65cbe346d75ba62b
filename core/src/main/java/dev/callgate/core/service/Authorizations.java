package dev.callgate.core.service;

import static dev.callgate.core.diagnosis.DiagnosisCode.AUTHORIZATION_BROWSER_MISMATCH;
import static dev.callgate.core.diagnosis.DiagnosisCode.AUTHORIZATION_CODE_REJECTED;
import static dev.callgate.core.diagnosis.DiagnosisCode.AUTHORIZATION_DENIED;
import static dev.callgate.core.diagnosis.DiagnosisCode.AUTHORIZATION_STATE_INVALID;
import static dev.callgate.core.diagnosis.DiagnosisCode.CALLER_NOT_ALLOWED;
import static dev.callgate.core.diagnosis.DiagnosisCode.CREDENTIAL_NOT_FOUND;
import static dev.callgate.core.diagnosis.DiagnosisCode.FORBIDDEN;
import static dev.callgate.core.diagnosis.DiagnosisCode.IDP_RESPONSE_INVALID;
import static dev.callgate.core.diagnosis.DiagnosisCode.IDP_UNAVAILABLE;
import static dev.callgate.core.diagnosis.DiagnosisCode.INVALID_VALUE;
import static dev.callgate.core.diagnosis.DiagnosisCode.NO_REFRESH_TOKEN_ISSUED;
import static dev.callgate.core.diagnosis.DiagnosisCode.PROVIDER_IDENTITY_CHANGED;
import static dev.callgate.core.diagnosis.DiagnosisCode.PROVIDER_NOT_FOUND;
import static dev.callgate.core.diagnosis.DiagnosisCode.SCOPE_REJECTED;

import dev.callgate.core.credential.AuthProvider;
import dev.callgate.core.credential.NamedCredential;
import dev.callgate.core.credential.Protocol;
import dev.callgate.core.credential.ReturnUrlRule;
import dev.callgate.core.credential.Secret;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.diagnosis.Validated;
import dev.callgate.core.event.Actor;
import dev.callgate.core.event.Event;
import dev.callgate.core.event.EventSource;
import dev.callgate.core.event.EventType;
import dev.callgate.core.event.TokenChange;
import dev.callgate.core.port.Clock;
import dev.callgate.core.port.CredentialStore;
import dev.callgate.core.port.EventLog;
import dev.callgate.core.port.FlowHash;
import dev.callgate.core.port.GrantOutcome;
import dev.callgate.core.port.IdentityProvider;
import dev.callgate.core.port.IdentityProviderException;
import dev.callgate.core.port.PendingAuthorization;
import dev.callgate.core.port.PendingAuthorizationStore;
import dev.callgate.core.port.ProviderMetadata;
import dev.callgate.core.port.TokenStore;
import dev.callgate.core.refresh.ClientRefusals;
import dev.callgate.core.refresh.RefreshPolicy;
import dev.callgate.core.token.ProviderIdentity;
import dev.callgate.core.token.RefreshPlan;
import dev.callgate.core.token.TokenKey;
import dev.callgate.core.token.TokenRecord;
import dev.callgate.core.token.TokenSet;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * The authorization-code flow with PKCE (RFC 6749 §4.1, RFC 7636 S256): {@link #start} makes a
 * one-time {@code state} and a code verifier, remembers them until the callback (the state only as
 * a hash), and returns the URL of Callgate's own authorization page; {@link #open} binds the flow
 * to the browser that opens that page with a cookie and sends it on to the identity provider;
 * {@link #complete} accepts the provider's redirect once, from that browser only, exchanges the
 * code and stores the tokens. At that moment it checks what was granted: a grant by another account
 * at the provider than the one the token belongs to is refused unless an admin allowed it; a
 * missing refresh token is reported with the scope to add ({@code offline_access} for OpenID
 * Connect issuers, {@code refresh_token} where the provider advertises it), missing scopes
 * likewise. A per-user credential is authorized by each of its callers for themselves; a named one
 * by an admin.
 */
public final class Authorizations {

  /** Where the identity provider redirects back to, and how long a started flow stays valid. */
  public record Settings(URI redirectUri, Duration stateLifetime) {
    public Settings {
      Objects.requireNonNull(redirectUri, "redirectUri");
      Objects.requireNonNull(stateLifetime, "stateLifetime");
    }

    /** Callgate's authorization page, beside the callback: it binds the flow to the browser. */
    public URI authorizationPage() {
      return redirectUri.resolve("authorize");
    }

    /** The path the flow-binding cookie is sent to: the callback's folder, nothing more. */
    String cookiePath() {
      String path = redirectUri.resolve(".").getRawPath();
      return path == null || path.isEmpty() ? "/" : path;
    }

    /** Whether browsers reach Callgate over https, so the cookie may travel on nothing else. */
    boolean secureCookies() {
      return "https".equalsIgnoreCase(redirectUri.getScheme());
    }
  }

  private static final System.Logger LOG = System.getLogger(Authorizations.class.getName());
  private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

  private final CredentialStore credentials;
  private final TokenStore tokens;
  private final PendingAuthorizationStore pending;
  private final IdentityProvider identityProvider;
  private final Clock clock;
  private final RandomGenerator random;
  private final RefreshPlanner planner;
  private final EventSource events;
  private final EventLog eventLog;
  private final TokenUpdates updates;
  private final Settings settings;
  private final GrantRevoker revoker;

  /** {@code random} must be a cryptographically strong source such as {@code SecureRandom}. */
  public Authorizations(
      CredentialStore credentials,
      TokenStore tokens,
      PendingAuthorizationStore pending,
      IdentityProvider identityProvider,
      EventSource events,
      RandomGenerator random,
      RefreshPolicy policy,
      Settings settings,
      EventLog eventLog) {
    this.eventLog = eventLog;
    this.credentials = credentials;
    this.tokens = tokens;
    this.pending = pending;
    this.identityProvider = identityProvider;
    this.revoker = new GrantRevoker(identityProvider);
    this.events = events;
    this.clock = events.clock();
    this.random = random;
    this.planner = new RefreshPlanner(policy);
    this.updates = new TokenUpdates(tokens, events);
    this.settings = settings;
  }

  /**
   * Starts the flow for the token of {@code forUser} (empty: the caller's own, or the named one),
   * as {@code actor} (the caller, in its request) asks: an admin may start it for any user of a
   * per-user credential, whose end user then completes it. {@code allowIdentityChange} (admins
   * only) lets it grant the token to another account at the provider than the one it is granted to
   * now. The pending flow is saved with its event and the audit event.
   */
  public CompletionStage<AuthorizationStart> start(
      Caller caller,
      String credentialName,
      Optional<String> forUser,
      boolean allowIdentityChange,
      Actor actor) {
    return start(caller, credentialName, forUser, allowIdentityChange, actor, Optional.empty());
  }

  /**
   * As above; once the flow succeeds (or fails after the provider's sign-in), the browser is sent
   * to {@code returnUrl}: a path below {@link ReturnUrlRule#CONSOLE_PATH}, or a URL on the
   * credential's {@code allowedReturnUrls} ({@code RETURN_URL_NOT_ALLOWED} otherwise).
   */
  public CompletionStage<AuthorizationStart> start(
      Caller caller,
      String credentialName,
      Optional<String> forUser,
      boolean allowIdentityChange,
      Actor actor,
      Optional<String> returnUrl) {
    return resolve(caller, credentialName, forUser, allowIdentityChange, "authorization-code flow")
        .thenCompose(
            resolution ->
                resolution.fold(
                    resolved -> startResolved(resolved, allowIdentityChange, actor, returnUrl),
                    Authorizations::refusedStart));
  }

  private CompletionStage<AuthorizationStart> startResolved(
      Resolution.Resolved resolved,
      boolean allowIdentityChange,
      Actor actor,
      Optional<String> returnUrl) {
    Optional<Validated<URI>> checkedReturnUrl =
        returnUrl.map(url -> ReturnUrlRule.check(resolved.credential(), url, true));
    Optional<List<Diagnosis>> returnUrlRefused =
        checkedReturnUrl.map(Validated::problems).filter(p -> !p.isEmpty());
    if (returnUrlRefused.isPresent()) {
      return refusedStart(returnUrlRefused.get().get(0));
    }
    Optional<URI> returnTo =
        checkedReturnUrl.map(checked -> checked.fold(url -> url, problems -> null));
    return startWith(resolved.provider(), resolved.key(), allowIdentityChange, actor, returnTo);
  }

  /** The credential, provider and token a flow is started for, or why it may not be. */
  sealed interface Resolution {
    <R> R fold(Function<Resolved, R> resolved, Function<Diagnosis, R> refused);

    record Resolved(NamedCredential credential, AuthProvider provider, TokenKey key)
        implements Resolution {
      @Override
      public <R> R fold(Function<Resolved, R> resolved, Function<Diagnosis, R> refused) {
        return resolved.apply(this);
      }
    }

    record Refused(Diagnosis diagnosis) implements Resolution {
      @Override
      public <R> R fold(Function<Resolved, R> resolved, Function<Diagnosis, R> refused) {
        return refused.apply(diagnosis);
      }
    }
  }

  /**
   * What every start of an authorization checks: an identity change only by admins, an
   * authorization-code credential ({@code flow} names the flow refused otherwise) whose grants the
   * caller manages, the token meant, and the credential's provider.
   */
  CompletionStage<Resolution> resolve(
      Caller caller,
      String credentialName,
      Optional<String> forUser,
      boolean allowIdentityChange,
      String flow) {
    if (allowIdentityChange && !caller.isAdmin()) {
      return refusedResolution(
          Diagnosis.of(
              FORBIDDEN,
              "subject",
              caller.subject(),
              "action",
              "allow an authorization to change the account a token is granted to",
              "role",
              "admin"));
    }
    return credentials
        .findCredential(credentialName)
        .thenCompose(
            found -> {
              if (found.isEmpty()) {
                return refusedResolution(
                    Diagnosis.of(CREDENTIAL_NOT_FOUND, "credential", credentialName));
              }
              NamedCredential credential = found.get();
              if (credential.protocol() != Protocol.OAUTH2_AUTHORIZATION_CODE) {
                return refusedResolution(Credentials.flowNotSupported(credential, flow));
              }
              if (!caller.managesGrantsOf(credential)) {
                return refusedResolution(
                    Diagnosis.of(
                        CALLER_NOT_ALLOWED,
                        "subject",
                        caller.subject(),
                        "credential",
                        credentialName));
              }
              String providerName = credential.authentication().providerName().orElseThrow();
              return TokenKeys.resolve(credential, caller, forUser)
                  .fold(
                      key ->
                          credentials
                              .findProvider(providerName)
                              .thenApply(
                                  provider ->
                                      provider.isEmpty()
                                          ? new Resolution.Refused(
                                              Diagnosis.of(
                                                  PROVIDER_NOT_FOUND, "provider", providerName))
                                          : new Resolution.Resolved(
                                              credential, provider.get(), key)),
                      problems -> refusedResolution(problems.get(0)));
            });
  }

  private static CompletionStage<Resolution> refusedResolution(Diagnosis diagnosis) {
    return CompletableFuture.completedStage(new Resolution.Refused(diagnosis));
  }

  private CompletionStage<AuthorizationStart> startWith(
      AuthProvider provider,
      TokenKey key,
      boolean allowIdentityChange,
      Actor actor,
      Optional<URI> returnUrl) {
    String state = randomToken();
    Secret verifier = Secret.of(randomToken());
    return providerUrl(provider, state, verifier, provider.scopes())
        .thenCompose(
            url -> {
              if (url instanceof ProviderUrl.Refused refused) {
                return refusedStart(refused.diagnosis());
              }
              Instant now = clock.now();
              Instant expiresAt = now.plus(settings.stateLifetime());
              PendingAuthorization flow =
                  new PendingAuthorization(
                      FlowHash.of(state),
                      key,
                      verifier,
                      settings.redirectUri(),
                      provider.scopes(),
                      now,
                      expiresAt,
                      Optional.empty(),
                      allowIdentityChange,
                      returnUrl);
              URI page =
                  URI.create(
                      settings.authorizationPage()
                          + "?flow="
                          + URLEncoder.encode(state, StandardCharsets.UTF_8));
              Map<String, String> details = new LinkedHashMap<>();
              details.put("credential", key.credentialName());
              details.put("provider", provider.name());
              details.put("expiresAt", expiresAt.toString());
              details.put("identityChangeAllowed", Boolean.toString(allowIdentityChange));
              returnUrl.ifPresent(to -> details.put("returnUrl", to.toString()));
              return pending
                  .save(flow, startedEvents(key, actor, details))
                  .thenApply(saved -> new AuthorizationStart.Started(page, expiresAt, state));
            });
  }

  /** The lifecycle and audit events of an authorization of {@code key} that {@code actor} began. */
  List<Event> startedEvents(TokenKey key, Actor actor, Map<String, String> details) {
    Optional<String> user = Optional.of(key.userSubject());
    return List.of(
        events.about(
            EventType.AUTHORIZATION_STARTED, key.credentialName(), user, Optional.empty(), details),
        events.audit(
            EventType.AUDIT_AUTHORIZATION_STARTED,
            actor,
            Optional.of(key.credentialName()),
            user,
            details));
  }

  /** The identity provider's authorization URL for a flow, or why there is none. */
  private sealed interface ProviderUrl {
    record Built(URI url) implements ProviderUrl {}

    record Refused(Diagnosis diagnosis) implements ProviderUrl {}
  }

  private CompletionStage<ProviderUrl> providerUrl(
      AuthProvider provider, String state, Secret verifier, List<String> scopes) {
    return discover(provider)
        .thenApply(
            discovered -> {
              if (discovered instanceof Discovery.Failed failed) {
                return new ProviderUrl.Refused(failed.diagnosis());
              }
              ProviderMetadata metadata = ((Discovery.Found) discovered).metadata();
              Optional<URI> endpoint =
                  metadata.authorizationEndpoint().or(provider::authorizationEndpoint);
              if (endpoint.isEmpty()) {
                return new ProviderUrl.Refused(
                    Diagnosis.of(
                        INVALID_VALUE,
                        "field",
                        "authorizationEndpoint",
                        "problem",
                        "provider '"
                            + provider.name()
                            + "' has none, and its discovery document names none"));
              }
              return new ProviderUrl.Built(
                  new AuthorizationRequest(
                          endpoint.get(),
                          provider.clientId(),
                          settings.redirectUri(),
                          scopes,
                          state,
                          codeChallenge(verifier),
                          metadata.issuer().or(() -> provider.issuer().map(URI::toString)),
                          provider.authorizationParameters(),
                          provider.tokenRequestParameters())
                      .toUri());
            });
  }

  /**
   * A browser opened the URL {@link #start} returned, whose {@code flow} is the flow's state: the
   * first browser to do so is bound to the flow by a cookie holding a fresh secret (of which the
   * store keeps a hash), and sent on to the identity provider. A second opening is refused, so a
   * URL that leaked after its owner opened it is worth nothing, and one that leaked before shows
   * its owner an error instead of a silent success for someone else.
   */
  public CompletionStage<AuthorizationOpening> open(String flow) {
    if (flow == null || flow.isBlank()) {
      return refusedOpening(invalidState());
    }
    String secret = randomToken();
    return pending
        .bind(FlowHash.of(flow), FlowHash.of(secret))
        .thenCompose(
            bound -> {
              if (bound.isEmpty() || !clock.now().isBefore(bound.get().expiresAt())) {
                return refusedOpening(invalidState());
              }
              PendingAuthorization pendingFlow = bound.get();
              String credentialName = pendingFlow.tokenKey().credentialName();
              return credentials
                  .findCredential(credentialName)
                  .thenCompose(
                      credential -> {
                        Optional<String> providerName =
                            credential.flatMap(c -> c.authentication().providerName());
                        if (providerName.isEmpty()) {
                          return refusedOpening(
                              Diagnosis.of(CREDENTIAL_NOT_FOUND, "credential", credentialName));
                        }
                        return credentials
                            .findProvider(providerName.get())
                            .thenCompose(
                                provider ->
                                    provider.isEmpty()
                                        ? refusedOpening(
                                            Diagnosis.of(
                                                PROVIDER_NOT_FOUND, "provider", providerName.get()))
                                        : openWith(provider.get(), pendingFlow, flow, secret));
                      });
            });
  }

  private CompletionStage<AuthorizationOpening> openWith(
      AuthProvider provider, PendingAuthorization flow, String state, String secret) {
    return providerUrl(provider, state, flow.codeVerifier(), flow.requestedScopes())
        .thenApply(
            url ->
                url instanceof ProviderUrl.Built built
                    ? new AuthorizationOpening.Opened(
                        built.url(),
                        new BrowserBinding(
                            BrowserBinding.cookieName(state),
                            Secret.of(secret),
                            settings.cookiePath(),
                            Duration.between(clock.now(), flow.expiresAt()),
                            settings.secureCookies()))
                    : new AuthorizationOpening.Refused(((ProviderUrl.Refused) url).diagnosis()));
  }

  /**
   * Completes the flow the callback's state names. A failure — the provider's error (consent
   * denied), a refused code or client, an unreachable provider, an expired state — is recorded on
   * the token it was for, so that its status and its callouts say what went wrong until the next
   * authorization completes.
   */
  public CompletionStage<AuthorizationCompletion> complete(AuthorizationCallback callback) {
    if (callback.state().isEmpty()) {
      return refusedCompletion(invalidState(), Optional.empty());
    }
    if (callback.browserBinding().isEmpty()) {
      // not even taken: the browser that holds the cookie may still complete the flow
      return refusedCompletion(
          browserMismatch(
              "it carried no flow-binding cookie, so it did not come from the browser that opened"
                  + " Callgate's authorization page (or that browser refused the cookie)"),
          Optional.empty());
    }
    return pending
        .take(FlowHash.of(callback.state().get()))
        .thenCompose(
            taken -> {
              if (taken.isEmpty()) {
                return refusedCompletion(invalidState(), Optional.empty());
              }
              PendingAuthorization flow = taken.get();
              if (flow.browserBinding().isEmpty()) {
                return refusedCompletion(
                    browserMismatch(
                        "the flow was never opened through Callgate's authorization page"),
                    Optional.empty());
              }
              if (!flow.browserBinding().get().matches(callback.browserBinding().get())) {
                // not recorded on the token: whoever sent this must not be able to mark it
                return refusedCompletion(
                    browserMismatch("its flow-binding cookie belongs to another flow or browser"),
                    Optional.empty());
              }
              if (!clock.now().isBefore(flow.expiresAt())) {
                return failed(AuthorizationGrant.of(flow), invalidState());
              }
              if (callback.error().isPresent()) {
                return failed(
                    AuthorizationGrant.of(flow),
                    Diagnosis.of(
                        AUTHORIZATION_DENIED,
                        "error",
                        callback.error().get(),
                        "errorDescription",
                        callback.errorDescription().orElse("none given")));
              }
              if (callback.code().isEmpty() || callback.code().get().isBlank()) {
                return failed(
                    AuthorizationGrant.of(flow),
                    Diagnosis.of(
                        INVALID_VALUE,
                        "field",
                        "code",
                        "problem",
                        "the identity provider's redirect carries neither a code nor an error"));
              }
              return exchange(flow, callback.code().get());
            });
  }

  /** Records {@code diagnosis} on the flow's token (best effort) and refuses the completion. */
  CompletionStage<AuthorizationCompletion> failed(AuthorizationGrant flow, Diagnosis diagnosis) {
    return updates
        .update(
            flow.tokenKey(),
            TokenChange.AUTHORIZATION_FAILED,
            latest -> latest.authorizationFailed(diagnosis))
        .handle(
            (stored, failure) -> {
              if (failure != null) {
                LOG.log(
                    System.Logger.Level.WARNING,
                    "token {0}: the failed authorization ({1}) could not be recorded: {2}",
                    flow.tokenKey(),
                    diagnosis.code(),
                    failure.getClass().getSimpleName());
              }
              return (AuthorizationCompletion)
                  new AuthorizationCompletion.Refused(
                      diagnosis, Optional.of(flow.tokenKey()), flow.returnUrl());
            });
  }

  private CompletionStage<AuthorizationCompletion> exchange(
      PendingAuthorization flow, String code) {
    String credentialName = flow.tokenKey().credentialName();
    return credentials
        .findCredential(credentialName)
        .thenCompose(
            credential -> {
              if (credential.isEmpty()) {
                return refusedCompletion(
                    Diagnosis.of(CREDENTIAL_NOT_FOUND, "credential", credentialName),
                    Optional.empty());
              }
              String providerName =
                  credential.get().authentication().providerName().orElse("(none)");
              return credentials
                  .findProvider(providerName)
                  .thenCompose(
                      provider ->
                          provider.isEmpty()
                              ? refusedCompletion(
                                  Diagnosis.of(PROVIDER_NOT_FOUND, "provider", providerName),
                                  Optional.of(flow.tokenKey()))
                              : exchangeWith(credential.get(), provider.get(), flow, code));
            });
  }

  private CompletionStage<AuthorizationCompletion> exchangeWith(
      NamedCredential credential, AuthProvider provider, PendingAuthorization flow, String code) {
    return discover(provider)
        .thenCompose(
            discovered ->
                identityProvider
                    .exchangeCode(provider, code, flow.codeVerifier(), flow.redirectUri())
                    .thenCompose(
                        outcome -> {
                          if (outcome instanceof GrantOutcome.Granted granted) {
                            return store(
                                credential,
                                provider,
                                discovered,
                                AuthorizationGrant.of(flow),
                                granted);
                          }
                          return failed(
                              AuthorizationGrant.of(flow),
                              exchangeFailure(provider, discovered, flow, outcome));
                        }));
  }

  /**
   * Stores the tokens an authorization of either flow was granted, with the checks every grant
   * gets: another account than the token's, a missing refresh token, scopes not granted.
   */
  CompletionStage<AuthorizationCompletion> store(
      NamedCredential credential,
      AuthProvider provider,
      Discovery discovered,
      AuthorizationGrant flow,
      GrantOutcome.Granted granted) {
    Instant now = clock.now();
    RefreshPolicy policy = planner.policy();
    TokenSet tokens =
        policy.toTokenSet(
            granted.response(),
            now,
            provider.refreshTokenLifetime(),
            provider.accessTokenLifetime(),
            Optional.empty(),
            flow.requestedScopes());
    List<Diagnosis> warnings = new ArrayList<>();
    if (tokens.refreshToken().isEmpty()) {
      warnings.add(
          Diagnosis.of(
              NO_REFRESH_TOKEN_ISSUED,
              "accessTokenExpiresAt",
              tokens.expiresAt(),
              "missingScope",
              missingScopeAdvice(provider, discovered, flow.requestedScopes())));
    }
    List<String> notGranted =
        flow.requestedScopes().stream()
            .filter(scope -> !tokens.scope().contains(scope))
            // offline_access is often granted without being echoed; its effect is the refresh token
            .filter(scope -> !(scope.equals("offline_access") && tokens.hasRefreshToken()))
            .toList();
    if (!notGranted.isEmpty()) {
      warnings.add(
          Diagnosis.of(
              SCOPE_REJECTED,
              "scopes",
              String.join(" ", notGranted),
              "reason",
              "granted: "
                  + (tokens.scope().isEmpty() ? "none" : String.join(" ", tokens.scope()))));
    }
    warnings.addAll(planner.warnings(Optional.empty(), tokens, provider));
    RefreshPlan plan = planner.planFor(credential);
    Optional<ProviderIdentity> identity = granted.response().identity();
    return this.tokens
        .find(flow.tokenKey())
        .thenCompose(
            current -> {
              Optional<Diagnosis> changed =
                  identityChange(flow, current.flatMap(TokenRecord::identity), identity);
              if (changed.isPresent()) {
                return refusedIdentityChange(provider, flow, tokens, changed.get());
              }
              return authorized(provider, flow, tokens, identity, warnings, now, plan);
            });
  }

  /**
   * A different account at the provider than the one the token is granted to — unless an admin
   * allowed it when starting the flow. Tokens that name no subject cannot be compared, and pass.
   */
  private static Optional<Diagnosis> identityChange(
      AuthorizationGrant flow,
      Optional<ProviderIdentity> recorded,
      Optional<ProviderIdentity> granted) {
    if (flow.identityChangeAllowed() || recorded.isEmpty() || granted.isEmpty()) {
      return Optional.empty();
    }
    if (recorded.get().subject().equals(granted.get().subject())) {
      return Optional.empty();
    }
    return Optional.of(
        Diagnosis.of(
            PROVIDER_IDENTITY_CHANGED,
            "newIdentity",
            granted.get().describe(),
            "principal",
            flow.tokenKey().principalDescription(),
            "credential",
            flow.tokenKey().credentialName(),
            "recordedIdentity",
            recorded.get().describe()));
  }

  /**
   * Keeps the token as it was and revokes the grant just issued (best effort), which nobody will
   * use: another account's tokens must not linger at the provider on Callgate's behalf. The token
   * is not written, so the failed authorization is appended to the event log by itself.
   */
  private CompletionStage<AuthorizationCompletion> refusedIdentityChange(
      AuthProvider provider, AuthorizationGrant flow, TokenSet issued, Diagnosis diagnosis) {
    TokenKey key = flow.tokenKey();
    Event failed =
        events.about(
            EventType.AUTHORIZATION_FAILED,
            key.credentialName(),
            Optional.of(key.userSubject()),
            Optional.of(diagnosis),
            Map.of());
    return eventLog
        .append(List.of(failed))
        .thenCompose(recorded -> revoker.revoke(provider, issued))
        .handle(
            (revoked, failure) ->
                (AuthorizationCompletion)
                    new AuthorizationCompletion.Refused(
                        diagnosis, Optional.of(flow.tokenKey()), flow.returnUrl()));
  }

  private CompletionStage<AuthorizationCompletion> authorized(
      AuthProvider provider,
      AuthorizationGrant flow,
      TokenSet tokens,
      Optional<ProviderIdentity> identity,
      List<Diagnosis> warnings,
      Instant now,
      RefreshPlan plan) {
    AtomicReference<TokenRecord> replaced = new AtomicReference<>();
    return updates
        .updateDurably(
            flow.tokenKey(),
            TokenChange.AUTHORIZED,
            latest -> {
              replaced.set(latest);
              return latest.authorized(tokens, identity, warnings, now, plan);
            })
        .thenCompose(stored -> afterReplacing(provider, replaced.get(), stored))
        .thenApply(stored -> new AuthorizationCompletion.Authorized(stored, flow.returnUrl()));
  }

  /**
   * Revokes the grant a new authorization replaced — where Callgate can tell it is another grant:
   * another user, or another session of the provider. Two authorizations in one browser session may
   * be one grant at the provider (Keycloak and node-oidc-provider revoke by session or grant), and
   * revoking the old would end the new. Where the old grant stays, the record says so.
   */
  private CompletionStage<TokenRecord> afterReplacing(
      AuthProvider provider, TokenRecord before, TokenRecord after) {
    if (before == null || before.tokens().isEmpty() || after.tokens().isEmpty()) {
      return CompletableFuture.completedStage(after);
    }
    TokenSet old = before.tokens().get();
    TokenSet current = after.tokens().get();
    boolean sameRefreshToken =
        old.refreshToken().isPresent() && old.refreshToken().equals(current.refreshToken());
    Optional<Boolean> different =
        sameRefreshToken
            ? Optional.of(false)
            : before.identity().flatMap(b -> after.identity().flatMap(b::differentGrantFrom));
    if (different.isPresent() && !different.get()) {
      return CompletableFuture.completedStage(after);
    }
    CompletionStage<Optional<String>> whyKept =
        different.isEmpty()
            ? CompletableFuture.completedStage(
                Optional.of(
                    "Callgate cannot tell it apart from the new one (the tokens name no provider"
                        + " session), and revoking it could end the new grant"))
            : revoker.revoke(provider, old).thenApply(GrantRevoker::whyItMayLiveOn);
    return whyKept.thenCompose(
        why ->
            why.isEmpty()
                ? CompletableFuture.completedStage(after)
                : updates.update(
                    after,
                    TokenChange.BOOKKEEPING,
                    latest ->
                        latest.previousGrantKept(
                            GrantRevoker.mayLiveOn("the previous authorization", why.get()))));
  }

  /**
   * Which scope would have brought a refresh token: {@code refresh_token} where the provider
   * advertises it (Salesforce-style), {@code offline_access} for OpenID Connect, and for Google the
   * offline access type Callgate already asks for.
   */
  static String missingScopeAdvice(
      AuthProvider provider, Discovery discovered, List<String> requested) {
    List<String> supported =
        discovered instanceof Discovery.Found found
            ? found.metadata().scopesSupported()
            : List.of();
    Optional<String> issuer =
        discovered instanceof Discovery.Found found
            ? found.metadata().issuer()
            : provider.issuer().map(URI::toString);
    boolean google =
        issuer
            .map(URI::create)
            .map(URI::getHost)
            .filter(AuthorizationRequest.GOOGLE_ISSUER_HOST::equals)
            .isPresent();
    if (google) {
      return "access_type=offline, which Callgate sends: Google issues a refresh token only at"
          + " a first consent, so remove the app's access in the Google account and authorize again";
    }
    String scope;
    if (supported.contains("refresh_token")) {
      scope = "refresh_token";
    } else if (provider.isOpenIdConnect() || supported.contains("offline_access")) {
      scope = "offline_access";
    } else {
      return "the scope offline_access, or the provider's own scope for refresh tokens";
    }
    if (requested.contains(scope)) {
      return "the scope "
          + scope
          + " was requested but not honoured: allow offline access for the client at the identity"
          + " provider";
    }
    return "the scope " + scope;
  }

  private Diagnosis exchangeFailure(
      AuthProvider provider,
      Discovery discovered,
      PendingAuthorization flow,
      GrantOutcome outcome) {
    if (outcome instanceof GrantOutcome.Refused refused) {
      String description = refused.errorDescription().orElse("none given");
      if (ClientRefusals.authenticationFailed(refused)) {
        return ClientRefusals.authenticationFailed(
            refused,
            provider.clientId(),
            provider.name(),
            provider.clientAuthMethod(),
            "Then authorize again.");
      }
      if (ClientRefusals.grantTypeRefused(refused)) {
        return ClientRefusals.grantTypeNotAllowed(
            refused,
            provider.clientId(),
            provider.name(),
            "authorization_code",
            "Then authorize again.");
      }
      return switch (refused.error()) {
        case "invalid_scope" ->
            Diagnosis.of(
                SCOPE_REJECTED,
                "scopes",
                String.join(" ", flow.requestedScopes()),
                "reason",
                description);
        default ->
            Diagnosis.of(
                AUTHORIZATION_CODE_REJECTED,
                "error",
                refused.error(),
                "errorDescription",
                description,
                "redirectUri",
                flow.redirectUri());
      };
    }
    if (outcome instanceof GrantOutcome.Misconfigured misconfigured) {
      return misconfigured.diagnosis();
    }
    GrantOutcome.Failed failed = (GrantOutcome.Failed) outcome;
    return switch (failed.failure()) {
      case INVALID_RESPONSE ->
          Diagnosis.of(
              IDP_RESPONSE_INVALID,
              "endpoint",
              discovered instanceof Discovery.Found found
                  ? found.metadata().tokenEndpoint()
                  : provider.tokenEndpoint().map(URI::toString).orElse("the token endpoint"),
              "reason",
              failed.reason());
      case UNREACHABLE, TIMEOUT, SERVER_ERROR, RATE_LIMITED ->
          Diagnosis.of(IDP_UNAVAILABLE, "reason", failed.reason());
    };
  }

  /** Discovery's result as a value, so a failed discovery becomes a diagnosis, not an exception. */
  sealed interface Discovery {
    record Found(ProviderMetadata metadata) implements Discovery {}

    record Failed(Diagnosis diagnosis) implements Discovery {}
  }

  CompletionStage<Discovery> discover(AuthProvider provider) {
    return identityProvider
        .discover(provider)
        .<Discovery>thenApply(Discovery.Found::new)
        .exceptionally(
            failure -> {
              Throwable cause =
                  failure instanceof CompletionException ? failure.getCause() : failure;
              if (cause instanceof IdentityProviderException idp) {
                return new Discovery.Failed(idp.diagnosis());
              }
              return new Discovery.Failed(
                  Diagnosis.of(
                      IDP_UNAVAILABLE,
                      "reason",
                      "discovery failed (" + cause.getClass().getSimpleName() + ")"));
            });
  }

  private static Diagnosis browserMismatch(String reason) {
    return Diagnosis.of(AUTHORIZATION_BROWSER_MISMATCH, "reason", reason);
  }

  private Diagnosis invalidState() {
    return Diagnosis.of(AUTHORIZATION_STATE_INVALID, "stateLifetime", settings.stateLifetime());
  }

  /** 256 bits from the strong source, base64url: a state, or a PKCE verifier of 43 characters. */
  private String randomToken() {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    return BASE64URL.encodeToString(bytes);
  }

  static String codeChallenge(Secret verifier) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(verifier.reveal().getBytes(StandardCharsets.US_ASCII));
      return BASE64URL.encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  private static CompletionStage<AuthorizationStart> refusedStart(Diagnosis diagnosis) {
    return CompletableFuture.completedStage(new AuthorizationStart.Refused(diagnosis));
  }

  private static CompletionStage<AuthorizationOpening> refusedOpening(Diagnosis diagnosis) {
    return CompletableFuture.completedStage(new AuthorizationOpening.Refused(diagnosis));
  }

  private static CompletionStage<AuthorizationCompletion> refusedCompletion(
      Diagnosis diagnosis, Optional<TokenKey> key) {
    return CompletableFuture.completedStage(new AuthorizationCompletion.Refused(diagnosis, key));
  }
}
