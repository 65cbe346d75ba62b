package dev.callgate.adapter.idp;

import static dev.callgate.adapter.idp.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.adapter.http.CalloutTransportOptions;
import dev.callgate.adapter.http.CalloutTransports;
import dev.callgate.adapter.http.MutualTlsTarget;
import dev.callgate.core.callout.Body;
import dev.callgate.core.callout.CalloutResponse;
import dev.callgate.core.callout.Headers;
import dev.callgate.core.callout.OutboundRequest;
import dev.callgate.core.credential.AuthProvider;
import dev.callgate.core.credential.ClientAuthMethod;
import dev.callgate.core.credential.Secret;
import dev.callgate.core.credential.TlsSettings;
import dev.callgate.core.outbound.OutboundAddressPolicy;
import dev.callgate.core.port.CalloutTransport;
import dev.callgate.core.port.GrantOutcome;
import dev.callgate.core.port.IdentityProvider;
import dev.callgate.core.testkit.TestPki;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * RFC 8705 against node-oidc-provider behind Node's HTTPS server: a {@code tls_client_auth} and a
 * {@code self_signed_tls_client_auth} client get access tokens bound to their certificate through
 * the discovery document's {@code mtls_endpoint_aliases}, and a target that checks the binding (by
 * introspection) accepts such a token only over a connection with the same certificate.
 */
class MutualTlsNodeOidcProviderTest {

  private static Vertx vertx;
  private static TestPki pki;
  private static TestPki.Issued client;
  private static TestPki.Issued selfSigned;
  private static NodeOidcMtlsProvider node;
  private static IdentityProvider identityProvider;
  private static MutualTlsTarget target;
  private static CalloutTransport transport;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    pki = TestPki.create("Callgate mTLS Test CA");
    client = pki.client(NodeOidcMtlsProvider.TLS_CLIENT_SUBJECT);
    selfSigned = pki.selfSigned("callgate-self-signed");
    node = NodeOidcMtlsProvider.start(pki, selfSigned);
    identityProvider = IdentityProviders.create(vertx, TestSupport.options());
    target = node.boundTokenTarget(vertx, pki);
    transport =
        CalloutTransports.create(
            vertx,
            CalloutTransportOptions.defaults(),
            OutboundAddressPolicy.parse("127.0.0.0/8")
                .fold(
                    policy -> policy,
                    problems -> {
                      throw new IllegalStateException(problems.toString());
                    }));
  }

  @AfterAll
  static void stop() throws Exception {
    if (node != null) {
      node.close();
    }
    if (target != null) {
      target.close();
    }
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void clientCredentialsWhenTlsClientAuthThenTokenBoundToTheCertificateTheTargetAcceptsWithIt()
      throws Exception {
    AuthProvider provider =
        provider(NodeOidcMtlsProvider.TLS_CLIENT, ClientAuthMethod.TLS_CLIENT_AUTH, client);

    GrantOutcome outcome = await(identityProvider.clientCredentials(provider));

    assertThat(outcome).isInstanceOf(GrantOutcome.Granted.class);
    Secret token = ((GrantOutcome.Granted) outcome).response().accessToken();
    assertThat(call(token, provider.tls()).status()).isEqualTo(200);
    // the same token over a connection with another certificate of the same authority
    TestPki.Issued other = pki.client("someone-else");
    assertThat(call(token, tls(other)).status()).isEqualTo(401);
  }

  @Test
  void clientCredentialsWhenSelfSignedTlsClientAuthThenGrantedAndBound() throws Exception {
    AuthProvider provider =
        provider(
            NodeOidcMtlsProvider.SELF_SIGNED_CLIENT,
            ClientAuthMethod.SELF_SIGNED_TLS_CLIENT_AUTH,
            selfSigned);

    GrantOutcome outcome = await(identityProvider.clientCredentials(provider));

    assertThat(outcome).isInstanceOf(GrantOutcome.Granted.class);
    Secret token = ((GrantOutcome.Granted) outcome).response().accessToken();
    // the target's authority did not issue the self-signed certificate: present the CA's client
    // for the connection, and the binding alone decides
    assertThat(call(token, tls(client)).status()).isEqualTo(401);
  }

  @Test
  void clientCredentialsWhenTheCertificateIsNotTheRegisteredOneThenInvalidClient() {
    AuthProvider provider =
        provider(
            NodeOidcMtlsProvider.TLS_CLIENT,
            ClientAuthMethod.TLS_CLIENT_AUTH,
            pki.client("not-registered"));

    GrantOutcome outcome = await(identityProvider.clientCredentials(provider));

    assertThat(outcome)
        .isInstanceOfSatisfying(
            GrantOutcome.Refused.class,
            refused -> assertThat(refused.error()).isEqualTo("invalid_client"));
  }

  private static AuthProvider provider(
      String clientId, ClientAuthMethod method, TestPki.Issued certificate) {
    return new AuthProvider(
        "mtls-" + clientId,
        Optional.of(node.issuer()),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        clientId,
        Optional.empty(),
        method,
        List.of("api:read"),
        Optional.empty(),
        Map.of(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        tls(certificate),
        Optional.empty());
  }

  private static TlsSettings tls(TestPki.Issued certificate) {
    return new TlsSettings(
        Optional.of(certificate.chain()),
        Optional.of(Secret.of(certificate.privateKey())),
        Optional.of(pki.caCertificate()));
  }

  private static CalloutResponse call(Secret token, TlsSettings tls) throws Exception {
    CalloutTransport.TransportOutcome outcome =
        transport
            .send(
                new OutboundRequest(
                    "GET",
                    target.uri("/api"),
                    Headers.of("Authorization", "Bearer " + token.reveal()),
                    Body.EMPTY,
                    "credential-" + TestPki.thumbprint(certificateOf(tls)),
                    tls))
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
    assertThat(outcome).isInstanceOf(CalloutTransport.Sent.class);
    return ((CalloutTransport.Sent) outcome).response();
  }

  private static java.security.cert.X509Certificate certificateOf(TlsSettings tls) {
    List<java.security.cert.X509Certificate> chain =
        dev.callgate.core.credential.TlsSettingsDraft.certificates(
            "tlsClientCertificate",
            tls.clientCertificate().orElseThrow(),
            new java.util.ArrayList<>());
    return chain.get(0);
  }
}
