package dev.callgate.app.e2e;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.callgate.core.testkit.TestSecrets;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * A stand-in for AWS STS, not STS: no STS-speaking server is to be had from Maven Central, npm or
 * Debian, so this one answers the AssumeRole action of the STS Query API (version 2011-06-15) as
 * STS documents it, and nothing else. It records each request (its time, its {@code Authorization}
 * header and its form parameters) and answers with the temporary keys it is given — the keys
 * s3proxy accepts, so that a callout signed with them gets through — expiring {@code lifetime}
 * after the request; a role ARN ending in {@code /denied} gets STS's 403 AccessDenied. It keeps
 * each request so the test can check its signature ({@link AssumeRole#signedWith}: the AWS SDK's
 * signer, run again over the signed headers, must make the same signature with the keys named).
 */
final class StandInSts implements AutoCloseable {

  record AssumeRole(
      Instant at,
      String authorization,
      Map<String, String> parameters,
      Instant expiration,
      SdkHttpRequest request,
      byte[] body) {

    /**
     * Whether the request's signature is the one the AWS SDK's signer makes over it with {@code
     * accessKeyId} and {@code secretAccessKey}, at the request's own X-Amz-Date.
     */
    boolean signedWith(String accessKeyId, String secretAccessKey) {
      Matcher scope = SCOPE.matcher(String.valueOf(authorization));
      String date = request.firstMatchingHeader("X-Amz-Date").orElse("");
      if (!scope.find() || date.isEmpty()) {
        return false;
      }
      Instant signedAt = LocalDateTime.parse(date, AMZ_DATE).toInstant(ZoneOffset.UTC);
      SdkHttpRequest.Builder signable = request.toBuilder().clearHeaders();
      for (String name : scope.group(4).split(";")) {
        request.firstMatchingHeader(name).ifPresent(value -> signable.putHeader(name, value));
      }
      String expected =
          AwsV4HttpSigner.create()
              .sign(
                  r ->
                      r.identity(AwsCredentialsIdentity.create(accessKeyId, secretAccessKey))
                          .request(signable.build())
                          .payload(ContentStreamProvider.fromByteArray(body))
                          .putProperty(AwsV4HttpSigner.REGION_NAME, scope.group(2))
                          .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, scope.group(3))
                          .putProperty(
                              AwsV4HttpSigner.SIGNING_CLOCK, Clock.fixed(signedAt, ZoneOffset.UTC)))
              .request()
              .firstMatchingHeader("Authorization")
              .orElse("");
      return scope.group(1).equals(accessKeyId) && expected.equals(authorization);
    }
  }

  private static final Pattern SCOPE =
      Pattern.compile(
          "Credential=([^/]+)/\\d{8}/([^/]+)/([^/]+)/aws4_request, SignedHeaders=([^,]+),");
  private static final DateTimeFormatter AMZ_DATE =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");

  final List<AssumeRole> received = new CopyOnWriteArrayList<>();
  private final HttpServer server;
  private final String accessKeyId;
  private final String secretAccessKey;
  private final Duration lifetime;
  private final AtomicInteger issued = new AtomicInteger();

  StandInSts(String accessKeyId, String secretAccessKey, Duration lifetime) throws IOException {
    this.accessKeyId = accessKeyId;
    this.secretAccessKey = secretAccessKey;
    this.lifetime = lifetime;
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::answer);
    server.start();
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** The session token of the {@code n}th set of keys it issued (from 1). */
  static String sessionToken(int n) {
    return "stand-in-session-token-" + n + "-FwoGZXIvYXdzEJr";
  }

  private void answer(HttpExchange exchange) throws IOException {
    Instant at = Instant.now();
    byte[] bytes = exchange.getRequestBody().readAllBytes();
    String form = new String(bytes, StandardCharsets.UTF_8);
    SdkHttpRequest.Builder request =
        SdkHttpRequest.builder()
            .method(SdkHttpMethod.fromValue(exchange.getRequestMethod()))
            .protocol("http")
            .host("127.0.0.1")
            .port(server.getAddress().getPort())
            .encodedPath(exchange.getRequestURI().getRawPath());
    exchange.getRequestHeaders().forEach((name, values) -> request.putHeader(name, values));
    Map<String, String> parameters = new LinkedHashMap<>();
    for (String pair : form.split("&")) {
      int equals = pair.indexOf('=');
      if (equals > 0) {
        parameters.put(
            URLDecoder.decode(pair.substring(0, equals), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
      }
    }
    Instant expiration = at.plus(lifetime).truncatedTo(ChronoUnit.SECONDS);
    received.add(
        new AssumeRole(
            at,
            exchange.getRequestHeaders().getFirst("Authorization"),
            parameters,
            expiration,
            request.build(),
            bytes));
    String xml;
    int status;
    if (!"AssumeRole".equals(parameters.get("Action"))) {
      status = 400;
      xml = error("InvalidAction", "The stand-in answers AssumeRole only.");
    } else if (String.valueOf(parameters.get("RoleArn")).endsWith("/denied")) {
      status = 403;
      xml =
          error(
              "AccessDenied",
              "User: arn:aws:iam::123456789012:user/callgate is not authorized to perform:"
                  + " sts:AssumeRole on resource: "
                  + parameters.get("RoleArn"));
    } else {
      status = 200;
      int n = issued.incrementAndGet();
      TestSecrets.register("a session token the stand-in STS issued", sessionToken(n));
      xml =
          "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
              + "<AssumeRoleResult><AssumedRoleUser>"
              + "<AssumedRoleId>AROA3XFRBF535PLBIFPI4:"
              + parameters.get("RoleSessionName")
              + "</AssumedRoleId><Arn>arn:aws:sts::123456789012:assumed-role/demo/"
              + parameters.get("RoleSessionName")
              + "</Arn></AssumedRoleUser><Credentials>"
              + "<AccessKeyId>"
              + accessKeyId
              + "</AccessKeyId><SecretAccessKey>"
              + secretAccessKey
              + "</SecretAccessKey><SessionToken>"
              + sessionToken(n)
              + "</SessionToken><Expiration>"
              + expiration
              + "</Expiration></Credentials></AssumeRoleResult>"
              + "<ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>"
              + "</ResponseMetadata></AssumeRoleResponse>";
    }
    byte[] body = xml.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "text/xml");
    exchange.sendResponseHeaders(status, body.length);
    exchange.getResponseBody().write(body);
    exchange.close();
  }

  private static String error(String code, String message) {
    return "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error>"
        + "<Type>Sender</Type><Code>"
        + code
        + "</Code><Message>"
        + message
        + "</Message></Error><RequestId>4fbd0b3c-0000-0000-0000-000000000000</RequestId>"
        + "</ErrorResponse>";
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
