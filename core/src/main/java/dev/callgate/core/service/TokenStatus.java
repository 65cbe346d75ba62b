package dev.callgate.core.service;

import dev.callgate.core.credential.NamedCredential;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.refresh.ExpiryPrediction;
import dev.callgate.core.token.TokenRecord;
import dev.callgate.core.token.TokenState;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A token as a person should see it: its record, and the state and diagnoses that hold now — the
 * stored ones, or, where Callgate knows the grant has ended although nobody has asked the provider
 * yet, the {@link ExpiryPrediction}, marked as predicted; and a device authorization pending for
 * it, where the reader may start or end its grants.
 */
public record TokenStatus(
    NamedCredential credential,
    TokenRecord record,
    Optional<ExpiryPrediction> prediction,
    Optional<DeviceVerification> deviceAuthorization) {

  public TokenStatus {
    Objects.requireNonNull(deviceAuthorization, "deviceAuthorization");
    Objects.requireNonNull(credential, "credential");
    Objects.requireNonNull(record, "record");
    Objects.requireNonNull(prediction, "prediction");
  }

  /** The state that holds now: predicted where there is a prediction, else the stored one. */
  public TokenState state() {
    return prediction.map(ExpiryPrediction::state).orElse(record.state());
  }

  /** The predicted diagnosis first, where there is one, then the stored ones. */
  public List<Diagnosis> diagnoses() {
    List<Diagnosis> all = new ArrayList<>();
    prediction.ifPresent(p -> all.add(p.diagnosis()));
    record.diagnoses().stream().filter(d -> !all.contains(d)).forEach(all::add);
    return all;
  }
}
