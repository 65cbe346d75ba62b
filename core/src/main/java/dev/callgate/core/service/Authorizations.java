package dev.callgate.core.service;

import static dev.callgate.core.diagnosis.DiagnosisCode.AUTHORIZATION_CODE_REJECTED;
import static dev.callgate.core.diagnosis.DiagnosisCode.AUTHORIZATION_DENIED;
import static dev.callgate.core.diagnosis.DiagnosisCode.AUTHORIZATION_STATE_INVALID;
import static dev.callgate.core.diagnosis.DiagnosisCode.CALLER_NOT_ALLOWED;
import static dev.callgate.core.diagnosis.DiagnosisCode.CREDENTIAL_NOT_FOUND;
import static dev.callgate.core.diagnosis.DiagnosisCode.FLOW_NOT_SUPPORTED;
import static dev.callgate.core.diagnosis.DiagnosisCode.IDP_RESPONSE_INVALID;
import static dev.callgate.core.diagnosis.DiagnosisCode.IDP_UNAVAILABLE;
import static dev.callgate.core.diagnosis.DiagnosisCode.INVALID_VALUE;
import static dev.callgate.core.diagnosis.DiagnosisCode.NO_REFRESH_TOKEN_ISSUED;
import static dev.callgate.core.diagnosis.DiagnosisCode.PROVIDER_NOT_FOUND;
import static dev.callgate.core.diagnosis.DiagnosisCode.SCOPE_REJECTED;

import dev.callgate.core.credential.AuthProvider;
import dev.callgate.core.credential.NamedCredential;
import dev.callgate.core.credential.Protocol;
import dev.callgate.core.credential.Secret;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.port.Clock;
import dev.callgate.core.port.CredentialStore;
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
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.random.RandomGenerator;

/**
 * The authorization-code flow with PKCE (RFC 6749 §4.1, RFC 7636 S256): {@link #start} makes a
 * one-time {@code state} and a code verifier, remembers them until the callback, and returns the
 * URL a person opens; {@link #complete} accepts the identity provider's redirect once, exchanges
 * the code and stores the tokens. At that moment it checks what was granted: a missing refresh
 * token is reported with the scope to add ({@code offline_access} for OpenID Connect issuers,
 * {@code refresh_token} where the provider advertises it), missing scopes likewise. A per-user
 * credential is authorized by each of its callers for themselves; a named one by an admin.
 */
public final class Authorizations {

  /** Where the identity provider redirects back to, and how long a started flow stays valid. */
  public record Settings(URI redirectUri, Duration stateLifetime) {
    public Settings {
      Objects.requireNonNull(redirectUri, "redirectUri");
      Objects.requireNonNull(stateLifetime, "stateLifetime");
    }
  }

  private static final System.Logger LOG = System.getLogger(Authorizations.class.getName());
  private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

  private final CredentialStore credentials;
  private final PendingAuthorizationStore pending;
  private final IdentityProvider identityProvider;
  private final Clock clock;
  private final RandomGenerator random;
  private final RefreshPlanner planner;
  private final TokenUpdates updates;
  private final Settings settings;
  private final GrantRevoker revoker;

  /** {@code random} must be a cryptographically strong source such as {@code SecureRandom}. */
  public Authorizations(
      CredentialStore credentials,
      TokenStore tokens,
      PendingAuthorizationStore pending,
      IdentityProvider identityProvider,
      Clock clock,
      RandomGenerator random,
      RefreshPolicy policy,
      Settings settings) {
    this.credentials = credentials;
    this.pending = pending;
    this.identityProvider = identityProvider;
    this.revoker = new GrantRevoker(identityProvider);
    this.clock = clock;
    this.random = random;
    this.planner = new RefreshPlanner(policy);
    this.updates = new TokenUpdates(tokens, clock);
    this.settings = settings;
  }

  /**
   * Starts the flow for {@code caller}'s own token of {@code credentialName} (or its named one).
   */
  public CompletionStage<AuthorizationStart> start(Caller caller, String credentialName) {
    return start(caller, credentialName, Optional.empty());
  }

