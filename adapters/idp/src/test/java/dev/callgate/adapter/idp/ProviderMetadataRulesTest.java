package dev.callgate.adapter.idp;

import static dev.callgate.adapter.idp.TestSupport.await;
import static dev.callgate.adapter.idp.TestSupport.awaitFailure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.callgate.core.credential.AuthProvider;
import dev.callgate.core.credential.ClientAuthMethod;
import dev.callgate.core.credential.Secret;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.diagnosis.DiagnosisCode;
import dev.callgate.core.outbound.OutboundAddressPolicy;
import dev.callgate.core.port.GrantOutcome;
import dev.callgate.core.port.IdentityProvider;
import dev.callgate.core.port.IdentityProviderException;
import dev.callgate.core.port.ProviderMetadata;
import dev.callgate.core.port.RevocationOutcome;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.URI;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Discovery documents that would send the client secret where it must not go, served by a real HTTP
 * server; a second server plays the endpoint such a document names and records whether anything
 * reached it.
 */
class ProviderMetadataRulesTest {

  private static final String SECRET = "client-s3cret-value";
  private static Vertx vertx;
  private static HttpServer provider;
  private static HttpServer elsewhere;
  private static String base;
  private static final Map<String, JsonObject> documents = new ConcurrentHashMap<>();
  private static final List<String> reachedElsewhere = new CopyOnWriteArrayList<>();
  private static final List<String> reachedProvider = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void startServers() {
    vertx = Vertx.vertx();
    provider =
        vertx
            .createHttpServer()
            .requestHandler(
                request -> {
                  String path = request.path();
                  reachedProvider.add(path);
                  String name = path.split("/").length > 2 ? path.split("/")[2] : "";
                  if (path.endsWith("/.well-known/openid-configuration")
                      && documents.containsKey(name)) {
                    request
                        .response()
                        .putHeader("Content-Type", "application/json")
                        .end(documents.get(name).encode());
                  } else if (path.equals("/huge/token") || path.startsWith("/huge-doc/")) {
                    // an answer that never ends unless the reader stops it
                    var response = request.response().setChunked(true);
                    response.putHeader("Content-Type", "application/json");
                    String chunk = "{\"padding\":\"" + "x".repeat(64 * 1024) + "\"}";
                    for (int i = 0; i < 64; i++) {
                      response.write(chunk);
                    }
                    response.end();
                  } else {
                    request.response().setStatusCode(404).end();
                  }
                })
            .listen(0, "127.0.0.1")
            .await();
    base = "http://127.0.0.1:" + provider.actualPort();
    elsewhere =
        vertx
            .createHttpServer()
            .requestHandler(
                request ->
                    request
                        .body()
                        .onSuccess(
                            body -> {
                              reachedElsewhere.add(
                                  request.getHeader("Authorization") + " " + body.toString());
                              request
                                  .response()
                                  .putHeader("Content-Type", "application/json")
                                  .end("{\"access_token\":\"stolen\",\"token_type\":\"Bearer\"}");
                            }))
            .listen(0, "0.0.0.0")
            .await();
  }

  @AfterAll
  static void stopServers() {
    vertx.close().await();
  }

  @BeforeEach
  void clear() {
    documents.clear();
    reachedElsewhere.clear();
    reachedProvider.clear();
  }

  private static OutboundAddressPolicy allowing(String setting) {
    return OutboundAddressPolicy.parse(setting)
        .fold(
            p -> p,
            problems -> {
              throw new IllegalStateException(problems.toString());
            });
  }

  /** A discovery document for issuer {@code base/doc/name} naming {@code tokenEndpoint}. */
  private static AuthProvider serving(String name, String tokenEndpoint) {
    String issuer = base + "/doc/" + name;
    documents.put(
        name,
        new JsonObject()
            .put("issuer", issuer)
            .put("authorization_endpoint", issuer + "/authorize")
            .put("token_endpoint", tokenEndpoint)
            .put("revocation_endpoint", tokenEndpoint));
    return TestSupport.withIssuer(
        URI.create(issuer), "client", SECRET, ClientAuthMethod.CLIENT_SECRET_BASIC);
  }

