package dev.callgate.adapter.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.core.callout.Body;
import dev.callgate.core.callout.Headers;
import dev.callgate.core.callout.OutboundRequest;
import dev.callgate.core.diagnosis.DiagnosisCode;
import dev.callgate.core.outbound.OutboundAddressPolicy;
import dev.callgate.core.port.CalloutTransport;
import dev.callgate.core.port.CalloutTransport.TransportOutcome;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The address policy applied where the transport connects, with the platform's real resolver; and
 * how long a host's addresses are kept, with a resolver that counts its lookups.
 */
class OutboundGuardTest {

  private static Vertx vertx;

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stopVertx() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static OutboundAddressPolicy policy(String setting) {
    return OutboundAddressPolicy.parse(setting)
        .fold(
            p -> p,
            problems -> {
              throw new IllegalStateException(problems.toString());
            });
  }

  private static TransportOutcome send(CalloutTransport transport, String url) throws Exception {
    return transport
        .send(new OutboundRequest("GET", URI.create(url), Headers.of(), Body.EMPTY))
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  @Test
  void sendWhenHostNameResolvesToLoopbackAndNothingIsAllowedThenRefusedBeforeConnecting()
      throws Exception {
    List<String> received = new CopyOnWriteArrayList<>();
    try (TargetServer target =
        TargetServer.start(
            vertx,
            request -> {
              received.add(request.uri());
              request.response().end("reached");
            })) {
      CalloutTransport transport =
          CalloutTransports.create(vertx, CalloutTransportOptions.defaults());

      TransportOutcome outcome = send(transport, "http://localhost:" + target.port() + "/x");

      assertThat(outcome).isInstanceOf(CalloutTransport.Refused.class);
      CalloutTransport.Refused refused = (CalloutTransport.Refused) outcome;
      assertThat(refused.diagnosis().code()).isEqualTo(DiagnosisCode.OUTBOUND_ADDRESS_REFUSED);
      assertThat(refused.diagnosis().facts()).containsEntry("host", "localhost");
      assertThat(refused.diagnosis().facts().get("address"))
          .matches("127\\.0\\.0\\.1|0:0:0:0:0:0:0:1");
      assertThat(refused.diagnosis().message()).contains("loopback", "CALLGATE_OUTBOUND_ALLOW");
      assertThat(received).isEmpty();
    }
  }

  @Test
  void sendWhenHostNameResolvesToAnAllowedAddressThenConnectsThereAndKeepsTheHostName()
      throws Exception {
    List<String> hosts = new CopyOnWriteArrayList<>();
    try (TargetServer target =
        TargetServer.start(
            vertx,
            request -> {
              hosts.add(request.getHeader("Host"));
              request.response().end("reached");
            })) {
      // only IPv4 loopback: when localhost also resolves to ::1, that address is skipped
      CalloutTransport transport =
          CalloutTransports.create(
              vertx, CalloutTransportOptions.defaults(), policy("127.0.0.0/8"));

      TransportOutcome outcome = send(transport, "http://localhost:" + target.port() + "/x");

      assertThat(outcome).isInstanceOf(CalloutTransport.Sent.class);
      assertThat(hosts).containsExactly("localhost:" + target.port());
    }
  }

  @Test
  void sendWhenHostNameIsOnTheAllowListThenItsPrivateAddressIsReached() throws Exception {
    try (TargetServer target =
        TargetServer.start(vertx, request -> request.response().end("reached"))) {
      CalloutTransport transport =
          CalloutTransports.create(vertx, CalloutTransportOptions.defaults(), policy("localhost"));

      TransportOutcome outcome = send(transport, "http://localhost:" + target.port() + "/x");

      // localhost may resolve to ::1 first, where nothing listens: allowed, then refused by the OS
      assertThat(outcome).isNotInstanceOf(CalloutTransport.Refused.class);
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "http://127.0.0.1:%d/",
        "http://127.1:%d/",
        "http://0x7f.1:%d/",
        "http://2130706433:%d/",
        "http://0177.0.0.1:%d/",
        "http://[::ffff:127.0.0.1]:%d/",
        "http://[::ffff:7f00:1]:%d/",
        "http://[::127.0.0.1]:%d/",
        "http://0.0.0.0:%d/",
        "http://[::]:%d/",
        "http://[::1]:%d/",
        "http://10.0.0.1:%d/",
        "http://172.31.255.255:%d/",
        "http://192.168.1.1:%d/",
        "http://100.64.0.1:%d/",
        "http://[fd12::1]:%d/",
      })
  void sendWhenUrlNamesLoopbackOrPrivateAddressInAnyFormThenRefused(String url) throws Exception {
    List<String> received = new CopyOnWriteArrayList<>();
    try (TargetServer target =
        TargetServer.start(
            vertx,
            request -> {
              received.add(request.uri());
              request.response().end();
            })) {
      CalloutTransport transport =
          CalloutTransports.create(vertx, CalloutTransportOptions.defaults());

      TransportOutcome outcome = send(transport, url.formatted(target.port()));

      assertThat(outcome).isInstanceOf(CalloutTransport.Refused.class);
      assertThat(received).isEmpty();
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00:ec2::254]/latest/meta-data/",
        "http://metadata.google.internal/computeMetadata/v1/",
        "http://METADATA.google.internal./computeMetadata/v1/",
        "http://[::ffff:169.254.169.254]/",
        "http://[fe80::1]/",
      })
  void sendWhenUrlNamesLinkLocalOrMetadataThenRefusedEvenWhenEverythingIsAllowed(String url)
      throws Exception {
    CalloutTransport transport =
        CalloutTransports.create(
            vertx,
            CalloutTransportOptions.defaults(),
            policy("0.0.0.0/0,::/0,metadata.google.internal"));

    TransportOutcome outcome = send(transport, url);

    assertThat(outcome).isInstanceOf(CalloutTransport.Refused.class);
    assertThat(((CalloutTransport.Refused) outcome).diagnosis().message()).contains("never");
  }

