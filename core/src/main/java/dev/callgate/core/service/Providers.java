package dev.callgate.core.service;

import static dev.callgate.core.diagnosis.DiagnosisCode.IDP_RESPONSE_INVALID;
import static dev.callgate.core.diagnosis.DiagnosisCode.IDP_UNAVAILABLE;
import static dev.callgate.core.diagnosis.DiagnosisCode.PROVIDER_IN_USE;
import static dev.callgate.core.diagnosis.DiagnosisCode.PROVIDER_NOT_FOUND;

import dev.callgate.core.credential.AuthProvider;
import dev.callgate.core.credential.ClientKeyRule;
import dev.callgate.core.credential.NamedCredential;
import dev.callgate.core.credential.ProviderEndpointRule;
import dev.callgate.core.credential.Secret;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.event.Actor;
import dev.callgate.core.event.Event;
import dev.callgate.core.event.EventSource;
import dev.callgate.core.event.EventType;
import dev.callgate.core.event.TokenChange;
import dev.callgate.core.port.Clock;
import dev.callgate.core.port.CredentialStore;
import dev.callgate.core.port.GrantOutcome;
import dev.callgate.core.port.IdentityProvider;
import dev.callgate.core.port.IdentityProviderException;
import dev.callgate.core.port.ProviderMetadata;
import dev.callgate.core.port.TokenStore;
import dev.callgate.core.refresh.ClientRefusals;
import dev.callgate.core.refresh.RefreshPolicy;
import dev.callgate.core.token.TokenRecord;
import dev.callgate.core.token.TokenState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Auth providers: saving one (and re-arming every token its client was refused for, since the
 * change may be the fix), deleting one nobody uses, and checking one when it is typed — discovery,
 * then proof that the provider accepts the client's authentication, so that a wrong secret or an
 * issuer typo shows at once, not at the first login.
 */
public final class Providers {

  /** Create or replace {@code provider}, as the admin {@code actor} asks. */
  public record SaveProvider(AuthProvider provider, SaveMode mode, Actor actor) {
    public SaveProvider {
      Objects.requireNonNull(provider, "provider");
      Objects.requireNonNull(mode, "mode");
      Objects.requireNonNull(actor, "actor");
    }
  }

  /** Delete the provider {@code name}, as the admin {@code actor} asks. */
  public record DeleteProvider(String name, Actor actor) {
    public DeleteProvider {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(actor, "actor");
    }
  }

  /** What saving came to. */
  public sealed interface SaveOutcome {
    <R> R fold(Function<Saved, R> saved, Function<Diagnosis, R> rejected);

    /** Stored; {@code rearmed} tokens whose client had been refused will be tried again now. */
    record Saved(AuthProvider provider, boolean created, int rearmed) implements SaveOutcome {
      @Override
      public <R> R fold(Function<Saved, R> saved, Function<Diagnosis, R> rejected) {
        return saved.apply(this);
      }
    }

    record Rejected(Diagnosis diagnosis) implements SaveOutcome {
      @Override
      public <R> R fold(Function<Saved, R> saved, Function<Diagnosis, R> rejected) {
        return rejected.apply(diagnosis);
      }
    }
  }

  /** What deleting came to. */
  public sealed interface DeleteOutcome {
    <R> R fold(Supplier<R> deleted, Function<Diagnosis, R> rejected);

    record Deleted() implements DeleteOutcome {
      @Override
      public <R> R fold(Supplier<R> deleted, Function<Diagnosis, R> rejected) {
        return deleted.get();
      }
    }

    /** Not deleted: there is no such provider, or a credential uses it. */
    record Rejected(Diagnosis diagnosis) implements DeleteOutcome {
      @Override
      public <R> R fold(Supplier<R> deleted, Function<Diagnosis, R> rejected) {
        return rejected.apply(diagnosis);
      }
    }
  }

  /** One step of a provider check. */
  public record Check(String name, boolean ok, String detail) {
    public Check {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(detail, "detail");
    }
  }

