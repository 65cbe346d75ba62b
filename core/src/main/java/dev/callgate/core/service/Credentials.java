package dev.callgate.core.service;

import static dev.callgate.core.diagnosis.DiagnosisCode.CREDENTIAL_NOT_FOUND;
import static dev.callgate.core.diagnosis.DiagnosisCode.FLOW_NOT_SUPPORTED;
import static dev.callgate.core.diagnosis.DiagnosisCode.INVALID_VALUE;
import static dev.callgate.core.diagnosis.DiagnosisCode.PROVIDER_NOT_FOUND;

import dev.callgate.core.credential.Authentication;
import dev.callgate.core.credential.NamedCredential;
import dev.callgate.core.credential.PrincipalType;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.event.Actor;
import dev.callgate.core.event.Event;
import dev.callgate.core.event.EventSource;
import dev.callgate.core.event.EventType;
import dev.callgate.core.port.CredentialStore;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Administering named credentials: a new one must not exist yet and a replaced one must, keeping
 * its name; the provider it names must exist — the store decides that in the same write that saves
 * it, so a provider deleted meanwhile cannot be left named — and a change re-arms its tokens whose
 * client or assertion the provider had refused. Deleting one first revokes its grants.
 */
public final class Credentials {

  /** Create or replace {@code credential}, as the admin {@code actor} asks. */
  public record SaveCredential(NamedCredential credential, SaveMode mode, Actor actor) {
    public SaveCredential {
      Objects.requireNonNull(credential, "credential");
      Objects.requireNonNull(mode, "mode");
      Objects.requireNonNull(actor, "actor");
    }
  }

  /** Revoke the grants of the credential {@code name}, then delete it, as {@code actor} asks. */
  public record DeleteCredential(String name, Actor actor) {
    public DeleteCredential {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(actor, "actor");
    }
  }

  /** What saving came to. */
  public sealed interface SaveOutcome {
    <R> R fold(Function<Saved, R> saved, Function<Diagnosis, R> rejected);

    /** Stored; {@code rearmed} tokens whose client had been refused will be tried again now. */
    record Saved(NamedCredential credential, boolean created, int rearmed) implements SaveOutcome {
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

  /** What deleting came to: the grants it revoked, or why nothing was deleted. */
  public sealed interface DeleteOutcome {
    <R> R fold(Function<Revocations.Deletion, R> deleted, Function<Diagnosis, R> rejected);

    record Deleted(Revocations.Deletion deletion) implements DeleteOutcome {
      public Deleted {
        Objects.requireNonNull(deletion, "deletion");
      }

      @Override
      public <R> R fold(
          Function<Revocations.Deletion, R> deleted, Function<Diagnosis, R> rejected) {
        return deleted.apply(deletion);
      }
    }

    record Rejected(Diagnosis diagnosis) implements DeleteOutcome {
      @Override
      public <R> R fold(
          Function<Revocations.Deletion, R> deleted, Function<Diagnosis, R> rejected) {
        return rejected.apply(diagnosis);
      }
    }
  }

  private final CredentialStore credentials;
  private final Providers providers;
  private final Revocations revocations;
  private final EventSource events;

  public Credentials(
      CredentialStore credentials,
      Providers providers,
      Revocations revocations,
      EventSource events) {
    this.credentials = credentials;
    this.providers = providers;
    this.revocations = revocations;
    this.events = events;
  }

  /** Creates or replaces the credential, as {@code command}'s mode says. */
  public CompletionStage<SaveOutcome> save(SaveCredential command) {
    NamedCredential credential = command.credential();
    if (credential.authentication() instanceof Authentication.TokenExchange exchange
        && exchange.subjectCredential().isPresent()) {
      return subjectProblem(credential.name(), exchange.subjectCredential().get(), 0)
          .thenCompose(
              problem ->
                  problem.isPresent()
                      ? rejected(
                          Diagnosis.of(
                              INVALID_VALUE,
                              "field",
                              "tokenExchange.subjectCredential",
                              "problem",
                              problem.get()))
                      : checkedSave(command));
    }
    return checkedSave(command);
  }

  /** How many token exchanges may take their subjects from one another in a row. */
  static final int MAX_SUBJECT_CHAIN = 8;

