package dev.callgate.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.adapter.http.RecordingTarget;
import dev.callgate.app.config.Configuration;
import dev.callgate.app.e2e.CallgateUnderTest.Answer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Connection pools per credential, as configured: one credential holding all its connections to a
 * target leaves another credential's callouts to the same target alone, and its own next callout is
 * refused at once with a diagnosis that names the limit and the settings, not "could not connect".
 */
class CalloutConnectionLimitTest {
  private static CallgateUnderTest callgate;

  @BeforeAll
  static void start() {
    callgate =
        CallgateUnderTest.start(
            Map.of(Configuration.CALLOUT_POOL_SIZE, "1", Configuration.CALLOUT_POOL_QUEUE, "0"));
  }

  @AfterAll
  static void stop() {
    if (callgate != null) {
      callgate.close();
    }
  }

  @Test
  void calloutWhenOneCredentialHoldsItsOnlyConnectionThenItIsRefusedAndAnotherCredentialConnects()
      throws Exception {
    String alice = callgate.callerKey("pool-alice");
    String bob = callgate.callerKey("pool-bob");
    // an answer larger than every buffer on the way: a caller that does not read holds it
    try (RecordingTarget target = RecordingTarget.streaming(256L * 1024 * 1024)) {
      credential("busy", target, "pool-alice");
      credential("quiet", target, "pool-bob");
      try (Socket slowReader = get("busy", alice)) {
        assertThat(statusLine(slowReader)).isEqualTo("HTTP/1.1 200 OK");

        Answer refused = callgate.as(alice, "GET", "/v1/callout/busy/again");
        String other;
        try (Socket quiet = get("quiet", bob)) {
          other = statusLine(quiet);
        }

        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.error()).isEqualTo("TARGET_CONNECTION_LIMIT_REACHED");
        assertThat(refused.body())
            .contains("All 1 connections of credential 'busy'", "CALLGATE_CALLOUT_POOL_SIZE");
        assertThat(other).isEqualTo("HTTP/1.1 200 OK");
        assertThat(target.connections()).hasSize(2);
      }
    }
  }

  private static void credential(String name, RecordingTarget target, String caller) {
    callgate.credential(
        new JsonObject()
            .put("name", name)
            .put("url", target.uri("/api").toString())
            .put("protocol", "basic")
            .put("username", name)
            .put("password", name + "-password")
            .put("allowedCallers", new JsonArray().add(caller)));
  }

  private static Socket get(String credential, String key) throws IOException {
    Socket socket = new Socket("127.0.0.1", callgate.base().getPort());
    socket.setSoTimeout(10_000);
    socket
        .getOutputStream()
        .write(
            ("GET /v1/callout/"
                    + credential
                    + "/large HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                    + key
                    + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
    return socket;
  }

  private static String statusLine(Socket socket) throws IOException {
    InputStream in = socket.getInputStream();
    StringBuilder line = new StringBuilder();
    for (int c; (c = in.read()) >= 0 && c != '\n'; ) {
      if (c != '\r') {
        line.append((char) c);
      }
    }
    return line.toString();
  }
}
