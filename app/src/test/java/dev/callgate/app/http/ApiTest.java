package dev.callgate.app.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.adapter.idp.IdentityProviderOptions;
import dev.callgate.adapter.idp.IdentityProviders;
import dev.callgate.app.bodies.BufferedCalloutBodies;
import dev.callgate.app.metrics.CallgateMetrics;
import dev.callgate.app.runtime.EventLogLines;
import dev.callgate.app.runtime.EventTail;
import dev.callgate.core.callout.Headers;
import dev.callgate.core.credential.ProviderEndpointRule;
import dev.callgate.core.event.EventSource;
import dev.callgate.core.outbound.OutboundAddressPolicy;
import dev.callgate.core.port.StoreUnavailableException;
import dev.callgate.core.refresh.RefreshPolicy;
import dev.callgate.core.service.ApiKeys;
import dev.callgate.core.service.Authorizations;
import dev.callgate.core.service.BrowserBinding;
import dev.callgate.core.service.Caller;
import dev.callgate.core.service.Callouts;
import dev.callgate.core.service.ConnectLinks;
import dev.callgate.core.service.ConnectionTests;
import dev.callgate.core.service.ConsoleSessions;
import dev.callgate.core.service.Credentials;
import dev.callgate.core.service.DeviceAuthorizations;
import dev.callgate.core.service.EventFeed;
import dev.callgate.core.service.FleetStatus;
import dev.callgate.core.service.ManualRefreshes;
import dev.callgate.core.service.Providers;
import dev.callgate.core.service.Refresher;
import dev.callgate.core.service.Revocations;
import dev.callgate.core.service.TokenStatuses;
import dev.callgate.core.service.Webhooks;
import dev.callgate.core.testkit.InMemoryApiKeyStore;
import dev.callgate.core.testkit.InMemoryConnectLinkStore;
import dev.callgate.core.testkit.InMemoryConsoleSessionStore;
import dev.callgate.core.testkit.InMemoryCredentialStore;
import dev.callgate.core.testkit.InMemoryDeviceAuthorizationStore;
import dev.callgate.core.testkit.InMemoryIdentityProvider;
import dev.callgate.core.testkit.InMemoryPendingAuthorizationStore;
import dev.callgate.core.testkit.InMemoryTokenStore;
import dev.callgate.core.testkit.InMemoryWebhookStore;
import dev.callgate.core.testkit.ManualClock;
import dev.callgate.core.testkit.ScriptedTarget;
import dev.callgate.core.webhook.WebhookUrlRule;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HTTP API over the in-memory ports: contract paths, fields, problem documents. */
class ApiTest {
  private static final String ADMIN_KEY = "an-admin-key-for-the-api-tests";

  private final ManualClock clock = new ManualClock();
  private final InMemoryTokenStore tokens = new InMemoryTokenStore();
  private final InMemoryCredentialStore credentials = new InMemoryCredentialStore(tokens);
  private final InMemoryIdentityProvider idp = new InMemoryIdentityProvider(clock);
  private final ScriptedTarget target = new ScriptedTarget();
  private Vertx vertx;
  private HttpServer server;
  private WebClient web;
  private Router router;
  private ApiKeys apiKeys;

  record Answer(int status, MultiMap headers, Buffer body) {
    JsonObject json() {
      return body.toJsonObject();
    }

    String code() {
      assertThat(headers.get("Content-Type")).isEqualTo("application/problem+json");
      assertThat(headers.get("Callgate-Error")).isEqualTo(json().getString("code"));
      assertThat(json().getInteger("status")).isEqualTo(status);
      assertThat(json().getString("detail")).isNotBlank();
      return json().getString("code");
    }
  }

