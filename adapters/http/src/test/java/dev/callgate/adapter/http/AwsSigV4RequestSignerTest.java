package dev.callgate.adapter.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.core.callout.Body;
import dev.callgate.core.callout.Headers;
import dev.callgate.core.callout.OutboundRequest;
import dev.callgate.core.credential.Authentication;
import dev.callgate.core.credential.Secret;
import dev.callgate.core.credential.TlsSettings;
import dev.callgate.core.outbound.OutboundAddressPolicy;
import dev.callgate.core.port.RequestSigner;
import io.vertx.core.Vertx;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the signer adds to a request and what it signs; that targets accept the signature is shown
 * against s3proxy in the app's {@code AwsSigV4EndToEndTest}.
 */
class AwsSigV4RequestSignerTest {

  private static final Authentication.AwsSigV4 STATIC_KEYS =
      new Authentication.AwsSigV4(
          "AKIAIOSFODNN7EXAMPLE",
          Secret.of("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
          Optional.of(Secret.of("FwoGZXIvYXdzEJr-session-token")),
          "eu-west-1",
          "s3",
          Optional.empty());

  private static Vertx vertx;
  private static RequestSigner signer;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    signer = RequestSigners.awsSigV4(vertx, OutboundAddressPolicy.publicOnly());
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  private static OutboundRequest signed(Body body, Headers headers) {
    OutboundRequest request =
        new OutboundRequest(
            "PUT",
            URI.create("https://bucket.s3.eu-west-1.amazonaws.com/reports/a%20b.pdf?tagging=&x=1"),
            headers,
            body,
            "reports",
            TlsSettings.NONE);
    RequestSigner.SigningOutcome outcome =
        signer.sign(request, STATIC_KEYS).toCompletableFuture().join();
    return outcome.fold(
        RequestSigner.Signed::request,
        d -> {
          throw new AssertionError(d.message());
        });
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  @Test
  void signWhenTheBodyIsInMemoryThenItsHashIsSigned() throws Exception {
    byte[] body = "in memory".getBytes(StandardCharsets.UTF_8);

    OutboundRequest request = signed(Body.of(body), Headers.EMPTY);

    assertThat(request.headers().first("x-amz-content-sha256")).contains(sha256(body));
  }

  @Test
  void signWhenTheBodyIsStreamedThenItIsAnUnsignedPayload() {
    Body streamed = new Body.Streamed(() -> OptionalLong.of(5L * 1024 * 1024));

    OutboundRequest request = signed(streamed, Headers.EMPTY);

    assertThat(request.headers().first("x-amz-content-sha256")).contains("UNSIGNED-PAYLOAD");
  }

  @Test
  void signWhenSignedThenTheHeadersSentAreSignedAndTheTransportsOwnAreNot() {
    OutboundRequest request =
        signed(
            Body.EMPTY,
            Headers.of(
                "Content-Type", "application/pdf",
                "X-Amz-Meta-Month", "2030-01",
                "Connection", "close",
                "Content-Length", "0"));

    String authorization = request.headers().first("Authorization").orElseThrow();
    assertThat(authorization)
        .startsWith("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/")
        .contains("/eu-west-1/s3/aws4_request")
        .contains(
            "SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-meta-month;"
                + "x-amz-security-token,");
    assertThat(request.headers().first("X-Amz-Date")).isPresent();
    assertThat(request.headers().first("X-Amz-Security-Token"))
        .contains("FwoGZXIvYXdzEJr-session-token");
    // the caller's headers stay as they were, the signature's are added
    assertThat(request.headers().first("X-Amz-Meta-Month")).contains("2030-01");
    assertThat(request.headers().all("Authorization")).hasSize(1);
  }
}
