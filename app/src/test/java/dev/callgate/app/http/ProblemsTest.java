package dev.callgate.app.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.diagnosis.DiagnosisCode;
import io.vertx.core.json.JsonArray;
import java.util.List;
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

  @Test
  void documentWhenSeveralProblemsThenEachNamesItsFieldAmongItsFacts() {
    JsonArray problems =
        Problems.document(
                List.of(
                    Diagnosis.of(
                        DiagnosisCode.INVALID_VALUE,
                        "field",
                        "clientId",
                        "problem",
                        "it is missing"),
                    Diagnosis.of(
                        DiagnosisCode.SECRET_MISSING,
                        "field",
                        "clientSecret",
                        "protocol",
                        "client_secret_basic")))
            .getJsonArray("problems");

    assertThat(problems.getJsonObject(0).getJsonObject("facts").getString("field"))
        .isEqualTo("clientId");
    assertThat(problems.getJsonObject(1).getJsonObject("facts").getString("field"))
        .isEqualTo("clientSecret");
    assertThat(problems.getJsonObject(1).getString("code")).isEqualTo("SECRET_MISSING");
  }
}
