package dev.callgate.core.service;

import static dev.callgate.core.diagnosis.DiagnosisCode.ALREADY_EXISTS;
import static dev.callgate.core.diagnosis.DiagnosisCode.CREDENTIAL_NOT_FOUND;
import static dev.callgate.core.diagnosis.DiagnosisCode.PROVIDER_NOT_FOUND;

import dev.callgate.core.credential.NamedCredential;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.port.CredentialStore;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Saving named credentials: a new one must not exist yet and a replaced one must, the provider it
 * names must exist, and a change re-arms its tokens whose client or assertion the provider had
 * refused.
 */
public final class Credentials {

  /** What saving came to. */
  public sealed interface SaveOutcome {
    record Saved(NamedCredential credential, boolean created, int rearmed) implements SaveOutcome {}

    record Refused(Diagnosis diagnosis) implements SaveOutcome {}
  }

  private final CredentialStore credentials;
  private final Providers providers;

  public Credentials(CredentialStore credentials, Providers providers) {
    this.credentials = credentials;
    this.providers = providers;
  }

  /** Creates {@code credential} ({@code replacing} false) or replaces the one of its name. */
  public CompletionStage<SaveOutcome> save(NamedCredential credential, boolean replacing) {
    CompletionStage<Boolean> providerExists =
        credential
            .authentication()
            .providerName()
            .map(p -> credentials.findProvider(p).thenApply(Optional::isPresent))
            .orElse(CompletableFuture.completedStage(true));
    return providerExists.thenCompose(
        providerOk ->
            credentials
                .findCredential(credential.name())
                .thenCompose(
                    existing -> {
                      if (!providerOk) {
                        return refused(
                            Diagnosis.of(
                                PROVIDER_NOT_FOUND,
                                "provider",
                                credential.authentication().providerName().orElseThrow()));
                      }
                      if (!replacing && existing.isPresent()) {
                        return refused(
                            Diagnosis.of(
                                ALREADY_EXISTS, "kind", "credential", "name", credential.name()));
                      }
                      if (replacing && existing.isEmpty()) {
                        return refused(
                            Diagnosis.of(CREDENTIAL_NOT_FOUND, "credential", credential.name()));
                      }
                      return credentials
                          .saveCredential(credential)
                          .thenCompose(saved -> providers.rearm(credential))
                          .thenApply(
                              rearmed ->
                                  (SaveOutcome)
                                      new SaveOutcome.Saved(credential, !replacing, rearmed));
                    }));
  }

  private static CompletionStage<SaveOutcome> refused(Diagnosis diagnosis) {
    return CompletableFuture.completedStage(new SaveOutcome.Refused(diagnosis));
  }
}
