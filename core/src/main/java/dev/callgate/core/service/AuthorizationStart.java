package dev.callgate.core.service;

import dev.callgate.core.diagnosis.Diagnosis;
import java.net.URI;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Function;

/** The start of an authorization-code flow: the URL to open in a browser, or why not. */
public sealed interface AuthorizationStart {

  <R> R fold(Function<Started, R> started, Function<Refused, R> refused);

  /**
   * Open {@code authorizationUrl}; the callback is accepted until {@code expiresAt}. {@code flow}
   * is what the URL names the flow by, for {@link Authorizations#open} where Callgate opens it for
   * the browser itself (a connect link).
   */
  record Started(URI authorizationUrl, Instant expiresAt, String flow)
      implements AuthorizationStart {
    public Started {
      Objects.requireNonNull(authorizationUrl, "authorizationUrl");
      Objects.requireNonNull(expiresAt, "expiresAt");
      Objects.requireNonNull(flow, "flow");
    }

    @Override
    public <R> R fold(Function<Started, R> started, Function<Refused, R> refused) {
      return started.apply(this);
    }

    @Override
    public String toString() {
      return "Started[expiresAt=" + expiresAt + "]";
    }
  }

  record Refused(Diagnosis diagnosis) implements AuthorizationStart {
    public Refused {
      Objects.requireNonNull(diagnosis, "diagnosis");
    }

    @Override
    public <R> R fold(Function<Started, R> started, Function<Refused, R> refused) {
      return refused.apply(this);
    }
  }
}
