package dev.callgate.core.service;

import static dev.callgate.core.diagnosis.DiagnosisCode.CREDENTIAL_NOT_FOUND;
import static dev.callgate.core.diagnosis.DiagnosisCode.FORBIDDEN;
import static dev.callgate.core.diagnosis.DiagnosisCode.GRANT_REVOKED;

import dev.callgate.core.credential.NamedCredential;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.event.Actor;
import dev.callgate.core.event.Event;
import dev.callgate.core.event.EventSource;
import dev.callgate.core.event.EventType;
import dev.callgate.core.event.TokenChange;
import dev.callgate.core.port.Clock;
import dev.callgate.core.port.CredentialStore;
import dev.callgate.core.port.EventLog;
import dev.callgate.core.port.IdentityProvider;
import dev.callgate.core.port.RevocationOutcome;
import dev.callgate.core.port.TokenStore;
import dev.callgate.core.refresh.RefreshGate;
import dev.callgate.core.refresh.RefreshPolicy;
import dev.callgate.core.token.TokenKey;
import dev.callgate.core.token.TokenRecord;
import dev.callgate.core.token.TokenSet;
import dev.callgate.core.token.TokenState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Ending grants at the identity provider (RFC 7009) when Callgate is done with them: on request
 * ({@link #revoke}: the token becomes {@code REVOKED}), and when a credential is deleted ({@link
 * #deleteCredential}: every grant it holds is revoked before it goes). The local change happens
 * whatever the provider answers; where it has no revocation endpoint or revoking fails, the answer
 * says that the grant may live on there. A revocation holds the token's refresh lease, so that no
 * refresh in this instance or another stores new tokens of the grant after it was revoked.
 */
public final class Revocations {

  /** What a revocation request came to. */
  public sealed interface RevokeOutcome {
    <R> R fold(BiFunction<NamedCredential, TokenRecord, R> revoked, Function<Diagnosis, R> refused);

    /** The token is {@code REVOKED}; its diagnosis says whether the provider confirmed it. */
    record Revoked(NamedCredential credential, TokenRecord record) implements RevokeOutcome {
      public Revoked {
        Objects.requireNonNull(credential, "credential");
        Objects.requireNonNull(record, "record");
      }

      @Override
      public <R> R fold(
          BiFunction<NamedCredential, TokenRecord, R> revoked, Function<Diagnosis, R> refused) {
        return revoked.apply(credential, record);
      }
    }

    record Refused(Diagnosis diagnosis) implements RevokeOutcome {
      public Refused {
        Objects.requireNonNull(diagnosis, "diagnosis");
      }

      @Override
      public <R> R fold(
          BiFunction<NamedCredential, TokenRecord, R> revoked, Function<Diagnosis, R> refused) {
        return refused.apply(diagnosis);
      }
    }
  }

  /** A deleted credential, and a note for every grant it held that may live on at the provider. */
  public record Deletion(String credential, int grants, List<Diagnosis> grantsThatMayLiveOn) {
    public Deletion {
      Objects.requireNonNull(credential, "credential");
      grantsThatMayLiveOn = List.copyOf(grantsThatMayLiveOn);
    }
  }

  private static final int LEASE_TRIES = 3;

  private final CredentialStore credentials;
  private final TokenStore tokens;
  private final GrantRevoker revoker;
  private final Clock clock;
  private final RefreshPlanner planner;
  private final TokenUpdates updates;
  private final Refresher.Settings lease;
  private final LeaseWait leaseWait;
  private final EventSource events;
  private final EventLog eventLog;

  /**
   * {@code lease} is the refresher's: revocations take the same refresh lease as refreshes, and
   * their events name its instance; {@code eventLog} records the requests.
   */
  public Revocations(
      CredentialStore credentials,
      TokenStore tokens,
      IdentityProvider identityProvider,
      Clock clock,
      RefreshPolicy policy,
      Refresher.Settings lease,
      EventLog eventLog) {
    this.events = new EventSource(lease.instanceId(), clock);
    this.eventLog = eventLog;
    this.credentials = credentials;
    this.tokens = tokens;
    this.revoker = new GrantRevoker(identityProvider);
    this.clock = clock;
    this.planner = new RefreshPlanner(policy);
    this.updates = new TokenUpdates(tokens, events);
    this.lease = lease;
    this.leaseWait = new LeaseWait(tokens, clock, lease.leasePollInterval(), lease.leaseDuration());
  }

  /**
   * Revokes the grant of {@code user}'s token (empty: the caller's own, or the named one) of {@code
   * credentialName}, as {@code actor} (the caller, in its request) asks. Admins may revoke any; a
   * caller only its own token of a per-user credential it may call. An allowed request is recorded
   * (audit) before the provider is asked; the token's own event records the outcome.
   */
  public CompletionStage<RevokeOutcome> revoke(
      Caller caller, String credentialName, Optional<String> user, Actor actor) {
    return credentials
        .findCredential(credentialName)
        .thenCompose(
            found -> {
              if (found.isEmpty()) {
                return refused(Diagnosis.of(CREDENTIAL_NOT_FOUND, "credential", credentialName));
              }
              NamedCredential credential = found.get();
              if (!caller.managesGrantsOf(credential)) {
                return refused(
                    Diagnosis.of(
                        FORBIDDEN,
                        "subject",
                        caller.subject(),
                        "action",
                        "revoke the grant of credential '" + credentialName + "'",
                        "role",
                        "admin"));
              }
              return TokenKeys.resolve(credential, caller, user)
                  .fold(
                      key ->
                          eventLog
                              .append(List.of(revocationRequested(key, actor)))
                              .thenCompose(recorded -> leased(credential, key, caller, 1)),
                      problems -> refused(problems.get(0)));
            });
  }

  private CompletionStage<RevokeOutcome> leased(
      NamedCredential credential, TokenKey key, Caller caller, int round) {
    String owner = lease.instanceId() + "/revocation";
    Instant now = clock.now();
    return tokens
        .tryLease(key, owner, now.plus(lease.leaseDuration()), now)
        .thenCompose(
            taken -> {
              if (taken) {
                return revokeHeld(credential, key, caller)
                    .whenComplete((outcome, failure) -> tokens.releaseLease(key, owner));
              }
              if (round >= LEASE_TRIES) {
                Instant next = clock.now().plus(lease.leaseDuration());
                return refused(
                    RefreshPolicy.refreshFailedTransient(
                        key.credentialName(),
                        "a refresh of the token is under way and has not finished",
                        next));
              }
              // a refresh holds the lease: let it settle, then revoke what it left
              return tokens
                  .find(key)
                  .thenCompose(
                      found ->
                          leaseWait.await(
                              found.orElseGet(() -> TokenRecord.unauthorized(key)), clock.now()))
                  .thenCompose(ignored -> leased(credential, key, caller, round + 1));
            });
  }

  private CompletionStage<RevokeOutcome> revokeHeld(
      NamedCredential credential, TokenKey key, Caller caller) {
    return tokens
        .find(key)
        .thenCompose(
            found -> {
              TokenRecord record = found.orElseGet(() -> TokenRecord.unauthorized(key));
              if (record.tokens().isEmpty()) {
                return record.state() == TokenState.REVOKED
                    ? CompletableFuture.completedStage(
                        new RevokeOutcome.Revoked(credential, record))
                    : refused(RefreshGate.standing(record));
              }
              TokenSet grant = record.tokens().get();
              return atProvider(credential, grant)
                  .thenCompose(
                      outcome -> {
                        Diagnosis revoked =
                            Diagnosis.of(
                                GRANT_REVOKED,
                                "principal",
                                key.principalDescription(),
                                "revokedAt",
                                RefreshPolicy.format(clock.now()),
                                "by",
                                "'" + caller.subject() + "'",
                                "outcome",
                                describe(outcome),
                                "credential",
                                key.credentialName());
                        return updates.update(
                            key,
                            TokenChange.REVOKED,
                            latest -> latest.revoked(revoked, planner.planFor(credential)));
                      })
                  .thenApply(revoked -> new RevokeOutcome.Revoked(credential, revoked));
            });
  }

  private Event revocationRequested(TokenKey key, Actor actor) {
    return events.audit(
        EventType.AUDIT_REVOCATION_REQUESTED,
        actor,
        Optional.of(key.credentialName()),
        Optional.of(key.userSubject()),
        Map.of("credential", key.credentialName()));
  }

  /**
   * Revokes every grant of {@code name} at its provider, then deletes the credential with its
   * tokens, as {@code actor} asks; the deletion carries its event and the audit event, so a
   * deletion that did not happen records neither. Empty when there is no such credential.
   */
  public CompletionStage<Optional<Deletion>> deleteCredential(String name, Actor actor) {
    return credentials
        .findCredential(name)
        .thenCompose(
            found -> {
              if (found.isEmpty()) {
                return CompletableFuture.completedStage(Optional.<Deletion>empty());
              }
              NamedCredential credential = found.get();
              return tokens
                  .findByCredential(name)
                  .thenCompose(records -> revokeAll(credential, records))
                  .thenCompose(
                      deletion ->
                          credentials
                              .deleteCredential(name, deletionEvents(deletion, actor))
                              .thenApply(
                                  deleted -> deleted ? Optional.of(deletion) : Optional.empty()));
            });
  }

  private List<Event> deletionEvents(Deletion deletion, Actor actor) {
    Map<String, String> details = new LinkedHashMap<>();
    details.put("credential", deletion.credential());
    details.put("grants", Integer.toString(deletion.grants()));
    details.put("grantsThatMayLiveOn", Integer.toString(deletion.grantsThatMayLiveOn().size()));
    return List.of(
        events.about(
            EventType.CREDENTIAL_DELETED, deletion.credential(), Optional.empty(), details),
        events.audit(
            EventType.AUDIT_CREDENTIAL_DELETED,
            actor,
            Optional.of(deletion.credential()),
            Optional.empty(),
            Map.of("credential", deletion.credential())));
  }

  private CompletionStage<Deletion> revokeAll(
      NamedCredential credential, List<TokenRecord> records) {
    List<TokenRecord> grants = records.stream().filter(r -> r.tokens().isPresent()).toList();
    List<Diagnosis> mayLiveOn = new ArrayList<>();
    CompletionStage<Void> chain = CompletableFuture.completedStage(null);
    // one after another: a credential with many per-user grants must not flood its provider
    for (TokenRecord record : grants) {
      chain =
          chain.thenCompose(
              ignored ->
                  atProvider(credential, record.tokens().get())
                      .thenAccept(
                          outcome ->
                              GrantRevoker.whyItMayLiveOn(outcome)
                                  .map(
                                      why ->
                                          GrantRevoker.mayLiveOn(
                                              record.key().principalDescription(), why))
                                  .ifPresent(mayLiveOn::add)));
    }
    return chain.thenApply(done -> new Deletion(credential.name(), grants.size(), mayLiveOn));
  }

  private CompletionStage<RevocationOutcome> atProvider(
      NamedCredential credential, TokenSet grant) {
    Optional<String> providerName = credential.authentication().providerName();
    if (providerName.isEmpty()) {
      return CompletableFuture.completedStage(new RevocationOutcome.NotSupported());
    }
    return credentials
        .findProvider(providerName.get())
        .thenCompose(
            provider ->
                provider.isPresent()
                    ? revoker.revoke(provider.get(), grant)
                    : CompletableFuture.completedStage(
                        new RevocationOutcome.Failed(
                            "provider '" + providerName.get() + "' no longer exists")));
  }

  private static String describe(RevocationOutcome outcome) {
    return GrantRevoker.whyItMayLiveOn(outcome)
        .map(why -> why + ", so the grant may live on there until it expires")
        .orElse("the identity provider accepted the revocation");
  }

  private static CompletionStage<RevokeOutcome> refused(Diagnosis diagnosis) {
    return CompletableFuture.completedStage(new RevokeOutcome.Refused(diagnosis));
  }
}
