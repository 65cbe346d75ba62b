package dev.callgate.core.service;

import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.token.TokenKey;
import dev.callgate.core.token.TokenRecord;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * The end of an authorization-code flow: the stored token (whose diagnoses hold any warning, such
 * as a refresh token that was not issued, and whose identity says whose grant it is), or why the
 * flow failed and, where the flow was known, for which token.
 */
public sealed interface AuthorizationCompletion {

  <R> R fold(Function<Authorized, R> authorized, Function<Refused, R> refused);

  record Authorized(TokenRecord record) implements AuthorizationCompletion {
    public Authorized {
      Objects.requireNonNull(record, "record");
    }

    @Override
    public <R> R fold(Function<Authorized, R> authorized, Function<Refused, R> refused) {
      return authorized.apply(this);
    }
  }

  record Refused(Diagnosis diagnosis, Optional<TokenKey> key) implements AuthorizationCompletion {
    public Refused {
      Objects.requireNonNull(diagnosis, "diagnosis");
      Objects.requireNonNull(key, "key");
    }

    @Override
    public <R> R fold(Function<Authorized, R> authorized, Function<Refused, R> refused) {
      return refused.apply(this);
    }
  }
}