  private final AtomicInteger lookups = new AtomicInteger();

  private final AtomicReference<String> answer = new AtomicReference<>("127.0.0.1");
  private final AtomicLong nanos = new AtomicLong();

  /** A guard whose resolver knows one name, answering what {@code answer} holds. */
  private OutboundGuard guard(String allowed) {
    return OutboundGuard.create(
        vertx,
        policy(allowed),
        host -> {
          lookups.incrementAndGet();
          if (!host.equals("target.example")) {
            throw new UnknownHostException(host);
          }
          return new InetAddress[] {InetAddress.getByName(answer.get())};
        },
        Duration.ofSeconds(30),
        nanos::get);
  }

  private static OutboundGuard.Destination destination(OutboundGuard guard, String url)
      throws Exception {
    return guard
        .destination(URI.create(url))
        .toCompletionStage()
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  private static Throwable failure(OutboundGuard guard, String url) throws Exception {
    return guard
        .destination(URI.create(url))
        .toCompletionStage()
        .toCompletableFuture()
        .handle((destination, failure) -> failure)
        .get(10, TimeUnit.SECONDS);
  }

  @Test
  void destinationWhenTheSameHostIsAskedTwiceThenResolvedOnce() throws Exception {
    OutboundGuard guard = guard("127.0.0.0/8");

    OutboundGuard.Destination first = destination(guard, "http://target.example:8080/a");
    OutboundGuard.Destination second = destination(guard, "http://target.example:9090/b");

    assertThat(lookups).hasValue(1);
    assertThat(first.address().getHostAddress()).isEqualTo("127.0.0.1");
    assertThat(second.address()).isEqualTo(first.address());
    assertThat(second.port()).isEqualTo(9090);
  }

  @Test
  void destinationWhenTheKeptAddressesHaveExpiredThenResolvedAgainAndTheNewAnswerJudged()
      throws Exception {
    OutboundGuard guard = guard("127.0.0.0/8");
    destination(guard, "http://target.example/");

    nanos.addAndGet(Duration.ofSeconds(29).toNanos());
    destination(guard, "http://target.example/");
    assertThat(lookups).hasValue(1);

    answer.set("10.0.0.1");
    nanos.addAndGet(Duration.ofSeconds(2).toNanos());
    Throwable refused = failure(guard, "http://target.example/");

    assertThat(refused).isInstanceOf(OutboundAddressRefusedException.class);
    assertThat(lookups).hasValue(2);
  }

  @Test
  void destinationWhenTheAddressIsRefusedThenRefusedEveryTimeFromTheKeptAnswer() throws Exception {
    OutboundGuard guard = guard("10.0.0.0/8");

    assertThat(failure(guard, "http://target.example/"))
        .isInstanceOf(OutboundAddressRefusedException.class);
    assertThat(failure(guard, "http://target.example/"))
        .isInstanceOf(OutboundAddressRefusedException.class);
    assertThat(lookups).hasValue(1);
  }

  @Test
  void destinationWhenTheLookupFailsThenTheFailureIsNotKept() throws Exception {
    OutboundGuard guard = guard("127.0.0.0/8");

    assertThat(failure(guard, "http://unknown.example/")).isInstanceOf(UnknownHostException.class);
    assertThat(failure(guard, "http://unknown.example/")).isInstanceOf(UnknownHostException.class);

    assertThat(lookups).hasValue(2);
  }
}
