package dev.callgate.core.diagnosis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DiagnosisTest {

  @Test
  void ofWhenFactsGivenThenRendersMessageAndRemedyWithThem() {
    Diagnosis diagnosis =
        Diagnosis.of(DiagnosisCode.CALLER_NOT_ALLOWED, "subject", "billing", "credential", "crm");

    assertThat(diagnosis.message()).isEqualTo("'billing' may not call credential 'crm'.");
    assertThat(diagnosis.remedy()).startsWith("Add 'billing' to the credential's allowedCallers");
    assertThat(diagnosis.fact("subject")).isEqualTo("billing");
  }

  @Test
  void ofWhenAFactIsMissingThenRefusesNamingIt() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> Diagnosis.of(DiagnosisCode.CALLER_NOT_ALLOWED, "subject", "billing"))
        .withMessageContaining("CALLER_NOT_ALLOWED")
        .withMessageContaining("'credential'");
  }

  @Test
  void ofWhenNamesAndValuesDoNotPairUpThenRefuses() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> Diagnosis.of(DiagnosisCode.CREDENTIAL_NOT_FOUND, "credential"))
        .withMessageContaining("pairs");
  }

  @Test
  void ofWhenValuesAreNotStringsThenRendersTheirTextForm() {
    Instant at = Instant.parse("2024-05-01T10:00:00Z");
    Diagnosis diagnosis =
        Diagnosis.of(DiagnosisCode.REFRESH_FAILED_TRANSIENT, "reason", 503, "nextAttemptAt", at);

    assertThat(diagnosis.message()).contains("503").contains("2024-05-01T10:00:00Z");
  }

  @Test
  void ofWhenCodeNeedsNoFactThenNeedsNoneInTheMessage() {
    Diagnosis diagnosis =
        Diagnosis.of(DiagnosisCode.AUTHORIZATION_STATE_INVALID, "stateLifetime", "10 minutes");

    assertThat(diagnosis.message()).doesNotContain("{");
    assertThat(diagnosis.remedy()).contains("10 minutes");
  }

  @Test
  void constructorWhenCodeIsNullThenRefuses() {
    assertThatNullPointerException().isThrownBy(() -> new Diagnosis(null, Map.of()));
  }

  @Test
  void factsWhenSourceMapChangesLaterThenDiagnosisKeepsItsCopy() {
    Map<String, String> facts = new HashMap<>(Map.of("credential", "crm"));
    Diagnosis diagnosis = new Diagnosis(DiagnosisCode.CREDENTIAL_NOT_FOUND, facts);

    facts.put("credential", "erp");

    assertThat(diagnosis.message()).contains("'crm'");
    assertThatThrownBy(() -> diagnosis.facts().put("credential", "x"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void toStringWhenPrintedThenShowsCodeAndMessage() {
    Diagnosis diagnosis = Diagnosis.of(DiagnosisCode.CREDENTIAL_NOT_FOUND, "credential", "crm");

    assertThat(diagnosis).hasToString("CREDENTIAL_NOT_FOUND: No credential named 'crm' exists.");
  }

  @Test
  void equalsWhenSameCodeAndFactsThenEqual() {
    assertThat(Diagnosis.of(DiagnosisCode.CREDENTIAL_NOT_FOUND, "credential", "crm"))
        .isEqualTo(Diagnosis.of(DiagnosisCode.CREDENTIAL_NOT_FOUND, "credential", "crm"))
        .isNotEqualTo(Diagnosis.of(DiagnosisCode.CREDENTIAL_NOT_FOUND, "credential", "erp"));
  }
}
