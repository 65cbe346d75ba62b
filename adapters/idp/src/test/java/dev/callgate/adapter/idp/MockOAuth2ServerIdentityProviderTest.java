package dev.callgate.adapter.idp;

import static dev.callgate.adapter.idp.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.core.credential.AuthProvider;
import dev.callgate.core.credential.Authentication;
import dev.callgate.core.credential.ClientAuthMethod;
import dev.callgate.core.credential.Secret;
import dev.callgate.core.port.GrantOutcome;
import dev.callgate.core.port.IdentityProvider;
import dev.callgate.core.port.ProviderMetadata;
import dev.callgate.core.port.TokenResponse;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The adapter's happy paths against mock-oauth2-server, in process: discovery, the authorization
 * code exchange with PKCE, refresh, client credentials, JWT bearer, and both ways of client
 * authentication as they appear on the wire.
 */
class MockOAuth2ServerIdentityProviderTest {

  private static final URI REDIRECT_URI = URI.create("http://127.0.0.1/v1/oauth/callback");

  private static MockOAuth2Server server;
  private static Vertx vertx;
  private static URI issuer;
  private IdentityProvider idp;

  record Sent(String path, Map<String, String> form, String authorization) {}

  @BeforeAll
  static void start() {
    server = new MockOAuth2Server();
    server.start();
    issuer = URI.create(server.issuerUrl("issuer1").toString());
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    server.shutdown();
    vertx.close().await();
  }

  @BeforeEach
  void newAdapter() {
    idp = IdentityProviders.create(vertx, TestSupport.options());
    sent();
  }

  private static AuthProvider provider(ClientAuthMethod method, List<String> scopes) {
    return TestSupport.withScopes(
        TestSupport.withIssuer(issuer, "callgate client", "sec:ret", method), scopes);
  }

  /** Everything the server received since the last call. */
  private static List<Sent> sent() {
    List<Sent> sent = new ArrayList<>();
    try {
      RecordedRequest request;
      while ((request = server.takeRequest(200, TimeUnit.MILLISECONDS)) != null) {
        sent.add(
            new Sent(
                request.getPath(),
                form(request.getBody().readUtf8()),
                request.getHeader("Authorization")));
      }
    } catch (RuntimeException noMore) {
      // takeRequest gives up when nothing came within the wait
    }
    return sent;
  }

  private static Sent tokenRequest() {
    return sent().stream()
        .filter(request -> request.path().endsWith("/token"))
        .reduce((first, second) -> second)
        .orElseThrow(() -> new AssertionError("no token request was sent"));
  }

  private static Map<String, String> form(String body) {
    return Arrays.stream(body.split("&"))
        .filter(pair -> !pair.isEmpty())
        .map(pair -> pair.split("=", 2))
        .collect(
            Collectors.toMap(
                kv -> URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
                kv -> kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "",
                (a, b) -> a));
  }

  private static TokenResponse granted(GrantOutcome outcome) {
    assertThat(outcome).isInstanceOf(GrantOutcome.Granted.class);
    return ((GrantOutcome.Granted) outcome).response();
  }

