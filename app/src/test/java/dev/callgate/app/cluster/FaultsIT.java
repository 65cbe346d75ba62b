package dev.callgate.app.cluster;

import static dev.callgate.app.cluster.CalloutLoad.summary;
import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.adapter.idp.NodeOidcProvider;
import dev.callgate.adapter.idp.NodeOidcProvider.HoldPhase;
import dev.callgate.app.cluster.CallgateClient.Answer;
import dev.callgate.app.cluster.CalloutLoad.Result;
import io.vertx.core.json.JsonObject;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two Callgate processes on one PostgreSQL, and what goes wrong around them: an instance killed in
 * the middle of a refresh, before and after the identity provider answered; the identity provider
 * down for 30 s; PostgreSQL restarted. The refresh lease is 6 s, so a killed holder's refresh is
 * taken over within seconds.
 */
class FaultsIT {
  private static Cluster cluster;
  private static String appKey;

  @BeforeAll
  static void start() throws Exception {
    cluster = Cluster.start("faults", 2, Map.of("CALLGATE_REFRESH_LEASE", "PT6S"));
    appKey = cluster.callerKey("app");
  }

  @AfterAll
  static void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  @BeforeEach
  void bothInstancesRun() throws Exception {
    if (!cluster.instance(0).alive()) {
      cluster.restart(0);
    }
  }

