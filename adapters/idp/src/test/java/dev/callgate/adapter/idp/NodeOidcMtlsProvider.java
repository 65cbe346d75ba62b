package dev.callgate.adapter.idp;

import static org.junit.jupiter.api.Assertions.fail;

import dev.callgate.core.testkit.TestPki;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * node-oidc-provider with mutual TLS ({@code src/test/oidc-provider/mtls-server.mjs}) behind Node's
 * HTTPS server asking for client certificates: its server certificate and the authority it verifies
 * client certificates by come from {@code pki}; {@code selfSigned} is the certificate of its {@code
 * self_signed_tls_client_auth} client.
 */
final class NodeOidcMtlsProvider implements AutoCloseable {
  static final String TLS_CLIENT = "mtls-client";
  static final String TLS_CLIENT_SUBJECT = "callgate-mtls";
  static final String SELF_SIGNED_CLIENT = "mtls-self-signed";

  private static final Path DIRECTORY = Path.of("src", "test", "oidc-provider");

  private final Process process;
  private final URI issuer;

  private NodeOidcMtlsProvider(Process process, URI issuer) {
    this.process = process;
    this.issuer = issuer;
  }

  static NodeOidcMtlsProvider start(TestPki pki, TestPki.Issued selfSigned)
      throws IOException, InterruptedException {
    NodeOidcProvider.requireNode();
    NodeOidcProvider.installPackages(DIRECTORY);
    TestPki.Issued server = pki.server();
    int port = TestSupport.freePort();
    Path log = Path.of("target", "oidc-provider-mtls-" + port + ".log").toAbsolutePath();
    Files.createDirectories(log.getParent());
    ProcessBuilder node =
        new ProcessBuilder("node", "mtls-server.mjs", String.valueOf(port))
            .directory(DIRECTORY.toFile())
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

  URI issuer() {
    return issuer;
  }

  URI introspectionEndpoint() {
    return URI.create(issuer + "/token/introspection");
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
