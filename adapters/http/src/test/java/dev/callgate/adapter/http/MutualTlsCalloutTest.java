package dev.callgate.adapter.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.core.callout.Body;
import dev.callgate.core.callout.CalloutResponse;
import dev.callgate.core.callout.Headers;
import dev.callgate.core.callout.OutboundRequest;
import dev.callgate.core.credential.Secret;
import dev.callgate.core.credential.TlsSettings;
import dev.callgate.core.port.CalloutTransport;
import dev.callgate.core.port.CalloutTransport.Sent;
import dev.callgate.core.port.CalloutTransport.TransportOutcome;
import dev.callgate.core.port.CalloutTransport.Unreachable;
import dev.callgate.core.testkit.TestPki;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Callouts to a real HTTPS target that requires a client certificate from its private authority:
 * the certificate and trust a request carries are the ones presented, a missing, foreign or
 * untrusting setting is diagnosed, and connections never carry two certificates' requests.
 */
class MutualTlsCalloutTest {

  private static Vertx vertx;
  private static CalloutTransport transport;
  private static TestPki pki;
  private static MutualTlsTarget target;
  private static TestPki.Issued alpha;
  private static TestPki.Issued beta;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    transport =
        CalloutTransports.create(
            vertx,
            CalloutTransportOptions.defaults()
                // handshakes of a few dozen RSA connections at once, on a busy machine
                .withConnectTimeout(Duration.ofSeconds(30))
                .withResponseTimeout(Duration.ofSeconds(30)),
            TargetServer.LOOPBACK);
    pki = TestPki.create("Target Private CA");
    alpha = pki.client("alpha");
    beta = pki.client("beta");
    target = MutualTlsTarget.start(vertx, pki, pki.server());
  }

  @AfterAll
  static void stop() throws Exception {
    target.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void sendWhenCredentialHasTheCertificateTheTargetTrustsThenTheTargetSeesIt() throws Exception {
    CalloutResponse response = sent(send("alpha-credential", withCertificate(alpha), "/hello"));

    assertThat(response.status()).isEqualTo(200);
    assertThat(text(response)).isEqualTo("CN=alpha");
  }

  @Test
  void sendWhenNoClientCertificateThenUnreachableSayingOneIsRequired() throws Exception {
    TlsSettings trustOnly =
        new TlsSettings(Optional.empty(), Optional.empty(), Optional.of(pki.caCertificate()));

    Unreachable unreachable = unreachable(send("no-certificate", trustOnly, "/"));

    assertThat(unreachable.reason())
        .contains("requires a client certificate and none was presented")
        .contains("tlsClientCertificate");
  }

  @Test
  void sendWhenCertificateFromAnotherAuthorityThenUnreachableSayingItWasRefused() throws Exception {
    TestPki.Issued stranger = pki.selfSigned("stranger");

    Unreachable unreachable = unreachable(send("stranger", withCertificate(stranger), "/"));

    assertThat(unreachable.reason()).contains("refused the client certificate presented");
  }

  @Test
  void sendWhenTargetsAuthorityIsNotTrustedThenUnreachableSayingSo() throws Exception {
    TlsSettings jvmTrustOnly =
        new TlsSettings(
            Optional.of(alpha.chain()),
            Optional.of(Secret.of(alpha.privateKey())),
            Optional.empty());

    Unreachable unreachable = unreachable(send("untrusting", jvmTrustOnly, "/"));

    assertThat(unreachable.reason())
        .contains("server's certificate is not trusted")
        .contains("tlsTrustedCertificates");
  }

  @Test
  void sendWhenTwoCredentialsWithDifferentCertificatesCallAtOnceThenNoConnectionCarriesBoth()
      throws Exception {
    List<CompletionStage<TransportOutcome>> sending = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      sending.add(send("shared-a", withCertificate(alpha), "/shared/a"));
      sending.add(send("shared-b", withCertificate(beta), "/shared/b"));
    }
    List<String> answers = new ArrayList<>();
    for (int i = 0; i < sending.size(); i++) {
      answers.add(text(sent(sending.get(i))));
    }

    for (int i = 0; i < answers.size(); i++) {
      assertThat(answers.get(i)).isEqualTo(i % 2 == 0 ? "CN=alpha" : "CN=beta");
    }
    assertThat(target.seen())
        .filteredOn(seen -> seen.path().startsWith("/shared/"))
        .allSatisfy(
            seen ->
                assertThat(seen.subject())
                    .isEqualTo(seen.path().endsWith("/a") ? "CN=alpha" : "CN=beta"));
    assertThat(target.subjectsByConnection().values()).allSatisfy(s -> assertThat(s).hasSize(1));
  }

  @Test
  void sendWhenCredentialsCertificateChangesThenTheNewOneIsPresentedOnANewConnection()
      throws Exception {
    assertThat(text(sent(send("rotating", withCertificate(alpha), "/rotating"))))
        .isEqualTo("CN=alpha");

    assertThat(text(sent(send("rotating", withCertificate(beta), "/rotating"))))
        .isEqualTo("CN=beta");
    assertThat(target.subjectsByConnection().values()).allSatisfy(s -> assertThat(s).hasSize(1));
  }

  private static TlsSettings withCertificate(TestPki.Issued issued) {
    return new TlsSettings(
        Optional.of(issued.chain()),
        Optional.of(Secret.of(issued.privateKey())),
        Optional.of(pki.caCertificate()));
  }

  private static CompletionStage<TransportOutcome> send(
      String credential, TlsSettings tls, String path) {
    return transport.send(
        new OutboundRequest("GET", target.uri(path), Headers.EMPTY, Body.EMPTY, credential, tls));
  }

  private static CalloutResponse sent(CompletionStage<TransportOutcome> stage) throws Exception {
    TransportOutcome outcome = stage.toCompletableFuture().get(60, TimeUnit.SECONDS);
    assertThat(outcome).isInstanceOf(Sent.class);
    return ((Sent) outcome).response();
  }

  private static Unreachable unreachable(CompletionStage<TransportOutcome> stage) throws Exception {
    TransportOutcome outcome = stage.toCompletableFuture().get(60, TimeUnit.SECONDS);
    assertThat(outcome).isInstanceOf(Unreachable.class);
    return (Unreachable) outcome;
  }

  private static String text(CalloutResponse response) throws Exception {
    if (response.body() instanceof Body.Bytes bytes) {
      return bytes.text();
    }
    VertxStreamedContent content =
        (VertxStreamedContent) ((Body.Streamed) response.body()).content();
    ReceivedBody received = ReceivedBody.keepingAll();
    content.pipeTo(received).toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
    return received.text();
  }
}
