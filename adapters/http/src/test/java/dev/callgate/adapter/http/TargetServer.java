package dev.callgate.adapter.http;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.net.URI;
import java.util.concurrent.TimeUnit;

/** A real HTTP target on a free loopback port, answering with the handler a test gives it. */
final class TargetServer implements AutoCloseable {

  private final HttpServer server;

  private TargetServer(HttpServer server) {
    this.server = server;
  }

  static TargetServer start(Vertx vertx, Handler<HttpServerRequest> handler) throws Exception {
    HttpServer server =
        vertx
            .createHttpServer()
            .requestHandler(handler)
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    return new TargetServer(server);
  }

  int port() {
    return server.actualPort();
  }

  URI uri(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + port() + pathAndQuery);
  }

  @Override
  public void close() throws Exception {
    server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
