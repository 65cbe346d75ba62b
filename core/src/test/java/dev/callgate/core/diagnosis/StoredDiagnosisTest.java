package dev.callgate.core.diagnosis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class StoredDiagnosisTest {

  @Test
  void storedWhenAnOlderVersionKeptFewerFactsThenTheMissingOnesReadUnknown() {
    // what an earlier version stored for CLIENT_AUTH_FAILED, before provider and afterwards
    Diagnosis diagnosis =
        Diagnosis.stored(
            DiagnosisCode.CLIENT_AUTH_FAILED,
            Map.of("clientId", "callgate", "error", "invalid_client", "errorDescription", "x"));

    assertThat(diagnosis.fact("provider")).isEqualTo("unknown");
    assertThat(diagnosis.fact("clientId")).isEqualTo("callgate");
    assertThat(diagnosis.message()).contains("'callgate'");
  }
}
