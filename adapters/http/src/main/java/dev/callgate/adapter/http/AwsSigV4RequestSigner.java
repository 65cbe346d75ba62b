package dev.callgate.adapter.http;

import static dev.callgate.core.diagnosis.DiagnosisCode.METHOD_NOT_ALLOWED;

import dev.callgate.core.callout.AwsSignatureHeaders;
import dev.callgate.core.callout.Body;
import dev.callgate.core.callout.HeaderRules;
import dev.callgate.core.callout.Headers;
import dev.callgate.core.callout.OutboundRequest;
import dev.callgate.core.credential.Authentication;
import dev.callgate.core.credential.Secret;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.port.RequestSigner;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignRequest;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;

/**
 * Signs callouts with AWS Signature Version 4 through the AWS SDK for Java v2's {@link
 * AwsV4HttpSigner}, over the request as the transport sends it: its method, its URL with the query,
 * and exactly the header fields the transport forwards ({@link HeaderRules#sentToTarget}); the
 * {@code Host} the SDK signs is the one the transport writes (the host, and the port unless it is
 * the scheme's default). The signature's fields — {@code Authorization}, {@code X-Amz-Date}, {@code
 * X-Amz-Content-Sha256} and, with temporary keys, {@code X-Amz-Security-Token} — are added to the
 * request.
 *
 * <p>The payload: a body in memory is hashed and its hash signed. A streamed body is not read
 * before it is sent, so it is signed as {@code UNSIGNED-PAYLOAD}: the SDK signs a request without a
 * payload that way when payload signing is off, and S3 and the other services that take large
 * bodies accept it. The method, URL and headers are still signed; the body is protected by TLS
 * (and, against a plain-http target, by nothing, as every other part of a plain-http request). S3's
 * chunked signing ({@code STREAMING-AWS4-HMAC-SHA256-PAYLOAD}) would sign the body too, at the
 * price of re-framing it in aws-chunked encoding, which only S3 understands.
 *
 * <p>S3 signs paths as they are sent (no double encoding, no normalization); every other service as
 * the SDK does by default.
 */
final class AwsSigV4RequestSigner implements RequestSigner {

  private static final AwsV4HttpSigner SIGNER = AwsV4HttpSigner.create();

  private final AssumedRoleKeys roles;

  AwsSigV4RequestSigner(AssumedRoleKeys roles) {
    this.roles = roles;
  }

  @Override
  public CompletionStage<SigningOutcome> sign(
      OutboundRequest request, Authentication.AwsSigV4 aws) {
    Optional<SdkHttpMethod> method = method(request.method());
    if (method.isEmpty()) {
      return RequestSigner.refused(
          Diagnosis.of(
              METHOD_NOT_ALLOWED,
              "method",
              request.method(),
              "credential",
              request.credential(),
              "allowed",
              "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS (the methods AWS signatures cover)"));
    }
    return roles
        .keys(request.credential(), aws)
        .thenApply(
            keys ->
                keys.fold(
                    identity -> signed(request, method.get(), aws, identity),
                    RequestSigner.Refused::new));
  }

  private static SigningOutcome signed(
      OutboundRequest request,
      SdkHttpMethod method,
      Authentication.AwsSigV4 aws,
      AwsCredentialsIdentity identity) {
    boolean s3 = aws.service().equals("s3");
    Body body = request.body();
    byte[] bytes = body instanceof Body.Bytes inMemory ? inMemory.bytes() : null;
    SignRequest.Builder<AwsCredentialsIdentity> signRequest =
        SignRequest.builder(identity)
            .request(sdkRequest(request, method))
            .putProperty(AwsV4HttpSigner.REGION_NAME, aws.region())
            .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, aws.service())
            .putProperty(AwsV4HttpSigner.DOUBLE_URL_ENCODE, !s3)
            .putProperty(AwsV4HttpSigner.NORMALIZE_PATH, !s3)
            .putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, !(body instanceof Body.Streamed));
    if (bytes != null) {
      signRequest.payload(ContentStreamProvider.fromByteArrayUnsafe(bytes));
    }
    SignedRequest signed = SIGNER.sign(signRequest.build());
    List<Headers.Header> headers = new ArrayList<>(request.headers().fields());
    for (Map.Entry<String, List<String>> header : signed.request().headers().entrySet()) {
      if (AwsSignatureHeaders.isSignatureHeader(header.getKey())) {
        header.getValue().forEach(value -> headers.add(new Headers.Header(header.getKey(), value)));
      }
    }
    List<Secret> secrets = new ArrayList<>();
    secrets.add(Secret.of(identity.secretAccessKey()));
    if (identity instanceof AwsSessionCredentialsIdentity session) {
      secrets.add(Secret.of(session.sessionToken()));
    }
    return new Signed(request.withHeaders(new Headers(headers)), secrets);
  }

  private static Optional<SdkHttpMethod> method(String method) {
    return Arrays.stream(SdkHttpMethod.values())
        .filter(m -> m.name().equals(method.toUpperCase(Locale.ROOT)))
        .findFirst();
  }

  /** The request as the transport sends it, for the signer. */
  private static SdkHttpRequest sdkRequest(OutboundRequest request, SdkHttpMethod method) {
    URI uri = request.uri();
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    SdkHttpRequest.Builder sdk =
        SdkHttpRequest.builder()
            .method(method)
            .protocol(uri.getScheme().toLowerCase(Locale.ROOT))
            .host(uri.getHost())
            .port(uri.getPort())
            .encodedPath(path);
    String query = uri.getRawQuery();
    if (query != null && !query.isEmpty()) {
      for (String pair : query.split("&")) {
        int equals = pair.indexOf('=');
        String name = equals < 0 ? pair : pair.substring(0, equals);
        String value = equals < 0 ? "" : pair.substring(equals + 1);
        sdk.appendRawQueryParameter(decoded(name), decoded(value));
      }
    }
    List<String> connection = request.headers().all("Connection");
    for (Headers.Header header : request.headers().fields()) {
      if (HeaderRules.sentToTarget(header.name(), connection)) {
        sdk.appendHeader(header.name(), header.value());
      }
    }
    return sdk.build();
  }

  /** A query's name or value as sent, decoded; a '+' is a plus (RFC 3986), not a space. */
  private static String decoded(String raw) {
    try {
      return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException notEncoded) {
      return raw;
    }
  }
}
