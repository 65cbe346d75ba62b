package dev.callgate.app.e2e;

import dev.callgate.core.testkit.TestSecrets;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * s3proxy (org.gaul:s3proxy, its jar with dependencies, which the app's build copies into
 * target/s3proxy) as a process of its own: an S3 API on an in-memory store that checks every
 * request's AWS signature (V2 or V4) against one access key. Its log goes to
 * target/s3proxy/s3proxy-&lt;port&gt;.log.
 */
final class S3Proxy implements AutoCloseable {
  static final String ACCESS_KEY_ID = "AKIAS3PROXYTEST00001";
  static final String SECRET_ACCESS_KEY = "s3proxy-test-secret-access-key-0123456789";

  private final Process process;
  private final int port;

  private S3Proxy(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  static S3Proxy start() throws IOException, InterruptedException {
    TestSecrets.register("s3proxy's secret access key", SECRET_ACCESS_KEY);
    Path jar = Path.of(System.getProperty("s3proxy.jar", "target/s3proxy/s3proxy.jar"));
    if (!Files.exists(jar)) {
      throw new IllegalStateException(jar + " is missing: the app's build copies it there");
    }
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Path directory = jar.getParent();
    Path properties = directory.resolve("s3proxy-" + port + ".properties");
    Files.write(
        properties,
        List.of(
            "s3proxy.endpoint=http://127.0.0.1:" + port,
            "s3proxy.authorization=aws-v2-or-v4",
            "s3proxy.identity=" + ACCESS_KEY_ID,
            "s3proxy.credential=" + SECRET_ACCESS_KEY,
            "jclouds.provider=transient",
            "jclouds.identity=unused",
            "jclouds.credential=unused"));
    Process process =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-jar",
                jar.toString(),
                "--properties",
                properties.toString())
            .redirectErrorStream(true)
            .redirectOutput(directory.resolve("s3proxy-" + port + ".log").toFile())
            .start();
    S3Proxy proxy = new S3Proxy(process, port);
    proxy.awaitListening(Duration.ofSeconds(60));
    return proxy;
  }

  URI baseUrl() {
    return URI.create("http://127.0.0.1:" + port + "/");
  }

  /** Waits until it answers (an unsigned request: 403). */
  private void awaitListening(Duration timeout) throws InterruptedException {
    HttpClient http = HttpClient.newHttpClient();
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IllegalStateException("s3proxy exited with " + process.exitValue());
      }
      try {
        http.send(
            HttpRequest.newBuilder(baseUrl()).timeout(Duration.ofSeconds(2)).build(),
            HttpResponse.BodyHandlers.discarding());
        return;
      } catch (IOException notYet) {
        Thread.sleep(200);
      }
    }
    close();
    throw new IllegalStateException("s3proxy did not listen within " + timeout);
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    } catch (UncheckedIOException e) {
      process.destroyForcibly();
    }
  }
}
