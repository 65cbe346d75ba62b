package dev.callgate.app.cluster;

import static dev.callgate.app.cluster.CalloutLoad.summary;
import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.adapter.idp.NodeOidcProvider;
import dev.callgate.app.cluster.CallgateClient.Answer;
import dev.callgate.app.cluster.CalloutLoad.Result;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
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
  private static Cluster cluster;
  private static String appKey;

  @BeforeAll
  static void start() throws Exception {
    // news of a change must come from the feed: without it, a cached token would live 5 minutes
    cluster = Cluster.start("cluster", 3, Map.of("CALLGATE_CACHE_MAX_STALENESS", "PT5M"));
    appKey = cluster.callerKey("app");
  }

  @AfterAll
  static void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static Instant accessTokenExpiresAt(String credential) {
    return Instant.parse(cluster.client(0).status(credential).getString("accessTokenExpiresAt"));
  }

  /** Refreshes that called the provider, summed over the instances. */
  private static double refreshed(Map<String, String> labels) {
    return cluster.metric("callgate_refreshes_total", withOutcome(labels));
  }

  @Test
  void thousandCalloutsOverThreeInstancesOnOneExpiredTokenCallTheTokenEndpointOnce()
      throws Exception {
    Cluster.Provider provider =
        cluster.provider("expiring", Duration.ofSeconds(2), Duration.ofHours(1));
    NodeOidcProvider idp = provider.idp();
    IntrospectingTarget target = provider.target();
    // keep-alive off and never called: the schedule leaves it alone, the callouts find it expired
    cluster.credential("shared", provider, false);
    cluster.client(0).authorize("shared", "alice");
    // the token the callouts meet lives 2 s; the one they get must outlive them all
    idp.accessTokenTtl(Duration.ofMinutes(10));
    Instant expiresAt = accessTokenExpiresAt("shared");
    while (Instant.now().isBefore(expiresAt.plusMillis(500))) {
      Thread.sleep(100);
    }
    idp.resetStats();
    // a slow token endpoint: every instance meets the expired token while the refresh is under way
    idp.tokenEndpointDelay(Duration.ofSeconds(1));
    int seenBefore = target.authorizations().size();
    double refreshedBefore = refreshed(Map.of("trigger", "on_demand"));

    List<Result> results;
    try (CalloutLoad load = new CalloutLoad(400)) {
      results = load.send(1000, i -> cluster.callout(i % 3, "shared", "/accounts/" + i), appKey);
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
    assertThat(refreshed(Map.of("trigger", "on_demand")) - refreshedBefore)
        .as("refreshes the instances made")
        .isEqualTo(1);
  }

  @Test
  void instanceLearnsOfAnotherInstancesNewTokenFromTheFeedWithoutReadingTheStorePerCallout()
      throws Exception {
    Cluster.Provider provider =
        cluster.provider("steady", Duration.ofHours(1), Duration.ofHours(2));
    IntrospectingTarget target = provider.target();
    cluster.credential("watched", provider, true);
    cluster.client(0).authorize("watched", "alice");
    CallgateClient b = cluster.client(1);
    try (CalloutLoad load = new CalloutLoad(8)) {
      // the first callout marks the token as used: a write, whose news drops the cached token
      assertThat(load.get(cluster.callout(1, "watched", "/first"), appKey).await().status())
          .isEqualTo(200);
      Thread.sleep(500);
      assertThat(load.get(cluster.callout(1, "watched", "/second"), appKey).await().status())
          .isEqualTo(200);
      double storeReads = b.metric("callgate_cache_reads_total", Map.of("result", "store"));
      double hits = b.metric("callgate_cache_reads_total", Map.of("result", "hit"));

      List<Result> steady =
          load.send(100, i -> cluster.callout(1, "watched", "/steady/" + i), appKey);

      assertThat(summary(steady)).isEqualTo("100 × 200");
      assertThat(b.metric("callgate_cache_reads_total", Map.of("result", "store")))
          .as("store reads for 100 callouts on B")
          .isEqualTo(storeReads);
      // API key, credential (once: the use case tells the route the body mode) and token per
      // callout
      assertThat(b.metric("callgate_cache_reads_total", Map.of("result", "hit")) - hits)
          .isGreaterThanOrEqualTo(300);
      String before = last(target);

      Answer refreshed = cluster.client(0).call("POST", "/v1/credentials/watched/refresh", null);
      assertThat(refreshed.status()).as(refreshed.body()).isEqualTo(200);
      long changedAt = System.nanoTime();
      String after = before;
      long deadline = changedAt + Duration.ofSeconds(5).toNanos();
      while (after.equals(before) && System.nanoTime() < deadline) {
        assertThat(load.get(cluster.callout(1, "watched", "/after"), appKey).await().status())
            .isEqualTo(200);
        after = last(target);
      }
      long learnedInMillis = (System.nanoTime() - changedAt) / 1_000_000;

      assertThat(after).as("B's token after A refreshed (cache bound 5 min)").isNotEqualTo(before);
      assertThat(load.get(cluster.callout(0, "watched", "/from-a"), appKey).await().status())
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
    Cluster.Provider provider =
        cluster.provider("rotating", Duration.ofSeconds(8), Duration.ofSeconds(20));
    NodeOidcProvider idp = provider.idp();
    List<String> idle = new ArrayList<>();
    List<String> used = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      idle.add("idle-" + i);
      used.add("used-" + i);
      cluster.credential("idle-" + i, provider, true);
      cluster.credential("used-" + i, provider, false);
    }
    Map<String, String> keepAlive = Map.of("trigger", "keep_alive");
    double[] keepAliveBefore = new double[3];
    for (int i = 0; i < 3; i++) {
      keepAliveBefore[i] =
          cluster.client(i).metric("callgate_refreshes_total", withOutcome(keepAlive));
    }
    double refreshedBefore = refreshed(Map.of());
    idp.resetStats();
    List<String> all = new ArrayList<>(idle);
    all.addAll(used);
    // authorized one by one, 300 ms apart, idle and used in turn: the idle tokens fall due over
    // about 7 s, in many claims of the instances' jittered ticks rather than in a few that one
    // instance could take all of
    for (int i = 0; i < idle.size(); i++) {
      for (String name : List.of(idle.get(i), used.get(i))) {
        cluster.client(i % 3).authorize(name, "alice");
        Thread.sleep(300);
      }
    }
    // a slow token endpoint: refreshes overlap claims and callouts, as they would under load
    idp.tokenEndpointDelay(Duration.ofMillis(200));

    // 30 s: idle tokens are kept alive (refresh tokens idle out after 20 s), used ones are called
    // every 2 s through every instance and refreshed ahead of their 8 s expiry
    List<Result> results = new ArrayList<>();
    try (CalloutLoad load = new CalloutLoad(32)) {
      for (int round = 0; round < 15; round++) {
        int offset = round;
        results.addAll(
            load.send(
                used.size(), i -> cluster.callout((i + offset) % 3, used.get(i), "/work"), appKey));
        Thread.sleep(2_000);
      }
      Thread.sleep(2_000);
      results.addAll(
          load.send(all.size(), i -> cluster.callout(i % 3, all.get(i), "/end"), appKey));
    }

    assertThat(summary(results)).isEqualTo(results.size() + " × 200");
    // keep-alive goes on: compare the provider's count with the instances' while none is under way
    int providerRefreshes = -1;
    double instanceRefreshes = -2;
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (providerRefreshes != instanceRefreshes && System.nanoTime() < deadline) {
      double before = refreshed(Map.of());
      providerRefreshes = idp.stats().tokenRequests("refresh_token");
      double after = refreshed(Map.of());
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
      if (cluster.client(i).metric("callgate_refreshes_total", withOutcome(keepAlive))
          > keepAliveBefore[i]) {
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

  private static Map<String, String> withOutcome(Map<String, String> labels) {
    Map<String, String> all = new HashMap<>(labels);
    all.put("outcome", "refreshed");
    return all;
  }
}
