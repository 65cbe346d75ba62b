package dev.callgate.app.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.adapter.idp.NodeOidcProvider;
import dev.callgate.app.cluster.CallgateClient.Answer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Two Callgate processes on one private PostgreSQL, with node-oidc-provider and a target API: what
 * one instance stores the other serves, an instance killed leaves the other serving, and readiness
 * follows the database down and back up.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HarnessIT {
  private static final String ADMIN_KEY = "cluster-harness-admin-key-0123456789";
  private static final String MASTER_KEY = randomKey();
  private static final Path IDP_DIRECTORY =
      Path.of("..", "adapters", "idp", "src", "test", "oidc-provider");

  private static PostgresServer postgres;
  private static NodeOidcProvider idp;
  private static Vertx vertx;
  private static HttpServer target;
  private static final List<String> targetAuthorizations = new CopyOnWriteArrayList<>();
  private static CallgateProcess a;
  private static CallgateProcess b;
  private static CallgateClient clientA;
  private static CallgateClient clientB;

  @BeforeAll
  static void start() throws Exception {
    postgres = PostgresServer.create();
    String databaseUrl = postgres.createDatabase("callgate_harness");
    idp = NodeOidcProvider.start(IDP_DIRECTORY, Duration.ofMinutes(5), Duration.ofHours(1));
    vertx = Vertx.vertx();
    target =
        vertx
            .createHttpServer()
            .requestHandler(
                request -> {
                  targetAuthorizations.add(String.valueOf(request.getHeader("Authorization")));
                  request
                      .response()
                      .putHeader("Content-Type", "application/json")
                      .end(new JsonObject().put("path", request.path()).encode());
                })
            .listen(0, "127.0.0.1")
            .await();
    a = CallgateProcess.start("harness-a", environment("harness-a", databaseUrl));
    b = CallgateProcess.start("harness-b", environment("harness-b", databaseUrl));
    clientA = new CallgateClient(a.baseUri(), ADMIN_KEY);
    clientB = new CallgateClient(b.baseUri(), ADMIN_KEY);
  }

  private static Map<String, String> environment(String instance, String databaseUrl) {
    return Map.of(
        "CALLGATE_DB_URL",
        databaseUrl,
        "CALLGATE_MASTER_KEY",
        MASTER_KEY,
        "CALLGATE_ADMIN_KEY",
        ADMIN_KEY,
        // node-oidc-provider's registered redirect URI is http://127.0.0.1/v1/oauth/callback
        "CALLGATE_PUBLIC_URL",
        "http://127.0.0.1",
        "CALLGATE_INSTANCE_ID",
        instance,
        "CALLGATE_REFRESH_LEASE",
        "PT30S");
  }

  @AfterAll
  static void stop() throws Exception {
    List<Exception> failures = new ArrayList<>();
    AutoCloseable[] resources = {
      a, b, idp, vertx == null ? null : () -> vertx.close().await(), postgres
    };
    for (AutoCloseable resource : resources) {
      try {
        if (resource != null) {
          resource.close();
        }
      } catch (Exception e) {
        failures.add(e);
      }
    }
    if (!failures.isEmpty()) {
      Exception first = failures.get(0);
      failures.subList(1, failures.size()).forEach(first::addSuppressed);
      throw first;
    }
  }

  @Test
  @Order(1)
  void twoInstancesOnOneDatabaseAreBothReady() throws Exception {
    assertThat(a.ready()).as(a.logTail(20)).isTrue();
    assertThat(b.ready()).as(b.logTail(20)).isTrue();
  }

  @Test
  @Order(2)
  void providerAndCredentialCreatedThroughOneInstanceAreSeenThroughTheOther() {
    clientA.createProvider(
        "idp", idp.issuer(), List.of("openid", "offline_access"), Duration.ofHours(1));
    clientA.createCredential("api", targetUri(), "idp", new JsonObject());

    Answer provider = clientB.call("GET", "/v1/providers/idp", null);
    Answer credential = clientB.call("GET", "/v1/credentials/api", null);

    assertThat(provider.status()).as(provider.body()).isEqualTo(200);
    assertThat(provider.json().getString("issuer")).isEqualTo(idp.issuer().toString());
    assertThat(credential.status()).as(credential.body()).isEqualTo(200);
    assertThat(credential.json().getString("url")).isEqualTo(targetUri().toString());
  }

  @Test
  @Order(3)
  void tokenAuthorizedThroughOneInstanceIsInjectedByTheOther() throws Exception {
    clientA.authorize("api", "alice");
    int before = targetAuthorizations.size();

    Answer callout = clientB.call("GET", "/v1/callout/api/accounts", null);

    assertThat(callout.status()).as(callout.body()).isEqualTo(200);
    assertThat(callout.json().getString("path")).isEqualTo("/accounts");
    String authorization = targetAuthorizations.get(before);
    assertThat(authorization).startsWith("Bearer ");
    assertThat(userinfoSubject(authorization)).isEqualTo("alice");
    assertThat(clientB.status("api").getString("state")).isEqualTo("ACTIVE");
    assertThat(
            clientB.metric(
                "callgate_callouts_seconds_count",
                Map.of("credential", "api", "outcome", "relayed")))
        .isEqualTo(1.0);
  }

  @Test
  @Order(4)
  void instanceKilledLeavesTheOtherServing() throws Exception {
    a.kill();

    assertThat(a.alive()).isFalse();
    assertThat(b.ready()).isTrue();
    Answer callout = clientB.call("GET", "/v1/callout/api/accounts", null);
    assertThat(callout.status()).as(callout.body()).isEqualTo(200);
  }

  @Test
  @Order(5)
  void readinessFollowsTheDatabaseDownAndBackUp() throws Exception {
    postgres.stop();

    assertThat(postgres.running()).isFalse();
    assertThat(within(Duration.ofSeconds(15), () -> !b.ready()))
        .as("B not ready within 15 s of the database stopping")
        .isTrue();

    postgres.start();

    assertThat(within(Duration.ofSeconds(30), b::ready))
        .as("B ready again within 30 s of the database starting; " + b.logTail(30))
        .isTrue();
    Answer callout = clientB.call("GET", "/v1/callout/api/accounts", null);
    assertThat(callout.status()).as(callout.body()).isEqualTo(200);
  }

  @Test
  @Order(6)
  void killedInstanceRestartsOnItsPortWithItsTokens() throws Exception {
    a = a.restart();

    assertThat(a.baseUri()).isEqualTo(clientA.baseUri());
    Answer callout = clientA.call("GET", "/v1/callout/api/accounts", null);
    assertThat(callout.status()).as(callout.body()).isEqualTo(200);
  }

  private static URI targetUri() {
    return URI.create("http://127.0.0.1:" + target.actualPort());
  }

  /** Who the identity provider says the token is for: it must be a token it issued. */
  private static String userinfoSubject(String authorization) throws Exception {
    HttpResponse<String> userinfo =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(idp.issuer() + "/me"))
                    .header("Authorization", authorization)
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(userinfo.statusCode()).as(userinfo.body()).isEqualTo(200);
    return new JsonObject(userinfo.body()).getString("sub");
  }

  private interface Condition {
    boolean holds() throws InterruptedException;
  }

  private static boolean within(Duration timeout, Condition condition) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (condition.holds()) {
        return true;
      }
      Thread.sleep(200);
    }
    return condition.holds();
  }

  private static String randomKey() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return Base64.getEncoder().encodeToString(key);
  }
}