  /** A provider check: whether it passed, each step, and the diagnoses of the failed ones. */
  public record ProviderCheck(boolean ok, List<Check> checks, List<Diagnosis> diagnoses) {
    public ProviderCheck {
      checks = List.copyOf(checks);
      diagnoses = List.copyOf(diagnoses);
    }
  }

  private final CredentialStore credentials;
  private final TokenStore tokens;
  private final IdentityProvider identityProvider;
  private final Clock clock;
  private final RandomGenerator random;
  private final RefreshPlanner planner;
  private final EventSource events;
  private final TokenUpdates updates;
  private final ProviderEndpointRule endpoints;

  /** A provider as it is used: its settings and what discovery found for it, or why nothing. */
  public record ProviderDescription(
      AuthProvider provider, Optional<ProviderMetadata> metadata, Optional<Diagnosis> problem) {
    public ProviderDescription {
      Objects.requireNonNull(provider, "provider");
      Objects.requireNonNull(metadata, "metadata");
      Objects.requireNonNull(problem, "problem");
    }

    /**
     * The endpoints Callgate sends to, by their metadata names, for a provider found by discovery
     * (empty for explicit endpoints, and where discovery found nothing usable).
     */
    public Map<String, String> discovered() {
      Map<String, String> endpoints = new LinkedHashMap<>();
      metadata
          .filter(m -> provider.issuer().isPresent())
          .ifPresent(
              m -> {
                m.issuer().ifPresent(v -> endpoints.put("issuer", v));
                m.authorizationEndpoint()
                    .ifPresent(v -> endpoints.put("authorizationEndpoint", v.toString()));
                endpoints.put("tokenEndpoint", m.tokenEndpoint().toString());
                m.revocationEndpoint()
                    .ifPresent(v -> endpoints.put("revocationEndpoint", v.toString()));
              });
      return endpoints;
    }
  }

  /** {@code random} makes the refresh token the check presents; it need not be strong. */
  public Providers(
      CredentialStore credentials,
      TokenStore tokens,
      IdentityProvider identityProvider,
      EventSource events,
      RandomGenerator random,
      RefreshPolicy policy) {
    this(
        credentials,
        tokens,
        identityProvider,
        events,
        random,
        policy,
        ProviderEndpointRule.httpsOrLoopback());
  }

  /** With {@code endpoints} deciding which endpoint URLs a provider may be saved with. */
  public Providers(
      CredentialStore credentials,
      TokenStore tokens,
      IdentityProvider identityProvider,
      EventSource events,
      RandomGenerator random,
      RefreshPolicy policy,
      ProviderEndpointRule endpoints) {
    this.endpoints = Objects.requireNonNull(endpoints, "endpoints");
    this.credentials = credentials;
    this.tokens = tokens;
    this.identityProvider = identityProvider;
    this.events = events;
    this.clock = events.clock();
    this.random = random;
    this.planner = new RefreshPlanner(policy);
    this.updates = new TokenUpdates(tokens, events);
  }

  /**
   * Creates or replaces the provider, as {@code command}'s mode says; then re-arms the tokens of
   * every credential using it whose client the provider had refused.
   */
  public CompletionStage<SaveOutcome> save(SaveProvider command) {
    AuthProvider provider = command.provider();
    return credentials
        .findProvider(provider.name())
        .thenCompose(
            existing -> {
              Optional<Diagnosis> refusal =
                  command
                      .mode()
                      .refusal(
                          "provider",
                          provider.name(),
                          existing.isPresent(),
                          Diagnosis.of(PROVIDER_NOT_FOUND, "provider", provider.name()));
              if (refusal.isPresent()) {
                return CompletableFuture.completedStage(
                    (SaveOutcome) new SaveOutcome.Rejected(refusal.get()));
              }
              Event audit =
                  events.audit(
                      EventType.AUDIT_PROVIDER_SAVED,
                      command.actor(),
                      Optional.empty(),
                      Optional.empty(),
                      Map.of(
                          "provider",
                          provider.name(),
                          "created",
                          Boolean.toString(command.mode().creates())));
              return credentials
                  .saveProvider(provider, List.of(audit))
                  .thenCompose(saved -> rearmUsersOf(provider.name()))
                  .thenApply(
                      rearmed ->
                          (SaveOutcome)
                              new SaveOutcome.Saved(provider, command.mode().creates(), rearmed));
            });
  }

