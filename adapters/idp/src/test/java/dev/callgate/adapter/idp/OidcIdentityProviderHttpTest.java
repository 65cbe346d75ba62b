package dev.callgate.adapter.idp;

import static dev.callgate.adapter.idp.TestSupport.await;
import static dev.callgate.adapter.idp.TestSupport.awaitFailure;
import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.core.credential.AuthProvider;
import dev.callgate.core.credential.Authentication;
import dev.callgate.core.credential.ClientAuthMethod;
import dev.callgate.core.credential.Secret;
import dev.callgate.core.credential.TlsSettings;
import dev.callgate.core.diagnosis.DiagnosisCode;
import dev.callgate.core.port.GrantOutcome;
import dev.callgate.core.port.IdentityProvider;
import dev.callgate.core.port.IdentityProviderException;
import dev.callgate.core.port.ProviderMetadata;
import dev.callgate.core.port.RevocationOutcome;
import dev.callgate.core.port.TokenExchangeRequest;
import dev.callgate.core.port.TokenResponse;
import dev.callgate.core.token.ProviderIdentity;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The adapter against a real HTTP server started here, which answers as misbehaving, overloaded,
 * silent or correct authorization servers do, and records what it received.
 */
class OidcIdentityProviderHttpTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(2);

  private static Vertx vertx;
  private static HttpServer server;
  private static String base;
  private static KeyPair keys;
  private static JWTAuth verifier;
  private static final ConcurrentLinkedQueue<Received> received = new ConcurrentLinkedQueue<>();
  private static final AtomicInteger discoveryRequests = new AtomicInteger();

  private IdentityProvider idp;

  record Received(String path, MultiMap form, String authorization) {}

  @BeforeAll
  static void startServer() {
    vertx = Vertx.vertx();
    keys = TestSupport.rsaKeyPair();
    verifier =
        JWTAuth.create(
            vertx,
            new JWTAuthOptions()
                .addPubSecKey(
                    new PubSecKeyOptions()
                        .setAlgorithm("RS256")
                        .setBuffer(TestSupport.publicKeyPem(keys))));
    server =
        vertx
            .createHttpServer()
            .requestHandler(OidcIdentityProviderHttpTest::answer)
            .listen(0, "127.0.0.1")
            .await();
    base = "http://127.0.0.1:" + server.actualPort();
  }

  @AfterAll
  static void stopServer() {
    vertx.close().await();
  }

  @BeforeEach
  void createAdapter() {
    received.clear();
    discoveryRequests.set(0);
    idp = IdentityProviders.create(vertx, TestSupport.options().withRequestTimeout(TIMEOUT));
  }

  private static void answer(HttpServerRequest request) {
    request
        .body()
        .onSuccess(
            body -> {
              String path = request.path();
              MultiMap form = MultiMap.caseInsensitiveMultiMap();
              for (String pair : body.toString(StandardCharsets.UTF_8).split("&")) {
                if (!pair.isEmpty()) {
                  String[] kv = pair.split("=", 2);
                  form.add(decode(kv[0]), kv.length > 1 ? decode(kv[1]) : "");
                }
              }
              received.add(new Received(path, form, request.getHeader("Authorization")));
              route(request, path, form);
            });
  }

  private static void route(HttpServerRequest request, String path, MultiMap form) {
    var response = request.response();
    switch (path) {
      case "/html200/token" ->
          response
              .putHeader("Content-Type", "text/html; charset=utf-8")
              .end("<html><body>Sign in</body></html>");
      case "/html502/token" ->
          response
              .setStatusCode(502)
              .putHeader("Content-Type", "text/html")
              .end("<html><body>Bad Gateway</body></html>");
      case "/plain503/token" ->
          response
              .setStatusCode(503)
              .putHeader("Content-Type", "text/plain")
              .end("Service Unavailable");
      case "/ratelimited/token" ->
          response
              .setStatusCode(429)
              .putHeader("Retry-After", "7")
              .putHeader("Content-Type", "application/json")
              .end("{\"error\":\"slow_down\"}");
      case "/grant/token" ->
          json(
              response.setStatusCode(400),
              new JsonObject()
                  .put("error", "invalid_grant")
                  .put("error_description", "Token is not active"));
      case "/client/token" ->
          json(response.setStatusCode(401), new JsonObject().put("error", "invalid_client"));
      case "/noaccess/token" ->
          json(response, new JsonObject().put("token_type", "Bearer").put("refresh_token", "rt-x"));
      case "/silent/token" -> {
        // never answers: the client's timeout must end the wait
      }
      case "/ok/token" ->
          json(
              response,
              new JsonObject()
                  .put("access_token", "at-1")
                  .put("token_type", "bearer")
                  .put("expires_in", "3600")
                  .put("refresh_token", jwt(new JsonObject().put("exp", 2_000_000_000L)))
                  .put("refresh_token_expires_in", 86400)
                  .put("scope", "read  write"));
      case "/identity/token" ->
          json(
              response,
              new JsonObject()
                  .put("access_token", "at-2")
                  .put("token_type", "Bearer")
                  .put(
                      "refresh_token",
                      jwt(new JsonObject().put("sub", "f:93:carol").put("sid", "session-9")))
                  .put(
                      "id_token",
                      jwt(
                          new JsonObject()
                              .put("sub", "f:93:carol")
                              .put("preferred_username", "carol")
                              .put("email", "carol@example.com"))));
      case "/refreshonly/token" ->
          json(
              response,
              new JsonObject()
                  .put("access_token", "at-3")
                  .put(
                      "refresh_token",
                      jwt(new JsonObject().put("sub", "f:93:dave").put("sid", "session-10"))));
      case "/jwt/token" -> verifyAssertion(request, form);
      case "/revoke" -> response.end();
      case "/oidc/.well-known/openid-configuration" -> discovery(response, base + "/oidc");
      case "/wrongissuer/.well-known/openid-configuration" ->
          discovery(response, "https://elsewhere.example");
      case "/.well-known/oauth-authorization-server/rfc8414" ->
          discovery(response, base + "/rfc8414");
      case "/down/.well-known/openid-configuration",
          "/.well-known/oauth-authorization-server/down" ->
          response.setStatusCode(503).end();
      default -> response.setStatusCode(404).putHeader("Content-Type", "text/html").end("nope");
    }
  }

  private static void discovery(io.vertx.core.http.HttpServerResponse response, String issuer) {
    discoveryRequests.incrementAndGet();
    json(
        response,
        new JsonObject()
            .put("issuer", issuer)
            .put("authorization_endpoint", base + "/authorize")
            .put("token_endpoint", base + "/ok/token")
            .put("revocation_endpoint", base + "/revoke")
            .put("scopes_supported", List.of("openid", "offline_access"))
            .put("grant_types_supported", List.of("authorization_code", "refresh_token"))
            .put("code_challenge_methods_supported", List.of("S256")));
  }

  private static void verifyAssertion(HttpServerRequest request, MultiMap form) {
    var response = request.response();
    if (!OidcIdentityProvider.JWT_BEARER_GRANT.equals(form.get("grant_type"))) {
      json(response.setStatusCode(400), new JsonObject().put("error", "unsupported_grant_type"));
      return;
    }
    verifier
        .authenticate(new TokenCredentials(form.get("assertion")))
        .onSuccess(
            user ->
                json(
                    response,
                    new JsonObject()
                        .put("access_token", "jwt-at")
                        .put("token_type", "Bearer")
                        .put("claims", user.principal())))
        .onFailure(
            failure ->
                json(
                    response.setStatusCode(400),
                    new JsonObject()
                        .put("error", "invalid_grant")
                        .put("error_description", "signature")));
  }

  private static void json(io.vertx.core.http.HttpServerResponse response, JsonObject body) {
    response.putHeader("Content-Type", "application/json").end(body.encode());
  }

  private static String jwt(JsonObject claims) {
    Base64.Encoder encoder = Base64.getUrlEncoder().withoutPadding();
    // signed as providers sign them; the signature is never checked
    return encoder.encodeToString("{\"alg\":\"HS256\"}".getBytes(StandardCharsets.UTF_8))
        + "."
        + encoder.encodeToString(claims.encode().getBytes(StandardCharsets.UTF_8))
        + ".sig";
  }

  private static String decode(String value) {
    return URLDecoder.decode(value, StandardCharsets.UTF_8);
  }

  private static AuthProvider at(String tokenPath) {
    return TestSupport.withTokenEndpoint(URI.create(base + tokenPath), "client", "secret");
  }

  private GrantOutcome refreshAt(String tokenPath) {
    return await(idp.refresh(at(tokenPath), Secret.of("rt-secret-value")));
  }

  @Test
  void refreshWhenHtmlWithStatus200ThenInvalidResponseNamingTheContentType() {
    GrantOutcome outcome = refreshAt("/html200/token");

    assertThat(outcome).isInstanceOf(GrantOutcome.Failed.class);
    GrantOutcome.Failed failed = (GrantOutcome.Failed) outcome;
    assertThat(failed.failure()).isEqualTo(GrantOutcome.Failure.INVALID_RESPONSE);
    assertThat(failed.reason()).contains("200").contains("text/html").doesNotContain("Sign in");
    assertThat(failed.httpStatus()).contains(200);
  }

  @Test
  void refreshWhenHtml502ThenServerError() {
    GrantOutcome.Failed failed = (GrantOutcome.Failed) refreshAt("/html502/token");

    assertThat(failed.failure()).isEqualTo(GrantOutcome.Failure.SERVER_ERROR);
    assertThat(failed.httpStatus()).contains(502);
    assertThat(failed.reason()).doesNotContain("Bad Gateway");
  }

  @Test
  void refreshWhenPlain503ThenServerError() {
    GrantOutcome.Failed failed = (GrantOutcome.Failed) refreshAt("/plain503/token");

    assertThat(failed.failure()).isEqualTo(GrantOutcome.Failure.SERVER_ERROR);
    assertThat(failed.httpStatus()).contains(503);
  }

  @Test
  void refreshWhen429ThenRateLimitedWithRetryAfter() {
    GrantOutcome.Failed failed = (GrantOutcome.Failed) refreshAt("/ratelimited/token");

    assertThat(failed.failure()).isEqualTo(GrantOutcome.Failure.RATE_LIMITED);
    assertThat(failed.retryAfter()).contains(Duration.ofSeconds(7));
    assertThat(failed.httpStatus()).contains(429);
  }

  @Test
  void refreshWhenJson400InvalidGrantThenRefused() {
    assertThat(refreshAt("/grant/token"))
        .isEqualTo(
            new GrantOutcome.Refused("invalid_grant", Optional.of("Token is not active"), 400));
  }

  @Test
  void refreshWhenJson401InvalidClientThenRefusedWithoutDescription() {
    assertThat(refreshAt("/client/token"))
        .isEqualTo(new GrantOutcome.Refused("invalid_client", Optional.empty(), 401));
  }

  @Test
  void refreshWhenJson200WithoutAccessTokenThenInvalidResponse() {
    GrantOutcome.Failed failed = (GrantOutcome.Failed) refreshAt("/noaccess/token");

    assertThat(failed.failure()).isEqualTo(GrantOutcome.Failure.INVALID_RESPONSE);
    assertThat(failed.reason()).contains("access_token").doesNotContain("rt-x");
  }

  @Test
  void refreshWhenServerNeverAnswersThenTimeout() {
    long started = System.nanoTime();
    GrantOutcome.Failed failed = (GrantOutcome.Failed) refreshAt("/silent/token");

    assertThat(failed.failure()).isEqualTo(GrantOutcome.Failure.TIMEOUT);
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void refreshWhenPortIsClosedThenUnreachable() {
    AuthProvider closed =
        TestSupport.withTokenEndpoint(
            URI.create("http://127.0.0.1:" + TestSupport.freePort() + "/token"), "c", "s");

    GrantOutcome.Failed failed = (GrantOutcome.Failed) await(idp.refresh(closed, Secret.of("rt")));

    assertThat(failed.failure()).isEqualTo(GrantOutcome.Failure.UNREACHABLE);
    assertThat(failed.reason()).contains("connection refused");
  }

  @Test
  void refreshWhenHostIsUnknownThenUnreachable() {
    AuthProvider unknown =
        TestSupport.withTokenEndpoint(URI.create("https://idp.invalid/token"), "c", "s");

    GrantOutcome.Failed failed = (GrantOutcome.Failed) await(idp.refresh(unknown, Secret.of("rt")));

    assertThat(failed.failure()).isEqualTo(GrantOutcome.Failure.UNREACHABLE);
  }

  @Test
  void refreshWhenTheAnswerHasAnIdTokenThenReadsWhoseGrantItIsWithTheRefreshTokensSession() {
    GrantOutcome outcome = await(idp.refresh(at("/identity/token"), Secret.of("rt")));

    TokenResponse tokens = ((GrantOutcome.Granted) outcome).response();
    assertThat(tokens.identity())
        .contains(
            new ProviderIdentity(
                "f:93:carol",
                Optional.of("carol"),
                Optional.of("carol@example.com"),
                Optional.of("session-9")));
  }

  @Test
  void refreshWhenOnlyTheRefreshTokenIsAJwtThenItsSubjectAndSessionAreTheIdentity() {
    GrantOutcome outcome = await(idp.refresh(at("/refreshonly/token"), Secret.of("rt")));

    TokenResponse tokens = ((GrantOutcome.Granted) outcome).response();
    assertThat(tokens.identity())
        .contains(
            new ProviderIdentity(
                "f:93:dave", Optional.empty(), Optional.empty(), Optional.of("session-10")));
  }

  @Test
  void refreshWhenTokensAreOpaqueThenNoIdentity() {
    GrantOutcome outcome = await(idp.refresh(at("/noaccess/token"), Secret.of("rt")));

    assertThat(outcome).isInstanceOf(GrantOutcome.Failed.class);
    GrantOutcome ok = await(idp.refresh(at("/ok/token"), Secret.of("rt")));
    assertThat(((GrantOutcome.Granted) ok).response().identity()).isEmpty();
  }

  @Test
  void refreshWhenGrantedThenReadsEveryFieldAndSendsNoScope() {
    AuthProvider provider = TestSupport.withScopes(at("/ok/token"), List.of("read", "write"));

    GrantOutcome outcome = await(idp.refresh(provider, Secret.of("rt-secret-value")));

    assertThat(outcome).isInstanceOf(GrantOutcome.Granted.class);
    TokenResponse tokens = ((GrantOutcome.Granted) outcome).response();
    assertThat(tokens.accessToken().reveal()).isEqualTo("at-1");
    assertThat(tokens.tokenType()).isEqualTo("bearer");
    assertThat(tokens.expiresIn()).contains(Duration.ofHours(1));
    assertThat(tokens.refreshExpiresIn()).contains(Duration.ofDays(1));
    assertThat(tokens.refreshTokenJwtExpiry()).contains(Instant.ofEpochSecond(2_000_000_000L));
    assertThat(tokens.scope()).contains(List.of("read", "write"));
    Received request = received.peek();
    assertThat(request.form().get("grant_type")).isEqualTo("refresh_token");
    assertThat(request.form().get("refresh_token")).isEqualTo("rt-secret-value");
    assertThat(request.form().contains("scope")).isFalse();
  }

  @Test
  void clientCredentialsWhenSecretHasReservedCharactersThenBasicHeaderIsFormEncodedFirst() {
    AuthProvider provider =
        TestSupport.withScopes(
            TestSupport.withTokenEndpoint(
                URI.create(base + "/ok/token"), "my client", "s:e/c ret%é"),
            List.of("b", "a"));

    await(idp.clientCredentials(provider));

    Received request = received.peek();
    String expected =
        Base64.getEncoder()
            .encodeToString("my+client:s%3Ae%2Fc+ret%25%C3%A9".getBytes(StandardCharsets.UTF_8));
    assertThat(request.authorization()).isEqualTo("Basic " + expected);
    assertThat(request.form().get("scope")).isEqualTo("b a");
    assertThat(request.form().contains("client_secret")).isFalse();
  }

  @Test
  void tokenExchangeWhenSeveralAudiencesAndResourcesThenEachIsAParameterBesideTheSubject() {
    AuthProvider provider =
        TestSupport.withScopes(
            TestSupport.withTokenEndpoint(URI.create(base + "/ok/token"), "client", "secret"),
            List.of("orders.read"));

    GrantOutcome outcome =
        await(
            idp.tokenExchange(
                provider,
                new TokenExchangeRequest(
                    Secret.of("subject-token-value"),
                    "urn:ietf:params:oauth:token-type:access_token",
                    List.of("orders-api", "billing-api"),
                    List.of(URI.create("https://orders.example.com/api")),
                    Optional.of("urn:ietf:params:oauth:token-type:access_token"),
                    provider.scopes())));

    assertThat(outcome).isInstanceOf(GrantOutcome.Granted.class);
    MultiMap form = received.peek().form();
    assertThat(form.get("grant_type")).isEqualTo("urn:ietf:params:oauth:grant-type:token-exchange");
    assertThat(form.get("subject_token")).isEqualTo("subject-token-value");
    assertThat(form.get("subject_token_type"))
        .isEqualTo("urn:ietf:params:oauth:token-type:access_token");
    assertThat(form.getAll("audience")).containsExactly("orders-api", "billing-api");
    assertThat(form.getAll("resource")).containsExactly("https://orders.example.com/api");
    assertThat(form.get("requested_token_type"))
        .isEqualTo("urn:ietf:params:oauth:token-type:access_token");
    assertThat(form.get("scope")).isEqualTo("orders.read");
  }

  @Test
  void jwtBearerWhenSignedThenTheServerVerifiesTheAssertionWithThePublicKey() {
    AuthProvider provider = at("/jwt/token");
    Authentication.JwtBearer jwt =
        new Authentication.JwtBearer(
            "idp",
            "callgate-client",
            "ignored-default-subject",
            Optional.empty(),
            Secret.of(TestSupport.privateKeyPem(keys)));

    GrantOutcome outcome = await(idp.jwtBearer(provider, jwt, "alice", List.of("api")));

    assertThat(outcome).isInstanceOf(GrantOutcome.Granted.class);
    MultiMap form = received.peek().form();
    assertThat(form.get("scope")).isEqualTo("api");
    String[] parts = form.get("assertion").split("\\.");
    JsonObject header = new JsonObject(new String(Base64.getUrlDecoder().decode(parts[0])));
    JsonObject claims = new JsonObject(new String(Base64.getUrlDecoder().decode(parts[1])));
    assertThat(header.getString("alg")).isEqualTo("RS256");
    assertThat(claims.getString("iss")).isEqualTo("callgate-client");
    assertThat(claims.getString("sub")).isEqualTo("alice");
    assertThat(claims.getString("aud")).isEqualTo(base + "/jwt/token");
    assertThat(claims.getString("jti")).isNotBlank();
    assertThat(claims.getLong("exp") - claims.getLong("iat")).isEqualTo(300L);
  }

  @Test
  void jwtBearerWhenSignedWithAnotherKeyThenTheServerRefusesIt() {
    Authentication.JwtBearer jwt =
        new Authentication.JwtBearer(
            "idp",
            "callgate-client",
            "alice",
            Optional.of("https://audience.example"),
            Secret.of(TestSupport.privateKeyPem(TestSupport.rsaKeyPair())));

    GrantOutcome outcome = await(idp.jwtBearer(at("/jwt/token"), jwt, "alice", List.of()));

    assertThat(outcome).isInstanceOf(GrantOutcome.Refused.class);
  }

  @Test
  void jwtBearerWhenKeyIsNotPemThenFailsWithoutShowingTheKey() {
    Authentication.JwtBearer jwt =
        new Authentication.JwtBearer(
            "idp", "iss", "alice", Optional.empty(), Secret.of("not-a-key-SECRETVALUE"));

    Throwable failure = awaitFailure(idp.jwtBearer(at("/jwt/token"), jwt, "alice", List.of()));

    assertThat(failure).isInstanceOf(IdentityProviderException.class);
    assertThat(((IdentityProviderException) failure).diagnosis().code())
        .isEqualTo(DiagnosisCode.INVALID_VALUE);
    assertThat(failure.getMessage()).doesNotContain("SECRETVALUE");
  }

  @Test
  void discoverWhenIssuerMatchesThenReadsMetadataAndCachesIt() {
    AuthProvider provider =
        TestSupport.withIssuer(
            URI.create(base + "/oidc"), "client", "secret", ClientAuthMethod.CLIENT_SECRET_BASIC);

    ProviderMetadata metadata = await(idp.discover(provider));
    await(idp.discover(provider));
    await(idp.refresh(provider, Secret.of("rt")));

    assertThat(metadata.issuer()).contains(base + "/oidc");
    assertThat(metadata.tokenEndpoint()).isEqualTo(URI.create(base + "/ok/token"));
    assertThat(metadata.revocationEndpoint()).contains(URI.create(base + "/revoke"));
    assertThat(metadata.codeChallengeMethodsSupported()).containsExactly("S256");
    assertThat(discoveryRequests).hasValue(1);
  }

  @Test
  void discoverWhenCachedLongerThanItsLifetimeThenFetchesAgain() {
    Instant[] now = {Instant.parse("2030-01-01T00:00:00Z")};
    IdentityProvider clocked =
        IdentityProviders.create(
            vertx,
            TestSupport.options()
                .withDiscoveryLifetime(Duration.ofHours(1))
                .withClock(() -> now[0]));
    AuthProvider provider =
        TestSupport.withIssuer(
            URI.create(base + "/oidc"), "client", "secret", ClientAuthMethod.CLIENT_SECRET_BASIC);

    await(clocked.discover(provider));
    now[0] = now[0].plus(Duration.ofMinutes(59));
    await(clocked.discover(provider));
    assertThat(discoveryRequests).hasValue(1);
    now[0] = now[0].plus(Duration.ofMinutes(2));
    await(clocked.discover(provider));

    assertThat(discoveryRequests).hasValue(2);
  }

  @Test
  void discoverWhenExplicitEndpointsAreGivenThenTheyOverrideDiscoveredOnes() {
    URI ownToken = URI.create(base + "/grant/token");
    AuthProvider provider =
        new AuthProvider(
            "idp",
            Optional.of(URI.create(base + "/oidc")),
            Optional.empty(),
            Optional.of(ownToken),
            Optional.empty(),
            "client",
            Optional.of(Secret.of("secret")),
            ClientAuthMethod.CLIENT_SECRET_POST,
            List.of(),
            Optional.empty());

    ProviderMetadata metadata = await(idp.discover(provider));

    assertThat(metadata.tokenEndpoint()).isEqualTo(ownToken);
    assertThat(metadata.authorizationEndpoint()).contains(URI.create(base + "/authorize"));
  }

  @Test
  void discoverWhenNoOpenIdDocumentThenFallsBackToRfc8414() {
    AuthProvider provider =
        TestSupport.withIssuer(
            URI.create(base + "/rfc8414"), "client", null, ClientAuthMethod.NONE);

    ProviderMetadata metadata = await(idp.discover(provider));

    assertThat(metadata.issuer()).contains(base + "/rfc8414");
  }

  @Test
  void discoverWhenDocumentNamesAnotherIssuerThenMetadataInvalid() {
    AuthProvider provider =
        TestSupport.withIssuer(
            URI.create(base + "/wrongissuer"), "client", "secret", ClientAuthMethod.NONE);

    Throwable failure = awaitFailure(idp.discover(provider));

    assertThat(failure).isInstanceOf(IdentityProviderException.class);
    IdentityProviderException exception = (IdentityProviderException) failure;
    assertThat(exception.diagnosis().code()).isEqualTo(DiagnosisCode.PROVIDER_METADATA_INVALID);
    assertThat(exception.diagnosis().message()).contains("elsewhere.example");
  }

  @Test
  void discoverWhenNoDocumentAnywhereThenResponseInvalid() {
    AuthProvider provider =
        TestSupport.withIssuer(
            URI.create(base + "/missing"), "client", "secret", ClientAuthMethod.NONE);

    IdentityProviderException exception =
        (IdentityProviderException) awaitFailure(idp.discover(provider));

    assertThat(exception.diagnosis().code()).isEqualTo(DiagnosisCode.IDP_RESPONSE_INVALID);
  }

  @Test
  void discoverWhenProviderAnswers503ThenUnavailable() {
    AuthProvider provider =
        TestSupport.withIssuer(
            URI.create(base + "/down"), "client", "secret", ClientAuthMethod.NONE);

    IdentityProviderException exception =
        (IdentityProviderException) awaitFailure(idp.discover(provider));

    assertThat(exception.diagnosis().code()).isEqualTo(DiagnosisCode.IDP_UNAVAILABLE);
  }

  @Test
  void discoverWhenUnreachableThenUnavailableAndAGrantFailsAsAValue() {
    AuthProvider provider =
        TestSupport.withIssuer(
            URI.create("http://127.0.0.1:" + TestSupport.freePort()),
            "client",
            "secret",
            ClientAuthMethod.NONE);

    IdentityProviderException exception =
        (IdentityProviderException) awaitFailure(idp.discover(provider));
    GrantOutcome outcome = await(idp.clientCredentials(provider));

    assertThat(exception.diagnosis().code()).isEqualTo(DiagnosisCode.IDP_UNAVAILABLE);
    assertThat(outcome).isInstanceOf(GrantOutcome.Failed.class);
    assertThat(((GrantOutcome.Failed) outcome).failure())
        .isEqualTo(GrantOutcome.Failure.UNREACHABLE);
  }

  @Test
  void revokeWhenEndpointIsAdvertisedThenPostsTokenAndHintWithClientAuth() {
    AuthProvider provider =
        TestSupport.withIssuer(
            URI.create(base + "/oidc"), "client", "secret", ClientAuthMethod.CLIENT_SECRET_POST);

    await(idp.revoke(provider, Secret.of("rt-to-revoke"), "refresh_token"));

    Received request =
        received.stream().filter(r -> r.path().equals("/revoke")).findFirst().orElseThrow();
    assertThat(request.form().get("token")).isEqualTo("rt-to-revoke");
    assertThat(request.form().get("token_type_hint")).isEqualTo("refresh_token");
    assertThat(request.form().get("client_id")).isEqualTo("client");
    assertThat(request.form().get("client_secret")).isEqualTo("secret");
  }

  @Test
  void revokeWhenProviderHasNoRevocationEndpointThenNotSupportedWithoutARequest() {
    RevocationOutcome outcome =
        await(idp.revoke(at("/ok/token"), Secret.of("rt"), "refresh_token"));

    assertThat(outcome).isEqualTo(new RevocationOutcome.NotSupported());
    assertThat(received).isEmpty();
  }

  @Test
  void grantAndRevokeWhenPrivateKeyJwtThenEachSendsItsOwnAssertionForTheTokenEndpoint()
      throws Exception {
    AuthProvider provider =
        new AuthProvider(
            "idp",
            Optional.of(URI.create(base + "/oidc")),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            "client",
            Optional.empty(),
            ClientAuthMethod.PRIVATE_KEY_JWT,
            List.of(),
            Optional.empty(),
            Map.of(),
            Optional.empty(),
            Optional.empty(),
            Optional.of(Secret.of(TestSupport.privateKeyPem(keys))),
            Optional.of("k1"),
            Optional.empty(),
            TlsSettings.NONE,
            Optional.empty());

    await(idp.clientCredentials(provider));
    await(idp.revoke(provider, Secret.of("rt-to-revoke"), "refresh_token"));

    List<Received> requests =
        received.stream().filter(r -> !r.path().contains("well-known")).toList();
    assertThat(requests).extracting(Received::path).containsExactly("/ok/token", "/revoke");
    for (Received request : requests) {
      assertThat(request.authorization()).isNull();
      assertThat(request.form().get("client_id")).isEqualTo("client");
      assertThat(request.form().contains("client_secret")).isFalse();
      assertThat(request.form().get("client_assertion_type"))
          .isEqualTo("urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
      com.nimbusds.jwt.SignedJWT assertion =
          com.nimbusds.jwt.SignedJWT.parse(request.form().get("client_assertion"));
      assertThat(
              assertion.verify(
                  new com.nimbusds.jose.crypto.RSASSAVerifier(
                      (java.security.interfaces.RSAPublicKey) keys.getPublic())))
          .isTrue();
      assertThat(assertion.getJWTClaimsSet().getAudience()).containsExactly(base + "/ok/token");
    }
    assertThat(requests.get(0).form().get("client_assertion"))
        .isNotEqualTo(requests.get(1).form().get("client_assertion"));
  }
}