  /** The server approves at once: the authorization endpoint redirects with a code. */
  private static String authorizationCode(String verifier) throws Exception {
    String query =
        "client_id=callgate&response_type=code&scope=openid%20offline_access&state=s1"
            + "&redirect_uri="
            + REDIRECT_URI
            + "&code_challenge_method=S256&code_challenge="
            + BrowserLogin.challenge(verifier);
    HttpResponse<String> response =
        HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .build()
            .send(
                HttpRequest.newBuilder(
                        URI.create(server.authorizationEndpointUrl("issuer1") + "?" + query))
                    .GET()
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    URI location = URI.create(response.headers().firstValue("Location").orElseThrow());
    return form(location.getRawQuery()).get("code");
  }

  @Test
  void discoverWhenIssuerServesOpenIdConfigurationThenReadsEndpoints() {
    ProviderMetadata metadata = await(idp.discover(provider(ClientAuthMethod.NONE, List.of())));

    assertThat(metadata.issuer()).contains(issuer.toString());
    assertThat(metadata.tokenEndpoint().toString())
        .isEqualTo(server.tokenEndpointUrl("issuer1").toString());
    assertThat(metadata.authorizationEndpoint()).isPresent();
  }

  @Test
  void exchangeCodeWhenApprovedThenSendsVerifierAndRedirectUriAndGrantsTokens() throws Exception {
    String verifier = "verifier-0123456789-0123456789-0123456789-abcdef";
    String code = authorizationCode(verifier);

    GrantOutcome outcome =
        await(
            idp.exchangeCode(
                provider(ClientAuthMethod.CLIENT_SECRET_BASIC, List.of()),
                code,
                Secret.of(verifier),
                REDIRECT_URI));

    TokenResponse tokens = granted(outcome);
    assertThat(tokens.refreshToken()).isPresent();
    assertThat(tokens.expiresIn()).isPresent();
    Sent request = tokenRequest();
    assertThat(request.form())
        .containsEntry("grant_type", "authorization_code")
        .containsEntry("code", code)
        .containsEntry("code_verifier", verifier)
        .containsEntry("redirect_uri", REDIRECT_URI.toString());
  }

  @Test
  void refreshWhenRefreshTokenIssuedThenGrantedWithoutScopeParameter() throws Exception {
    String verifier = "verifier-0123456789-0123456789-0123456789-ghijkl";
    AuthProvider provider = provider(ClientAuthMethod.CLIENT_SECRET_BASIC, List.of("openid"));
    TokenResponse first =
        granted(
            await(
                idp.exchangeCode(
                    provider, authorizationCode(verifier), Secret.of(verifier), REDIRECT_URI)));
    sent();

    TokenResponse refreshed = granted(await(idp.refresh(provider, first.refreshToken().get())));

    assertThat(refreshed.accessToken()).isNotEqualTo(first.accessToken());
    Sent request = tokenRequest();
    assertThat(request.form())
        .containsEntry("grant_type", "refresh_token")
        .containsEntry("refresh_token", first.refreshToken().get().reveal())
        .doesNotContainKey("scope");
  }

  @Test
  void clientCredentialsWhenClientSecretBasicThenHeaderCarriesEncodedCredentials() {
    TokenResponse tokens =
        granted(
            await(
                idp.clientCredentials(
                    provider(
                        ClientAuthMethod.CLIENT_SECRET_BASIC, List.of("api.read", "api.write")))));

    assertThat(tokens.accessToken().reveal()).isNotBlank();
    Sent request = tokenRequest();
    String encoded =
        Base64.getEncoder()
            .encodeToString("callgate+client:sec%3Aret".getBytes(StandardCharsets.UTF_8));
    assertThat(request.authorization()).isEqualTo("Basic " + encoded);
    assertThat(request.form())
        .containsEntry("grant_type", "client_credentials")
        .containsEntry("scope", "api.read api.write")
        .doesNotContainKeys("client_id", "client_secret");
  }

  @Test
  void clientCredentialsWhenClientSecretPostThenCredentialsAreInTheBody() {
    granted(
        await(idp.clientCredentials(provider(ClientAuthMethod.CLIENT_SECRET_POST, List.of("x")))));

    Sent request = tokenRequest();
    assertThat(request.authorization()).isNull();
    assertThat(request.form())
        .containsEntry("client_id", "callgate client")
        .containsEntry("client_secret", "sec:ret");
  }

  @Test
  void jwtBearerWhenServerAcceptsAssertionsThenGrantedForTheSubject() {
    Authentication.JwtBearer jwt =
        new Authentication.JwtBearer(
            "idp",
            "callgate",
            "default-subject",
            Optional.empty(),
            Secret.of(TestSupport.privateKeyPem(TestSupport.rsaKeyPair())));

    TokenResponse tokens =
        granted(
            await(
                idp.jwtBearer(
                    provider(ClientAuthMethod.CLIENT_SECRET_BASIC, List.of()),
                    jwt,
                    "alice",
                    List.of("api.read"))));

    assertThat(tokens.accessToken().reveal()).isNotBlank();
    Sent request = tokenRequest();
    assertThat(request.form())
        .containsEntry("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer")
        .containsKey("assertion");
  }
}
