package dev.callgate.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.adapter.idp.NodeOidcProvider;
import dev.callgate.app.e2e.CallgateUnderTest.Answer;
import dev.callgate.app.ops.OpsQueries;
import dev.callgate.app.ops.OpsQueries.Query;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every metric the Grafana dashboard and the alert rules of {@code ops/} query is one Callgate
 * exports: the service as a person runs it, after an authorization, a refresh, a refresh answered
 * without the provider and a callout through a credential to a real target (node-oidc-provider and
 * a target that checks tokens with it), scraped at {@code /metrics}.
 */
class OpsQueriesTest {
  private static final Path IDP_DIRECTORY =
      Path.of("..", "adapters", "idp", "src", "test", "oidc-provider");

  private static NodeOidcProvider idp;
  private static Target target;
  private static CallgateUnderTest callgate;

  @BeforeAll
  static void start() throws Exception {
    idp = NodeOidcProvider.start(IDP_DIRECTORY, Duration.ofSeconds(60), Duration.ofSeconds(600));
    target = new Target(URI.create(idp.issuer() + "/me"));
    callgate = CallgateUnderTest.start();
    callgate.provider(
        new JsonObject()
            .put("name", "idp")
            .put("issuer", idp.issuer().toString())
            .put("clientId", NodeOidcProvider.CLIENT_ID)
            .put("clientSecret", NodeOidcProvider.CLIENT_SECRET)
            .put("scopes", new JsonArray().add("openid").add("offline_access"))
            .put("refreshTokenLifetime", "PT600S"));
    for (String name : List.of("crm", "never-authorized")) {
      callgate.credential(
          new JsonObject()
              .put("name", name)
              .put("url", target.baseUrl() + "/ok")
              .put("protocol", "oauth2_authorization_code")
              .put("provider", "idp"));
    }
    Map<String, String> redirect =
        callgate.signIn(
            callgate.authorizationUrl(CallgateUnderTest.ADMIN_KEY, "crm", Optional.empty()),
            NodeOidcProvider.REDIRECT_URI,
            "alice");
    Answer callback = callgate.callback(redirect);
    assertThat(callback.status()).as(callback.body()).isEqualTo(200);

    Answer refreshed = callgate.admin("POST", "/v1/credentials/crm/refresh");
    assertThat(refreshed.status()).as(refreshed.body()).isEqualTo(200);
    // nothing to refresh: answered from what the store says, without the token endpoint
    callgate.admin("POST", "/v1/credentials/never-authorized/refresh");
    Answer called = callgate.admin("GET", "/v1/callout/crm/accounts");
    assertThat(called.status()).as(called.body()).isEqualTo(200);
    // the GC meters appear with the first collection this service's registry sees
    System.gc();
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
  }

  /**
   * The scrape once every queried metric is there, or after 30 s: the census behind the token
   * gauges runs every 15 s.
   */
  private static Set<String> exported(List<Query> queries) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      Set<String> exported = OpsQueries.sampleNames(callgate.metrics());
      if (OpsQueries.unexported(queries, exported).isEmpty() || System.nanoTime() > deadline) {
        return exported;
      }
      try {
        Thread.sleep(500);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  @Test
  void dashboardWhenServiceRunsThenEveryPanelQueriesExportedMetrics() {
    List<Query> queries = OpsQueries.ofDashboard();
    assertThat(queries).hasSizeGreaterThan(20);

    assertThat(OpsQueries.unexported(queries, exported(queries)))
        .as("dashboard queries of metrics Callgate does not export")
        .isEmpty();
  }

  @Test
  void alertRulesWhenServiceRunsThenEveryExpressionQueriesExportedMetrics() {
    List<Query> queries = OpsQueries.ofAlerts();
    assertThat(queries).isNotEmpty();

    assertThat(OpsQueries.unexported(queries, exported(queries)))
        .as("alert rules querying metrics Callgate does not export")
        .isEmpty();
  }

  @Test
  void readyWhenStoreAnswersThenScrapeSaysOne() {
    String scrape = callgate.metrics();
    assertThat(scrape).containsPattern("(?m)^callgate_ready(\\{[^}]*})? 1\\.0$");
    assertThat(callgate.anonymous("GET", "/health/ready").status()).isEqualTo(200);
  }
}
