package dev.callgate.core.callout;

import static dev.callgate.core.callout.CalloutFixtures.ACCESS_TOKEN;
import static dev.callgate.core.callout.CalloutFixtures.tokens;
import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.core.credential.Authentication;
import dev.callgate.core.credential.Secret;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.diagnosis.DiagnosisCode;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class MergeFieldsTest {

  private static final MergeFieldValues OAUTH =
      MergeFieldValues.of(CalloutFixtures.oauth(), Optional.of(tokens()));
  private static final MergeFieldValues BASIC =
      MergeFieldValues.of(
          new Authentication.Basic("integration@acme.example", Secret.of("Tr0ub4dor&3")),
          Optional.empty());

  @Test
  void resolveWhenOAuthTokenFieldThenReplacedByTheAccessToken() {
    MergeResult result =
        MergeFields.resolve("OAuth {!$Credential.OAuthToken}", OAUTH, MergeFields.Location.HEADER);

    assertThat(result).isEqualTo(new MergeResult.Resolved("OAuth " + ACCESS_TOKEN));
  }

  @Test
  void resolveWhenWhitespaceInsideTheBracesThenStillResolved() {
    MergeResult result =
        MergeFields.resolve(
            "Bearer {!  $Credential.OAuthToken }", OAUTH, MergeFields.Location.HEADER);

    assertThat(result).isEqualTo(new MergeResult.Resolved("Bearer " + ACCESS_TOKEN));
  }

  @Test
  void resolveWhenSeveralFieldsThenEachReplaced() {
    MergeResult result =
        MergeFields.resolve(
            "{\"user\":\"{!$Credential.UserName}\",\"password\":\"{!$Credential.Password}\"}",
            BASIC,
            MergeFields.Location.BODY);

    assertThat(result)
        .isEqualTo(
            new MergeResult.Resolved(
                "{\"user\":\"integration@acme.example\",\"password\":\"Tr0ub4dor&3\"}"));
  }

  @Test
  void resolveWhenValueHoldsRegexReplacementCharactersThenInsertedLiterally() {
    MergeFieldValues values =
        MergeFieldValues.of(
            new Authentication.ApiKey("X-API-Key", Secret.of("k$1\\x$0")), Optional.empty());

    MergeResult result =
        MergeFields.resolve("{!$Credential.ApiKey}", values, MergeFields.Location.HEADER);

    assertThat(result).isEqualTo(new MergeResult.Resolved("k$1\\x$0"));
  }

  @Test
  void resolveWhenFieldNameInOtherCaseThenUnknown() {
    MergeResult result =
        MergeFields.resolve("{!$Credential.oauthtoken}", OAUTH, MergeFields.Location.HEADER);

    Diagnosis diagnosis = ((MergeResult.Rejected) result).diagnosis();
    assertThat(diagnosis.code()).isEqualTo(DiagnosisCode.MERGE_FIELD_UNKNOWN);
    assertThat(diagnosis.fact("field")).isEqualTo("{!$Credential.oauthtoken}");
    assertThat(diagnosis.fact("known"))
        .contains(
            "{!$Credential.OAuthToken}",
            "{!$Credential.UserName}",
            "{!$Credential.Password}",
            "{!$Credential.ApiKey}");
  }

  @Test
  void resolveWhenUnknownFieldThenUnknownNamingIt() {
    MergeResult result =
        MergeFields.resolve(
            "client_secret={!$Credential.ClientSecret}", OAUTH, MergeFields.Location.BODY);

    Diagnosis diagnosis = ((MergeResult.Rejected) result).diagnosis();
    assertThat(diagnosis.code()).isEqualTo(DiagnosisCode.MERGE_FIELD_UNKNOWN);
    assertThat(diagnosis.fact("field")).isEqualTo("{!$Credential.ClientSecret}");
  }

  @Test
  void resolveWhenKnownFieldHasNoValueForThisCredentialThenValueInvalid() {
    MergeResult result =
        MergeFields.resolve("{!$Credential.Password}", OAUTH, MergeFields.Location.HEADER);

    Diagnosis diagnosis = ((MergeResult.Rejected) result).diagnosis();
    assertThat(diagnosis.code()).isEqualTo(DiagnosisCode.MERGE_FIELD_VALUE_INVALID);
    assertThat(diagnosis.fact("field")).isEqualTo("{!$Credential.Password}");
    assertThat(diagnosis.fact("location")).isEqualTo("header");
    assertThat(diagnosis.fact("reason")).contains("no password");
  }

  @Test
  void resolveWhenOAuthCredentialNotAuthorizedYetThenValueInvalid() {
    MergeFieldValues notAuthorized = MergeFieldValues.of(CalloutFixtures.oauth(), Optional.empty());

    MergeResult result =
        MergeFields.resolve(
            "OAuth {!$Credential.OAuthToken}", notAuthorized, MergeFields.Location.HEADER);

    assertThat(((MergeResult.Rejected) result).diagnosis().code())
        .isEqualTo(DiagnosisCode.MERGE_FIELD_VALUE_INVALID);
  }

  @Test
  void resolveWhenHeaderValueWouldCarryALineBreakThenValueInvalidWithoutTheSecret() {
    MergeFieldValues values =
        MergeFieldValues.of(
            new Authentication.Basic("svc", Secret.of("pw\r\nX-Injected: yes")), Optional.empty());

    MergeResult result =
        MergeFields.resolve("{!$Credential.Password}", values, MergeFields.Location.HEADER);

    Diagnosis diagnosis = ((MergeResult.Rejected) result).diagnosis();
    assertThat(diagnosis.code()).isEqualTo(DiagnosisCode.MERGE_FIELD_VALUE_INVALID);
    assertThat(diagnosis.fact("reason")).contains("line break");
    assertThat(diagnosis.toString() + diagnosis.remedy()).doesNotContain("X-Injected");
  }

  @Test
  void resolveWhenBodyValueHasALineBreakThenResolved() {
    MergeFieldValues values =
        MergeFieldValues.of(
            new Authentication.Basic("svc", Secret.of("line1\nline2")), Optional.empty());

    MergeResult result =
        MergeFields.resolve("{!$Credential.Password}", values, MergeFields.Location.BODY);

    assertThat(result).isEqualTo(new MergeResult.Resolved("line1\nline2"));
  }

  @Test
  void resolvedWhenPrintedThenHidesTheValue() {
    MergeResult result =
        MergeFields.resolve("{!$Credential.OAuthToken}", OAUTH, MergeFields.Location.HEADER);

    assertThat(result.toString()).doesNotContain(ACCESS_TOKEN).contains("***");
  }

  @Test
  void containsMergeFieldWhenFieldOrUnknownExpressionThenTrueOtherwiseFalse() {
    assertThat(MergeFields.containsMergeField("OAuth {!$Credential.OAuthToken}")).isTrue();
    assertThat(MergeFields.containsMergeField("{! $Credential.Whatever }")).isTrue();
    assertThat(MergeFields.containsMergeField("{\"a\":{\"b\":1}}")).isFalse();
    assertThat(MergeFields.containsMergeField("Bearer abc")).isFalse();
  }

  @Test
  void resolveBodyWhenNotAllowedThenTheSameBodyUntouched() {
    Body body = Body.of("{\"token\":\"{!$Credential.OAuthToken}\"}");

    BodyOutcome outcome = MergeFields.resolveBody(body, OAUTH, false);

    assertThat(((BodyOutcome.Resolved) outcome).body()).isSameAs(body);
  }

  @Test
  void resolveBodyWhenStreamedThenPassedThroughUnread() {
    Body body =
        new Body.Streamed(
            () -> {
              throw new AssertionError("a streamed body must not be read");
            });

    assertThat(((BodyOutcome.Resolved) MergeFields.resolveBody(body, OAUTH, true)).body())
        .isSameAs(body);
    assertThat(((BodyOutcome.Resolved) MergeFields.resolveBody(body, OAUTH, false)).body())
        .isSameAs(body);
  }

  @Test
  void resolveBodyWhenAllowedThenFieldsResolvedAsUtf8() {
    Body body =
        Body.of(
            "<login><user>{!$Credential.UserName}</user><pass>{!$Credential.Password}</pass>"
                + "<note>café</note></login>");
    MergeFieldValues values =
        MergeFieldValues.of(
            new Authentication.Basic("zoë", Secret.of("pässwörd")), Optional.empty());

    BodyOutcome outcome = MergeFields.resolveBody(body, values, true);

    assertThat(((Body.Bytes) ((BodyOutcome.Resolved) outcome).body()).text())
        .isEqualTo("<login><user>zoë</user><pass>pässwörd</pass><note>café</note></login>");
  }

  @Test
  void resolveBodyWhenBytesAreNotUtf8ThenBytesOutsideTheFieldKept() {
    byte[] prefix = {(byte) 0xff, (byte) 0xfe, 'k', '='};
    byte[] field = "{!$Credential.ApiKey}".getBytes(StandardCharsets.US_ASCII);
    byte[] bytes = new byte[prefix.length + field.length];
    System.arraycopy(prefix, 0, bytes, 0, prefix.length);
    System.arraycopy(field, 0, bytes, prefix.length, field.length);
    MergeFieldValues values =
        MergeFieldValues.of(
            new Authentication.ApiKey("X-API-Key", Secret.of("sk_live_51H")), Optional.empty());

    BodyOutcome outcome = MergeFields.resolveBody(Body.of(bytes), values, true);

    byte[] expected = {
      (byte) 0xff, (byte) 0xfe, 'k', '=', 's', 'k', '_', 'l', 'i', 'v', 'e', '_', '5', '1', 'H'
    };
    assertThat(((Body.Bytes) ((BodyOutcome.Resolved) outcome).body()).bytes()).isEqualTo(expected);
  }

  @Test
  void resolveBodyWhenNoMergeFieldThenTheSameBody() {
    Body body = Body.of("{\"amount\":42}");

    assertThat(((BodyOutcome.Resolved) MergeFields.resolveBody(body, OAUTH, true)).body())
        .isSameAs(body);
  }

  @Test
  void resolveBodyWhenUnknownFieldThenRejected() {
    BodyOutcome outcome = MergeFields.resolveBody(Body.of("x={!$Credential.Secret}"), OAUTH, true);

    assertThat(((BodyOutcome.Rejected) outcome).diagnosis().code())
        .isEqualTo(DiagnosisCode.MERGE_FIELD_UNKNOWN);
  }

  @Test
  void resolveBodyWhenFieldHasNoValueThenRejectedForTheBody() {
    BodyOutcome outcome =
        MergeFields.resolveBody(Body.of("key={!$Credential.ApiKey}"), OAUTH, true);

    Diagnosis diagnosis = ((BodyOutcome.Rejected) outcome).diagnosis();
    assertThat(diagnosis.code()).isEqualTo(DiagnosisCode.MERGE_FIELD_VALUE_INVALID);
    assertThat(diagnosis.fact("location")).isEqualTo("body");
  }

  @Test
  void ofWhenEachProtocolThenOnlyItsOwnValues() {
    assertThat(OAUTH.oauthToken()).contains(Secret.of(ACCESS_TOKEN));
    assertThat(OAUTH.userName()).isEmpty();
    assertThat(BASIC.userName()).contains("integration@acme.example");
    assertThat(BASIC.password()).contains(Secret.of("Tr0ub4dor&3"));
    assertThat(BASIC.oauthToken()).isEmpty();
    MergeFieldValues apiKey =
        MergeFieldValues.of(
            new Authentication.ApiKey("X-API-Key", Secret.of("k-1")), Optional.of(tokens()));
    assertThat(apiKey.apiKey()).contains(Secret.of("k-1"));
    assertThat(apiKey.oauthToken()).isEmpty();
    assertThat(MergeFieldValues.of(new Authentication.None(), Optional.of(tokens())))
        .isEqualTo(MergeFieldValues.none());
  }

  @Property
  void resolveWhenInAHeaderThenTheResolvedValueNeverHoldsALineBreak(
      @ForAll String password, @ForAll String around) {
    MergeFieldValues values =
        MergeFieldValues.of(new Authentication.Basic("svc", Secret.of(password)), Optional.empty());
    String template = around.replaceAll("[\\r\\n{}]", "") + "{!$Credential.Password}";

    MergeResult result = MergeFields.resolve(template, values, MergeFields.Location.HEADER);

    if (result instanceof MergeResult.Resolved resolved) {
      assertThat(resolved.value()).doesNotContain("\r").doesNotContain("\n");
    } else {
      assertThat(password).matches(p -> p.chars().anyMatch(Character::isISOControl));
    }
  }
}