  private DeviceAuthorizations deviceAuthorizations;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    // private keys read as the service reads them
    idp.clientKeyRule(
        IdentityProviders.create(vertx, IdentityProviderOptions.defaults()).clientKeyRule());
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    RefreshPolicy policy =
        new RefreshPolicy(RefreshPolicy.Settings.defaults(), new SplittableRandom(5));
    Refresher refresher =
        new Refresher(
            credentials, tokens, idp, clock, policy, Refresher.Settings.defaults("api-test"));
    Callouts callouts = new Callouts(credentials, tokens, refresher, target, clock, policy);
    EventSource source = new EventSource("api-test", clock);
    Authorizations authorizations =
        new Authorizations(
            credentials,
            tokens,
            new InMemoryPendingAuthorizationStore(tokens.eventLog()),
            idp,
            source,
            new SplittableRandom(9),
            policy,
            new Authorizations.Settings(
                URI.create("http://127.0.0.1/v1/oauth/callback"), Duration.ofMinutes(10)),
            tokens.eventLog());
    apiKeys =
        new ApiKeys(
            new InMemoryApiKeyStore(tokens.eventLog()),
            source,
            new SplittableRandom(1),
            Optional.of(dev.callgate.core.credential.Secret.of(ADMIN_KEY)));
    apiKeys.bootstrap().toCompletableFuture().join();
    Providers providers =
        new Providers(credentials, tokens, idp, source, new SplittableRandom(3), policy);
    Revocations revocations =
        new Revocations(
            credentials,
            tokens,
            idp,
            clock,
            policy,
            Refresher.Settings.defaults("api-test"),
            tokens.eventLog());
    InMemoryDeviceAuthorizationStore devices =
        new InMemoryDeviceAuthorizationStore(tokens.eventLog());
    TokenStatuses statuses = new TokenStatuses(credentials, tokens, clock, Optional.of(devices));
    deviceAuthorizations =
        new DeviceAuthorizations(
            credentials, devices, idp, authorizations, source, new SplittableRandom(13));
    ApiServices services =
        new ApiServices(
            apiKeys,
            callouts,
            authorizations,
            new ManualRefreshes(credentials, refresher, statuses, clock, tokens.eventLog()),
            providers,
            new Credentials(credentials, providers, revocations, source),
            revocations,
            statuses,
            new ConnectionTests(credentials, callouts, clock),
            new EventFeed(tokens.eventLog()),
            new FleetStatus(credentials, tokens, statuses),
            new EventTail(
                vertx,
                tokens.eventLog(),
                new HeardChanges(),
                "api-test",
                new EventLogLines(new CallgateMetrics(registry)),
                new EventTail.Settings(Duration.ofSeconds(5), Duration.ofSeconds(5))),
            new Webhooks(
                new InMemoryWebhookStore(tokens.eventLog()),
                source,
                new SplittableRandom(5),
                new WebhookUrlRule(
                    ProviderEndpointRule.httpsOrLoopback(), OutboundAddressPolicy.publicOnly())),
            new ConsoleSessions(
                new InMemoryConsoleSessionStore(tokens.eventLog()),
                apiKeys,
                source,
                new SplittableRandom(7),
                new ConsoleSessions.Settings(ConsoleSessions.DEFAULT_LIFETIME, false)),
            new ConnectLinks(
                credentials,
                new InMemoryConnectLinkStore(tokens.eventLog()),
                authorizations,
                idp,
                source,
                new SplittableRandom(11),
                new ConnectLinks.Settings(URI.create("http://127.0.0.1"), Duration.ofMinutes(15))),
            deviceAuthorizations);
    router =
        ApiRouter.create(
            vertx,
            services,
            registry,
            new Readiness(
                "callgate-test", () -> CompletableFuture.completedStage(true), () -> true),
            new CalloutRoute(
                callouts,
                new BufferedCalloutBodies(1024 * 1024),
                (name, result, took) -> {},
                where -> {}));
    server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").await();
    web = WebClient.create(vertx);
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  private Answer send(
      HttpMethod method, String uri, String key, Map<String, String> headers, String body)
      throws Exception {
    // WebClient buffers the whole answer itself: no race between the response and a body handler
    HttpRequest<Buffer> request = web.request(method, server.actualPort(), "127.0.0.1", uri);
    if (key != null) {
      request.putHeader("Authorization", "Bearer " + key);
    }
    headers.forEach(request::putHeader);
    request.followRedirects(false);
    HttpResponse<Buffer> response =
        (body == null ? request.send() : request.sendBuffer(Buffer.buffer(body)))
            .toCompletionStage()
            .toCompletableFuture()
            .orTimeout(10, TimeUnit.SECONDS)
            .exceptionally(
                failure -> {
                  throw new AssertionError(method + " " + uri + " got no answer", failure);
                })
            .get();
    Buffer answer = response.body() == null ? Buffer.buffer() : response.body();
    return new Answer(response.statusCode(), response.headers(), answer);
  }

  private Answer admin(HttpMethod method, String uri, JsonObject body) throws Exception {
    return send(
        method,
        uri,
        ADMIN_KEY,
        Map.of("Content-Type", "application/json"),
        body == null ? null : body.encode());
  }

  private void providerAndCredential(JsonObject credentialExtras) throws Exception {
    assertThat(
            admin(
                    HttpMethod.POST,
                    "/v1/providers",
                    new JsonObject()
                        .put("name", "idp")
                        .put("issuer", InMemoryIdentityProvider.ISSUER)
                        .put("clientId", "callgate-client")
                        .put("clientSecret", "s3cret")
                        .put("scopes", new JsonArray().add("openid").add("offline_access")))
                .status())
        .isEqualTo(201);
    JsonObject credential =
        new JsonObject()
            .put("name", "crm")
            .put("url", "https://api.test/v1")
            .put("protocol", "oauth2_authorization_code")
            .put("provider", "idp")
            .put("allowedCallers", new JsonArray().add("billing"))
            .mergeIn(credentialExtras);
    assertThat(admin(HttpMethod.POST, "/v1/credentials", credential).status()).isEqualTo(201);
  }

  private void authorize() throws Exception {
    Answer started = admin(HttpMethod.POST, "/v1/credentials/crm/authorizations", null);
    assertThat(started.status()).isEqualTo(201);
    URI page = URI.create(started.json().getString("authorizationUrl"));
    Answer opened =
        send(HttpMethod.GET, page.getRawPath() + "?" + page.getRawQuery(), null, Map.of(), null);
    assertThat(opened.status()).isEqualTo(303);
    String cookie = opened.headers().get("Set-Cookie");
    assertThat(cookie)
        .containsIgnoringCase("HttpOnly")
        .contains("SameSite=Lax", "Path=/v1/oauth/", "Max-Age=600")
        .doesNotContain("Secure");
    InMemoryIdentityProvider.Approval approval =
        idp.approve(URI.create(opened.headers().get("Location")), "alice");
    Answer callback =
        send(
            HttpMethod.GET,
            "/v1/oauth/callback?state=" + approval.state() + "&code=" + approval.code(),
            null,
            Map.of("Cookie", cookie.substring(0, cookie.indexOf(';'))),
            null);
    assertThat(callback.status()).isEqualTo(200);
    assertThat(callback.body().toString()).contains("is authorized");
  }

  @Test
  void everyFieldAProviderOrCredentialAcceptsIsInItsOpenApiInputSchema() {
    JsonObject schemas = OpenApi.document().getJsonObject("components").getJsonObject("schemas");

    assertThat(schemas.getJsonObject("ProviderInput").getJsonObject("properties").fieldNames())
        .containsAll(ResourceJson.PROVIDER_FIELDS);
    assertThat(schemas.getJsonObject("CredentialInput").getJsonObject("properties").fieldNames())
        .containsAll(ResourceJson.CREDENTIAL_FIELDS);
    assertThat(
            schemas
                .getJsonObject("CredentialInput")
                .getJsonObject("properties")
                .getJsonObject("tokenPlacement")
                .getJsonObject("properties")
                .fieldNames())
        .containsExactlyInAnyOrder("in", "name", "prefix");
  }

