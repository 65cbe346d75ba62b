package dev.callgate.core.callout;

import static dev.callgate.core.diagnosis.DiagnosisCode.AWS_SIGNATURE_REJECTED;

import dev.callgate.core.credential.NamedCredential;
import dev.callgate.core.diagnosis.Diagnosis;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads an AWS service's refusal of a request's signature from its answer: a 400 or 403 whose error
 * document (S3's and STS's XML {@code <Code>}, or the JSON {@code __type} or {@code code} of the
 * JSON protocols) names one of the codes that mean the keys, the scope or the clock are wrong. Any
 * other refusal (AccessDenied: the keys are right and lack a permission) is not the signature's.
 * Only the first {@value #READ_BYTES} bytes are read.
 */
public final class AwsSignatureRejection {

  static final int READ_BYTES = 8 * 1024;

  private static final Set<String> SIGNATURE_CODES =
      Set.of(
          "SignatureDoesNotMatch",
          "InvalidAccessKeyId",
          "InvalidClientTokenId",
          "UnrecognizedClientException",
          "IncompleteSignature",
          "ExpiredToken",
          "ExpiredTokenException",
          "InvalidToken",
          "RequestTimeTooSkewed",
          "AuthorizationHeaderMalformed");

  private static final Pattern CODE =
      Pattern.compile(
          "<Code>\\s*([A-Za-z]{1,64})\\s*</Code>"
              + "|\"(?:__type|code)\"\\s*:\\s*\"(?:[^\"#]{0,200}#)?([A-Za-z]{1,64})[\":]");

  private AwsSignatureRejection() {}

  /**
   * {@code AWS_SIGNATURE_REJECTED} naming the target's code, when the answer is one to a credential
   * Callgate signs for.
   */
  public static Optional<Diagnosis> of(NamedCredential credential, CalloutResponse response) {
    if (!AwsSignatureHeaders.signs(credential)
        || (response.status() != 400 && response.status() != 403)
        || !(response.body() instanceof Body.Bytes bytes)) {
      return Optional.empty();
    }
    byte[] head = Arrays.copyOf(bytes.bytes(), Math.min(bytes.bytes().length, READ_BYTES));
    Matcher matcher = CODE.matcher(new String(head, StandardCharsets.UTF_8));
    while (matcher.find()) {
      String code = matcher.group(1) != null ? matcher.group(1) : matcher.group(2);
      if (SIGNATURE_CODES.contains(code)) {
        return Optional.of(
            Diagnosis.of(AWS_SIGNATURE_REJECTED, "credential", credential.name(), "error", code));
      }
    }
    return Optional.empty();
  }
}
