package dev.callgate.adapter.idp;

import static org.junit.jupiter.api.Assertions.fail;

import dev.callgate.adapter.http.MutualTlsTarget;
import dev.callgate.core.testkit.TestPki;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * node-oidc-provider with mutual TLS ({@code src/test/oidc-provider/mtls-server.mjs}) behind Node's
 * HTTPS server asking for client certificates: its server certificate and the authority it verifies
 * client certificates by come from {@code pki}; {@code selfSigned} is the certificate of its {@code
 * self_signed_tls_client_auth} client.
 */
public final class NodeOidcMtlsProvider implements AutoCloseable {
  public static final String TLS_CLIENT = "mtls-client";
  public static final String TLS_CLIENT_SUBJECT = "callgate-mtls";
  public static final String SELF_SIGNED_CLIENT = "mtls-self-signed";

  private static final Path DIRECTORY = Path.of("src", "test", "oidc-provider");

  private final Process process;
  private final URI issuer;

  private NodeOidcMtlsProvider(Process process, URI issuer) {
    this.process = process;
    this.issuer = issuer;
  }

  static NodeOidcMtlsProvider start(TestPki pki, TestPki.Issued selfSigned)
      throws IOException, InterruptedException {
    return start(DIRECTORY, pki, selfSigned);
  }

  /** Starts the provider kept in {@code directory} (the other modules' tests pass its path). */
  public static NodeOidcMtlsProvider start(Path directory, TestPki pki, TestPki.Issued selfSigned)
      throws IOException, InterruptedException {
    NodeOidcProvider.requireNode();
    NodeOidcProvider.installPackages(directory);
    TestPki.Issued server = pki.server();
    int port = TestSupport.freePort();
    Path log = Path.of("target", "oidc-provider-mtls-" + port + ".log").toAbsolutePath();
    Files.createDirectories(log.getParent());
    ProcessBuilder node =
        new ProcessBuilder("node", "mtls-server.mjs", String.valueOf(port))
            .directory(directory.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    node.environment()
        .put(
            "TLS_SERVER_CERT",
            pki.write("idp.pem", server.certificate()).toAbsolutePath().toString());
    node.environment()
        .put(
            "TLS_SERVER_KEY",
            pki.write("idp.key", server.privateKey()).toAbsolutePath().toString());
    node.environment()
        .put("TLS_CLIENT_CA", pki.write("ca.pem", pki.caCertificate()).toAbsolutePath().toString());
    node.environment()
        .put(
            "SELF_SIGNED_CLIENT_CERT",
            pki.write("self-signed.pem", selfSigned.certificate()).toAbsolutePath().toString());
    Process process = node.start();
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < deadline) {
      String output = Files.readString(log);
      if (output.contains("ready ")) {
        return new NodeOidcMtlsProvider(process, URI.create("https://127.0.0.1:" + port));
      }
      if (!process.isAlive()) {
        fail("oidc-provider (mTLS) exited: " + output);
      }
      Thread.sleep(100);
    }
    process.destroy();
    fail("oidc-provider (mTLS) did not start within 20 s: " + Files.readString(log));
    return null;
  }

  public URI issuer() {
    return issuer;
  }

  public URI introspectionEndpoint() {
    return URI.create(issuer + "/token/introspection");
  }

  /**
   * An HTTPS target requiring client certificates from {@code pki} that accepts an access token of
   * this provider only over a connection with the certificate the token is bound to (RFC 8705 §3.2:
   * its introspected {@code cnf} {@code x5t#S256}); any other answer is a 401 {@code
   * invalid_token}. It answers "bound to" and the certificate's subject.
   */
  public MutualTlsTarget boundTokenTarget(Vertx vertx, TestPki pki) throws Exception {
    WebClient introspection =
        WebClient.create(
            vertx,
            new WebClientOptions()
                .setTrustOptions(
                    new PemTrustOptions().addCertValue(Buffer.buffer(pki.caCertificate()))));
    return MutualTlsTarget.start(
        vertx,
        pki,
        pki.server(),
        (request, certificate) -> {
          String token =
              String.valueOf(request.getHeader("Authorization")).replaceFirst("^Bearer ", "");
          introspection
              .postAbs(introspectionEndpoint().toString())
              .basicAuthentication(
                  NodeOidcProvider.RESOURCE_SERVER_ID, NodeOidcProvider.RESOURCE_SERVER_SECRET)
              .sendForm(MultiMap.caseInsensitiveMultiMap().add("token", token))
              .onSuccess(
                  answer -> {
                    JsonObject body = answer.bodyAsJsonObject();
                    String bound =
                        Optional.ofNullable(body.getJsonObject("cnf"))
                            .map(cnf -> cnf.getString("x5t#S256"))
                            .orElse("");
                    if (body.getBoolean("active", false)
                        && bound.equals(TestPki.thumbprint(certificate))) {
                      request
                          .response()
                          .end("bound to " + certificate.getSubjectX500Principal().getName());
                    } else {
                      request
                          .response()
                          .setStatusCode(401)
                          .putHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"")
                          .end();
                    }
                  })
              .onFailure(failure -> request.response().setStatusCode(502).end());
        });
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
