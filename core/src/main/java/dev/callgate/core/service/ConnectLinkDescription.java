package dev.callgate.core.service;

import dev.callgate.core.diagnosis.Diagnosis;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * What the end user who opens a connect link is told before signing in — which application asks for
 * access to which API, on whose behalf, at which provider, with which scopes, until when — and the
 * origin of the provider's sign-in page the browser will be sent to; or why the link cannot be used
 * (unknown, expired, used).
 */
public sealed interface ConnectLinkDescription {

  <R> R fold(Function<Described, R> described, Function<Refused, R> refused);

  record Described(
      String applicationName,
      String credentialName,
      String apiHost,
      String providerName,
      List<String> scopes,
      String user,
      Instant expiresAt,
      Optional<URI> providerOrigin)
      implements ConnectLinkDescription {
    public Described {
      Objects.requireNonNull(applicationName, "applicationName");
      Objects.requireNonNull(credentialName, "credentialName");
      Objects.requireNonNull(apiHost, "apiHost");
      Objects.requireNonNull(providerName, "providerName");
      scopes = List.copyOf(scopes);
      Objects.requireNonNull(user, "user");
      Objects.requireNonNull(expiresAt, "expiresAt");
      Objects.requireNonNull(providerOrigin, "providerOrigin");
    }

    @Override
    public <R> R fold(Function<Described, R> described, Function<Refused, R> refused) {
      return described.apply(this);
    }
  }

  record Refused(Diagnosis diagnosis) implements ConnectLinkDescription {
    public Refused {
      Objects.requireNonNull(diagnosis, "diagnosis");
    }

    @Override
    public <R> R fold(Function<Described, R> described, Function<Refused, R> refused) {
      return refused.apply(this);
    }
  }
}
