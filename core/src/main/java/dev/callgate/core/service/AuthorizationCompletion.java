package dev.callgate.core.service;

import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.token.TokenKey;
import dev.callgate.core.token.TokenRecord;
import java.net.URI;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * The end of an authorization-code flow: the stored token (whose diagnoses hold any warning, such
 * as a refresh token that was not issued, and whose identity says whose grant it is), or why the
 * flow failed and, where the flow was known, for which token. Either way, where the flow was
 * started with a return URL, where the browser goes next.
 */
public sealed interface AuthorizationCompletion {

  <R> R fold(Function<Authorized, R> authorized, Function<Refused, R> refused);

  record Authorized(TokenRecord record, Optional<URI> returnUrl)
      implements AuthorizationCompletion {
    public Authorized {
      Objects.requireNonNull(record, "record");
      Objects.requireNonNull(returnUrl, "returnUrl");
    }

    public Authorized(TokenRecord record) {
      this(record, Optional.empty());
    }

    @Override
    public <R> R fold(Function<Authorized, R> authorized, Function<Refused, R> refused) {
      return authorized.apply(this);
    }
  }

  record Refused(Diagnosis diagnosis, Optional<TokenKey> key, Optional<URI> returnUrl)
      implements AuthorizationCompletion {
    public Refused {
      Objects.requireNonNull(diagnosis, "diagnosis");
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(returnUrl, "returnUrl");
    }

    public Refused(Diagnosis diagnosis, Optional<TokenKey> key) {
      this(diagnosis, key, Optional.empty());
    }

    @Override
    public <R> R fold(Function<Authorized, R> authorized, Function<Refused, R> refused) {
      return refused.apply(this);
    }
  }
}
