package dev.callgate.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.adapter.http.MutualTlsTarget;
import dev.callgate.adapter.idp.NodeOidcMtlsProvider;
import dev.callgate.app.e2e.CallgateUnderTest.Answer;
import dev.callgate.core.testkit.TestPki;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Mutual TLS through Callgate's API: a provider authenticating with {@code tls_client_auth} at
 * node-oidc-provider (behind Node's HTTPS server, its mTLS endpoint named by {@code
 * mtls_endpoint_aliases}) gets access tokens bound to its certificate, and a credential of that
 * provider without a certificate of its own presents the provider's to a target that accepts the
 * token only with it; a credential presenting another certificate is told why the target refuses.
 */
class MutualTlsEndToEndTest {
  private static final Path IDP_DIRECTORY =
      Path.of("..", "adapters", "idp", "src", "test", "oidc-provider");

  private static Vertx vertx;
  private static TestPki pki;
  private static NodeOidcMtlsProvider idp;
  private static MutualTlsTarget target;
  private static CallgateUnderTest callgate;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    pki = TestPki.create("Callgate End-to-end CA");
    idp = NodeOidcMtlsProvider.start(IDP_DIRECTORY, pki, pki.selfSigned("unused-self-signed"));
    target = idp.boundTokenTarget(vertx, pki);
    callgate = CallgateUnderTest.start();
    TestPki.Issued client = pki.client(NodeOidcMtlsProvider.TLS_CLIENT_SUBJECT);
    callgate.provider(
        new JsonObject()
            .put("name", "bank-idp")
            .put("issuer", idp.issuer().toString())
            .put("clientId", NodeOidcMtlsProvider.TLS_CLIENT)
            .put("clientAuthMethod", "tls_client_auth")
            .put("tlsClientCertificate", client.chain())
            .put("tlsClientKey", client.privateKey())
            .put("tlsTrustedCertificates", pki.caCertificate())
            .put("scopes", new JsonArray().add("api:read")));
  }

  @AfterAll
  static void stop() throws Exception {
    if (callgate != null) {
      callgate.close();
    }
    if (target != null) {
      target.close();
    }
    if (idp != null) {
      idp.close();
    }
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static JsonObject credential(String name) {
    return new JsonObject()
        .put("name", name)
        .put("url", target.uri("/api").toString())
        .put("protocol", "oauth2_client_credentials")
        .put("provider", "bank-idp")
        .put("tlsTrustedCertificates", pki.caCertificate());
  }

  @Test
  void calloutWhenTheCredentialHasNoCertificateThenTheProvidersMeetsTheBoundToken() {
    callgate.credential(credential("accounts"));

    Answer answer = callgate.admin("GET", "/v1/callout/accounts/balance");

    assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    assertThat(answer.body()).isEqualTo("bound to CN=" + NodeOidcMtlsProvider.TLS_CLIENT_SUBJECT);
  }

  @Test
  void calloutWhenTheCredentialPresentsAnotherCertificateThenTheRefusalIsTlsBoundTokenRejected() {
    TestPki.Issued other = pki.client("someone-else");
    callgate.credential(
        credential("mismatched")
            .put("tlsClientCertificate", other.chain())
            .put("tlsClientKey", other.privateKey()));

    Answer answer = callgate.admin("GET", "/v1/callout/mismatched/balance");

    // the target's own answer is relayed, marked with the diagnosis of the refused fresh token
    assertThat(answer.status()).as(answer.body()).isEqualTo(401);
    assertThat(answer.error()).isEqualTo("TLS_BOUND_TOKEN_REJECTED");
  }

  @Test
  void providerTestWhenTheCertificateIsTheRegisteredOneThenOk() {
    Answer answer = callgate.admin("POST", "/v1/providers/bank-idp/test");

    assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    assertThat(answer.json().getBoolean("ok")).as(answer.body()).isTrue();
  }
}
