package dev.callgate.core.diagnosis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class DiagnosisCodeTest {
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{[A-Za-z][A-Za-z0-9]*}");

  @ParameterizedTest
  @EnumSource(DiagnosisCode.class)
  void templatesWhenReadThenEveryCodeHasAMessageAndARemedy(DiagnosisCode code) {
    assertThat(code.messageTemplate()).isNotBlank();
    assertThat(code.remedyTemplate()).isNotBlank();
  }

  /** The starting catalogue of DESIGN.md; each must stay a code. */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "CREDENTIAL_NOT_FOUND",
        "CALLER_NOT_ALLOWED",
        "NOT_AUTHORIZED_YET",
        "NO_REFRESH_TOKEN_ISSUED",
        "REFRESH_TOKEN_EXPIRED",
        "REFRESH_TOKEN_REVOKED",
        "REFRESH_FAILED_TRANSIENT",
        "CLIENT_AUTH_FAILED",
        "SCOPE_REJECTED",
        "AUTHORIZATION_HEADER_CONFLICT",
        "MERGE_FIELDS_NOT_ALLOWED",
        "TOKEN_REJECTED_AFTER_REFRESH",
        "TARGET_UNREACHABLE",
        "TARGET_PATH_REJECTED",
        "IDP_RESPONSE_INVALID",
        "STORE_UNAVAILABLE"
      })
  void valueOfWhenCodeIsInTheDesignCatalogueThenItExists(String name) {
    assertThatCode(() -> DiagnosisCode.valueOf(name)).doesNotThrowAnyException();
  }

  @Test
  void factsWhenAFactRecursThenListedOnceInOrderOfAppearance() {
    assertThat(DiagnosisCode.CALLER_NOT_ALLOWED.facts()).containsExactly("subject", "credential");
    assertThat(DiagnosisCode.REFRESH_TOKEN_EXPIRING.facts())
        .containsExactly("refreshTokenExpiresAt");
  }

  @Test
  void factsWhenOnlyTheRemedyHasAPlaceholderThenStillListed() {
    assertThat(DiagnosisCode.AUTHORIZATION_STATE_INVALID.facts()).containsExactly("stateLifetime");
  }

  @Test
  void factsWhenTemplateHoldsAMergeFieldThenItIsNotAPlaceholder() {
    assertThat(DiagnosisCode.AUTHORIZATION_HEADER_CONFLICT.remedyTemplate())
        .contains("{!$Credential.OAuthToken}");
    assertThat(DiagnosisCode.AUTHORIZATION_HEADER_CONFLICT.facts())
        .containsExactly("header", "credential");
  }

  @Test
  void renderWhenTemplateHoldsAMergeFieldThenKeepsItVerbatim() {
    Diagnosis diagnosis =
        Diagnosis.of(
            DiagnosisCode.AUTHORIZATION_HEADER_CONFLICT,
            "header",
            "Authorization",
            "credential",
            "crm");

    assertThat(diagnosis.remedy()).contains("{!$Credential.OAuthToken}");
    assertThat(diagnosis.message()).contains("Authorization").contains("'crm'");
  }

  @ParameterizedTest
  @EnumSource(DiagnosisCode.class)
  void renderWhenEveryFactIsGivenThenEachValueAppearsAndNoPlaceholderRemains(DiagnosisCode code) {
    Map<String, String> facts = new LinkedHashMap<>();
    for (String fact : code.facts()) {
      facts.put(fact, "<" + fact + " of " + code + ">");
    }

    Diagnosis diagnosis = new Diagnosis(code, facts);
    String rendered = diagnosis.message() + "\n" + diagnosis.remedy();

    for (String value : facts.values()) {
      assertThat(rendered).contains(value);
    }
    assertThat(PLACEHOLDER.matcher(rendered).find()).as(rendered).isFalse();
  }

  @Property
  void renderWhenFactsAreArbitraryTextWithoutBracesThenNoPlaceholderIsLeft(
      @ForAll DiagnosisCode code, @ForAll("braceFreeText") List<String> values) {
    Map<String, String> facts = factsFor(code, values);

    Diagnosis diagnosis = new Diagnosis(code, facts);
    String rendered = diagnosis.message() + "\n" + diagnosis.remedy();

    assertThat(PLACEHOLDER.matcher(rendered).find()).as(rendered).isFalse();
    facts.values().forEach(value -> assertThat(rendered).contains(value));
  }

  @Property
  void renderWhenFactValuesLookLikePlaceholdersOrRegexReplacementsThenInsertsThemVerbatim(
      @ForAll DiagnosisCode code, @ForAll("trickyText") List<String> values) {
    Map<String, String> facts = factsFor(code, values);

    Diagnosis diagnosis = new Diagnosis(code, facts);
    String rendered = diagnosis.message() + "\n" + diagnosis.remedy();

    facts.values().forEach(value -> assertThat(rendered).contains(value));
  }

  private static Map<String, String> factsFor(DiagnosisCode code, List<String> values) {
    Map<String, String> facts = new LinkedHashMap<>();
    List<String> names = new ArrayList<>(code.facts());
    for (int i = 0; i < names.size(); i++) {
      facts.put(names.get(i), values.isEmpty() ? "" : values.get(i % values.size()));
    }
    return facts;
  }

  @Provide
  Arbitrary<List<String>> braceFreeText() {
    return Arbitraries.strings()
        .all()
        .excludeChars('{', '}')
        .ofMaxLength(30)
        .list()
        .ofMinSize(1)
        .ofMaxSize(6);
  }

  @Provide
  Arbitrary<List<String>> trickyText() {
    return Arbitraries.oneOf(
            Arbitraries.of("{credential}", "$1", "\\", "\\$", "${x}", "{!$Credential.Password}"),
            Arbitraries.strings().withChars("{}$\\abc1").ofMaxLength(12))
        .list()
        .ofMinSize(1)
        .ofMaxSize(6);
  }
}
