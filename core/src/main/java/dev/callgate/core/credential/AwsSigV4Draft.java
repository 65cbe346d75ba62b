package dev.callgate.core.credential;

import static dev.callgate.core.diagnosis.DiagnosisCode.INVALID_VALUE;
import static dev.callgate.core.diagnosis.DiagnosisCode.SECRET_MISSING;

import dev.callgate.core.diagnosis.Diagnosis;
import java.net.URI;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The fields of an {@code aws_sigv4} credential as a person wrote them (absent ones are {@code
 * null}): the access key id, the secret access key and an optional session token (both secrets,
 * write-only), the region and service the signature is scoped to, and, to sign with an assumed
 * role's temporary keys, the role's ARN with an optional session name, external id, duration
 * (ISO-8601, 15 minutes to 12 hours) and STS endpoint. The patterns are STS's own for AssumeRole.
 */
public record AwsSigV4Draft(
    String accessKeyId,
    String secretAccessKey,
    String sessionToken,
    String region,
    String service,
    String roleArn,
    String roleSessionName,
    String externalId,
    String roleDuration,
    String stsEndpoint) {

  private static final Pattern ACCESS_KEY_ID = Pattern.compile("[A-Z0-9]{16,128}");
  private static final Pattern SCOPE_PART = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
  private static final Pattern ROLE_ARN =
      Pattern.compile("arn:aws[a-z-]*:iam::[0-9]{12}:role/[\\w+=,.@/-]{1,512}");
  private static final Pattern SESSION_NAME = Pattern.compile("[\\w+=,.@-]{2,64}");
  private static final Pattern EXTERNAL_ID = Pattern.compile("[\\w+=,.@:/-]{2,1224}");

  /** The authentication, or empty with every problem added to {@code problems}. */
  public Optional<Authentication.AwsSigV4> validate(List<Diagnosis> problems) {
    int before = problems.size();
    matching(
        "awsAccessKeyId",
        accessKeyId,
        ACCESS_KEY_ID,
        "16 to 128 upper-case letters or digits",
        problems);
    if (secretAccessKey == null || secretAccessKey.isBlank()) {
      problems.add(missingSecret("awsSecretAccessKey"));
    } else if (secretAccessKey.chars().anyMatch(c -> c <= 0x20 || c >= 0x7f)) {
      problems.add(
          invalid("awsSecretAccessKey", "it has a space, a control or a non-ASCII character"));
    }
    if (sessionToken != null
        && (sessionToken.isBlank() || sessionToken.chars().anyMatch(c -> c <= 0x20 || c >= 0x7f))) {
      problems.add(
          invalid(
              "awsSessionToken", "it is blank or has a space, a control or a non-ASCII character"));
    }
    matching("awsRegion", region, SCOPE_PART, "a region such as eu-west-1", problems);
    matching(
        "awsService",
        service,
        SCOPE_PART,
        "a signing name such as s3, execute-api or es",
        problems);
    Optional<AwsRole> role = role(problems);
    if (problems.size() != before) {
      return Optional.empty();
    }
    return Optional.of(
        new Authentication.AwsSigV4(
            accessKeyId,
            Secret.of(secretAccessKey),
            Optional.ofNullable(sessionToken).map(Secret::of),
            region,
            service,
            role));
  }

  private Optional<AwsRole> role(List<Diagnosis> problems) {
    if (roleArn == null) {
      for (String[] field :
          new String[][] {
            {"awsRoleSessionName", roleSessionName},
            {"awsExternalId", externalId},
            {"awsRoleDuration", roleDuration},
            {"awsStsEndpoint", stsEndpoint}
          }) {
        if (field[1] != null) {
          problems.add(invalid(field[0], "it belongs to a role, and awsRoleArn names none"));
        }
      }
      return Optional.empty();
    }
    int before = problems.size();
    matching(
        "awsRoleArn",
        roleArn,
        ROLE_ARN,
        "an IAM role ARN such as arn:aws:iam::123456789012:role/name",
        problems);
    if (roleSessionName != null) {
      matching(
          "awsRoleSessionName",
          roleSessionName,
          SESSION_NAME,
          "2 to 64 letters, digits or +=,.@_-",
          problems);
    }
    if (externalId != null) {
      matching(
          "awsExternalId",
          externalId,
          EXTERNAL_ID,
          "2 to 1224 letters, digits or +=,.@:/_-",
          problems);
    }
    Duration duration = AwsRole.DEFAULT_DURATION;
    if (roleDuration != null) {
      try {
        duration = Duration.parse(roleDuration);
        if (duration.compareTo(AwsRole.MIN_DURATION) < 0
            || duration.compareTo(AwsRole.MAX_DURATION) > 0) {
          problems.add(invalid("awsRoleDuration", "it must be from PT15M to PT12H"));
        }
      } catch (DateTimeParseException e) {
        problems.add(
            invalid(
                "awsRoleDuration",
                "'" + roleDuration + "' is not an ISO-8601 duration such as PT1H"));
      }
    }
    Optional<URI> endpoint = Optional.empty();
    if (stsEndpoint != null) {
      endpoint = Checks.httpUrl("awsStsEndpoint", stsEndpoint, problems);
    }
    if (problems.size() != before) {
      return Optional.empty();
    }
    return Optional.of(
        new AwsRole(
            roleArn,
            roleSessionName == null ? AwsRole.DEFAULT_SESSION_NAME : roleSessionName,
            Optional.ofNullable(externalId),
            duration,
            endpoint));
  }

  private static void matching(
      String field, String value, Pattern pattern, String expected, List<Diagnosis> problems) {
    if (value == null || value.isBlank()) {
      problems.add(invalid(field, "it is missing"));
    } else if (!pattern.matcher(value).matches()) {
      problems.add(invalid(field, "it is not " + expected));
    }
  }

  private static Diagnosis missingSecret(String field) {
    return Diagnosis.of(SECRET_MISSING, "field", field, "protocol", Protocol.AWS_SIGV4.wireName());
  }

  private static Diagnosis invalid(String field, String problem) {
    return Diagnosis.of(INVALID_VALUE, "field", field, "problem", problem);
  }
}