  /** Whether a provider's private key can sign: a draft is validated with this rule. */
  public ClientKeyRule clientKeyRule() {
    return identityProvider.clientKeyRule();
  }

  /** Which endpoint URLs a provider may have: a draft is validated with this rule. */
  public ProviderEndpointRule endpointRule() {
    return endpoints;
  }

  /**
   * The provider {@code name} with the metadata Callgate uses for it: for an issuer, what discovery
   * found (its endpoints, with the configured ones in their place), or the diagnosis of why
   * discovery found nothing usable; for explicit endpoints, those.
   */
  public CompletionStage<FindOutcome<ProviderDescription>> describe(String name) {
    return FindOutcome.of(
        credentials
            .findProvider(name)
            .thenCompose(
                found -> {
                  if (found.isEmpty()) {
                    return CompletableFuture.completedStage(Optional.<ProviderDescription>empty());
                  }
                  AuthProvider provider = found.get();
                  return identityProvider
                      .discover(provider)
                      .thenApply(
                          metadata ->
                              new ProviderDescription(
                                  provider, Optional.of(metadata), Optional.empty()))
                      .exceptionally(
                          failure ->
                              new ProviderDescription(
                                  provider,
                                  Optional.empty(),
                                  Optional.of(discoveryProblem(failure))))
                      .thenApply(Optional::of);
                }),
        () -> Diagnosis.of(PROVIDER_NOT_FOUND, "provider", name));
  }

  private static Diagnosis discoveryProblem(Throwable failure) {
    Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
    return cause instanceof IdentityProviderException idp
        ? idp.diagnosis()
        : Diagnosis.of(
            IDP_UNAVAILABLE,
            "reason",
            "discovery failed (" + cause.getClass().getSimpleName() + ")");
  }

  /**
   * Deletes the provider unless a credential uses it. The store decides that in the deletion
   * itself, so a credential created meanwhile either keeps the provider or is refused.
   */
  public CompletionStage<DeleteOutcome> delete(DeleteProvider command) {
    String name = command.name();
    Event audit =
        events.audit(
            EventType.AUDIT_PROVIDER_DELETED,
            command.actor(),
            Optional.empty(),
            Optional.empty(),
            Map.of("provider", name));
    return credentials
        .deleteProvider(name, List.of(audit))
        .thenCompose(
            outcome ->
                switch (outcome) {
                  case DELETED ->
                      CompletableFuture.completedStage((DeleteOutcome) new DeleteOutcome.Deleted());
                  case NOT_FOUND ->
                      CompletableFuture.completedStage(
                          (DeleteOutcome)
                              new DeleteOutcome.Rejected(
                                  Diagnosis.of(PROVIDER_NOT_FOUND, "provider", name)));
                  case IN_USE ->
                      credentials
                          .listCredentials()
                          .thenApply(
                              all ->
                                  (DeleteOutcome)
                                      new DeleteOutcome.Rejected(
                                          Diagnosis.of(
                                              PROVIDER_IN_USE,
                                              "provider",
                                              name,
                                              "credentials",
                                              users(name, all))));
                });
  }

  /** The provider {@code name}, for an admin to read. */
  public CompletionStage<FindOutcome<AuthProvider>> find(String name) {
    return FindOutcome.of(
        credentials.findProvider(name), () -> Diagnosis.of(PROVIDER_NOT_FOUND, "provider", name));
  }

  public CompletionStage<List<AuthProvider>> list() {
    return credentials.listProviders();
  }

  /** The names of the users listed in a diagnosis; the store's refusal was the decision. */
  private static String users(String providerName, List<NamedCredential> all) {
    List<String> names = usersOf(providerName, all).stream().map(NamedCredential::name).toList();
    // a user deleted between the refusal and this reading still held the provider then
    return names.isEmpty() ? "(deleted meanwhile)" : String.join(", ", names);
  }

