package dev.callgate.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.app.e2e.CallgateUnderTest.Answer;
import dev.callgate.core.testkit.TestSecrets;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * AWS Signature Version 4 end to end: Callgate signs callouts for s3proxy, which checks every
 * signature; with a role, Callgate gets its keys from a stand-in STS (see {@link StandInSts}: not
 * AWS STS) with the credential's long-term keys.
 */
class AwsSigV4EndToEndTest {
  /** The credential's own keys when it assumes a role: s3proxy does not know them. */
  private static final String LONG_TERM_KEY_ID = "AKIALONGTERMKEY00001";

  private static final String LONG_TERM_SECRET = "long-term-secret-access-key-0123456789abc";

  private static final String ROLE_ARN = "arn:aws:iam::123456789012:role/demo";

  private static S3Proxy s3;
  private static StandInSts sts;
  private static CallgateUnderTest callgate;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    s3 = S3Proxy.start();
    TestSecrets.register("a long-term AWS secret of a test", LONG_TERM_SECRET);
    // expiring within Callgate's five-minute margin: every callout after the first renews them
    sts = new StandInSts(S3Proxy.ACCESS_KEY_ID, S3Proxy.SECRET_ACCESS_KEY, Duration.ofMinutes(4));
    callgate = CallgateUnderTest.start();
    created(staticKeys("s3", S3Proxy.SECRET_ACCESS_KEY));
    assertThat(callout("PUT", "s3", "bucket-one", null).statusCode()).isEqualTo(200);
  }

  @AfterAll
  static void stop() {
    if (callgate != null) {
      callgate.close();
    }
    if (sts != null) {
      sts.close();
    }
    if (s3 != null) {
      s3.close();
    }
  }

  private static JsonObject staticKeys(String name, String secret) {
    return new JsonObject()
        .put("name", name)
        .put("url", s3.baseUrl().toString())
        .put("protocol", "aws_sigv4")
        .put("awsAccessKeyId", S3Proxy.ACCESS_KEY_ID)
        .put("awsSecretAccessKey", secret)
        .put("awsRegion", "us-east-1")
        .put("awsService", "s3")
        .put("testPath", "/bucket-one");
  }

  private static JsonObject withRole(String name, String roleArn, URI stsEndpoint) {
    return staticKeys(name, LONG_TERM_SECRET)
        .put("awsAccessKeyId", LONG_TERM_KEY_ID)
        .put("awsRoleArn", roleArn)
        .put("awsRoleSessionName", "callgate-test")
        .put("awsExternalId", "external-id-42")
        .put("awsRoleDuration", "PT15M")
        .put("awsStsEndpoint", stsEndpoint.toString());
  }

  private static void created(JsonObject credential) {
    Answer answer = callgate.admin("POST", "/v1/credentials", credential);
    assertThat(answer.status()).as(answer.body()).isEqualTo(201);
  }

  private static HttpResponse<byte[]> callout(
      String method, String credential, String path, byte[] body, String... headers)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(callgate.base().resolve("/v1/callout/" + credential + "/" + path))
            .timeout(Duration.ofSeconds(60))
            .header("Authorization", "Bearer " + CallgateUnderTest.ADMIN_KEY)
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static String text(HttpResponse<byte[]> response) {
    return new String(response.body(), StandardCharsets.UTF_8);
  }

  /** PUTs {@code object} at {@code key} of bucket-one through {@code credential}, then GETs it. */
  private static HttpResponse<byte[]> putThenGet(
      String credential, String key, byte[] object, String... headers) throws Exception {
    HttpResponse<byte[]> put = callout("PUT", credential, "bucket-one/" + key, object, headers);
    assertThat(put.statusCode()).as(text(put)).isEqualTo(200);
    HttpResponse<byte[]> get = callout("GET", "s3", "bucket-one/" + key + "?x-id=GetObject", null);
    assertThat(get.statusCode()).as(text(get)).isEqualTo(200);
    return get;
  }

  @Test
  void calloutWhenStaticKeysThenPutAndGetAnObjectThroughTheSignature() throws Exception {
    byte[] object = "hello, signed world".getBytes(StandardCharsets.UTF_8);

    HttpResponse<byte[]> get =
        putThenGet(
            "s3",
            "greeting.txt",
            object,
            "Content-Type",
            "text/plain",
            "X-Amz-Meta-Origin",
            "callgate test");

    assertThat(get.body()).isEqualTo(object);
    // a caller's own x-amz-meta header was forwarded and signed with the rest
    assertThat(get.headers().firstValue("x-amz-meta-origin")).contains("callgate test");
  }

  @Test
  void calloutWhenTheBodyIsHeldInMemoryThenItsHashIsSignedAndAccepted() throws Exception {
    // merge fields in the body: Callgate reads the body into memory, so it hashes and signs it
    created(
        staticKeys("s3-in-memory", S3Proxy.SECRET_ACCESS_KEY).put("allowMergeFieldsInBody", true));
    byte[] object = "{\"kept\": \"in memory\"}".getBytes(StandardCharsets.UTF_8);

    HttpResponse<byte[]> get = putThenGet("s3-in-memory", "in-memory.json", object);

    assertThat(get.body()).isEqualTo(object);
  }

  @Test
  void calloutWhenTheBodyIsStreamedThenItIsSentUnsignedAndArrivesWhole() throws Exception {
    byte[] object = new byte[6 * 1024 * 1024];
    new Random(42).nextBytes(object);

    HttpResponse<byte[]> get = putThenGet("s3", "large.bin", object);

    assertThat(MessageDigest.getInstance("SHA-256").digest(get.body()))
        .isEqualTo(MessageDigest.getInstance("SHA-256").digest(object));
  }

  @Test
  void calloutWhenTheSecretIsWrongThenTheTargetsRefusalIsRelayedAndTheTestDiagnosesIt()
      throws Exception {
    created(staticKeys("s3-wrong-secret", "not-the-secret-access-key-0123456789abc"));
    HttpResponse<byte[]> get = callout("GET", "s3-wrong-secret", "bucket-one", null);
    assertThat(get.statusCode()).isEqualTo(403);
    assertThat(text(get)).contains("SignatureDoesNotMatch");

    Answer test = callgate.admin("POST", "/v1/credentials/s3-wrong-secret/test");
    assertThat(test.status()).as(test.body()).isEqualTo(200);
    assertThat(test.json().getInteger("status")).isEqualTo(403);
    assertThat(test.json().getJsonObject("diagnosis").getString("code"))
        .isEqualTo("AWS_SIGNATURE_REJECTED");
    assertThat(test.json().getJsonObject("diagnosis").getString("message"))
        .contains("SignatureDoesNotMatch");
  }

  @Test
  void calloutWhenTheCallerSendsItsOwnSignatureHeaderThenRefusedAsAConflict() throws Exception {
    HttpResponse<byte[]> answer =
        callout("GET", "s3", "bucket-one", null, "Callgate-Proxy-X-Amz-Date", "20260101T000000Z");
    assertThat(answer.statusCode()).isEqualTo(400);
    assertThat(answer.headers().firstValue("Callgate-Error"))
        .contains("AUTHORIZATION_HEADER_CONFLICT");
    assertThat(text(answer)).contains("X-Amz-Date");
  }

  @Test
  void credentialWhenReadThenItsSecretsAreOnlyShownAsSet() {
    Answer read = callgate.admin("GET", "/v1/credentials/s3");
    assertThat(read.status()).isEqualTo(200);
    assertThat(read.body()).doesNotContain(S3Proxy.SECRET_ACCESS_KEY);
    assertThat(read.json().getBoolean("hasAwsSecretAccessKey")).isTrue();
    assertThat(read.json().getString("awsAccessKeyId")).isEqualTo(S3Proxy.ACCESS_KEY_ID);
  }

  @Test
  void credentialWhenFieldsAreMissingOrMalformedThenEachProblemNamesItsField() {
    Answer missing =
        callgate.admin(
            "POST",
            "/v1/credentials",
            staticKeys("s3-incomplete", "x").put("awsSecretAccessKey", (String) null));
    assertThat(missing.status()).isEqualTo(400);
    assertThat(missing.json().getString("code")).isEqualTo("SECRET_MISSING");
    assertThat(missing.json().getJsonObject("facts").getString("field"))
        .isEqualTo("awsSecretAccessKey");

    Answer malformed =
        callgate.admin(
            "POST",
            "/v1/credentials",
            withRole("s3-malformed", "not-an-arn", sts.endpoint()).put("awsRoleDuration", "PT24H"));
    assertThat(malformed.status()).isEqualTo(400);
    assertThat(malformed.json().getString("code")).isEqualTo("INVALID_VALUE");
    assertThat(malformed.body()).contains("awsRoleArn").contains("awsRoleDuration");
  }

  @Test
  void calloutWhenTheCredentialHasARoleThenSignsWithItsTemporaryKeysAndRenewsThemBeforeExpiry()
      throws Exception {
    created(withRole("s3-role", ROLE_ARN, sts.endpoint()));
    int before = sts.received.size();

    // many callouts at once, one AssumeRole
    List<CompletableFuture<Integer>> calls =
        IntStream.range(0, 5)
            .mapToObj(
                i ->
                    CompletableFuture.supplyAsync(
                        () -> {
                          try {
                            return callout("GET", "s3-role", "bucket-one", null).statusCode();
                          } catch (Exception e) {
                            throw new IllegalStateException(e);
                          }
                        }))
            .toList();
    for (CompletableFuture<Integer> call : calls) {
      assertThat(call.get()).isEqualTo(200);
    }
    assertThat(sts.received).hasSize(before + 1);
    StandInSts.AssumeRole first = sts.received.get(before);
    assertThat(first.parameters())
        .containsEntry("Action", "AssumeRole")
        .containsEntry("RoleArn", ROLE_ARN)
        .containsEntry("RoleSessionName", "callgate-test")
        .containsEntry("ExternalId", "external-id-42")
        .containsEntry("DurationSeconds", "900");
    // signed with the credential's long-term keys, for STS
    assertThat(first.authorization())
        .startsWith("AWS4-HMAC-SHA256 Credential=" + LONG_TERM_KEY_ID + "/")
        .contains("/us-east-1/sts/aws4_request");
    assertThat(first.signedWith(LONG_TERM_KEY_ID, LONG_TERM_SECRET)).isTrue();
    assertThat(first.signedWith(LONG_TERM_KEY_ID, "another-secret-access-key-0123456789"))
        .isFalse();

    // the keys expire within the margin: the next callout is served and they are renewed
    assertThat(callout("GET", "s3-role", "bucket-one", null).statusCode()).isEqualTo(200);
    Instant deadline = Instant.now().plusSeconds(20);
    while (sts.received.size() < before + 2 && Instant.now().isBefore(deadline)) {
      Thread.sleep(50);
    }
    assertThat(sts.received).hasSize(before + 2);
    assertThat(sts.received.get(before + 1).at()).isBefore(first.expiration());
    assertThat(callout("GET", "s3-role", "bucket-one", null).statusCode()).isEqualTo(200);
  }

  @Test
  void calloutWhenStsDeniesTheRoleThenRefusedWithTheDiagnosis() throws Exception {
    created(withRole("s3-denied", "arn:aws:iam::123456789012:role/denied", sts.endpoint()));
    long asked = deniedRequests();
    HttpResponse<byte[]> answer = callout("GET", "s3-denied", "bucket-one", null);
    assertThat(answer.statusCode()).isEqualTo(502);
    assertThat(answer.headers().firstValue("Callgate-Error")).contains("AWS_ROLE_DENIED");
    assertThat(text(answer)).contains("AccessDenied").contains("sts:AssumeRole");

    // the refusal stands a while: the next callout gets it without asking STS again
    HttpResponse<byte[]> again = callout("GET", "s3-denied", "bucket-one", null);
    assertThat(again.headers().firstValue("Callgate-Error")).contains("AWS_ROLE_DENIED");
    assertThat(deniedRequests()).isEqualTo(asked + 1);
  }

  private static long deniedRequests() {
    return sts.received.stream()
        .filter(r -> String.valueOf(r.parameters().get("RoleArn")).endsWith("/denied"))
        .count();
  }

  @Test
  void calloutWhenTheStsEndpointIsAnAddressCallgateMayNotReachThenRefused() throws Exception {
    created(withRole("s3-metadata-sts", ROLE_ARN, URI.create("http://169.254.169.254/")));
    HttpResponse<byte[]> answer = callout("GET", "s3-metadata-sts", "bucket-one", null);
    assertThat(answer.headers().firstValue("Callgate-Error")).contains("OUTBOUND_ADDRESS_REFUSED");
  }

  @Test
  void calloutWhenStsCannotBeReachedThenRefusedAsUnavailable() throws Exception {
    URI closed;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      closed = URI.create("http://127.0.0.1:" + socket.getLocalPort());
    }
    created(withRole("s3-no-sts", ROLE_ARN, closed));
    HttpResponse<byte[]> answer = callout("GET", "s3-no-sts", "bucket-one", null);
    assertThat(answer.statusCode()).isEqualTo(503);
    assertThat(answer.headers().firstValue("Callgate-Error")).contains("AWS_STS_UNAVAILABLE");
    assertThat(text(answer)).contains(closed.toString());
  }
}
