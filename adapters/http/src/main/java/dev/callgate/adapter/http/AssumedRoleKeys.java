package dev.callgate.adapter.http;

import static dev.callgate.core.diagnosis.DiagnosisCode.AWS_ROLE_DENIED;
import static dev.callgate.core.diagnosis.DiagnosisCode.AWS_STS_UNAVAILABLE;

import dev.callgate.core.credential.Authentication;
import dev.callgate.core.credential.AwsRole;
import dev.callgate.core.diagnosis.Diagnosis;
import io.vertx.core.Vertx;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.AssumeRoleResponse;
import software.amazon.awssdk.services.sts.model.Credentials;

/**
 * The keys an {@code aws_sigv4} credential signs with: its own, or, with a role, the temporary keys
 * STS AssumeRole gives its own keys for the role. Temporary keys are kept in memory (never stored:
 * after a restart the role is assumed again) and assumed anew {@link #REFRESH_MARGIN} before they
 * expire; callouts meanwhile go on with the keys in hand while they are valid. One AssumeRole runs
 * at a time per credential, however many callouts wait for it, and after a failure STS is not asked
 * again for {@link #RETRY_AFTER_FAILURE}.
 *
 * <p>STS is called with the SDK's {@link StsClient} on the URL-connection HTTP client (no second
 * Netty), on a worker thread, since that client blocks. The outbound address policy is checked for
 * the STS endpoint's host before each call, as for callouts; the SDK then resolves the name again
 * itself.
 */
final class AssumedRoleKeys {

  /** How long before their expiry temporary keys are replaced. */
  static final Duration REFRESH_MARGIN = Duration.ofMinutes(5);

  /**
   * How long a refusal or an unreachable STS stands before STS is asked again: callouts in the
   * meantime get the same diagnosis (or the keys in hand, while they are valid), not a call each.
   */
  static final Duration RETRY_AFTER_FAILURE = Duration.ofSeconds(10);

  private static final Duration STS_CALL_TIMEOUT = Duration.ofSeconds(30);
  private static final int MAX_MESSAGE = 300;

  private final Vertx vertx;
  private final OutboundGuard guard;
  private final SdkHttpClient http;
  private final Clock clock;
  private final ConcurrentHashMap<Authentication.AwsSigV4, Held> held = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Authentication.AwsSigV4, CompletableFuture<KeysOutcome>>
      assuming = new ConcurrentHashMap<>();

  AssumedRoleKeys(Vertx vertx, OutboundGuard guard, SdkHttpClient http, Clock clock) {
    this.vertx = vertx;
    this.guard = guard;
    this.http = http;
    this.clock = clock;
  }

  /** The keys to sign a callout of {@code credential} with, or why there are none. */
  sealed interface KeysOutcome {
    <R> R fold(Function<AwsCredentialsIdentity, R> keys, Function<Diagnosis, R> refused);

    record Keys(AwsCredentialsIdentity identity) implements KeysOutcome {
      @Override
      public <R> R fold(Function<AwsCredentialsIdentity, R> keys, Function<Diagnosis, R> refused) {
        return keys.apply(identity);
      }
    }

    record Refused(Diagnosis diagnosis) implements KeysOutcome {
      @Override
      public <R> R fold(Function<AwsCredentialsIdentity, R> keys, Function<Diagnosis, R> refused) {
        return refused.apply(diagnosis);
      }
    }
  }

  private record Held(AwsCredentialsIdentity identity, Instant expiration) {}

  private record Failure(KeysOutcome refusal, Instant at) {}

  private final ConcurrentHashMap<Authentication.AwsSigV4, Failure> failures =
      new ConcurrentHashMap<>();

  CompletionStage<KeysOutcome> keys(String credential, Authentication.AwsSigV4 aws) {
    if (aws.role().isEmpty()) {
      return CompletableFuture.completedStage(new KeysOutcome.Keys(longTerm(aws)));
    }
    Instant now = clock.instant();
    Held current = held.get(aws);
    if (current != null && now.isBefore(current.expiration().minus(REFRESH_MARGIN))) {
      return CompletableFuture.completedStage(new KeysOutcome.Keys(current.identity()));
    }
    Failure failed = failures.get(aws);
    boolean backingOff = failed != null && now.isBefore(failed.at().plus(RETRY_AFTER_FAILURE));
    if (current != null && now.isBefore(current.expiration())) {
      // still valid: this callout goes on with them while the renewal runs
      if (!backingOff) {
        renewal(credential, aws);
      }
      return CompletableFuture.completedStage(new KeysOutcome.Keys(current.identity()));
    }
    if (backingOff) {
      return CompletableFuture.completedStage(failed.refusal());
    }
    return renewal(credential, aws);
  }

  /** The AssumeRole under way for {@code aws}, started if none is. */
  private CompletableFuture<KeysOutcome> renewal(String credential, Authentication.AwsSigV4 aws) {
    CompletableFuture<KeysOutcome> mine = new CompletableFuture<>();
    CompletableFuture<KeysOutcome> running = assuming.putIfAbsent(aws, mine);
    if (running != null) {
      return running;
    }
    assumeRole(credential, aws)
        .whenComplete(
            (outcome, failure) -> {
              KeysOutcome result =
                  failure != null ? unavailable(credential, aws, failure) : outcome;
              if (result instanceof KeysOutcome.Refused) {
                failures.put(aws, new Failure(result, clock.instant()));
              } else {
                failures.remove(aws);
              }
              assuming.remove(aws, mine);
              mine.complete(result);
            });
    return mine;
  }

