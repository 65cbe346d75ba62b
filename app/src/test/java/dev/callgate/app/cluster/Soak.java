package dev.callgate.app.cluster;

import dev.callgate.adapter.idp.NodeOidcProvider;
import dev.callgate.app.cluster.CalloutLoad.Result;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A soak of a Callgate cluster on this machine (loopback only, bounded in time): instances on one
 * private PostgreSQL, node-oidc-provider with rotating refresh tokens (20 s access tokens, 120 s
 * refresh tokens), callouts at random credentials through random running instances, and an instance
 * killed with SIGKILL at random every 20 to 40 s and started again 5 to 15 s later. Afterwards,
 * with nobody killed for a while, it checks every credential and prints: callouts ok and failed
 * (and those a killed instance never answered, which a load balancer would have sent elsewhere),
 * refreshes, invalid_grant answers, and tokens lost.
 *
 * <p>Run by {@code ops/soak/soak.sh [minutes] [instances]}; arguments: minutes (10), instances (3),
 * random seed.
 */
public final class Soak {
  private static final int BUSY_CREDENTIALS = 20;
  private static final int IDLE_CREDENTIALS = 10;
  private static final int WORKERS = 12;
  private static final Duration SETTLE = Duration.ofSeconds(30);

  private Soak() {}

  public static void main(String[] args) throws Exception {
    int minutes = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    int size = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    long seed = args.length > 2 ? Long.parseLong(args[2]) : System.nanoTime();
    System.out.printf(
        "soak: %d instances, %d minutes, seed %d (lease 10 s, access tokens 20 s, refresh tokens"
            + " 120 s, rotating)%n",
        size, minutes, seed);
    try (Cluster cluster = Cluster.start("soak", size, Map.of("CALLGATE_REFRESH_LEASE", "PT10S"))) {
      new Run(cluster, new Random(seed), Duration.ofMinutes(minutes)).soak();
    }
    // the Vert.x clients' threads are not daemons
    System.exit(0);
  }

  private static final class Run {
    private final Cluster cluster;
    private final Random random;
    private final Duration length;
    private final AtomicReferenceArray<Boolean> running;
    private final AtomicLong ok = new AtomicLong();
    private final AtomicLong unanswered = new AtomicLong();
    private final Map<String, AtomicLong> failed = new ConcurrentHashMap<>();
    private final List<String> busy = new ArrayList<>();
    private final List<String> idle = new ArrayList<>();
    private final List<Integer> victims = new ArrayList<>();
    private int kills;
    private volatile boolean calling = true;

    Run(Cluster cluster, Random random, Duration length) {
      this.cluster = cluster;
      this.random = random;
      this.length = length;
      this.running = new AtomicReferenceArray<>(cluster.size());
      for (int i = 0; i < cluster.size(); i++) {
        running.set(i, true);
      }
    }

    void soak() throws Exception {
      Cluster.Provider provider =
          cluster.provider("soak-idp", Duration.ofSeconds(20), Duration.ofSeconds(120));
      NodeOidcProvider idp = provider.idp();
      String appKey = cluster.callerKey("app");
      for (int i = 0; i < BUSY_CREDENTIALS; i++) {
        busy.add("busy-" + i);
        cluster.credential("busy-" + i, provider, false);
      }
      for (int i = 0; i < IDLE_CREDENTIALS; i++) {
        idle.add("idle-" + i);
        cluster.credential("idle-" + i, provider, true);
      }
      List<String> all = new ArrayList<>(busy);
      all.addAll(idle);
      for (int i = 0; i < all.size(); i++) {
        cluster.client(i % cluster.size()).authorize(all.get(i), "alice");
      }
      idp.resetStats();
      Instant started = Instant.now();
      Instant end = started.plus(length);
      List<Thread> workers = new ArrayList<>();
      try (CalloutLoad load = new CalloutLoad(WORKERS * cluster.size())) {
        for (int w = 0; w < WORKERS; w++) {
          Random own = new Random(random.nextLong());
          Thread worker = new Thread(() -> call(load, appKey, own), "soak-worker-" + w);
          worker.start();
          workers.add(worker);
        }
        chaos(end);
        calling = false;
        for (Thread worker : workers) {
          worker.join();
        }
      }
      Duration soaked = Duration.between(started, Instant.now());
      for (int i = 0; i < cluster.size(); i++) {
        if (!cluster.instance(i).alive()) {
          cluster.restart(i);
          running.set(i, true);
        }
      }
      // nobody killed for a while: interrupted refreshes are taken over, keep-alive catches up
      Thread.sleep(SETTLE.toMillis());
      report(idp, all, appKey, soaked);
    }

