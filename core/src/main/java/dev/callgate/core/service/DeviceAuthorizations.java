package dev.callgate.core.service;

import static dev.callgate.core.diagnosis.DiagnosisCode.AUTHORIZATION_DENIED;
import static dev.callgate.core.diagnosis.DiagnosisCode.DEVICE_AUTHORIZATION_DENIED;
import static dev.callgate.core.diagnosis.DiagnosisCode.DEVICE_AUTHORIZATION_NOT_SUPPORTED;
import static dev.callgate.core.diagnosis.DiagnosisCode.DEVICE_CODE_EXPIRED;
import static dev.callgate.core.diagnosis.DiagnosisCode.IDP_RESPONSE_INVALID;
import static dev.callgate.core.diagnosis.DiagnosisCode.IDP_UNAVAILABLE;
import static dev.callgate.core.diagnosis.DiagnosisCode.SCOPE_REJECTED;

import dev.callgate.core.credential.AuthProvider;
import dev.callgate.core.credential.NamedCredential;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.event.Actor;
import dev.callgate.core.event.EventSource;
import dev.callgate.core.port.CredentialStore;
import dev.callgate.core.port.DeviceAuthorization;
import dev.callgate.core.port.DeviceAuthorizationOutcome;
import dev.callgate.core.port.DeviceAuthorizationStore;
import dev.callgate.core.port.GrantOutcome;
import dev.callgate.core.port.IdentityProvider;
import dev.callgate.core.refresh.ClientRefusals;
import dev.callgate.core.token.TokenKey;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * The device authorization grant (RFC 8628) for authorization-code credentials, so that a person
 * can authorize one from a terminal or a host without a browser: {@link #start} asks the provider
 * for a device code and a user code and keeps them; {@link #pollDue} then polls the token endpoint
 * off any request, as the provider's interval allows ({@code slow_down} lengthens it for good),
 * until the user approves, declines, or the code expires. A grant is stored, and a failure recorded
 * on the token, exactly as at the end of the browser's flow ({@link Authorizations}). Pending
 * authorizations live in the {@link DeviceAuthorizationStore}: a restart resumes polling, and in a
 * cluster one instance polls each at a time.
 */
public final class DeviceAuthorizations {

  /** The grant type of the device access token request (RFC 8628 §3.4). */
  public static final String DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";

  /** How long a claim on one authorization lasts: longer than any poll takes. */
  static final Duration CLAIM_LEASE = Duration.ofMinutes(2);

  /** How many authorizations one round polls. */
  static final int ROUND_SIZE = 50;

  private static final System.Logger LOG = System.getLogger(DeviceAuthorizations.class.getName());
  private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

  private final CredentialStore credentials;
  private final DeviceAuthorizationStore store;
  private final IdentityProvider identityProvider;
  private final Authorizations authorizations;
  private final EventSource events;
  private final RandomGenerator random;

  /** {@code random} must be a cryptographically strong source such as {@code SecureRandom}. */
  public DeviceAuthorizations(
      CredentialStore credentials,
      DeviceAuthorizationStore store,
      IdentityProvider identityProvider,
      Authorizations authorizations,
      EventSource events,
      RandomGenerator random) {
    this.credentials = Objects.requireNonNull(credentials, "credentials");
    this.store = Objects.requireNonNull(store, "store");
    this.identityProvider = Objects.requireNonNull(identityProvider, "identityProvider");
    this.authorizations = Objects.requireNonNull(authorizations, "authorizations");
    this.events = Objects.requireNonNull(events, "events");
    this.random = Objects.requireNonNull(random, "random");
  }

  /**
   * Starts a device authorization of the token of {@code forUser} (as {@link Authorizations#start}
   * decides who may, and for whom), in place of any still pending for that token.
   */
  public CompletionStage<DeviceAuthorizationStart> start(
      Caller caller,
      String credentialName,
      Optional<String> forUser,
      boolean allowIdentityChange,
      Actor actor) {
    return authorizations
        .resolve(caller, credentialName, forUser, allowIdentityChange, "device authorization")
        .thenCompose(
            resolution ->
                resolution.fold(
                    resolved -> request(resolved, allowIdentityChange, actor),
                    DeviceAuthorizations::refused));
  }

  private CompletionStage<DeviceAuthorizationStart> request(
      Authorizations.Resolution.Resolved resolved, boolean allowIdentityChange, Actor actor) {
    AuthProvider provider = resolved.provider();
    return authorizations
        .discover(provider)
        .thenCompose(
            discovered -> {
              if (discovered instanceof Authorizations.Discovery.Failed failed) {
                return refused(failed.diagnosis());
              }
              boolean hasEndpoint =
                  provider.deviceAuthorizationEndpoint().isPresent()
                      || ((Authorizations.Discovery.Found) discovered)
                          .metadata()
                          .deviceAuthorizationEndpoint()
                          .isPresent();
              if (!hasEndpoint) {
                return refused(
                    Diagnosis.of(
                        DEVICE_AUTHORIZATION_NOT_SUPPORTED,
                        "provider",
                        provider.name(),
                        "reason",
                        provider.isOpenIdConnect()
                            ? "its discovery document names no device_authorization_endpoint"
                                + " and the provider sets no deviceAuthorizationEndpoint"
                            : "the provider sets no deviceAuthorizationEndpoint",
                        "credential",
                        resolved.credential().name()));
              }
              return identityProvider
                  .requestDeviceAuthorization(provider, provider.scopes())
                  .thenCompose(
                      outcome ->
                          outcome instanceof DeviceAuthorizationOutcome.Issued issued
                              ? save(resolved, issued, allowIdentityChange, actor)
                              : refused(
                                  failure(
                                      provider,
                                      resolved.key(),
                                      provider.scopes(),
                                      ((DeviceAuthorizationOutcome.NotIssued) outcome).outcome(),
                                      "Then start the device authorization again.",
                                      null)));
            });
  }

  private CompletionStage<DeviceAuthorizationStart> save(
      Authorizations.Resolution.Resolved resolved,
      DeviceAuthorizationOutcome.Issued issued,
      boolean allowIdentityChange,
      Actor actor) {
    // as stored: the start's answer and the status later say the same instants
    Instant now = events.clock().now().truncatedTo(ChronoUnit.MILLIS);
    Duration interval =
        issued
            .interval()
            .filter(i -> !i.isNegative() && !i.isZero())
            .orElse(DeviceAuthorization.DEFAULT_INTERVAL);
    TokenKey key = resolved.key();
    DeviceAuthorization authorization =
        new DeviceAuthorization(
            randomId(),
            key,
            issued.deviceCode(),
            issued.userCode(),
            issued.verificationUri(),
            issued.verificationUriComplete(),
            resolved.provider().scopes(),
            now,
            now.plus(issued.expiresIn()),
            interval,
            now.plus(interval),
            allowIdentityChange);
    // the user code stays out of events: whoever holds it may approve the grant with their account
    Map<String, String> details = new LinkedHashMap<>();
    details.put("credential", key.credentialName());
    details.put("provider", resolved.provider().name());
    details.put("flow", "device");
    details.put("verificationUri", issued.verificationUri().toString());
    details.put("expiresAt", authorization.expiresAt().toString());
    details.put("identityChangeAllowed", Boolean.toString(allowIdentityChange));
    return store
        .save(authorization, authorizations.startedEvents(key, actor, details))
        .thenApply(
            saved -> new DeviceAuthorizationStart.Started(DeviceVerification.of(authorization)));
  }

  /** The authorization pending for {@code key}, if any: for its token's status. */
  public CompletionStage<Optional<DeviceAuthorization>> pending(TokenKey key) {
    return store.find(key);
  }

  /**
   * Polls every authorization whose next poll is due and that no other instance polls now;
   * completes with how many were polled.
   */
  public CompletionStage<Integer> pollDue() {
    Instant now = events.clock().now();
    return store
        .claimDue(now, CLAIM_LEASE, ROUND_SIZE)
        .thenCompose(
            due -> {
              CompletableFuture<?>[] polls =
                  due.stream()
                      .map(
                          authorization ->
                              poll(authorization)
                                  .exceptionally(
                                      failure -> {
                                        // the claim lapses, and a later round tries again
                                        LOG.log(
                                            System.Logger.Level.WARNING,
                                            "polling device authorization {0} failed: {1}",
                                            authorization,
                                            failure.toString());
                                        return null;
                                      })
                                  .toCompletableFuture())
                      .toArray(CompletableFuture<?>[]::new);
              return CompletableFuture.allOf(polls).thenApply(all -> due.size());
            });
  }

  private CompletionStage<Void> poll(DeviceAuthorization authorization) {
    String credentialName = authorization.tokenKey().credentialName();
    return credentials
        .findCredential(credentialName)
        .thenCompose(
            credential -> {
              Optional<String> providerName =
                  credential.flatMap(c -> c.authentication().providerName());
              if (providerName.isEmpty()) {
                // the credential was deleted or no longer runs an authorization-code flow
                return store.remove(authorization.id()).thenApply(removed -> (Void) null);
              }
              return credentials
                  .findProvider(providerName.get())
                  .thenCompose(
                      provider ->
                          provider.isEmpty()
                              ? store.remove(authorization.id()).thenApply(removed -> (Void) null)
                              : pollWith(credential.get(), provider.get(), authorization));
            });
  }

  private CompletionStage<Void> pollWith(
      NamedCredential credential, AuthProvider provider, DeviceAuthorization authorization) {
    if (authorization.expired(events.clock().now())) {
      return fail(
          authorization,
          expired(authorization, "the user did not finish before the code's lifetime ended"));
    }
    return identityProvider
        .pollDeviceCode(provider, authorization.deviceCode())
        .thenCompose(outcome -> answered(credential, provider, authorization, outcome));
  }

  private CompletionStage<Void> answered(
      NamedCredential credential,
      AuthProvider provider,
      DeviceAuthorization authorization,
      GrantOutcome outcome) {
    Instant now = events.clock().now();
    if (outcome instanceof GrantOutcome.Granted granted) {
      return ending(
          authorization,
          () ->
              authorizations
                  .discover(provider)
                  .thenCompose(
                      discovered ->
                          authorizations.store(
                              credential, provider, discovered, grantOf(authorization), granted)));
    }
    if (outcome instanceof GrantOutcome.Refused refused) {
      if (refused.error().equals("authorization_pending")) {
        return reschedule(authorization.pollAgain(now));
      }
      if (refused.error().equals("slow_down")) {
        return reschedule(authorization.slowedDown(now));
      }
    }
    if (outcome instanceof GrantOutcome.Failed failed
        && failed.failure() != GrantOutcome.Failure.INVALID_RESPONSE
        && !authorization.expired(now)) {
      // the provider may come back before the code expires: keep polling
      return reschedule(authorization.retryLater(now, failed.retryAfter()));
    }
    return fail(
        authorization,
        failure(
            provider,
            authorization.tokenKey(),
            authorization.requestedScopes(),
            outcome,
            "Then start a new device authorization.",
            authorization));
  }

  private CompletionStage<Void> reschedule(DeviceAuthorization next) {
    return store.reschedule(next).thenApply(kept -> (Void) null);
  }

  /** Ends the authorization and records {@code diagnosis} on its token, unless it was replaced. */
  private CompletionStage<Void> fail(DeviceAuthorization authorization, Diagnosis diagnosis) {
    return ending(authorization, () -> authorizations.failed(grantOf(authorization), diagnosis));
  }

  /**
   * Removes the authorization and then completes it with {@code end}; nothing when another one
   * replaced it meanwhile (or another poller ended it), whose outcome is its own.
   */
  private CompletionStage<Void> ending(
      DeviceAuthorization authorization, Supplier<CompletionStage<AuthorizationCompletion>> end) {
    return store
        .remove(authorization.id())
        .thenCompose(
            removed ->
                removed
                    ? end.get().thenApply(completion -> (Void) null)
                    : CompletableFuture.<Void>completedStage(null));
  }

  private static AuthorizationGrant grantOf(DeviceAuthorization authorization) {
    return new AuthorizationGrant(
        authorization.tokenKey(),
        authorization.requestedScopes(),
        authorization.identityChangeAllowed(),
        Optional.empty());
  }

  private static Diagnosis expired(DeviceAuthorization authorization, String reason) {
    return Diagnosis.of(
        DEVICE_CODE_EXPIRED,
        "startedAt",
        authorization.createdAt(),
        "expiresAt",
        authorization.expiresAt(),
        "verificationUri",
        authorization.verificationUri(),
        "reason",
        reason,
        "credential",
        authorization.tokenKey().credentialName());
  }

  /**
   * Why the provider issued nothing: its refusal of the client, of the grant type, of a scope, the
   * user's refusal, the code's expiry ({@code authorization} where one was pending), or no usable
   * answer.
   */
  private static Diagnosis failure(
      AuthProvider provider,
      TokenKey key,
      List<String> scopes,
      GrantOutcome outcome,
      String afterwards,
      DeviceAuthorization authorization) {
    if (outcome instanceof GrantOutcome.Refused refused) {
      return refusal(provider, key, scopes, refused, afterwards, authorization);
    }
    if (outcome instanceof GrantOutcome.Misconfigured misconfigured) {
      return misconfigured.diagnosis();
    }
    GrantOutcome.Failed failed = (GrantOutcome.Failed) outcome;
    return failed.failure() == GrantOutcome.Failure.INVALID_RESPONSE
        ? Diagnosis.of(
            IDP_RESPONSE_INVALID,
            "endpoint",
            "provider '" + provider.name() + "'",
            "reason",
            failed.reason())
        : Diagnosis.of(IDP_UNAVAILABLE, "reason", failed.reason());
  }

  private static Diagnosis refusal(
      AuthProvider provider,
      TokenKey key,
      List<String> scopes,
      GrantOutcome.Refused refused,
      String afterwards,
      DeviceAuthorization authorization) {
    String description = refused.errorDescription().orElse("none given");
    if (ClientRefusals.authenticationFailed(refused)) {
      return ClientRefusals.authenticationFailed(
          refused, provider.clientId(), provider.name(), provider.clientAuthMethod(), afterwards);
    }
    // node-oidc-provider refuses a client without the grant with invalid_request naming the grant
    boolean grantNamed =
        refused.error().equals("invalid_request") && description.contains(DEVICE_CODE_GRANT);
    if (ClientRefusals.grantTypeRefused(refused) || grantNamed) {
      return ClientRefusals.grantTypeNotAllowed(
          refused, provider.clientId(), provider.name(), DEVICE_CODE_GRANT, afterwards);
    }
    switch (refused.error()) {
      case "access_denied":
        return Diagnosis.of(
            DEVICE_AUTHORIZATION_DENIED,
            "error",
            refused.error(),
            "errorDescription",
            description,
            "credential",
            key.credentialName());
      case "expired_token":
        if (authorization != null) {
          return expired(authorization, "the provider answered expired_token: " + description);
        }
        break;
      case "invalid_scope":
        return Diagnosis.of(
            SCOPE_REJECTED, "scopes", String.join(" ", scopes), "reason", description);
      default:
        break;
    }
    return Diagnosis.of(
        AUTHORIZATION_DENIED, "error", refused.error(), "errorDescription", description);
  }

  private String randomId() {
    byte[] bytes = new byte[16];
    random.nextBytes(bytes);
    return BASE64URL.encodeToString(bytes);
  }

  private static CompletionStage<DeviceAuthorizationStart> refused(Diagnosis diagnosis) {
    return CompletableFuture.completedStage(new DeviceAuthorizationStart.Refused(diagnosis));
  }
}
