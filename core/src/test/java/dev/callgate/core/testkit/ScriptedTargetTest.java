package dev.callgate.core.testkit;

import static dev.callgate.core.testkit.Concurrently.join;
import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.core.callout.Body;
import dev.callgate.core.callout.Headers;
import dev.callgate.core.callout.OutboundRequest;
import dev.callgate.core.port.CalloutTransport.Sent;
import dev.callgate.core.port.CalloutTransport.TransportOutcome;
import java.net.URI;
import org.junit.jupiter.api.Test;

class ScriptedTargetTest {

  private final ScriptedTarget target = new ScriptedTarget();

  @Test
  void sendWhenHundredCallersSendConcurrentlyThenRecordsEveryRequest() {
    Concurrently.race(100, i -> join(target.send(request("Bearer at-" + i))));

    assertThat(target.count()).isEqualTo(100);
    assertThat(target.requests()).hasSize(100);
  }

  @Test
  void bearerCheckedWhenTheTokenIsAcceptedThenOkElse401WithInvalidToken() {
    target.respondWith(ScriptedTarget.bearerChecked("at-2"::equals, "{\"ok\":true}"));

    Sent accepted = (Sent) join(target.send(request("Bearer at-2")));
    Sent rejected = (Sent) join(target.send(request("Bearer at-1")));

    assertThat(accepted.response().status()).isEqualTo(200);
    assertThat(((Body.Bytes) accepted.response().body()).text()).isEqualTo("{\"ok\":true}");
    assertThat(rejected.response().status()).isEqualTo(401);
    assertThat(rejected.response().headers().first("www-authenticate"))
        .hasValueSatisfying(v -> assertThat(v).contains("error=\"invalid_token\""));
  }

  @Test
  void unreachableWhenSetThenAnswersUnreachable() {
    target.respondWith(ScriptedTarget.unreachable("connection refused"));

    TransportOutcome outcome = join(target.send(request("Bearer at-1")));

    assertThat(outcome)
        .isEqualTo(
            new dev.callgate.core.port.CalloutTransport.Unreachable("connection refused", false));
  }

  private static OutboundRequest request(String authorization) {
    return new OutboundRequest(
        "GET",
        URI.create("https://api.test/v1/items"),
        Headers.of("Authorization", authorization),
        Body.EMPTY);
  }
}
