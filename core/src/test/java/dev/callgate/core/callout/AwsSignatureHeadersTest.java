package dev.callgate.core.callout;

import static dev.callgate.core.callout.CalloutFixtures.credential;
import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.core.credential.Authentication;
import dev.callgate.core.credential.NamedCredential;
import dev.callgate.core.credential.Secret;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.diagnosis.DiagnosisCode;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The header rules, the echo guard and the test's diagnosis for an {@code aws_sigv4} credential.
 */
class AwsSignatureHeadersTest {

  private static final String SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  private static final String SESSION_TOKEN = "FwoGZXIvYXdzEJr-session-token";

  private static final Authentication.AwsSigV4 AWS =
      new Authentication.AwsSigV4(
          "AKIAIOSFODNN7EXAMPLE",
          Secret.of(SECRET_KEY),
          Optional.of(Secret.of(SESSION_TOKEN)),
          "eu-west-1",
          "s3",
          Optional.empty());

  private static final NamedCredential SIGNING = credential(AWS, true, false);

  private static HeaderOutcome prepare(Headers caller) {
    return HeaderRules.prepare(
        SIGNING, caller, Optional.empty(), MergeFieldValues.of(AWS, Optional.empty()));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "X-Amz-Date",
        "x-amz-security-token",
        "X-Amz-Content-Sha256",
        "Callgate-Proxy-Authorization",
        "Callgate-Proxy-X-Amz-Date"
      })
  void prepareWhenTheCallerSendsASignatureHeaderThenAuthorizationHeaderConflict(String name) {
    HeaderOutcome outcome = prepare(Headers.of(name, "20300101T000000Z"));

    assertThat(outcome).isInstanceOf(HeaderOutcome.Rejected.class);
    Diagnosis diagnosis = ((HeaderOutcome.Rejected) outcome).diagnosis();
    assertThat(diagnosis.code()).isEqualTo(DiagnosisCode.AUTHORIZATION_HEADER_CONFLICT);
    assertThat(diagnosis.fact("header")).isEqualToIgnoringCase(name.replace("Callgate-Proxy-", ""));
  }

  @Test
  void prepareWhenTheCallerSendsOtherAmzHeadersThenTheyAreForwarded() {
    HeaderOutcome outcome =
        prepare(Headers.of("X-Amz-Meta-Month", "2030-01", "X-Amz-Acl", "private"));

    assertThat(outcome).isInstanceOf(HeaderOutcome.Prepared.class);
    Headers headers = ((HeaderOutcome.Prepared) outcome).headers();
    assertThat(headers.first("X-Amz-Meta-Month")).contains("2030-01");
    assertThat(headers.first("X-Amz-Acl")).contains("private");
  }

  @Test
  void echoGuardWhenAwsThenWatchesTheSecretKeyAndTheSessionToken() {
    EchoGuard guard =
        HeaderRules.echoGuard(
            SIGNING, Optional.empty(), MergeFieldValues.of(AWS, Optional.empty()));

    assertThat(guard.echoedIn(Body.of("debug: " + SECRET_KEY))).isTrue();
    assertThat(guard.echoedIn(Headers.of("X-Echo", SESSION_TOKEN))).isPresent();
    assertThat(guard.echoedIn(Body.of("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/...")))
        .isFalse();
  }

  private static Optional<Diagnosis> rejection(int status, String body) {
    return AwsSignatureRejection.of(
        SIGNING, new CalloutResponse(status, Headers.EMPTY, Body.of(body)));
  }

  @Test
  void signatureRejectionWhenS3SaysSignatureDoesNotMatchThenDiagnosedWithTheCode() {
    String xml =
        "<?xml version=\"1.0\"?><Error><Code>SignatureDoesNotMatch</Code><Message>The request"
            + " signature we calculated does not match</Message></Error>";
    Diagnosis diagnosis = rejection(403, xml).orElseThrow();

    assertThat(diagnosis.code()).isEqualTo(DiagnosisCode.AWS_SIGNATURE_REJECTED);
    assertThat(diagnosis.fact("error")).isEqualTo("SignatureDoesNotMatch");
    assertThat(diagnosis.remedy()).contains("awsSecretAccessKey");
  }

  @Test
  void signatureRejectionWhenAJsonServiceSaysTheTokenIsUnrecognizedThenDiagnosed() {
    String json = "{\"__type\":\"com.amazon.coral.service#UnrecognizedClientException\"}";

    assertThat(rejection(400, json))
        .map(d -> d.fact("error"))
        .contains("UnrecognizedClientException");
  }

  @Test
  void signatureRejectionWhenAccessIsDeniedThenNotTheSignaturesFault() {
    String xml = "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>";

    assertThat(rejection(403, xml)).isEmpty();
  }
}
