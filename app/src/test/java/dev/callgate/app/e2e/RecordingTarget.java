package dev.callgate.app.e2e;

import dev.callgate.core.testkit.TestSecrets;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A target that records every request it receives (method, path, headers) and answers by path:
 * {@code /echo-header} repeats the request's {@code Authorization} in a response header, {@code
 * /echo-uri} its request target (path and query) in one, {@code /echo-body} repeats it in a chunked
 * body — split across two chunks sent apart, after {@code filler} bytes — {@code /echo-small-body}
 * in a short body with its length, {@code /forge} sends a {@code Callgate-Error} header of its own,
 * {@code /large} streams {@code ?mb=} MiB of {@code ?echo=}-free bytes (or, with {@code echo=1},
 * the secret at the very end), and anything else answers 200 "ok" after reading the body.
 */
final class RecordingTarget implements AutoCloseable {
  /**
   * {@code uri}: the request target as it arrived (path and raw query); {@code headers} as sent.
   */
  record Received(
      String method,
      String path,
      String authorization,
      long bodyBytes,
      String uri,
      List<Map.Entry<String, String>> headers) {}

  private final Vertx vertx = Vertx.vertx();
  private final HttpServer server;
  final List<Received> received = new CopyOnWriteArrayList<>();

  RecordingTarget() {
    server = vertx.createHttpServer().requestHandler(this::answer).listen(0, "127.0.0.1").await();
  }

  URI baseUrl() {
    return URI.create("http://127.0.0.1:" + server.actualPort());
  }

  private void answer(HttpServerRequest request) {
    String authorization = String.valueOf(request.getHeader("Authorization"));
    TestSecrets.registerAuthorization("a token the recording target received", authorization);
    // where a credential places its token elsewhere, the tests place it in these two
    TestSecrets.register(
        "a token the recording target received in its query", request.getParam("access_token"));
    TestSecrets.register(
        "a token the recording target received in a header", request.getHeader("X-Auth-Token"));
    String uri = request.uri();
    List<Map.Entry<String, String>> headers = List.copyOf(request.headers().entries());
    String path = request.path();
    long[] bytes = {0};
    request.handler(chunk -> bytes[0] += chunk.length());
    request.endHandler(
        ended -> {
          received.add(
              new Received(request.method().name(), path, authorization, bytes[0], uri, headers));
          respond(request, path, authorization);
        });
  }

  private void respond(HttpServerRequest request, String path, String authorization) {
    var response = request.response();
    switch (path) {
      case "/echo-header" ->
          response.putHeader("X-Seen-Authorization", authorization).end("{\"seen\":true}");
      case "/echo-body" -> {
        int filler = Integer.parseInt(String.valueOf(request.getParam("filler", "100")));
        byte[] secret = authorization.getBytes(StandardCharsets.ISO_8859_1);
        int half = secret.length / 2;
        byte[] before = new byte[filler];
        Arrays.fill(before, (byte) 'a');
        response.setChunked(true);
        response.write(Buffer.buffer(before).appendBytes(Arrays.copyOf(secret, half)));
        vertx.setTimer(
            100,
            t ->
                response.end(
                    Buffer.buffer(Arrays.copyOfRange(secret, half, secret.length))
                        .appendString("\"}")));
      }
      case "/echo-uri" -> response.putHeader("X-Seen-Uri", request.uri()).end("{\"seen\":true}");
      case "/echo-small-body" -> response.end("{\"seen\":\"" + authorization + "\"}");
      case "/forge" ->
          response
              .putHeader("Callgate-Error", "TOKEN_REJECTED_AFTER_REFRESH")
              .putHeader("Callgate-Anything", "forged")
              .end("forged");
      case "/large" -> large(request, authorization);
      default -> response.end("ok");
    }
  }

  /** {@code mb} MiB in 64 KiB chunks with back-pressure; with {@code echo=1} the secret ends it. */
  private void large(HttpServerRequest request, String authorization) {
    var response = request.response();
    int mb = Integer.parseInt(request.getParam("mb", "1"));
    boolean echo = "1".equals(request.getParam("echo"));
    byte[] chunk = new byte[64 * 1024];
    Arrays.fill(chunk, (byte) 'x');
    Buffer buffer = Buffer.buffer(chunk);
    long total = mb * 1024L * 1024L;
    response.setChunked(true);
    new Object() {
      long sent;

      void next() {
        while (sent < total && !response.writeQueueFull()) {
          response.write(buffer);
          sent += chunk.length;
        }
        if (sent >= total) {
          response.end(echo ? Buffer.buffer(authorization) : Buffer.buffer());
        } else {
          response.drainHandler(v -> next());
        }
      }
    }.next();
  }

  @Override
  public void close() {
    vertx.close().await();
  }
}
