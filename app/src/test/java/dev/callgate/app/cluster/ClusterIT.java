package dev.callgate.app.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.adapter.idp.NodeOidcProvider;
import dev.callgate.app.cluster.CallgateClient.Answer;
import dev.callgate.app.cluster.CalloutLoad.Result;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Three Callgate processes on one PostgreSQL against node-oidc-provider, whose refresh tokens
 * rotate (a second use of one is refused and revokes the grant): however many callouts meet an
 * expired token on however many instances, the token endpoint is called once; an instance learns of
 * another's new token from the change feed, without reading the store per callout; and the refresh
 * schedule shares its work between the instances without doing any twice.
 */
class ClusterIT {
  static final Path IDP_DIRECTORY =
      Path.of("..", "adapters", "idp", "src", "test", "oidc-provider");

  private static Cluster cluster;
  private static final List<AutoCloseable> resources = new ArrayList<>();
  private static String appKey;

  @BeforeAll
  static void start() throws Exception {
    // news of a change must come from the feed: without it, a cached token would live 5 minutes
    cluster = Cluster.start("cluster", 3, Map.of("CALLGATE_CACHE_MAX_STALENESS", "PT5M"));
    Answer key =
        cluster
            .client(0)
            .call(
                "POST",
                "/v1/keys",
                new JsonObject().put("subject", "app").put("roles", new JsonArray().add("caller")));
    assertThat(key.status()).as(key.body()).isEqualTo(201);
    appKey = key.json().getString("key");
  }