  /**
   * Re-arms the tokens of {@code credential} whose client was refused: its own settings (a JWT
   * bearer assertion's key, say) may have been what the provider refused.
   */
  CompletionStage<Integer> rearm(NamedCredential credential) {
    return tokens
        .findByCredential(credential.name())
        .thenCompose(
            records -> {
              Instant now = clock.now();
              List<CompletableFuture<TokenRecord>> rearming = new ArrayList<>();
              for (TokenRecord record : records) {
                if (record.state() == TokenState.CLIENT_REJECTED) {
                  rearming.add(
                      updates
                          .update(
                              record.key(),
                              TokenChange.PROVIDER_CHANGED,
                              latest -> latest.providerChanged(now, planner.planFor(credential)))
                          .toCompletableFuture());
                }
              }
              return CompletableFuture.allOf(rearming.toArray(CompletableFuture[]::new))
                  .thenApply(done -> rearming.size());
            });
  }

  private CompletionStage<Integer> rearmUsersOf(String providerName) {
    return credentials
        .listCredentials()
        .thenCompose(
            all -> {
              CompletionStage<Integer> total = CompletableFuture.completedStage(0);
              for (NamedCredential credential : usersOf(providerName, all)) {
                total = total.thenCombine(rearm(credential), Integer::sum);
              }
              return total;
            });
  }

  /** The credentials among {@code all} that use the provider {@code providerName}. */
  private static List<NamedCredential> usersOf(String providerName, List<NamedCredential> all) {
    return all.stream()
        .filter(c -> c.authentication().providerName().filter(providerName::equals).isPresent())
        .toList();
  }

  /** Checks the provider {@code name}: discovery, then the client's authentication. */
  public CompletionStage<FindOutcome<ProviderCheck>> check(String name) {
    return credentials
        .findProvider(name)
        .thenCompose(
            provider ->
                provider.isEmpty()
                    ? FindOutcome.<ProviderCheck>rejected(
                        Diagnosis.of(PROVIDER_NOT_FOUND, "provider", name))
                    : check(provider.get())
                        .thenApply(
                            check -> (FindOutcome<ProviderCheck>) new FindOutcome.Found<>(check)));
  }

  private CompletionStage<ProviderCheck> check(AuthProvider provider) {
    return identityProvider
        .discover(provider)
        .thenCompose(metadata -> authenticate(provider, metadata))
        .exceptionally(
            failure -> {
              Diagnosis diagnosis = discoveryProblem(failure);
              return new ProviderCheck(
                  false,
                  List.of(new Check("discovery", false, diagnosis.message())),
                  List.of(diagnosis));
            });
  }

  private CompletionStage<ProviderCheck> authenticate(
      AuthProvider provider, ProviderMetadata metadata) {
    List<Check> checks = new ArrayList<>();
    checks.add(
        new Check(
            "discovery",
            true,
            provider.issuer().isPresent()
                ? "the discovery document names the token endpoint " + metadata.tokenEndpoint()
                : "the token endpoint is configured: " + metadata.tokenEndpoint()));
    Optional<String> authorizationEndpoint =
        metadata.authorizationEndpoint().or(provider::authorizationEndpoint).map(Object::toString);
    checks.add(
        new Check(
            "authorizationEndpoint",
            true,
            authorizationEndpoint
                .map(at -> "authorization-code flows start at " + at)
                .orElse("none: only grants without a person (client credentials, JWT bearer)")));
    checks.add(
        new Check(
            "revocationEndpoint",
            true,
            metadata
                .revocationEndpoint()
                .map(at -> "grants are revoked at " + at)
                .orElse("none: deleted or replaced grants live on until they expire")));
    if (!provider.isConfidential()) {
      checks.add(
          new Check(
              "clientAuthentication",
              true,
              "a public client: the provider authenticates no secret of it"));
      return CompletableFuture.completedStage(new ProviderCheck(true, checks, List.of()));
    }
    boolean mayUseClientCredentials =
        metadata.grantTypesSupported().isEmpty()
            || metadata.grantTypesSupported().contains("client_credentials");
    CompletionStage<ClientProof> proof =
        mayUseClientCredentials
            ? identityProvider
                .clientCredentials(provider)
                .thenCompose(
                    outcome -> {
                      ClientProof byGrant = proof(provider, outcome, false);
                      return byGrant.conclusive()
                          ? CompletableFuture.completedStage(byGrant)
                          : probe(provider);
                    })
            : probe(provider);
    return proof.thenApply(
        result -> {
          checks.add(new Check("clientAuthentication", result.ok(), result.detail()));
          return new ProviderCheck(
              result.ok(), checks, result.diagnosis().map(List::of).orElse(List.of()));
        });
  }

