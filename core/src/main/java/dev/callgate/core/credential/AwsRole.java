package dev.callgate.core.credential;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The IAM role an {@code aws_sigv4} credential assumes (STS AssumeRole): its ARN, the session name
 * the role's sessions carry, the external id the role's trust policy may demand, how long each set
 * of temporary keys lives, and the STS endpoint to ask (the global one when empty).
 */
public record AwsRole(
    String roleArn,
    String sessionName,
    Optional<String> externalId,
    Duration duration,
    Optional<URI> stsEndpoint) {

  /** What STS gives when the request names no duration, and the least it accepts. */
  public static final Duration DEFAULT_DURATION = Duration.ofHours(1);

  public static final Duration MIN_DURATION = Duration.ofMinutes(15);

  /** The most any role allows (a role's own maximum may be lower; STS then says so). */
  public static final Duration MAX_DURATION = Duration.ofHours(12);

  public static final String DEFAULT_SESSION_NAME = "callgate";

  public AwsRole {
    Objects.requireNonNull(roleArn, "roleArn");
    Objects.requireNonNull(sessionName, "sessionName");
    Objects.requireNonNull(externalId, "externalId");
    Objects.requireNonNull(duration, "duration");
    Objects.requireNonNull(stsEndpoint, "stsEndpoint");
  }
}
