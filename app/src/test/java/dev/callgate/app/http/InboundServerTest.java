package dev.callgate.app.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Callgate's HTTP server on two event loops, as a client meets it over real connections: each
 * request is answered with the name of the thread that served it.
 */
class InboundServerTest {
  private static final InboundLimits LIMITS = InboundLimits.defaults();

  private Vertx vertx;

  @BeforeEach
  void start() {
    vertx = Vertx.builder().with(new VertxOptions().setEventLoopPoolSize(2)).build();
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  private InboundServer listen(InboundLimits limits) {
    return InboundServer.listen(
            vertx,
            2,
            limits,
            new AtomicInteger(),
            () -> request -> request.response().end(Thread.currentThread().getName()),
            0,
            "127.0.0.1")
        .await();
  }

  @Test
  void listenWhenThereAreTwoEventLoopsThenConnectionsAreServedOnBoth() throws Exception {
    InboundServer server = listen(LIMITS);
    Set<String> threads = new HashSet<>();

    for (int i = 0; i < 4; i++) {
      threads.add(bodyOf(get(server.port())));
    }

    assertThat(threads)
        .as("the threads that served four connections")
        .hasSize(2)
        .allMatch(name -> name.startsWith("vert.x-eventloop-thread-"));
  }

  @Test
  void listenWhenTheLimitIsReachedOnBothLoopsThenTheNextConnectionIsClosed() throws Exception {
    InboundServer server =
        listen(
            new InboundLimits(
                LIMITS.idleTimeout(),
                LIMITS.headerTimeout(),
                LIMITS.bodyTimeout(),
                2,
                LIMITS.maxRequestLine(),
                LIMITS.maxHeaderSize()));
    List<Socket> held = new ArrayList<>();
    try {
      for (int i = 0; i < 2; i++) {
        Socket socket = connect(server.port());
        held.add(socket);
        // a request in progress keeps each one counted, one on each loop
        socket.getOutputStream().write("GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
      }
      Thread.sleep(200);
      String third;
      try {
        third = get(server.port());
      } catch (IOException reset) {
        // closed while the request was still unread
        third = "";
      }
      assertThat(third).as("the answer on a third connection").isEmpty();
    } finally {
      for (Socket socket : held) {
        socket.close();
      }
    }
  }

  @Test
  void closeWhenTheServersListenThenThePortIsFreed() throws Exception {
    // several rounds: which server gives the port back, and when, varies from one to the next
    for (int round = 0; round < 10; round++) {
      InboundServer server = listen(LIMITS);
      int port = server.port();

      server.close().await();

      // the listening socket is closed on its acceptor loop, which a loaded machine may run a
      // moment after the close completed; a server still accepting after seconds is the failure
      assertThat(refusedWithin(port, Duration.ofSeconds(5)))
          .as("connections to the closed servers' port are refused")
          .isTrue();
    }
  }

  private static boolean refusedWithin(int port, Duration within) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    while (true) {
      try {
        connect(port).close();
      } catch (ConnectException refused) {
        return true;
      }
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(50);
    }
  }

  private static Socket connect(int port) throws IOException {
    Socket socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(10_000);
    return socket;
  }

  /** One request on a connection of its own; the whole answer, read until the server closes. */
  private static String get(int port) throws IOException {
    try (Socket socket = connect(port)) {
      socket
          .getOutputStream()
          .write(
              "GET / HTTP/1.1\r\nHost: callgate\r\nConnection: close\r\n\r\n"
                  .getBytes(StandardCharsets.US_ASCII));
      ByteArrayOutputStream read = new ByteArrayOutputStream();
      socket.getInputStream().transferTo(read);
      return read.toString(StandardCharsets.US_ASCII);
    }
  }

  private static String bodyOf(String answer) {
    assertThat(answer).startsWith("HTTP/1.1 200");
    return answer.substring(answer.indexOf("\r\n\r\n") + 4);
  }
}
