package dev.callgate.core.service;

import static dev.callgate.core.diagnosis.DiagnosisCode.CREDENTIAL_NOT_FOUND;

import dev.callgate.core.credential.NamedCredential;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.port.Clock;
import dev.callgate.core.port.CredentialStore;
import dev.callgate.core.port.TokenStore;
import dev.callgate.core.refresh.ExpiryPrediction;
import dev.callgate.core.refresh.GrantType;
import dev.callgate.core.token.TokenRecord;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Reading a token's status: the credential and caller checked, the token the request means ({@link
 * TokenKeys}), and what Callgate knows beyond the stored state ({@link ExpiryPrediction}).
 */
public final class TokenStatuses {

  /** The status, or why it cannot be read. */
  public sealed interface StatusOutcome {
    record Found(TokenStatus status) implements StatusOutcome {
      public Found {
        Objects.requireNonNull(status, "status");
      }
    }

    record Refused(Diagnosis diagnosis) implements StatusOutcome {
      public Refused {
        Objects.requireNonNull(diagnosis, "diagnosis");
      }
    }
  }

  private final CredentialStore credentials;
  private final TokenStore tokens;
  private final Clock clock;

  public TokenStatuses(CredentialStore credentials, TokenStore tokens, Clock clock) {
    this.credentials = credentials;
    this.tokens = tokens;
    this.clock = clock;
  }

  /** The status of {@code user}'s token (empty: the caller's own, or the named one). */
  public CompletionStage<StatusOutcome> status(
      Caller caller, String credentialName, Optional<String> user) {
    return credentials
        .findCredential(credentialName)
        .thenCompose(
            found -> {
              if (found.isEmpty()) {
                return refused(Diagnosis.of(CREDENTIAL_NOT_FOUND, "credential", credentialName));
              }
              NamedCredential credential = found.get();
              Optional<Diagnosis> notAllowed = caller.refusedBy(credential);
              if (notAllowed.isPresent()) {
                return refused(notAllowed.get());
              }
              return TokenKeys.resolve(credential, caller, user)
                  .fold(
                      key ->
                          tokens
                              .find(key)
                              .thenApply(
                                  record ->
                                      (StatusOutcome)
                                          new StatusOutcome.Found(
                                              of(
                                                  credential,
                                                  record.orElseGet(
                                                      () -> TokenRecord.unauthorized(key))))),
                      problems -> refused(problems.get(0)));
            });
  }

  /** The status of {@code record}, a token of {@code credential}, now. */
  public TokenStatus of(NamedCredential credential, TokenRecord record) {
    Optional<ExpiryPrediction> prediction =
        GrantType.of(credential.protocol())
            .flatMap(
                grant ->
                    ExpiryPrediction.of(
                        record,
                        grant,
                        credential.keepAlive(),
                        credential.authentication().providerName().orElse("(none)"),
                        clock.now()));
    return new TokenStatus(credential, record, prediction);
  }

  private static CompletionStage<StatusOutcome> refused(Diagnosis diagnosis) {
    return CompletableFuture.completedStage(new StatusOutcome.Refused(diagnosis));
  }
}