  /**
   * A credential authorized through B, whose refresh A begins and is killed in: the provider holds
   * that refresh in {@code phase}, A is killed, and A never answers. Returns the provider.
   */
  private static NodeOidcProvider killedInARefresh(String credential, HoldPhase phase)
      throws Exception {
    Cluster.Provider provider =
        cluster.provider(credential, Duration.ofMinutes(10), Duration.ofHours(1));
    NodeOidcProvider idp = provider.idp();
    cluster.credential(credential, provider, false);
    cluster.client(1).authorize(credential, "alice");
    idp.resetStats();
    idp.holdNextRefresh(phase);
    CompletableFuture<Answer> dying =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return cluster
                    .client(0)
                    .call("POST", "/v1/credentials/" + credential + "/refresh", null);
              } catch (UncheckedIOException killed) {
                return null;
              }
            });
    idp.awaitHeld(Duration.ofSeconds(10));
    cluster.instance(0).kill();
    assertThat(dying.get()).as("A answered before it was killed").isNull();
    return idp;
  }

  private static Result calloutThrough(int instance, String credential) {
    try (CalloutLoad load = new CalloutLoad(1)) {
      return load.get(cluster.callout(instance, credential, "/accounts"), appKey).await();
    }
  }

  @Test
  void killedDuringARefreshBeforeTheProviderAnsweredThenTheOtherInstanceRefreshesAndNothingIsLost()
      throws Exception {
    NodeOidcProvider idp = killedInARefresh("held-before", HoldPhase.BEFORE_PROCESSING);
    String expiresBefore =
        cluster.client(1).status("held-before").getString("accessTokenExpiresAt");

    assertThat(calloutThrough(1, "held-before").status())
        .as("B serves the current token meanwhile")
        .isEqualTo(200);
    Answer refreshed = cluster.client(1).call("POST", "/v1/credentials/held-before/refresh", null);

    assertThat(refreshed.status()).as(refreshed.body()).isEqualTo(200);
    JsonObject status = cluster.client(1).status("held-before");
    assertThat(status.getString("state")).isEqualTo("ACTIVE");
    assertThat(status.getJsonArray("diagnoses")).isEmpty();
    assertThat(status.getString("accessTokenExpiresAt")).isNotEqualTo(expiresBefore);
    NodeOidcProvider.Stats stats = idp.stats();
    assertThat(stats.refreshesIssued()).as("A's request was dropped unprocessed").isEqualTo(1);
    assertThat(stats.tokenErrors("invalid_grant")).isZero();
    assertThat(calloutThrough(1, "held-before").status()).isEqualTo(200);
  }

  @Test
  void killedDuringARefreshAfterTheProviderRotatedThenTheLossIsDiagnosedWithTheInstanceAndARemedy()
      throws Exception {
    NodeOidcProvider idp = killedInARefresh("held-after", HoldPhase.AFTER_PROCESSING);

    Answer refused = cluster.client(1).call("POST", "/v1/credentials/held-after/refresh", null);

    assertThat(refused.status()).as(refused.body()).isEqualTo(409);
    assertThat(refused.error()).isEqualTo("REFRESH_RESULT_LOST");
    assertThat(refused.json().getString("detail"))
        .contains("instance " + cluster.instance(0).name() + " began at", "invalid_grant");
    assertThat(refused.json().getString("remedy"))
        .contains("/v1/credentials/held-after/authorizations", "grace period");
    JsonObject status = cluster.client(1).status("held-after");
    assertThat(status.getString("state")).isEqualTo("NEEDS_AUTHORIZATION");
    assertThat(status.getJsonArray("diagnoses").getJsonObject(0).getString("code"))
        .isEqualTo("REFRESH_RESULT_LOST");
    assertThat(calloutThrough(1, "held-after").error()).isEqualTo("REFRESH_RESULT_LOST");
    assertThat(idp.stats().tokenErrors("invalid_grant")).isEqualTo(1);

    cluster.client(1).authorize("held-after", "alice");
    assertThat(calloutThrough(1, "held-after").status())
        .as("after a new authorization")
        .isEqualTo(200);
  }

  @Test
  void identityProviderDownForThirtySecondsThenValidTokensKeepWorkingAndRefreshesBackOffAndRecover()
      throws Exception {
    // 120 s tokens: the refresh is due after 60 s, the token must be refreshed by 90 s
    Cluster.Provider provider =
        cluster.provider("flaky", Duration.ofSeconds(120), Duration.ofHours(1));
    NodeOidcProvider idp = provider.idp();
    cluster.credential("through-outage", provider, false);
    cluster.client(0).authorize("through-outage", "alice");
    JsonObject authorized = cluster.client(0).status("through-outage");
    Instant expiresAt = Instant.parse(authorized.getString("accessTokenExpiresAt"));
    Instant issuedAt = expiresAt.minusSeconds(120);
    List<Result> results = new ArrayList<>();
    // in use, so that it is refreshed ahead of its expiry
    results.add(calloutThrough(0, "through-outage"));
    idp.resetStats();

    try (CalloutLoad load = new CalloutLoad(4)) {
      BooleanSupplier calling =
          () -> {
            results.addAll(
                load.send(2, i -> cluster.callout(i, "through-outage", "/accounts"), appKey));
            return true;
          };
      waitUntil(issuedAt.plusSeconds(40), calling);
      idp.outage(Duration.ofSeconds(30));
      Instant outageEnds = Instant.now().plusSeconds(30);
      Set<String> plannedAttempts = new LinkedHashSet<>();
      Set<String> statesDuringOutage = new LinkedHashSet<>();
      waitUntil(
          outageEnds,
          () -> {
            calling.getAsBoolean();
            JsonObject status = cluster.client(1).status("through-outage");
            statesDuringOutage.add(status.getString("state"));
            if ("REFRESH_FAILED".equals(status.getString("state"))) {
              plannedAttempts.add(status.getString("nextRefreshAt"));
            }
            return true;
          });
      Instant refreshed = null;
      Instant deadline = Instant.now().plusSeconds(40);
      while (refreshed == null && Instant.now().isBefore(deadline)) {
        calling.getAsBoolean();
        Instant now =
            Instant.parse(
                cluster.client(1).status("through-outage").getString("accessTokenExpiresAt"));
        refreshed = now.isAfter(expiresAt) ? Instant.now() : null;
        Thread.sleep(500);
      }

      assertThat(summary(results))
          .as("callouts through the outage")
          .isEqualTo(results.size() + " × 200");
      assertThat(statesDuringOutage).contains("REFRESH_FAILED");
      assertThat(refreshed)
          .as("refreshed by itself after the outage, before the token expired")
          .isNotNull()
          .isBefore(expiresAt);
      JsonObject status = cluster.client(1).status("through-outage");
      assertThat(status.getString("state")).isEqualTo("ACTIVE");
      assertThat(status.getJsonArray("diagnoses")).isEmpty();
      assertThat(idp.stats().tokenErrors("invalid_grant")).isZero();
      assertThat(idp.stats().refreshesIssued()).isEqualTo(1);
      List<Instant> attempts = plannedAttempts.stream().map(Instant::parse).toList();
      assertThat(attempts).as("attempts planned during the outage").hasSizeGreaterThanOrEqualTo(3);
      Duration firstWait = Duration.between(attempts.get(0), attempts.get(1));
      Duration lastWait =
          Duration.between(attempts.get(attempts.size() - 2), attempts.get(attempts.size() - 1));
      assertThat(lastWait).as("back-off grows: %s", attempts).isGreaterThan(firstWait);
      System.out.printf(
          "FaultsIT: provider down 30 s; attempts planned at %s; refreshed %d s after it came back%n",
          attempts, Duration.between(outageEnds, refreshed).toSeconds());
    }
  }

  @Test
  void postgresRestartedThenCachedCalloutsKeepWorkingReadinessFollowsAndTheFeedResumes()
      throws Exception {
    Cluster.Provider provider =
        cluster.provider("stored", Duration.ofMinutes(10), Duration.ofHours(1));
    cluster.credential("through-restart", provider, false);
    cluster.client(0).authorize("through-restart", "alice");
    for (int instance = 0; instance < 2; instance++) {
      assertThat(calloutThrough(instance, "through-restart").status()).isEqualTo(200);
    }
    Thread.sleep(500);
    List<Result> results = new ArrayList<>();

    cluster.postgres().stop();
    assertThat(within(Duration.ofSeconds(15), () -> !ready(0) && !ready(1)))
        .as("both instances not ready with the database down")
        .isTrue();
    try (CalloutLoad load = new CalloutLoad(4)) {
      for (int round = 0; round < 10; round++) {
        results.addAll(
            load.send(2, i -> cluster.callout(i, "through-restart", "/accounts"), appKey));
        Thread.sleep(300);
      }
    }
    cluster.postgres().start();

    assertThat(summary(results)).as("callouts with the database down").isEqualTo("20 × 200");
    assertThat(within(Duration.ofSeconds(30), () -> ready(0) && ready(1)))
        .as("both instances ready again")
        .isTrue();
    assertThat(within(Duration.ofSeconds(15), () -> listening(1))).as("B listens again").isTrue();
    String before =
        provider.target().authorizations().get(provider.target().authorizations().size() - 1);
    Answer refreshed =
        cluster.client(0).call("POST", "/v1/credentials/through-restart/refresh", null);
    assertThat(refreshed.status()).as(refreshed.body()).isEqualTo(200);
    assertThat(
            within(
                Duration.ofSeconds(5),
                () -> {
                  calloutThrough(1, "through-restart");
                  List<String> seen = provider.target().authorizations();
                  return !seen.get(seen.size() - 1).equals(before);
                }))
        .as("B learns of A's new token after the restart")
        .isTrue();
  }

  private static boolean ready(int instance) {
    try {
      return cluster.instance(instance).ready();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static boolean listening(int instance) {
    Answer health = cluster.client(instance).call("GET", "/health/ready", null);
    return health.status() == 200 && "listening".equals(health.json().getString("changeFeed"));
  }

  /** Runs {@code step} every half second until {@code until}. */
  private static void waitUntil(Instant until, BooleanSupplier step) throws InterruptedException {
    while (Instant.now().isBefore(until)) {
      step.getAsBoolean();
      Thread.sleep(500);
    }
  }

  private static boolean within(Duration limit, BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return true;
      }
      Thread.sleep(100);
    }
    return condition.getAsBoolean();
  }
}
