package dev.callgate.core.port;

import java.util.Objects;
import java.util.function.Function;

/**
 * What a revocation request (RFC 7009) came to: the provider accepted it, the provider has no
 * revocation endpoint, or the request failed — in the last two cases the grant may live on at the
 * provider until it expires, and {@code reason} says why for people (never a secret).
 */
public sealed interface RevocationOutcome {

  <R> R fold(
      Function<Revoked, R> revoked,
      Function<NotSupported, R> notSupported,
      Function<Failed, R> failed);

  record Revoked() implements RevocationOutcome {
    @Override
    public <R> R fold(
        Function<Revoked, R> revoked,
        Function<NotSupported, R> notSupported,
        Function<Failed, R> failed) {
      return revoked.apply(this);
    }
  }

  record NotSupported() implements RevocationOutcome {
    @Override
    public <R> R fold(
        Function<Revoked, R> revoked,
        Function<NotSupported, R> notSupported,
        Function<Failed, R> failed) {
      return notSupported.apply(this);
    }
  }

  record Failed(String reason) implements RevocationOutcome {
    public Failed {
      Objects.requireNonNull(reason, "reason");
    }

    @Override
    public <R> R fold(
        Function<Revoked, R> revoked,
        Function<NotSupported, R> notSupported,
        Function<Failed, R> failed) {
      return failed.apply(this);
    }
  }
}