  @AfterAll
  static void stop() throws Exception {
    for (AutoCloseable resource : resources) {
      resource.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  private static <T extends AutoCloseable> T closedAtEnd(T resource) {
    resources.add(0, resource);
    return resource;
  }

  /** A provider at its own node-oidc-provider, and a target that checks tokens there. */
  private static IntrospectingTarget provider(String name, Duration accessTtl, Duration refreshTtl)
      throws Exception {
    NodeOidcProvider idp =
        closedAtEnd(NodeOidcProvider.start(IDP_DIRECTORY, accessTtl, refreshTtl));
    providers.put(name, idp);
    cluster
        .client(0)
        .createProvider(name, idp.issuer(), List.of("openid", "offline_access"), refreshTtl);
    return closedAtEnd(new IntrospectingTarget(idp));
  }

  private static final Map<String, NodeOidcProvider> providers = new java.util.HashMap<>();

  private static void credential(
      String name, String provider, IntrospectingTarget target, boolean keepAlive) {
    cluster
        .client(0)
        .createCredential(
            name,
            URI.create(target.baseUrl() + "/api"),
            provider,
            new JsonObject()
                .put("keepAlive", keepAlive)
                .put("allowedCallers", new JsonArray().add("app")));
  }

  private static URI callout(int instance, String credential, String path) {
    return URI.create(cluster.instance(instance).baseUri() + "/v1/callout/" + credential + path);
  }

  private static Instant accessTokenExpiresAt(String credential) {
    return Instant.parse(cluster.client(0).status(credential).getString("accessTokenExpiresAt"));
  }

  @Test
  void thousandCalloutsOverThreeInstancesOnOneExpiredTokenCallTheTokenEndpointOnce()
      throws Exception {
    IntrospectingTarget target = provider("expiring", Duration.ofSeconds(2), Duration.ofHours(1));
    NodeOidcProvider idp = providers.get("expiring");
    // keep-alive off and never called: the schedule leaves it alone, the callouts find it expired
    credential("shared", "expiring", target, false);
    cluster.client(0).authorize("shared", "alice");
    // the token the callouts meet lives 2 s; the one they get must outlive them all
    idp.accessTokenTtl(Duration.ofMinutes(10));
    Instant expiresAt = accessTokenExpiresAt("shared");
    while (Instant.now().isBefore(expiresAt.plusMillis(500))) {
      Thread.sleep(100);
    }
    idp.resetStats();
    int seenBefore = target.authorizations().size();
    double refreshedBefore = refreshedOnDemand();

    List<Result> results;
    try (CalloutLoad load = new CalloutLoad(400)) {
      results = load.send(1000, i -> callout(i % 3, "shared", "/accounts/" + i), appKey);
    }
    NodeOidcProvider.Stats stats = idp.stats();
    assertThat(stats.tokenRequests("refresh_token"))
        .as("token-endpoint refreshes; answers: %s", summary(results))
        .isEqualTo(1);
    assertThat(stats.tokenErrors("invalid_grant")).isZero();
    assertThat(summary(results)).as("every callout answered by the target").isEqualTo("1000 × 200");
    List<String> sent = target.authorizations().subList(seenBefore, target.authorizations().size());
    assertThat(sent).hasSize(1000);
    assertThat(new HashSet<>(sent)).as("one new token for all").hasSize(1);
    assertThat(accessTokenExpiresAt("shared")).isAfter(expiresAt);
    assertThat(refreshedOnDemand() - refreshedBefore)
        .as("refreshes the instances made")
        .isEqualTo(1);
  }

  private static double refreshedOnDemand() {
    return cluster.metric(
        "callgate_refreshes_total", Map.of("outcome", "refreshed", "trigger", "on_demand"));
  }

  /** "998 × 200, 2 × 401 TOKEN_REJECTED_AFTER_REFRESH": the answers, counted. */
  static String summary(List<Result> results) {
    Map<String, Long> counts = new java.util.TreeMap<>();
    for (Result result : results) {
      String answer = result.status() + (result.error().equals("none") ? "" : " " + result.error());
      counts.merge(answer, 1L, Long::sum);
    }
    List<String> parts = new ArrayList<>();
    counts.forEach((answer, count) -> parts.add(count + " × " + answer));
    return String.join(", ", parts);
  }

  @Test
  void instanceLearnsOfAnotherInstancesNewTokenFromTheFeedWithoutReadingTheStorePerCallout()
      throws Exception {
    IntrospectingTarget target = provider("steady", Duration.ofHours(1), Duration.ofHours(2));
    credential("watched", "steady", target, true);
    cluster.client(0).authorize("watched", "alice");
    CallgateClient b = cluster.client(1);
    try (CalloutLoad load = new CalloutLoad(8)) {
      // the first callout marks the token as used: a write, whose news drops the cached token
      assertThat(load.get(callout(1, "watched", "/first"), appKey).await().status()).isEqualTo(200);
      Thread.sleep(500);
      assertThat(load.get(callout(1, "watched", "/second"), appKey).await().status())
          .isEqualTo(200);
      double storeReads = b.metric("callgate_cache_reads_total", Map.of("result", "store"));
      double hits = b.metric("callgate_cache_reads_total", Map.of("result", "hit"));

      List<Result> steady = load.send(100, i -> callout(1, "watched", "/steady/" + i), appKey);

      assertThat(steady).allSatisfy(result -> assertThat(result.status()).isEqualTo(200));
      assertThat(b.metric("callgate_cache_reads_total", Map.of("result", "store")))
          .as("store reads for 100 callouts on B")
          .isEqualTo(storeReads);
      // API key, credential (twice: route and use case) and token per callout
      assertThat(b.metric("callgate_cache_reads_total", Map.of("result", "hit")) - hits)
          .isGreaterThanOrEqualTo(400);
      String before = last(target);

      Answer refreshed = cluster.client(0).call("POST", "/v1/credentials/watched/refresh", null);
      assertThat(refreshed.status()).as(refreshed.body()).isEqualTo(200);
      long changedAt = System.nanoTime();
      String after = before;
      long deadline = changedAt + Duration.ofSeconds(5).toNanos();
      while (after.equals(before) && System.nanoTime() < deadline) {
        assertThat(load.get(callout(1, "watched", "/after"), appKey).await().status())
            .isEqualTo(200);
        after = last(target);
      }
      long learnedInMillis = (System.nanoTime() - changedAt) / 1_000_000;

      assertThat(after).as("B's token after A refreshed (cache bound 5 min)").isNotEqualTo(before);
      assertThat(load.get(callout(0, "watched", "/from-a"), appKey).await().status())
          .isEqualTo(200);
      assertThat(last(target)).as("A and B send the same new token").isEqualTo(after);
      System.out.printf(
          "ClusterIT: instance B sent the token instance A refreshed %d ms after A answered%n",
          learnedInMillis);
    }
  }

  private static String last(IntrospectingTarget target) {
    List<String> all = target.authorizations();
    return all.get(all.size() - 1);
  }

  @Test
  void scheduleSpreadsKeepAliveAndProactiveRefreshesOverTheInstancesWithoutDoubleWork()
      throws Exception {
    IntrospectingTarget target =
        provider("rotating", Duration.ofSeconds(8), Duration.ofSeconds(20));
    NodeOidcProvider idp = providers.get("rotating");
    List<String> idle = new ArrayList<>();
    List<String> used = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      idle.add("idle-" + i);
      used.add("used-" + i);
      credential("idle-" + i, "rotating", target, true);
      credential("used-" + i, "rotating", target, false);
    }
    Map<String, Double> keepAliveBefore = new java.util.HashMap<>();
    for (int i = 0; i < 3; i++) {
      keepAliveBefore.put(
          cluster.instance(i).name(),
          cluster
              .client(i)
              .metric(
                  "callgate_refreshes_total",
                  Map.of("trigger", "keep_alive", "outcome", "refreshed")));
    }
    double refreshedBefore =
        cluster.metric("callgate_refreshes_total", Map.of("outcome", "refreshed"));
    idp.resetStats();
    List<String> all = new ArrayList<>(idle);
    all.addAll(used);
    for (int i = 0; i < all.size(); i++) {
      cluster.client(i % 3).authorize(all.get(i), "alice");
    }

    // 30 s: idle tokens are kept alive (refresh tokens idle out after 20 s), used ones are called
    // every 2 s through every instance and refreshed ahead of their 8 s expiry
    List<Result> results = new ArrayList<>();
    try (CalloutLoad load = new CalloutLoad(32)) {
      for (int round = 0; round < 15; round++) {
        int offset = round;
        results.addAll(
            load.send(used.size(), i -> callout((i + offset) % 3, used.get(i), "/work"), appKey));
        Thread.sleep(2_000);
      }
      Thread.sleep(2_000);
      results.addAll(load.send(all.size(), i -> callout(i % 3, all.get(i), "/end"), appKey));
    }
    assertThat(summary(results)).isEqualTo(results.size() + " × 200");
    // keep-alive goes on: compare the provider's count with the instances' while none is under way
    int providerRefreshes = -1;
    double instanceRefreshes = -2;
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (providerRefreshes != instanceRefreshes && System.nanoTime() < deadline) {
      double before = cluster.metric("callgate_refreshes_total", Map.of("outcome", "refreshed"));
      providerRefreshes = idp.stats().tokenRequests("refresh_token");
      double after = cluster.metric("callgate_refreshes_total", Map.of("outcome", "refreshed"));
      instanceRefreshes = before == after ? after - refreshedBefore : -2;
      Thread.sleep(50);
    }
    assertThat(idp.stats().tokenErrors("invalid_grant")).isZero();
    assertThat(providerRefreshes)
        .as("every refresh at the provider is one an instance counted as its own")
        .isEqualTo((int) instanceRefreshes)
        .isGreaterThanOrEqualTo(idle.size() * 2);
    Set<String> sharing = new HashSet<>();
    for (int i = 0; i < 3; i++) {
      double keepAlive =
          cluster
                  .client(i)
                  .metric(
                      "callgate_refreshes_total",
                      Map.of("trigger", "keep_alive", "outcome", "refreshed"))
              - keepAliveBefore.get(cluster.instance(i).name());
      if (keepAlive > 0) {
        sharing.add(cluster.instance(i).name());
      }
    }
    assertThat(sharing).as("instances that ran keep-alive refreshes").hasSize(3);
    for (String credential : all) {
      assertThat(cluster.client(0).status(credential).getString("state"))
          .as(credential)
          .isIn("ACTIVE", "EXPIRING", "REFRESHING");
    }
  }
}
