package dev.callgate.core.service;

import dev.callgate.core.credential.NamedCredential;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.port.Clock;
import dev.callgate.core.port.CredentialStore;
import dev.callgate.core.port.DeviceAuthorization;
import dev.callgate.core.port.DeviceAuthorizationStore;
import dev.callgate.core.port.TokenStore;
import dev.callgate.core.refresh.ExpiryPrediction;
import dev.callgate.core.refresh.GrantType;
import dev.callgate.core.token.TokenRecord;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Reading a token's status: the credential and caller checked, the token the request means ({@link
 * TokenKeys}), and what Callgate knows beyond the stored state ({@link ExpiryPrediction}).
 */
public final class TokenStatuses {

  /**
   * Read the status of {@code caller}'s token of the credential {@code credentialName}, or of
   * {@code user}'s (an admin may name anyone; empty: the caller's own, or the named one).
   */
  public record ReadStatus(Caller caller, String credentialName, Optional<String> user) {
    public ReadStatus {
      Objects.requireNonNull(caller, "caller");
      Objects.requireNonNull(credentialName, "credentialName");
      Objects.requireNonNull(user, "user");
    }
  }

  /** The status, or why it cannot be read. */
  public sealed interface StatusOutcome {
    <R> R fold(Function<TokenStatus, R> found, Function<Diagnosis, R> rejected);

    record Found(TokenStatus status) implements StatusOutcome {
      public Found {
        Objects.requireNonNull(status, "status");
      }

      @Override
      public <R> R fold(Function<TokenStatus, R> found, Function<Diagnosis, R> rejected) {
        return found.apply(status);
      }
    }

    record Rejected(Diagnosis diagnosis) implements StatusOutcome {
      public Rejected {
        Objects.requireNonNull(diagnosis, "diagnosis");
      }

      @Override
      public <R> R fold(Function<TokenStatus, R> found, Function<Diagnosis, R> rejected) {
        return rejected.apply(diagnosis);
      }
    }
  }

  private final CredentialStore credentials;
  private final TokenStore tokens;
  private final Clock clock;
  private final Optional<DeviceAuthorizationStore> devices;

  /** Statuses that show no pending device authorization. */
  public TokenStatuses(CredentialStore credentials, TokenStore tokens, Clock clock) {
    this(credentials, tokens, clock, Optional.empty());
  }

  /** Statuses that show the device authorization pending in {@code devices} for a token. */
  public TokenStatuses(
      CredentialStore credentials,
      TokenStore tokens,
      Clock clock,
      Optional<DeviceAuthorizationStore> devices) {
    this.credentials = credentials;
    this.tokens = tokens;
    this.clock = clock;
    this.devices = devices;
  }

  /** The status of the token {@code command} names, if its caller may read it. */
  public CompletionStage<StatusOutcome> status(ReadStatus command) {
    return new CallerCredentials(credentials)
        .usableBy(command.caller(), command.credentialName())
        .thenCompose(
            found -> found.fold(credential -> status(credential, command), TokenStatuses::refused));
  }

  private CompletionStage<StatusOutcome> status(NamedCredential credential, ReadStatus command) {
    // the user code lets whoever holds it approve the grant: shown to who manages the grants only
    boolean showsDevice = command.caller().managesGrantsOf(credential);
    return TokenKeys.resolve(credential, command.caller(), command.user())
        .fold(
            key ->
                tokens
                    .find(key)
                    .thenCompose(
                        record ->
                            (showsDevice && devices.isPresent()
                                    ? devices.get().find(key)
                                    : CompletableFuture.completedStage(
                                        Optional.<DeviceAuthorization>empty()))
                                .thenApply(
                                    device ->
                                        (StatusOutcome)
                                            new StatusOutcome.Found(
                                                of(
                                                    credential,
                                                    record.orElseGet(
                                                        () -> TokenRecord.unauthorized(key)),
                                                    device.map(DeviceVerification::of))))),
            problems -> refused(problems.get(0)));
  }

  /** The status of {@code record}, a token of {@code credential}, now. */
  public TokenStatus of(NamedCredential credential, TokenRecord record) {
    return of(credential, record, Optional.empty());
  }

  private TokenStatus of(
      NamedCredential credential, TokenRecord record, Optional<DeviceVerification> device) {
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
    return new TokenStatus(credential, record, prediction, device);
  }

  private static CompletionStage<StatusOutcome> refused(Diagnosis diagnosis) {
    return CompletableFuture.completedStage(new StatusOutcome.Rejected(diagnosis));
  }
}
