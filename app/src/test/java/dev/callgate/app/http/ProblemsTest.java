package dev.callgate.app.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.core.diagnosis.DiagnosisCode;
import org.junit.jupiter.api.Test;

class ProblemsTest {

  @Test
  void statusWhenTheProviderRefusesTheCodeTheBrowserBroughtThen400() {
    assertThat(Problems.status(DiagnosisCode.AUTHORIZATION_CODE_REJECTED)).isEqualTo(400);
  }

  @Test
  void statusWhenTheRequestIsAmbiguousThen400() {
    assertThat(Problems.status(DiagnosisCode.AMBIGUOUS_REQUEST)).isEqualTo(400);
  }
}