  /**
   * Why {@code subject} cannot give credential {@code name} an access token to exchange: it does
   * not exist, stores no token of a named principal, or leads back to {@code name} (each exchange
   * would wait for the other's).
   */
  private CompletionStage<Optional<String>> subjectProblem(String name, String subject, int hops) {
    if (subject.equals(name)) {
      return CompletableFuture.completedStage(
          Optional.of("'" + subject + "' takes its subject token from '" + name + "': a cycle"));
    }
    if (hops >= MAX_SUBJECT_CHAIN) {
      return CompletableFuture.completedStage(
          Optional.of("the chain of subject credentials is longer than " + MAX_SUBJECT_CHAIN));
    }
    return credentials
        .findCredential(subject)
        .thenCompose(
            found -> {
              if (found.isEmpty()) {
                return CompletableFuture.completedStage(
                    Optional.of("no credential named '" + subject + "' exists"));
              }
              NamedCredential next = found.get();
              boolean storesToken =
                  next.protocol().usesTokens()
                      && next.principal() == PrincipalType.NAMED
                      && !(next.authentication() instanceof Authentication.TokenExchange e
                          && e.subjectFromCaller());
              if (!storesToken) {
                return CompletableFuture.completedStage(
                    Optional.of(
                        "credential '"
                            + subject
                            + "' keeps no access token of its own to exchange (a named principal"
                            + " of an OAuth protocol other than a caller's token exchange)"));
              }
              if (next.authentication() instanceof Authentication.TokenExchange e) {
                return subjectProblem(name, e.subjectCredential().orElseThrow(), hops + 1);
              }
              return CompletableFuture.completedStage(Optional.<String>empty());
            });
  }

  private CompletionStage<SaveOutcome> checkedSave(SaveCredential command) {
    NamedCredential credential = command.credential();
    return credentials
        .findCredential(credential.name())
        .thenCompose(
            existing -> {
              Optional<Diagnosis> refusal =
                  command
                      .mode()
                      .refusal(
                          "credential",
                          credential.name(),
                          existing.isPresent(),
                          Diagnosis.of(CREDENTIAL_NOT_FOUND, "credential", credential.name()));
              if (refusal.isPresent()) {
                return rejected(refusal.get());
              }
              Map<String, String> target = new LinkedHashMap<>();
              target.put("credential", credential.name());
              credential.authentication().providerName().ifPresent(p -> target.put("provider", p));
              target.put("created", Boolean.toString(command.mode().creates()));
              Event audit =
                  events.audit(
                      EventType.AUDIT_CREDENTIAL_SAVED,
                      command.actor(),
                      Optional.of(credential.name()),
                      Optional.empty(),
                      target);
              return credentials
                  .saveCredential(credential, List.of(audit))
                  .thenCompose(
                      saved ->
                          switch (saved) {
                            case SAVED ->
                                providers
                                    .rearm(credential)
                                    .thenApply(
                                        rearmed ->
                                            (SaveOutcome)
                                                new SaveOutcome.Saved(
                                                    credential, command.mode().creates(), rearmed));
                            case PROVIDER_MISSING ->
                                rejected(
                                    Diagnosis.of(
                                        PROVIDER_NOT_FOUND,
                                        "provider",
                                        credential
                                            .authentication()
                                            .providerName()
                                            .orElse("(none)")));
                          });
            });
  }

  /** Revokes the credential's grants at their provider, then deletes it with its tokens. */
  public CompletionStage<DeleteOutcome> delete(DeleteCredential command) {
    return revocations
        .deleteCredential(command.name(), command.actor())
        .thenApply(
            deletion ->
                deletion
                    .<DeleteOutcome>map(DeleteOutcome.Deleted::new)
                    .orElseGet(
                        () ->
                            new DeleteOutcome.Rejected(
                                Diagnosis.of(CREDENTIAL_NOT_FOUND, "credential", command.name()))));
  }

  /** The credential {@code name}, for an admin to read. */
  public CompletionStage<FindOutcome<NamedCredential>> find(String name) {
    return FindOutcome.of(
        credentials.findCredential(name),
        () -> Diagnosis.of(CREDENTIAL_NOT_FOUND, "credential", name));
  }

  public CompletionStage<List<NamedCredential>> list() {
    return credentials.listCredentials();
  }

  private static CompletionStage<SaveOutcome> rejected(Diagnosis diagnosis) {
    return CompletableFuture.completedStage(new SaveOutcome.Rejected(diagnosis));
  }

  /** {@code credential}'s protocol has no {@code flow} (an authorization, a token refresh …). */
  static Diagnosis flowNotSupported(NamedCredential credential, String flow) {
    return Diagnosis.of(
        FLOW_NOT_SUPPORTED,
        "credential",
        credential.name(),
        "protocol",
        credential.protocol().wireName(),
        "flow",
        flow);
  }
}
