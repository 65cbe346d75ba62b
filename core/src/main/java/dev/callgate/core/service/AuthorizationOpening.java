package dev.callgate.core.service;

import dev.callgate.core.diagnosis.Diagnosis;
import java.net.URI;
import java.util.Objects;
import java.util.function.Function;

/**
 * A browser opening the authorization URL Callgate handed out: the identity provider's
 * authorization URL to redirect to, with the cookie that binds the flow to this browser; or why not
 * (the flow is unknown, expired, or already opened by a browser).
 */
public sealed interface AuthorizationOpening {

  <R> R fold(Function<Opened, R> opened, Function<Refused, R> refused);

  record Opened(URI providerUrl, BrowserBinding binding) implements AuthorizationOpening {
    public Opened {
      Objects.requireNonNull(providerUrl, "providerUrl");
      Objects.requireNonNull(binding, "binding");
    }

    @Override
    public <R> R fold(Function<Opened, R> opened, Function<Refused, R> refused) {
      return opened.apply(this);
    }
  }

  record Refused(Diagnosis diagnosis) implements AuthorizationOpening {
    public Refused {
      Objects.requireNonNull(diagnosis, "diagnosis");
    }

    @Override
    public <R> R fold(Function<Opened, R> opened, Function<Refused, R> refused) {
      return refused.apply(this);
    }
  }
}
