package dev.callgate.core.service;

import dev.callgate.core.diagnosis.Diagnosis;
import java.util.Objects;
import java.util.function.Function;

/**
 * The start of a device authorization: what the person needs to finish it, or why it is refused.
 */
public sealed interface DeviceAuthorizationStart {

  <R> R fold(Function<DeviceVerification, R> started, Function<Diagnosis, R> refused);

  record Started(DeviceVerification verification) implements DeviceAuthorizationStart {
    public Started {
      Objects.requireNonNull(verification, "verification");
    }

    @Override
    public <R> R fold(Function<DeviceVerification, R> started, Function<Diagnosis, R> refused) {
      return started.apply(verification);
    }
  }

  record Refused(Diagnosis diagnosis) implements DeviceAuthorizationStart {
    public Refused {
      Objects.requireNonNull(diagnosis, "diagnosis");
    }

    @Override
    public <R> R fold(Function<DeviceVerification, R> started, Function<Diagnosis, R> refused) {
      return refused.apply(diagnosis);
    }
  }
}