  @Test
  void everyRouteOfTheRouterIsInTheOpenApiDocument() {
    JsonObject paths = OpenApi.document().getJsonObject("paths");
    assertThat(OpenApi.document().getString("openapi")).isEqualTo("3.1.0");
    int checked = 0;
    for (Route route : router.getRoutes()) {
      if (route.getPath() == null || route.methods() == null) {
        continue;
      }
      String path = route.getPath().replaceAll(":([A-Za-z]+)", "{$1}");
      assertThat(paths.containsKey(path)).as("openapi.json has %s", path).isTrue();
      for (HttpMethod method : route.methods()) {
        assertThat(paths.getJsonObject(path).containsKey(method.name().toLowerCase()))
            .as("openapi.json has %s %s", method, path)
            .isTrue();
        checked++;
      }
    }
    assertThat(paths.containsKey("/v1/callout/{name}/{path}")).isTrue();
    assertThat(checked).isGreaterThan(20);
  }

  @Test
  void consoleWhenOpenedWithoutKeyThenServedWhileTheApiStillAsksForOne() throws Exception {
    Answer console = send(HttpMethod.GET, "/console/", null, Map.of(), null);
    Answer script = send(HttpMethod.GET, "/console/assets/app.js", null, Map.of(), null);
    Answer missing = send(HttpMethod.GET, "/console/assets/missing.js", null, Map.of(), null);

    assertThat(console.status()).isEqualTo(200);
    assertThat(console.headers().get("Content-Security-Policy")).contains("script-src 'self'");
    assertThat(script.status()).isEqualTo(200);
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.code()).isEqualTo("ROUTE_NOT_FOUND");
    assertThat(send(HttpMethod.GET, "/v1/credentials", null, Map.of(), null).code())
        .isEqualTo("UNAUTHENTICATED");
  }

  @Test
  void requestWithoutKeyThenUnauthenticatedProblem() throws Exception {
    Answer answer = send(HttpMethod.GET, "/v1/providers", null, Map.of(), null);

    assertThat(answer.status()).isEqualTo(401);
    assertThat(answer.code()).isEqualTo("UNAUTHENTICATED");
  }

  @Test
  void callerKeyOnAnAdminRouteThenForbidden() throws Exception {
    String key =
        apiKeys
            .create("billing", Set.of(Caller.Role.CALLER))
            .toCompletableFuture()
            .get()
            .key()
            .reveal();

    Answer answer = send(HttpMethod.GET, "/v1/providers", key, Map.of(), null);

    assertThat(answer.status()).isEqualTo(403);
    assertThat(answer.code()).isEqualTo("FORBIDDEN");
  }

  @Test
  void badInputThenFourHundredsWithDiagnosisCodesNeverAFiveHundred() throws Exception {
    Map<String, String> json = Map.of("Content-Type", "application/json");
    assertThat(send(HttpMethod.POST, "/v1/providers", ADMIN_KEY, json, "{not json").code())
        .isEqualTo("MALFORMED_REQUEST");
    assertThat(send(HttpMethod.POST, "/v1/providers", ADMIN_KEY, json, "[1,2]").code())
        .isEqualTo("MALFORMED_REQUEST");
    assertThat(send(HttpMethod.POST, "/v1/providers", ADMIN_KEY, json, "").code())
        .isEqualTo("MALFORMED_REQUEST");
    Answer unknownField =
        admin(
            HttpMethod.POST,
            "/v1/providers",
            new JsonObject().put("name", "idp").put("clientSecrett", "x"));
    assertThat(unknownField.code()).isEqualTo("INVALID_VALUE");
    assertThat(unknownField.body().toString()).contains("clientSecrett");
    assertThat(
            admin(
                    HttpMethod.POST,
                    "/v1/credentials",
                    new JsonObject()
                        .put("name", "../x")
                        .put("url", "https://a.test")
                        .put("protocol", "none"))
                .code())
        .isEqualTo("INVALID_NAME");
    assertThat(
            admin(
                    HttpMethod.POST,
                    "/v1/credentials",
                    new JsonObject()
                        .put("name", "x")
                        .put("url", "https://a.test")
                        .put("protocol", "magic"))
                .code())
        .isEqualTo("UNKNOWN_PROTOCOL");
    Answer tooLarge =
        send(
            HttpMethod.POST,
            "/v1/providers",
            ADMIN_KEY,
            json,
            "{\"name\":\"" + "a".repeat(70_000) + "\"}");
    assertThat(tooLarge.status()).isEqualTo(413);
    assertThat(tooLarge.code()).isEqualTo("REQUEST_TOO_LARGE");
    assertThat(send(HttpMethod.GET, "/v1/nothing-here", ADMIN_KEY, Map.of(), null).code())
        .isEqualTo("ROUTE_NOT_FOUND");
    assertThat(send(HttpMethod.GET, "/v1/credentials/unknown", ADMIN_KEY, Map.of(), null).code())
        .isEqualTo("CREDENTIAL_NOT_FOUND");
  }

  @Test
  void credentialAndProviderWhenPlacementAndTokenRequestParametersAreGivenThenReadBackAsWritten()
      throws Exception {
    providerAndCredential(
        new JsonObject()
            .put(
                "tokenPlacement",
                new JsonObject()
                    .put("in", "header")
                    .put("name", "X-Auth-Token")
                    .put("prefix", "")));
    JsonObject parameters = new JsonObject().put("audience", "https://api.test/");
    JsonObject provider =
        admin(HttpMethod.GET, "/v1/providers/idp", null)
            .json()
            .put("clientSecret", "s3cret")
            .put("tokenRequestParameters", parameters);
    provider.remove("hasClientSecret");
    provider.remove("hasClientPrivateKey");
    provider.remove("discovered");
    provider.remove("discoveryProblem");

    Answer replaced = admin(HttpMethod.PUT, "/v1/providers/idp", provider);

    assertThat(replaced.status()).as(replaced.body().toString()).isEqualTo(200);
    assertThat(
            admin(HttpMethod.GET, "/v1/providers/idp", null)
                .json()
                .getJsonObject("tokenRequestParameters"))
        .isEqualTo(parameters);
    assertThat(
            admin(HttpMethod.GET, "/v1/credentials/crm", null)
                .json()
                .getJsonObject("tokenPlacement"))
        .isEqualTo(
            new JsonObject().put("in", "header").put("name", "X-Auth-Token").put("prefix", ""));
  }

  @Test
  void credentialWhenTokenPlacementOrTokenRequestParametersHaveTheWrongShapeThenInvalidValue()
      throws Exception {
    JsonObject credential =
        new JsonObject()
            .put("name", "shapes")
            .put("url", "https://api.test/v1")
            .put("protocol", "oauth2_client_credentials")
            .put("provider", "idp");

    Answer notAnObject =
        admin(HttpMethod.POST, "/v1/credentials", credential.copy().put("tokenPlacement", "query"));
    Answer unknownField =
        admin(
            HttpMethod.POST,
            "/v1/credentials",
            credential
                .copy()
                .put("tokenPlacement", new JsonObject().put("in", "query").put("nam", "t")));
    Answer notStrings =
        admin(
            HttpMethod.POST,
            "/v1/providers",
            new JsonObject()
                .put("name", "idp2")
                .put("issuer", InMemoryIdentityProvider.ISSUER)
                .put("clientId", "c")
                .put("clientSecret", "s")
                .put("tokenRequestParameters", new JsonObject().put("resource", 1)));

    assertThat(notAnObject.code()).isEqualTo("INVALID_VALUE");
    assertThat(notAnObject.body().toString()).contains("tokenPlacement", "must be an object");
    assertThat(unknownField.code()).isEqualTo("INVALID_VALUE");
    assertThat(unknownField.body().toString()).contains("nam");
    assertThat(notStrings.code()).isEqualTo("INVALID_VALUE");
    assertThat(notStrings.body().toString()).contains("tokenRequestParameters");
  }

  @Test
  void credentialWhenItExchangesTokensThenReadBackWithListsAndWrongSettingsNameTheirField()
      throws Exception {
    providerAndCredential(new JsonObject());
    JsonObject exchange =
        new JsonObject()
            .put("name", "orders")
            .put("url", "https://api.test/orders")
            .put("protocol", "oauth2_token_exchange")
            .put("provider", "idp");

    Answer created =
        admin(
            HttpMethod.POST,
            "/v1/credentials",
            exchange
                .copy()
                .put(
                    "tokenExchange",
                    new JsonObject()
                        .put("subjectCredential", "crm")
                        .put("audience", "orders-api")
                        .put("resource", "https://api.test/orders")));
    Answer missingSubject =
        admin(
            HttpMethod.POST,
            "/v1/credentials",
            exchange
                .copy()
                .put("name", "orders2")
                .put("tokenExchange", new JsonObject().put("subjectCredential", "nobody")));
    Answer wrongShape =
        admin(
            HttpMethod.POST,
            "/v1/credentials",
            exchange
                .copy()
                .put("name", "orders3")
                .put("tokenExchange", new JsonObject().put("audience", 7)));

    assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
    assertThat(
            admin(HttpMethod.GET, "/v1/credentials/orders", null)
                .json()
                .getJsonObject("tokenExchange"))
        .isEqualTo(
            new JsonObject()
                .put("audience", new JsonArray().add("orders-api"))
                .put("resource", new JsonArray().add("https://api.test/orders"))
                .put("subjectTokenType", "urn:ietf:params:oauth:token-type:access_token")
                .put("subjectCredential", "crm"));
    assertThat(missingSubject.code()).isEqualTo("INVALID_VALUE");
    assertThat(missingSubject.json().getJsonObject("facts").getString("field"))
        .isEqualTo("tokenExchange.subjectCredential");
    assertThat(wrongShape.code()).isEqualTo("INVALID_VALUE");
    assertThat(wrongShape.json().getJsonObject("facts").getString("field"))
        .isEqualTo("tokenExchange.audience");
    assertThat(wrongShape.body().toString()).contains("must be a string or an array of strings");
  }

  @Test
  void providerWhenReadBackThenHasNoSecretAndDuplicateIsAConflict() throws Exception {
    providerAndCredential(new JsonObject());

    Answer provider = admin(HttpMethod.GET, "/v1/providers/idp", null);
    Answer duplicate =
        admin(
            HttpMethod.POST,
            "/v1/providers",
            new JsonObject()
                .put("name", "idp")
                .put("issuer", "https://x.test")
                .put("clientId", "c")
                .put("clientSecret", "s"));
    Answer inUse = admin(HttpMethod.DELETE, "/v1/providers/idp", null);

    assertThat(provider.json().getBoolean("hasClientSecret")).isTrue();
    assertThat(provider.body().toString()).doesNotContain("s3cret");
    assertThat(duplicate.code()).isEqualTo("ALREADY_EXISTS");
    assertThat(inUse.code()).isEqualTo("PROVIDER_IN_USE");
  }

  /** Creates the provider {@code signed}, whose client signs with {@code privateKey}. */
  private Answer signingProvider(String privateKey, JsonObject extras) throws Exception {
    return admin(
        HttpMethod.POST,
        "/v1/providers",
        new JsonObject()
            .put("name", "signed")
            .put("issuer", "https://idp.test")
            .put("clientId", "c")
            .put("clientAuthMethod", "private_key_jwt")
            .put("clientPrivateKey", privateKey)
            .mergeIn(extras));
  }

  @Test
  void providerWhenItsPrivateKeyIsNoKeyThenBadRequestNamingTheFieldWithoutTheKey()
      throws Exception {
    String notAKey =
        "-----BEGIN PRIVATE KEY-----\nbm90LWEta2V5LWF0LWFsbC0wMTIzNDU2Nzg5\n-----END PRIVATE KEY-----";

    Answer answer = signingProvider(notAKey, new JsonObject());

    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.code()).isEqualTo("INVALID_VALUE");
    assertThat(answer.json().getJsonObject("facts").getString("field"))
        .isEqualTo("clientPrivateKey");
    assertThat(answer.json().getString("detail")).contains("no RSA or EC private key");
    assertThat(answer.body().toString()).doesNotContain("bm90LWEta2V5").doesNotContain("Exception");
  }

  @Test
  void providerWhenItSignsWithAPrivateKeyThenReadBackSaysSetAndNeverShowsTheKey() throws Exception {
    String pem =
        "-----BEGIN PRIVATE KEY-----\n"
            + java.util.Base64.getMimeEncoder()
                .encodeToString(
                    java.security.KeyPairGenerator.getInstance("EC")
                        .generateKeyPair()
                        .getPrivate()
                        .getEncoded())
            + "\n-----END PRIVATE KEY-----";
    Answer created = signingProvider(pem, new JsonObject().put("clientKeyId", "k1"));

    Answer read = admin(HttpMethod.GET, "/v1/providers/signed", null);

    assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
    assertThat(read.json().getBoolean("hasClientPrivateKey")).isTrue();
    assertThat(read.json().getBoolean("hasClientSecret")).isFalse();
    assertThat(read.json().getString("clientAuthMethod")).isEqualTo("private_key_jwt");
    assertThat(read.json().getString("clientKeyId")).isEqualTo("k1");
    assertThat(read.body().toString())
        .doesNotContain("PRIVATE KEY")
        .doesNotContain(pem.substring(40, 70));
  }

  @Test
  void credentialWhenItHasAClientCertificateThenReadBackShowsItAndItsValidityNeverTheKey()
      throws Exception {
    dev.callgate.core.testkit.TestPki pki = dev.callgate.core.testkit.TestPki.create("Api CA");
    dev.callgate.core.testkit.TestPki.Issued client = pki.client("api-client");
    JsonObject credential =
        new JsonObject()
            .put("name", "ledger")
            .put("url", "https://ledger.test/v1")
            .put("protocol", "none")
            .put("tlsClientCertificate", client.chain())
            .put("tlsClientKey", client.privateKey())
            .put("tlsTrustedCertificates", pki.caCertificate());
    Answer mismatched =
        admin(
            HttpMethod.POST,
            "/v1/credentials",
            credential.copy().put("tlsClientKey", pki.client("other").privateKey()));

    Answer created = admin(HttpMethod.POST, "/v1/credentials", credential);
    Answer read = admin(HttpMethod.GET, "/v1/credentials/ledger", null);

    assertThat(mismatched.status()).isEqualTo(400);
    assertThat(mismatched.code()).isEqualTo("INVALID_VALUE");
    assertThat(mismatched.json().getJsonObject("facts").getString("field"))
        .isEqualTo("tlsClientKey");
    assertThat(mismatched.json().getString("detail")).contains("CN=api-client");
    assertThat(mismatched.body().toString()).doesNotContain("PRIVATE KEY");
    assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
    assertThat(read.json().getBoolean("hasTlsClientKey")).isTrue();
    assertThat(read.json().getString("tlsClientCertificate")).isEqualTo(client.chain().strip());
    assertThat(read.json().getString("tlsTrustedCertificates")).contains("BEGIN CERTIFICATE");
    JsonObject validity = read.json().getJsonObject("tlsClientCertificateValidity");
    assertThat(validity.getString("subject")).isEqualTo("CN=api-client");
    assertThat(java.time.Instant.parse(validity.getString("notAfter")))
        .isAfter(java.time.Instant.parse(validity.getString("notBefore")));
    assertThat(read.body().toString()).doesNotContain("PRIVATE KEY");
  }

  @Test
  void providerWhenTlsClientAuthWithoutCertificateThenBadRequestAndWithOneCreated()
      throws Exception {
    dev.callgate.core.testkit.TestPki.Issued client =
        dev.callgate.core.testkit.TestPki.create("Provider CA").client("provider-client");
    JsonObject provider =
        new JsonObject()
            .put("name", "bank")
            .put("issuer", "https://idp.test")
            .put("clientId", "c")
            .put("clientAuthMethod", "tls_client_auth");

    Answer without = admin(HttpMethod.POST, "/v1/providers", provider);
    Answer created =
        admin(
            HttpMethod.POST,
            "/v1/providers",
            provider
                .copy()
                .put("tlsClientCertificate", client.certificate())
                .put("tlsClientKey", client.privateKey()));
    Answer read = admin(HttpMethod.GET, "/v1/providers/bank", null);

    assertThat(without.status()).isEqualTo(400);
    assertThat(without.json().getJsonObject("facts").getString("field"))
        .isEqualTo("tlsClientCertificate");
    assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
    assertThat(read.json().getString("clientAuthMethod")).isEqualTo("tls_client_auth");
    assertThat(read.json().getBoolean("hasTlsClientKey")).isTrue();
    assertThat(read.body().toString()).doesNotContain("PRIVATE KEY");
  }

  @Test
  void openApiDocumentWhenProvidersAreWrittenThenNamesEveryFieldTheApiReads() {
    JsonObject schemas = OpenApi.document().getJsonObject("components").getJsonObject("schemas");

    assertThat(schemas.getJsonObject("ProviderInput").getJsonObject("properties").fieldNames())
        .containsExactlyInAnyOrderElementsOf(ResourceJson.PROVIDER_FIELDS);
    assertThat(
            schemas
                .getJsonObject("ProviderInput")
                .getJsonObject("properties")
                .getJsonObject("clientAuthMethod")
                .getJsonArray("enum"))
        .containsExactlyInAnyOrder(
            java.util.Arrays.stream(dev.callgate.core.credential.ClientAuthMethod.values())
                .map(dev.callgate.core.credential.ClientAuthMethod::wireName)
                .toArray());
  }

  @Test
  void providerTemplatesWhenListedThenEachSaysItsParametersAndWhatItFills() throws Exception {
    Answer answer = admin(HttpMethod.GET, "/v1/provider-templates", null);
    Answer anonymous = send(HttpMethod.GET, "/v1/provider-templates", null, Map.of(), null);

    assertThat(answer.status()).isEqualTo(200);
    JsonArray templates = new JsonArray(answer.body());
    assertThat(templates.size()).isEqualTo(9);
    JsonObject keycloak =
        templates.stream()
            .map(JsonObject.class::cast)
            .filter(t -> t.getString("name").equals("keycloak"))
            .findFirst()
            .orElseThrow();
    assertThat(keycloak.getString("displayName")).isEqualTo("Keycloak");
    assertThat(
            keycloak.getJsonArray("parameters").stream()
                .map(p -> ((JsonObject) p).getString("name")))
        .containsExactly("baseUrl", "realm");
    assertThat(keycloak.getJsonObject("fills").getString("issuer"))
        .isEqualTo("{baseUrl}/realms/{realm}");
    assertThat(keycloak.getJsonObject("fills").getJsonArray("scopes"))
        .containsExactly("openid", "offline_access");
    JsonObject google = templates.getJsonObject(1);
    assertThat(google.getJsonObject("authorizationParameters").getMap())
        .containsEntry("access_type", "offline")
        .containsEntry("prompt", "consent");
    assertThat(templates.getJsonObject(3).getJsonObject("fills").getString("accessTokenLifetime"))
        .isEqualTo("PT8760H");
    assertThat(anonymous.code()).isEqualTo("UNAUTHENTICATED");
  }

  @Test
  void providerWhenMadeFromATemplateThenReadBackShowsTheExpansionTheTemplateAndTheLifetime()
      throws Exception {
    Answer created =
        admin(
            HttpMethod.POST,
            "/v1/providers",
            new JsonObject()
                .put("name", "sso")
                .put("template", "keycloak")
                .put(
                    "templateParameters",
                    new JsonObject().put("baseUrl", "https://sso.example.com").put("realm", "acme"))
                .put("clientId", "callgate")
                .put("clientSecret", "s3cret")
                .put("accessTokenLifetime", "PT8H"));

    JsonObject read = admin(HttpMethod.GET, "/v1/providers/sso", null).json();

    assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
    assertThat(read.getString("issuer")).isEqualTo("https://sso.example.com/realms/acme");
    assertThat(read.getJsonArray("scopes")).containsExactly("openid", "offline_access");
    assertThat(read.getString("template")).isEqualTo("keycloak");
    assertThat(read.getJsonObject("templateParameters").getString("realm")).isEqualTo("acme");
    assertThat(read.getString("accessTokenLifetime")).isEqualTo("PT8H");
  }

  @Test
  void providerWhenTemplateParametersAreWrongThenBadRequestNamingEachParameter() throws Exception {
    Answer missing =
        admin(
            HttpMethod.POST,
            "/v1/providers",
            new JsonObject()
                .put("name", "sso")
                .put("template", "keycloak")
                .put(
                    "templateParameters",
                    new JsonObject().put("baseUrl", "https://sso.example.com"))
                .put("clientId", "callgate")
                .put("clientSecret", "s3cret"));
    Answer notStrings =
        admin(
            HttpMethod.POST,
            "/v1/providers",
            new JsonObject()
                .put("name", "sso")
                .put("template", "okta")
                .put("templateParameters", new JsonObject().put("domain", 42))
                .put("clientId", "callgate")
                .put("clientSecret", "s3cret"));

    assertThat(missing.status()).isEqualTo(400);
    assertThat(missing.code()).isEqualTo("INVALID_VALUE");
    assertThat(missing.body().toString()).contains("templateParameters.realm");
    assertThat(notStrings.status()).isEqualTo(400);
    assertThat(notStrings.body().toString())
        .contains("templateParameters")
        .contains("must be an object whose values are strings");
  }

  @Test
  void putWhenTheResourceExistsThenReplacesItAndRefusesARenameOrAnUnknownName() throws Exception {
    providerAndCredential(new JsonObject());
    JsonObject replacement =
        new JsonObject()
            .put("url", "https://api.test/v2")
            .put("protocol", "oauth2_authorization_code")
            .put("provider", "idp")
            .put("testPath", "/me");

    Answer replaced = admin(HttpMethod.PUT, "/v1/credentials/crm", replacement);
    Answer renamed =
        admin(HttpMethod.PUT, "/v1/credentials/crm", replacement.copy().put("name", "other"));
    Answer unknown = admin(HttpMethod.PUT, "/v1/credentials/nobody", replacement);

    assertThat(replaced.status()).as(replaced.body().toString()).isEqualTo(200);
    assertThat(admin(HttpMethod.GET, "/v1/credentials/crm", null).json().getString("url"))
        .isEqualTo("https://api.test/v2");
    assertThat(renamed.code()).isEqualTo("INVALID_VALUE");
    assertThat(unknown.code()).isEqualTo("CREDENTIAL_NOT_FOUND");
  }

  @Test
  void calloutWhenAuthorizedThenRelaysTheTargetsAnswerWithTheToken() throws Exception {
    providerAndCredential(new JsonObject());
    authorize();
    target.respondWith(
        ScriptedTarget.bearerChecked(idp::isCurrentAccessToken, "{\"accounts\":[]}"));
    String key =
        apiKeys
            .create("billing", Set.of(Caller.Role.CALLER))
            .toCompletableFuture()
            .get()
            .key()
            .reveal();

    Answer answer = send(HttpMethod.GET, "/v1/callout/crm/accounts?limit=5", key, Map.of(), null);

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.body().toString()).isEqualTo("{\"accounts\":[]}");
    assertThat(target.lastRequest().uri()).hasToString("https://api.test/v1/accounts?limit=5");
    assertThat(target.lastRequest().headers().all("Authorization"))
        .hasSize(1)
        .allMatch(h -> !h.contains(key));
  }

  @Test
  void statusWhenAuthorizedThenCarriesTheContractFields() throws Exception {
    providerAndCredential(new JsonObject());
    authorize();

    JsonObject status = admin(HttpMethod.GET, "/v1/credentials/crm/status", null).json();

    assertThat(status.getString("state")).isEqualTo("ACTIVE");
    assertThat(status.getBoolean("hasRefreshToken")).isTrue();
    assertThat(status.fieldNames())
        .contains(
            "accessTokenExpiresAt",
            "refreshTokenExpiresAt",
            "lastRefreshAt",
            "nextRefreshAt",
            "diagnoses");
  }

  @Test
  void refreshAndTestWhenAskedThenMapTheUseCasesOutcomesAndRefusals() throws Exception {
    providerAndCredential(new JsonObject().put("testPath", "/me?full=1"));
    authorize();
    target.respondWith(ScriptedTarget.status(503, Headers.EMPTY, ""));
    String stranger =
        apiKeys
            .create("stranger", Set.of(Caller.Role.CALLER))
            .toCompletableFuture()
            .get()
            .key()
            .reveal();

    Answer refreshed = admin(HttpMethod.POST, "/v1/credentials/crm/refresh", null);
    Answer notAllowed =
        send(HttpMethod.POST, "/v1/credentials/crm/refresh", stranger, Map.of(), null);
    Answer tested = admin(HttpMethod.POST, "/v1/credentials/crm/test", null);

    assertThat(refreshed.status()).as(refreshed.body().toString()).isEqualTo(200);
    assertThat(refreshed.json().getString("state")).isEqualTo("ACTIVE");
    assertThat(notAllowed.code()).isEqualTo("CALLER_NOT_ALLOWED");
    assertThat(tested.status()).isEqualTo(200);
    assertThat(tested.json().getInteger("status")).isEqualTo(503);
    assertThat(tested.json().getBoolean("ok")).isFalse();
    assertThat(tested.json().getString("path")).isEqualTo("/me?full=1");
    assertThat(tested.json().fieldNames()).contains("latencyMs", "refreshed");
    assertThat(target.lastRequest().uri()).hasToString("https://api.test/v1/me?full=1");
  }

  @Test
  void keysAndCredentialsWhenTheRequestBreaksAUseCasesRuleThenItsDiagnosis() throws Exception {
    Answer badRole =
        admin(
            HttpMethod.POST,
            "/v1/keys",
            new JsonObject().put("subject", "billing").put("roles", new JsonArray().add("root")));
    Answer created = admin(HttpMethod.POST, "/v1/keys", new JsonObject().put("subject", "billing"));
    String id = created.json().getString("id");
    Answer listed = admin(HttpMethod.GET, "/v1/keys", null);
    Answer deleted = admin(HttpMethod.DELETE, "/v1/keys/" + id, null);
    Answer deletedAgain = admin(HttpMethod.DELETE, "/v1/keys/" + id, null);
    Answer orphan =
        admin(
            HttpMethod.POST,
            "/v1/credentials",
            new JsonObject()
                .put("name", "crm")
                .put("url", "https://api.test/v1")
                .put("protocol", "oauth2_client_credentials")
                .put("provider", "gone"));

    assertThat(badRole.code()).isEqualTo("INVALID_VALUE");
    assertThat(badRole.body().toString()).contains("'root' is not admin, caller or metrics");
    assertThat(created.status()).isEqualTo(201);
    assertThat(created.json().getJsonArray("roles")).containsExactly("caller");
    assertThat(listed.body().toString())
        .contains(id)
        .doesNotContain(created.json().getString("key"));
    assertThat(deleted.status()).isEqualTo(204);
    assertThat(deletedAgain.code()).isEqualTo("API_KEY_NOT_FOUND");
    assertThat(orphan.code()).isEqualTo("PROVIDER_NOT_FOUND");
    assertThat(admin(HttpMethod.GET, "/v1/credentials/crm", null).code())
        .isEqualTo("CREDENTIAL_NOT_FOUND");
  }

  @Test
  void adminReadWhenTheStoreIsDownThenStoreUnavailableWithItsReason() throws Exception {
    credentials.failWith(new StoreUnavailableException("connection refused", null));

    Answer answer = admin(HttpMethod.GET, "/v1/credentials", null);

    assertThat(answer.status()).isEqualTo(503);
    assertThat(answer.code()).isEqualTo("STORE_UNAVAILABLE");
    assertThat(answer.json().getString("detail")).contains("connection refused");
  }

  @Test
  void calloutWhenPathEscapesTheBaseThenTargetPathRejected() throws Exception {
    providerAndCredential(new JsonObject());
    authorize();

    for (String path :
        new String[] {
          "../admin",
          "%2e%2e/admin",
          "a/%2E%2E/%2e%2e/admin",
          "/evil.test/x",
          "a/../../x",
          "a%5cb",
          "http:%2F%2Fevil.test"
        }) {
      Answer answer = send(HttpMethod.GET, "/v1/callout/crm/" + path, ADMIN_KEY, Map.of(), null);
      assertThat(answer.status()).as(path).isEqualTo(400);
      assertThat(answer.code()).as(path).isEqualTo("TARGET_PATH_REJECTED");
    }
    assertThat(target.count()).isZero();
  }

  @Test
  void calloutWhenCallerSetsItsOwnAuthorizationWhileCallgateGeneratesOneThenConflict()
      throws Exception {
    providerAndCredential(new JsonObject());
    authorize();

    Answer answer =
        send(
            HttpMethod.GET,
            "/v1/callout/crm/accounts",
            ADMIN_KEY,
            Map.of("Callgate-Proxy-Authorization", "OAuth {!$Credential.OAuthToken}"),
            null);

    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.code()).isEqualTo("AUTHORIZATION_HEADER_CONFLICT");
    assertThat(target.count()).isZero();
  }

  @Test
  void callbackWhenNoFlowBindingCookieComesThenForbiddenPageWithTheDiagnosis() throws Exception {
    Answer answer =
        send(HttpMethod.GET, "/v1/oauth/callback?state=forged&code=x", null, Map.of(), null);

    assertThat(answer.status()).isEqualTo(403);
    assertThat(answer.headers().get("Callgate-Error")).isEqualTo("AUTHORIZATION_BROWSER_MISMATCH");
    assertThat(answer.body().toString()).contains("AUTHORIZATION_BROWSER_MISMATCH");
  }

  @Test
  void authorizationPageWhenTheFlowIsUnknownThenAnHtmlPageWithTheDiagnosis() throws Exception {
    Answer answer = send(HttpMethod.GET, "/v1/oauth/authorize?flow=forged", null, Map.of(), null);

    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.headers().get("Callgate-Error")).isEqualTo("AUTHORIZATION_STATE_INVALID");
    assertThat(answer.headers().get("Set-Cookie")).isNull();
  }

  @Test
  void callbackWhenStateIsForgedThenAnHtmlPageWithTheDiagnosis() throws Exception {
    Answer answer =
        send(
            HttpMethod.GET,
            "/v1/oauth/callback?state=forged&code=x",
            null,
            Map.of("Cookie", BrowserBinding.cookieName("forged") + "=guessed"),
            null);

    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.headers().get("Callgate-Error")).isEqualTo("AUTHORIZATION_STATE_INVALID");
    assertThat(answer.body().toString()).contains("AUTHORIZATION_STATE_INVALID");
  }

  @Test
  void requestWhenItCarriesAnAcceptableIdThenEveryAnswerEchoesItAndOtherwiseANewOne()
      throws Exception {
    Answer live =
        send(HttpMethod.GET, "/health/live", null, Map.of("X-Request-Id", "abc-1:2.x_y"), null);
    Answer refused = send(HttpMethod.GET, "/v1/keys", null, Map.of("X-Request-Id", "req-9"), null);
    Answer unknown =
        send(HttpMethod.GET, "/v1/nothing-here", ADMIN_KEY, Map.of("X-Request-Id", "req-10"), null);
    Answer forged =
        send(HttpMethod.GET, "/health/live", null, Map.of("X-Request-Id", "a b<script>"), null);
    Answer tooLong =
        send(HttpMethod.GET, "/health/live", null, Map.of("X-Request-Id", "a".repeat(129)), null);
    Answer none = send(HttpMethod.GET, "/health/live", null, Map.of(), null);

    assertThat(live.headers().get("X-Request-Id")).isEqualTo("abc-1:2.x_y");
    assertThat(refused.code()).isEqualTo("UNAUTHENTICATED");
    assertThat(refused.headers().get("X-Request-Id")).isEqualTo("req-9");
    assertThat(unknown.code()).isEqualTo("ROUTE_NOT_FOUND");
    assertThat(unknown.headers().get("X-Request-Id")).isEqualTo("req-10");
    for (Answer fresh : List.of(forged, tooLong, none)) {
      assertThat(fresh.headers().get("X-Request-Id"))
          .matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    }
    assertThat(forged.headers().get("X-Request-Id"))
        .isNotEqualTo(none.headers().get("X-Request-Id"));
  }

  @Test
  void createKeyWhenAnAdminAsksThenTheAuditEventNamesTheAdminsKeyAndTheRequestId()
      throws Exception {
    Answer created =
        send(
            HttpMethod.POST,
            "/v1/keys",
            ADMIN_KEY,
            Map.of("Content-Type", "application/json", "X-Request-Id", "req-audit-1"),
            new JsonObject().put("subject", "billing").encode());

    String adminKeyId =
        apiKeys.list().toCompletableFuture().join().stream()
            .filter(k -> k.subject().equals("admin"))
            .findFirst()
            .orElseThrow()
            .id();
    List<dev.callgate.core.event.Event> audit =
        tokens.eventLog().all().stream()
            .filter(e -> e.type() == dev.callgate.core.event.EventType.AUDIT_KEY_CREATED)
            .toList();
    assertThat(created.status()).isEqualTo(201);
    assertThat(audit).hasSize(1);
    assertThat(audit.get(0).actor())
        .contains(new dev.callgate.core.event.Actor("admin", adminKeyId, "req-audit-1"));
    assertThat(audit.get(0).details()).containsEntry("keyId", created.json().getString("id"));
    assertThat(audit.get(0).toString()).doesNotContain(created.json().getString("key"));
  }
}