  /**
   * Starts the flow for the token of {@code forUser} (empty: the caller's own, or the named one):
   * an admin may start it for any user of a per-user credential, whose end user then completes it.
   */
  public CompletionStage<AuthorizationStart> start(
      Caller caller, String credentialName, Optional<String> forUser) {
    return credentials
        .findCredential(credentialName)
        .thenCompose(
            found -> {
              if (found.isEmpty()) {
                return refusedStart(
                    Diagnosis.of(CREDENTIAL_NOT_FOUND, "credential", credentialName));
              }
              NamedCredential credential = found.get();
              if (credential.protocol() != Protocol.OAUTH2_AUTHORIZATION_CODE) {
                return refusedStart(
                    Diagnosis.of(
                        FLOW_NOT_SUPPORTED,
                        "credential",
                        credentialName,
                        "protocol",
                        credential.protocol().wireName(),
                        "flow",
                        "authorization-code flow"));
              }
              if (!caller.managesGrantsOf(credential)) {
                return refusedStart(
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
                              .thenCompose(
                                  provider ->
                                      provider.isEmpty()
                                          ? refusedStart(
                                              Diagnosis.of(
                                                  PROVIDER_NOT_FOUND, "provider", providerName))
                                          : startWith(provider.get(), key)),
                      problems -> refusedStart(problems.get(0)));
            });
  }

  private CompletionStage<AuthorizationStart> startWith(AuthProvider provider, TokenKey key) {
    return discover(provider)
        .thenCompose(
            discovered -> {
              if (discovered instanceof Discovery.Failed failed) {
                return refusedStart(failed.diagnosis());
              }
              ProviderMetadata metadata = ((Discovery.Found) discovered).metadata();
              Optional<URI> endpoint =
                  metadata.authorizationEndpoint().or(provider::authorizationEndpoint);
              if (endpoint.isEmpty()) {
                return refusedStart(
                    Diagnosis.of(
                        INVALID_VALUE,
                        "field",
                        "authorizationEndpoint",
                        "problem",
                        "provider '"
                            + provider.name()
                            + "' has none, and its discovery document names none"));
              }
              Instant now = clock.now();
              String state = randomToken();
              Secret verifier = Secret.of(randomToken());
              AuthorizationRequest request =
                  new AuthorizationRequest(
                      endpoint.get(),
                      provider.clientId(),
                      settings.redirectUri(),
                      provider.scopes(),
                      state,
                      codeChallenge(verifier),
                      metadata.issuer().or(() -> provider.issuer().map(URI::toString)));
              Instant expiresAt = now.plus(settings.stateLifetime());
              PendingAuthorization flow =
                  new PendingAuthorization(
                      state,
                      key,
                      verifier,
                      settings.redirectUri(),
                      provider.scopes(),
                      now,
                      expiresAt);
              return pending
                  .save(flow)
                  .thenApply(saved -> new AuthorizationStart.Started(request.toUri(), expiresAt));
            });
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
    return pending
        .take(callback.state().get())
        .thenCompose(
            taken -> {
              if (taken.isEmpty()) {
                return refusedCompletion(invalidState(), Optional.empty());
              }
              PendingAuthorization flow = taken.get();
              if (!clock.now().isBefore(flow.expiresAt())) {
                return failed(flow, invalidState());
              }
              if (callback.error().isPresent()) {
                return failed(
                    flow,
                    Diagnosis.of(
                        AUTHORIZATION_DENIED,
                        "error",
                        callback.error().get(),
                        "errorDescription",
                        callback.errorDescription().orElse("none given")));
              }
              if (callback.code().isEmpty() || callback.code().get().isBlank()) {
                return failed(
                    flow,
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
  private CompletionStage<AuthorizationCompletion> failed(
      PendingAuthorization flow, Diagnosis diagnosis) {
    return updates
        .update(flow.tokenKey(), latest -> latest.authorizationFailed(diagnosis))
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
                  new AuthorizationCompletion.Refused(diagnosis, Optional.of(flow.tokenKey()));
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
                            return store(credential, provider, discovered, flow, granted);
                          }
                          return failed(flow, exchangeFailure(provider, discovered, flow, outcome));
                        }));
  }

  private CompletionStage<AuthorizationCompletion> store(
      NamedCredential credential,
      AuthProvider provider,
      Discovery discovered,
      PendingAuthorization flow,
      GrantOutcome.Granted granted) {
    Instant now = clock.now();
    RefreshPolicy policy = planner.policy();
    TokenSet tokens =
        policy.toTokenSet(
            granted.response(),
            now,
            provider.refreshTokenLifetime(),
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
    AtomicReference<TokenRecord> replaced = new AtomicReference<>();
    return updates
        .updateDurably(
            flow.tokenKey(),
            latest -> {
              replaced.set(latest);
              return latest.authorized(tokens, identity, warnings, now, plan);
            })
        .thenCompose(stored -> afterReplacing(provider, replaced.get(), stored))
        .thenApply(AuthorizationCompletion.Authorized::new);
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
            refused, provider.clientId(), provider.name(), "Then authorize again.");
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

  private CompletionStage<Discovery> discover(AuthProvider provider) {
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

  private static CompletionStage<AuthorizationCompletion> refusedCompletion(
      Diagnosis diagnosis, Optional<TokenKey> key) {
    return CompletableFuture.completedStage(new AuthorizationCompletion.Refused(diagnosis, key));
  }
}
