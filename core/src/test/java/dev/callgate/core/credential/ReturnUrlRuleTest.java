package dev.callgate.core.credential;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.core.diagnosis.DiagnosisCode;
import dev.callgate.core.diagnosis.Validated;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReturnUrlRuleTest {
  private static final NamedCredential CREDENTIAL =
      credential(
          List.of(
              URI.create("https://app.example.com/connected"),
              URI.create("http://localhost:3000/"),
              URI.create("https://root.example.com")));

  private static NamedCredential credential(List<URI> allowedReturnUrls) {
    return new NamedCredential(
        "crm",
        URI.create("https://api.example.com/v1"),
        new Authentication.AuthorizationCode("idp"),
        PrincipalType.PER_USER,
        true,
        false,
        false,
        Set.of(),
        true,
        Optional.empty(),
        Set.of("GET"),
        allowedReturnUrls,
        Optional.empty());
  }

  private static Validated<URI> check(String returnUrl, boolean console) {
    return ReturnUrlRule.check(CREDENTIAL, returnUrl, console);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "https://app.example.com/connected",
        "https://app.example.com/connected/done?user=7#top",
        "https://APP.example.com:443/connected",
        "http://localhost:3000/",
        "http://localhost:3000/anything/below",
        "https://root.example.com",
        "https://root.example.com/any/path"
      })
  void checkWhenTheUrlIsAtOrBelowAnEntryThenAllowed(String returnUrl) {
    assertThat(check(returnUrl, false).problems()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "https://app.example.com/connected-evil",
        "https://app.example.com/other",
        "http://app.example.com/connected",
        "https://app.example.com:8443/connected",
        "https://evil.example.com/connected",
        "https://app.example.com.evil.example/connected",
        "https://user@app.example.com/connected",
        "https://app.example.com/connected/../admin",
        "https://app.example.com/connected/%2e%2e/admin",
        "https://app.example.com/connected\\@evil.example",
        "https://app.example.com/connected done",
        "javascript:alert(1)",
        "//evil.example.com/connected",
        "/console/#/credentials/crm",
        ""
      })
  void checkWhenTheUrlIsNotAtOrBelowAnEntryThenRefusedWithTheCode(String returnUrl) {
    List<dev.callgate.core.diagnosis.Diagnosis> problems = check(returnUrl, false).problems();

    assertThat(problems).hasSize(1);
    assertThat(problems.get(0).code()).isEqualTo(DiagnosisCode.RETURN_URL_NOT_ALLOWED);
    assertThat(problems.get(0).message()).contains("crm");
  }

  @Test
  void checkWhenTheConsoleAsksForOneOfItsPathsThenAllowedAndOtherPathsNot() {
    assertThat(check("/console/#/credentials/crm", true).problems()).isEmpty();
    assertThat(check("/console/", true).problems()).isEmpty();
    assertThat(check("/v1/keys", true).problems()).isNotEmpty();
    assertThat(check("/console", true).problems()).isNotEmpty();
    assertThat(check("//evil.example.com/console/", true).problems()).isNotEmpty();
    assertThat(check("/console/../v1/keys", true).problems()).isNotEmpty();
    assertThat(check("https://app.example.com/connected", true).problems()).isEmpty();
  }

  @Test
  void checkWhenTheCredentialListsNoEntriesThenEveryAbsoluteUrlIsRefusedSayingSo() {
    NamedCredential none = credential(List.of());

    assertThat(ReturnUrlRule.check(none, "https://app.example.com/", false).problems())
        .singleElement()
        .satisfies(problem -> assertThat(problem.message()).contains("lists no allowedReturnUrls"));
  }
}
