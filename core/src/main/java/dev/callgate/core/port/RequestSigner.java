package dev.callgate.core.port;

import dev.callgate.core.callout.OutboundRequest;
import dev.callgate.core.credential.Authentication;
import dev.callgate.core.credential.Secret;
import dev.callgate.core.diagnosis.Diagnosis;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Signs a callout as the last step before it is sent, over the request the transport will send: its
 * method, URL with query, and the headers it will carry. An {@code aws_sigv4} credential's callouts
 * are signed with AWS Signature Version 4 ({@link Signed}, with the secrets the signature was made
 * with, which the target's answer must not repeat); a credential whose keys cannot be had (an STS
 * that refuses the role or cannot be reached) is {@link Refused}, nothing sent.
 */
public interface RequestSigner {

  /** A signer for a Callgate that has none: every request it is asked to sign is refused. */
  RequestSigner NONE =
      (request, aws) ->
          CompletableFuture.failedStage(
              new UnsupportedOperationException("no request signer is configured"));

  CompletionStage<SigningOutcome> sign(OutboundRequest request, Authentication.AwsSigV4 aws);

  sealed interface SigningOutcome {
    <R> R fold(Function<Signed, R> signed, Function<Diagnosis, R> refused);
  }

  /** {@code request} carries the signature; {@code secrets} are the keys it was made with. */
  record Signed(OutboundRequest request, List<Secret> secrets) implements SigningOutcome {
    public Signed {
      Objects.requireNonNull(request, "request");
      secrets = List.copyOf(secrets);
    }

    @Override
    public <R> R fold(Function<Signed, R> signed, Function<Diagnosis, R> refused) {
      return signed.apply(this);
    }
  }

  record Refused(Diagnosis diagnosis) implements SigningOutcome {
    public Refused {
      Objects.requireNonNull(diagnosis, "diagnosis");
    }

    @Override
    public <R> R fold(Function<Signed, R> signed, Function<Diagnosis, R> refused) {
      return refused.apply(diagnosis);
    }
  }

  static CompletionStage<SigningOutcome> refused(Diagnosis diagnosis) {
    return CompletableFuture.completedStage(new Refused(diagnosis));
  }
}
