package dev.callgate.core.service;

import dev.callgate.core.diagnosis.Diagnosis;
import java.net.URI;
import java.time.Instant;
import java.util.Objects;

/** The start of an authorization-code flow: the URL to open in a browser, or why not. */
public sealed interface AuthorizationStart {

  /** Open {@code authorizationUrl}; the callback is accepted until {@code expiresAt}. */
  record Started(URI authorizationUrl, Instant expiresAt) implements AuthorizationStart {
    public Started {
      Objects.requireNonNull(authorizationUrl, "authorizationUrl");
      Objects.requireNonNull(expiresAt, "expiresAt");
    }
  }

  record Refused(Diagnosis diagnosis) implements AuthorizationStart {
    public Refused {
      Objects.requireNonNull(diagnosis, "diagnosis");
    }
  }
}