    private void call(CalloutLoad load, String appKey, Random own) {
      while (calling) {
        int instance = own.nextInt(cluster.size());
        if (!running.get(instance)) {
          continue;
        }
        String credential = busy.get(own.nextInt(busy.size()));
        Result result = load.get(cluster.callout(instance, credential, "/soak"), appKey).await();
        if (result.status() == 200) {
          ok.incrementAndGet();
        } else if (result.status() < 0) {
          unanswered.incrementAndGet();
        } else {
          failed
              .computeIfAbsent(result.status() + " " + result.error(), k -> new AtomicLong())
              .incrementAndGet();
        }
        try {
          Thread.sleep(own.nextInt(100, 300));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }

    /** Kills an instance every 20 to 40 s, and starts it again 5 to 15 s later, until the end. */
    private void chaos(Instant end) throws Exception {
      while (true) {
        Instant next = Instant.now().plusSeconds(20 + random.nextInt(21));
        if (!sleepUntil(next, end)) {
          return;
        }
        int victim = nextVictim();
        running.set(victim, false);
        cluster.instance(victim).kill();
        kills++;
        System.out.printf(
            "%s killed %s (kill %d)%n", Instant.now(), cluster.instance(victim).name(), kills);
        Instant back = Instant.now().plusSeconds(5 + random.nextInt(11));
        boolean goOn = sleepUntil(back, end);
        cluster.restart(victim);
        running.set(victim, true);
        System.out.printf("%s started %s again%n", Instant.now(), cluster.instance(victim).name());
        if (!goOn) {
          return;
        }
      }
    }

    /** Every instance in turn, in an order shuffled anew for each round. */
    private int nextVictim() {
      if (victims.isEmpty()) {
        for (int i = 0; i < cluster.size(); i++) {
          victims.add(i);
        }
        Collections.shuffle(victims, random);
      }
      return victims.remove(0);
    }

    /** False when {@code end} comes first (it has been waited for then). */
    private static boolean sleepUntil(Instant until, Instant end) throws InterruptedException {
      Instant wake = until.isBefore(end) ? until : end;
      long millis = Duration.between(Instant.now(), wake).toMillis();
      if (millis > 0) {
        Thread.sleep(millis);
      }
      return until.isBefore(end);
    }

    private void report(NodeOidcProvider idp, List<String> all, String appKey, Duration soaked)
        throws Exception {
      Map<String, Integer> lost = new TreeMap<>();
      try (CalloutLoad load = new CalloutLoad(8)) {
        for (int i = 0; i < all.size(); i++) {
          String credential = all.get(i);
          JsonObject status = cluster.client(i % cluster.size()).status(credential);
          Result last =
              load.get(cluster.callout(i % cluster.size(), credential, "/last"), appKey).await();
          if (last.status() != 200 || !"ACTIVE".equals(status.getString("state"))) {
            String why =
                status.getJsonArray("diagnoses").isEmpty()
                    ? status.getString("state")
                    : status.getJsonArray("diagnoses").getJsonObject(0).getString("code");
            lost.merge(why, 1, Integer::sum);
            System.out.printf(
                "lost: %s in %s, last callout %d %s%n",
                credential, status.getString("state"), last.status(), last.error());
          }
        }
      }
      NodeOidcProvider.Stats stats = idp.stats();
      long failedTotal = failed.values().stream().mapToLong(AtomicLong::get).sum();
      int interrupted = 0;
      for (int i = 0; i < cluster.size(); i++) {
        interrupted +=
            (int)
                cluster
                    .instance(i)
                    .logTail(Integer.MAX_VALUE)
                    .lines()
                    .filter(line -> line.contains("never recorded its outcome"))
                    .count();
      }
      System.out.println();
      System.out.println("== soak summary ==");
      System.out.printf(
          "soaked                  %s with %d instances, %d kills (SIGKILL)%n",
          soaked.truncatedTo(java.time.temporal.ChronoUnit.SECONDS), cluster.size(), kills);
      System.out.printf(
          "callouts ok             %d%n"
              + "callouts failed         %d %s%n"
              + "callouts unanswered     %d (sent to an instance being killed: a load balancer"
              + " would have sent them elsewhere)%n",
          ok.get(), failedTotal, failed, unanswered.get());
      System.out.printf(
          "refreshes               %d token-endpoint refresh requests, %d issued tokens%n",
          stats.tokenRequests("refresh_token"), stats.refreshesIssued());
      System.out.printf(
          "interrupted refreshes   %d (a refresh a killed instance began, taken over by another)%n",
          interrupted);
      System.out.printf("invalid_grant           %d%n", stats.tokenErrors("invalid_grant"));
      System.out.printf(
          "tokens lost             %d of %d %s%n",
          lost.values().stream().mapToInt(Integer::intValue).sum(), all.size(), lost);
    }
  }
}