  private CompletionStage<KeysOutcome> assumeRole(String credential, Authentication.AwsSigV4 aws) {
    AwsRole role = aws.role().orElseThrow();
    URI endpoint = endpoint(aws);
    return guard
        .destination(endpoint)
        .compose(
            checked -> vertx.executeBlocking(() -> callSts(credential, aws, role, endpoint), false))
        .toCompletionStage()
        .exceptionally(
            failure -> {
              Throwable cause =
                  failure instanceof CompletionException ? failure.getCause() : failure;
              if (cause instanceof OutboundAddressRefusedException refused) {
                return new KeysOutcome.Refused(refused.diagnosis());
              }
              return unavailable(credential, aws, cause);
            });
  }

  private KeysOutcome callSts(
      String credential, Authentication.AwsSigV4 aws, AwsRole role, URI endpoint) {
    try (StsClient sts =
        StsClient.builder()
            .httpClient(http)
            .region(Region.of(aws.region()))
            .endpointOverride(endpoint)
            .credentialsProvider(StaticCredentialsProvider.create(longTerm(aws)))
            .overrideConfiguration(c -> c.apiCallTimeout(STS_CALL_TIMEOUT))
            .build()) {
      AssumeRoleResponse response =
          sts.assumeRole(
              request ->
                  request
                      .roleArn(role.roleArn())
                      .roleSessionName(role.sessionName())
                      .durationSeconds(Math.toIntExact(role.duration().toSeconds()))
                      .externalId(role.externalId().orElse(null)));
      Credentials keys = response.credentials();
      if (keys == null || keys.expiration() == null) {
        return unavailable(credential, aws, "its answer holds no credentials with an expiration");
      }
      AwsCredentialsIdentity identity =
          AwsSessionCredentialsIdentity.create(
              keys.accessKeyId(), keys.secretAccessKey(), keys.sessionToken());
      held.put(aws, new Held(identity, keys.expiration()));
      return new KeysOutcome.Keys(identity);
    } catch (AwsServiceException refused) {
      if (refused.statusCode() >= 500 || refused.isThrottlingException()) {
        return unavailable(credential, aws, refused.statusCode() + " " + errorCode(refused));
      }
      String message =
          refused.awsErrorDetails() == null || refused.awsErrorDetails().errorMessage() == null
              ? "no message"
              : refused.awsErrorDetails().errorMessage();
      return new KeysOutcome.Refused(
          Diagnosis.of(
              AWS_ROLE_DENIED,
              "credential",
              credential,
              "roleArn",
              role.roleArn(),
              "error",
              errorCode(refused),
              "errorMessage",
              message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE) + "…" : message));
    }
  }

  private static String errorCode(AwsServiceException refused) {
    return refused.awsErrorDetails() == null || refused.awsErrorDetails().errorCode() == null
        ? "HTTP " + refused.statusCode()
        : refused.awsErrorDetails().errorCode();
  }

  /** The role's STS endpoint: the one given, or the region's own (AWS's advice over the global). */
  static URI endpoint(Authentication.AwsSigV4 aws) {
    return aws.role()
        .flatMap(AwsRole::stsEndpoint)
        .orElseGet(
            () ->
                URI.create(
                    "https://sts."
                        + aws.region()
                        + (aws.region().startsWith("cn-")
                            ? ".amazonaws.com.cn"
                            : ".amazonaws.com")));
  }

  /** The credential's own keys (AwsCredentials are SDK identities too). */
  private static AwsCredentials longTerm(Authentication.AwsSigV4 aws) {
    String secret = aws.secretAccessKey().reveal();
    return aws.sessionToken()
        .<AwsCredentials>map(
            token -> AwsSessionCredentials.create(aws.accessKeyId(), secret, token.reveal()))
        .orElseGet(() -> AwsBasicCredentials.create(aws.accessKeyId(), secret));
  }

  private static KeysOutcome unavailable(
      String credential, Authentication.AwsSigV4 aws, Throwable failure) {
    Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
    return unavailable(
        credential,
        aws,
        cause.getClass().getSimpleName()
            + (cause.getMessage() == null ? "" : ": " + firstLine(cause.getMessage())));
  }

  private static KeysOutcome unavailable(
      String credential, Authentication.AwsSigV4 aws, String reason) {
    return new KeysOutcome.Refused(
        Diagnosis.of(
            AWS_STS_UNAVAILABLE,
            "credential",
            credential,
            "endpoint",
            endpoint(aws).toString(),
            "reason",
            reason));
  }

  private static String firstLine(String message) {
    int end = message.indexOf('\n');
    String line = end < 0 ? message : message.substring(0, end);
    return line.length() > MAX_MESSAGE ? line.substring(0, MAX_MESSAGE) + "…" : line;
  }
}
