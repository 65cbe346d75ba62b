package dev.callgate.core.service;

import dev.callgate.core.diagnosis.Diagnosis;
import java.net.URI;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Function;

/** A new connect link: the URL to hand to the end user and until when it works; or why not. */
public sealed interface ConnectLinkCreation {

  <R> R fold(Function<Created, R> created, Function<Refused, R> refused);

  record Created(URI url, Instant expiresAt) implements ConnectLinkCreation {
    public Created {
      Objects.requireNonNull(url, "url");
      Objects.requireNonNull(expiresAt, "expiresAt");
    }

    @Override
    public <R> R fold(Function<Created, R> created, Function<Refused, R> refused) {
      return created.apply(this);
    }
  }

  record Refused(Diagnosis diagnosis) implements ConnectLinkCreation {
    public Refused {
      Objects.requireNonNull(diagnosis, "diagnosis");
    }

    @Override
    public <R> R fold(Function<Created, R> created, Function<Refused, R> refused) {
      return refused.apply(this);
    }
  }
}
