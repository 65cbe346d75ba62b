package dev.callgate.adapter.http;

import dev.callgate.core.testkit.TestPki;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.net.URI;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * A real HTTPS target that requires a client certificate (TLS {@code ClientAuth.REQUIRED}) issued
 * by the authority it trusts; its own certificate comes from {@code pki}. Each request is recorded
 * with its connection and the client certificate presented on it, and the handler is given that
 * certificate. By default it answers 200 with the certificate's subject.
 */
public final class MutualTlsTarget implements AutoCloseable {

  /** One request as the target saw it. */
  public record Seen(int connection, String subject, String path) {}

  private final HttpServer server;
  private final List<Seen> seen;

  private MutualTlsTarget(HttpServer server, List<Seen> seen) {
    this.server = server;
    this.seen = seen;
  }

  /** A target answering 200 with the subject of the client certificate. */
  public static MutualTlsTarget start(Vertx vertx, TestPki pki, TestPki.Issued serverCertificate)
      throws Exception {
    return start(
        vertx,
        pki,
        serverCertificate,
        (request, certificate) ->
            request.response().end(certificate.getSubjectX500Principal().getName()));
  }

  /** A target answering as {@code handler} does, given the request and the client certificate. */
  public static MutualTlsTarget start(
      Vertx vertx,
      TestPki pki,
      TestPki.Issued serverCertificate,
      BiConsumer<HttpServerRequest, X509Certificate> handler)
      throws Exception {
    List<Seen> seen = new CopyOnWriteArrayList<>();
    Handler<HttpServerRequest> recording =
        request -> {
          HttpConnection connection = request.connection();
          X509Certificate certificate = peer(connection).orElseThrow();
          seen.add(
              new Seen(
                  System.identityHashCode(connection),
                  certificate.getSubjectX500Principal().getName(),
                  request.path()));
          handler.accept(request, certificate);
        };
    HttpServer server =
        vertx
            .createHttpServer(
                new HttpServerOptions()
                    .setSsl(true)
                    .setKeyCertOptions(
                        new PemKeyCertOptions()
                            .addKeyValue(Buffer.buffer(serverCertificate.privateKey()))
                            .addCertValue(Buffer.buffer(serverCertificate.certificate())))
                    .setTrustOptions(
                        new PemTrustOptions().addCertValue(Buffer.buffer(pki.caCertificate())))
                    .setClientAuth(ClientAuth.REQUIRED))
            .requestHandler(recording)
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    return new MutualTlsTarget(server, seen);
  }

  private static Optional<X509Certificate> peer(HttpConnection connection) {
    try {
      return connection.peerCertificates().stream()
          .filter(X509Certificate.class::isInstance)
          .map(X509Certificate.class::cast)
          .findFirst();
    } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
      return Optional.empty();
    }
  }

  public int port() {
    return server.actualPort();
  }

  public URI uri(String path) {
    return URI.create("https://127.0.0.1:" + port() + path);
  }

  /** Every request seen so far, in order. */
  public List<Seen> seen() {
    return List.copyOf(seen);
  }

  /** The client certificate subjects each connection carried requests for. */
  public Map<Integer, Set<String>> subjectsByConnection() {
    Map<Integer, Set<String>> subjects = new ConcurrentHashMap<>();
    for (Seen request : seen) {
      subjects
          .computeIfAbsent(request.connection(), c -> ConcurrentHashMap.newKeySet())
          .add(request.subject());
    }
    return subjects;
  }

  @Override
  public void close() throws Exception {
    server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
