package dev.callgate.adapter.http;

import dev.callgate.core.outbound.OutboundAddressPolicy;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.net.URI;
import java.util.concurrent.TimeUnit;

/** A real HTTP target on a free loopback port, answering with the handler a test gives it. */
final class TargetServer implements AutoCloseable {

  /** Targets listen on loopback, which Callgate reaches only when allowed. */
  static final OutboundAddressPolicy LOOPBACK =
      OutboundAddressPolicy.parse("127.0.0.0/8,::1/128")
          .fold(
              policy -> policy,
              problems -> {
                throw new IllegalStateException(problems.toString());
              });

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