  /** What a token-endpoint answer proves about the client's authentication. */
  private record ClientProof(
      boolean ok, boolean conclusive, String detail, Optional<Diagnosis> diagnosis) {}

  /**
   * A refresh with a refresh token nobody was given: a provider authenticates the client before it
   * looks at the token, so {@code invalid_grant} proves the authentication and {@code
   * invalid_client} refutes it, without a user and without issuing anything.
   */
  private CompletionStage<ClientProof> probe(AuthProvider provider) {
    Secret nobodys = Secret.of("callgate-provider-check-" + Long.toHexString(random.nextLong()));
    return identityProvider
        .refresh(provider, nobodys)
        .thenApply(outcome -> proof(provider, outcome, true));
  }

  /**
   * What {@code outcome} proves. {@code probing}: the request was the made-up refresh, whose
   * refusal for any reason but the client proves the authentication; a refused client-credentials
   * grant proves nothing when the client may simply not use that grant.
   */
  private ClientProof proof(AuthProvider provider, GrantOutcome outcome, boolean probing) {
    String how = probing ? "a refresh with a made-up refresh token" : "a client-credentials grant";
    if (outcome instanceof GrantOutcome.Granted) {
      return new ClientProof(
          true,
          true,
          "the provider authenticated the client: " + how + " issued a token",
          Optional.empty());
    }
    if (outcome instanceof GrantOutcome.Refused refused && refused.httpStatus() < 500) {
      String answer =
          refused.error() + refused.errorDescription().map(d -> " (" + d + ")").orElse("");
      if (ClientRefusals.authenticationFailed(refused)) {
        Diagnosis diagnosis =
            ClientRefusals.authenticationFailed(
                refused,
                provider.clientId(),
                provider.name(),
                provider.clientAuthMethod(),
                "Then check it again with POST /v1/providers/" + provider.name() + "/test.");
        return new ClientProof(
            false, true, "the provider refused the client: " + answer, Optional.of(diagnosis));
      }
      if (probing) {
        return new ClientProof(
            true,
            true,
            "the provider authenticated the client, then refused " + how + ": " + answer,
            Optional.empty());
      }
      return new ClientProof(false, false, answer, Optional.empty());
    }
    if (outcome instanceof GrantOutcome.Misconfigured misconfigured) {
      return new ClientProof(
          false, true, misconfigured.diagnosis().message(), Optional.of(misconfigured.diagnosis()));
    }
    if (outcome instanceof GrantOutcome.Failed failed
        && failed.failure() == GrantOutcome.Failure.INVALID_RESPONSE) {
      Diagnosis invalid =
          Diagnosis.of(
              IDP_RESPONSE_INVALID, "endpoint", "the token endpoint", "reason", failed.reason());
      return new ClientProof(false, true, invalid.message(), Optional.of(invalid));
    }
    String reason =
        outcome instanceof GrantOutcome.Failed failed
            ? failed.reason()
            : "the token endpoint failed with a server error";
    Diagnosis unavailable = Diagnosis.of(IDP_UNAVAILABLE, "reason", reason);
    return new ClientProof(false, true, unavailable.message(), Optional.of(unavailable));
  }
}