  /** The machine's own non-loopback IPv4 address: "another host" that a test can still serve. */
  private static Optional<String> siteAddress() throws Exception {
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!nic.isUp() || nic.isLoopback()) {
        continue;
      }
      for (InetAddress address : Collections.list(nic.getInetAddresses())) {
        if (address instanceof Inet4Address && !address.isLinkLocalAddress()) {
          return Optional.of(address.getHostAddress());
        }
      }
    }
    return Optional.empty();
  }

  private static Diagnosis discoveryDiagnosis(IdentityProvider idp, AuthProvider provider) {
    Throwable failure = awaitFailure(idp.discover(provider));
    assertThat(failure).isInstanceOf(IdentityProviderException.class);
    return ((IdentityProviderException) failure).diagnosis();
  }

  @Test
  void
      clientCredentialsWhenDocumentNamesAPlainHttpTokenEndpointOnAnotherHostThenMisconfiguredAndTheSecretStaysHome()
          throws Exception {
    Optional<String> site = siteAddress();
    assumeTrue(site.isPresent(), "the machine has a non-loopback IPv4 address");
    String stealing = "http://" + site.get() + ":" + elsewhere.actualPort() + "/token";
    AuthProvider provider = serving("plainhttp", stealing);
    // every address allowed: only the endpoint rule stands between the secret and that host
    IdentityProvider idp =
        IdentityProviders.create(
            vertx, TestSupport.options().withOutbound(allowing("0.0.0.0/0,::/0")));

    GrantOutcome outcome = await(idp.clientCredentials(provider));
    GrantOutcome refresh = await(idp.refresh(provider, Secret.of("rt")));
    RevocationOutcome revocation = await(idp.revoke(provider, Secret.of("rt"), "refresh_token"));

    assertThat(reachedElsewhere).isEmpty();
    Diagnosis diagnosis = discoveryDiagnosis(idp, provider);
    assertThat(outcome).isInstanceOf(GrantOutcome.Misconfigured.class);
    assertThat(refresh).isInstanceOf(GrantOutcome.Misconfigured.class);
    assertThat(revocation).isInstanceOf(RevocationOutcome.Failed.class);
    assertThat(diagnosis.code()).isEqualTo(DiagnosisCode.PROVIDER_METADATA_INVALID);
    assertThat(diagnosis.facts())
        .containsEntry("field", "token_endpoint")
        .containsEntry("value", stealing);
    assertThat(diagnosis.message()).contains("CALLGATE_PROVIDER_ALLOW_HTTP", "https");
  }

  @Test
  void clientCredentialsWhenPlainHttpIsAllowedThenTheSameDocumentIsUsed() throws Exception {
    Optional<String> site = siteAddress();
    assumeTrue(site.isPresent(), "the machine has a non-loopback IPv4 address");
    String plain = "http://" + site.get() + ":" + elsewhere.actualPort() + "/token";
    AuthProvider provider = serving("allowedhttp", plain);
    IdentityProvider idp =
        IdentityProviders.create(
            vertx,
            TestSupport.options()
                .withOutbound(allowing("0.0.0.0/0,::/0"))
                .withEndpoints(new dev.callgate.core.credential.ProviderEndpointRule(true)));

    GrantOutcome outcome = await(idp.clientCredentials(provider));

    assertThat(outcome).isInstanceOf(GrantOutcome.Granted.class);
    assertThat(reachedElsewhere).hasSize(1);
  }

  @Test
  void discoverWhenDocumentNamesAFileEndpointThenMisconfiguredNotTransient() {
    AuthProvider provider = serving("file", "file:///etc/passwd");
    IdentityProvider idp = IdentityProviders.create(vertx, TestSupport.options());

    Diagnosis diagnosis = discoveryDiagnosis(idp, provider);
    GrantOutcome outcome = await(idp.clientCredentials(provider));

    assertThat(diagnosis.code()).isEqualTo(DiagnosisCode.PROVIDER_METADATA_INVALID);
    assertThat(diagnosis.facts()).containsEntry("value", "file:///etc/passwd");
    assertThat(outcome).isEqualTo(new GrantOutcome.Misconfigured(diagnosis));
  }

  @Test
  void discoverWhenDocumentNamesAFileUrlWithAHostThenMisconfigured() {
    AuthProvider provider = serving("filehost", "file://127.0.0.1/etc/passwd");
    IdentityProvider idp = IdentityProviders.create(vertx, TestSupport.options());

    Diagnosis diagnosis = discoveryDiagnosis(idp, provider);

    assertThat(diagnosis.code()).isEqualTo(DiagnosisCode.PROVIDER_METADATA_INVALID);
    assertThat(diagnosis.facts().get("rule")).contains("'file:'");
  }

  @Test
  void
      clientCredentialsWhenDocumentNamesAnEndpointWithUserInfoThenMisconfiguredAndNeverContacted() {
    String withUser = "http://admin:hunter2@127.0.0.1:" + elsewhere.actualPort() + "/token";
    AuthProvider provider = serving("userinfo", withUser);
    IdentityProvider idp = IdentityProviders.create(vertx, TestSupport.options());

    GrantOutcome outcome = await(idp.clientCredentials(provider));

    assertThat(reachedElsewhere).isEmpty();
    assertThat(outcome).isInstanceOf(GrantOutcome.Misconfigured.class);
    Diagnosis diagnosis = ((GrantOutcome.Misconfigured) outcome).diagnosis();
    assertThat(diagnosis.code()).isEqualTo(DiagnosisCode.PROVIDER_METADATA_INVALID);
    assertThat(diagnosis.message()).contains("credentials in the URL").doesNotContain("hunter2");
  }

  @Test
  void
      clientCredentialsWhenDocumentIsForAnotherIssuerThenMisconfiguredAndItsEndpointNeverContacted() {
    String issuer = base + "/doc/mismatch";
    documents.put(
        "mismatch",
        new JsonObject()
            .put("issuer", "https://attacker.example")
            .put("token_endpoint", "http://127.0.0.1:" + elsewhere.actualPort() + "/token"));
    AuthProvider provider =
        TestSupport.withIssuer(
            URI.create(issuer), "client", SECRET, ClientAuthMethod.CLIENT_SECRET_BASIC);
    IdentityProvider idp = IdentityProviders.create(vertx, TestSupport.options());

    GrantOutcome outcome = await(idp.clientCredentials(provider));

    assertThat(reachedElsewhere).isEmpty();
    Diagnosis diagnosis = ((GrantOutcome.Misconfigured) outcome).diagnosis();
    assertThat(diagnosis.code()).isEqualTo(DiagnosisCode.PROVIDER_METADATA_INVALID);
    assertThat(diagnosis.facts())
        .containsEntry("field", "issuer")
        .containsEntry("value", "https://attacker.example");
    assertThat(diagnosis.facts().get("rule")).contains(issuer, "RFC 8414 §3.3");
  }

  @Test
  void discoverWhenConfiguredIssuerIsPlainHttpElsewhereThenMisconfiguredWithoutARequest() {
    AuthProvider provider =
        TestSupport.withIssuer(
            URI.create("http://idp.example.com"), "client", SECRET, ClientAuthMethod.NONE);
    IdentityProvider idp = IdentityProviders.create(vertx, TestSupport.options());

    Diagnosis diagnosis = discoveryDiagnosis(idp, provider);

    assertThat(diagnosis.code()).isEqualTo(DiagnosisCode.PROVIDER_METADATA_INVALID);
    assertThat(diagnosis.facts()).containsEntry("field", "issuer");
    assertThat(diagnosis.facts().get("source")).contains("configuration");
  }

  @Test
  void discoverWhenDocumentIsValidThenItsEndpointsAreTheMetadata() {
    AuthProvider provider = serving("valid", base + "/doc/valid/token");
    IdentityProvider idp = IdentityProviders.create(vertx, TestSupport.options());

    ProviderMetadata metadata = await(idp.discover(provider));

    assertThat(metadata.tokenEndpoint()).isEqualTo(URI.create(base + "/doc/valid/token"));
  }

  @Test
  void
      discoverWhenProviderAddressIsLoopbackAndNotAllowedThenOutboundAddressRefusedWithoutARequest() {
    AuthProvider provider = serving("refused", base + "/doc/refused/token");
    IdentityProvider idp = IdentityProviders.create(vertx, IdentityProviderOptions.defaults());

    Diagnosis diagnosis = discoveryDiagnosis(idp, provider);
    GrantOutcome outcome = await(idp.clientCredentials(provider));

    assertThat(diagnosis.code()).isEqualTo(DiagnosisCode.OUTBOUND_ADDRESS_REFUSED);
    assertThat(diagnosis.facts()).containsEntry("address", "127.0.0.1");
    assertThat(outcome).isEqualTo(new GrantOutcome.Misconfigured(diagnosis));
    assertThat(reachedProvider).isEmpty();
  }

  @Test
  void clientCredentialsWhenTokenEndpointAddressIsNotAllowedThenMisconfigured() {
    AuthProvider provider =
        TestSupport.withTokenEndpoint(URI.create(base + "/token"), "client", SECRET);
    IdentityProvider idp = IdentityProviders.create(vertx, IdentityProviderOptions.defaults());

    GrantOutcome outcome = await(idp.clientCredentials(provider));

    assertThat(outcome).isInstanceOf(GrantOutcome.Misconfigured.class);
    assertThat(((GrantOutcome.Misconfigured) outcome).diagnosis().code())
        .isEqualTo(DiagnosisCode.OUTBOUND_ADDRESS_REFUSED);
    assertThat(reachedProvider).isEmpty();
  }

  @Test
  void clientCredentialsWhenTheAnswerIsLargerThanTheLimitThenInvalidResponseNamingTheLimit() {
    AuthProvider provider =
        TestSupport.withTokenEndpoint(URI.create(base + "/huge/token"), "client", SECRET);
    IdentityProvider idp =
        IdentityProviders.create(vertx, TestSupport.options().withMaxResponseBytes(256 * 1024));

    GrantOutcome outcome = await(idp.clientCredentials(provider));

    assertThat(outcome).isInstanceOf(GrantOutcome.Failed.class);
    GrantOutcome.Failed failed = (GrantOutcome.Failed) outcome;
    assertThat(failed.failure()).isEqualTo(GrantOutcome.Failure.INVALID_RESPONSE);
    assertThat(failed.reason())
        .contains("more than 262144 bytes", "CALLGATE_PROVIDER_MAX_RESPONSE_BYTES");
  }

  @Test
  void discoverWhenTheDocumentIsLargerThanTheLimitThenResponseInvalidNamingTheLimit() {
    AuthProvider provider =
        TestSupport.withIssuer(
            URI.create(base + "/huge-doc"), "client", SECRET, ClientAuthMethod.NONE);
    IdentityProvider idp =
        IdentityProviders.create(vertx, TestSupport.options().withMaxResponseBytes(1024));

    Diagnosis diagnosis = discoveryDiagnosis(idp, provider);

    assertThat(diagnosis.code()).isEqualTo(DiagnosisCode.IDP_RESPONSE_INVALID);
    assertThat(diagnosis.message()).contains("more than 1024 bytes");
  }
}
