package dev.callgate.core.service;

import static dev.callgate.core.diagnosis.DiagnosisCode.CREDENTIAL_NOT_FOUND;

import dev.callgate.core.credential.NamedCredential;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.port.CredentialStore;
import java.util.concurrent.CompletionStage;

/** The credential a caller names, if it exists and the caller may use it. */
final class CallerCredentials {
  private final CredentialStore credentials;

  CallerCredentials(CredentialStore credentials) {
    this.credentials = credentials;
  }

  CompletionStage<FindOutcome<NamedCredential>> usableBy(Caller caller, String name) {
    return credentials
        .findCredential(name)
        .thenApply(
            found -> {
              if (found.isEmpty()) {
                return new FindOutcome.Rejected<>(
                    Diagnosis.of(CREDENTIAL_NOT_FOUND, "credential", name));
              }
              return caller
                  .refusedBy(found.get())
                  .<FindOutcome<NamedCredential>>map(FindOutcome.Rejected::new)
                  .orElseGet(() -> new FindOutcome.Found<>(found.get()));
            });
  }
}
