package dev.callgate.app.bench;

import dev.callgate.adapter.pg.PgStores;
import dev.callgate.adapter.sql.AesGcmSecretCipher;
import dev.callgate.adapter.sql.SqlStores;
import dev.callgate.app.runtime.MasterKeys;
import dev.callgate.core.credential.AuthProvider;
import dev.callgate.core.credential.AuthProviderDraft;
import dev.callgate.core.credential.CredentialDraft;
import dev.callgate.core.credential.NamedCredential;
import dev.callgate.core.credential.Secret;
import dev.callgate.core.diagnosis.Validated;
import dev.callgate.core.port.CredentialStore;
import dev.callgate.core.port.TokenStore;
import dev.callgate.core.refresh.RefreshPolicy;
import dev.callgate.core.testkit.TokenRecords;
import dev.callgate.core.token.RefreshTokenExpiry;
import dev.callgate.core.token.TokenKey;
import dev.callgate.core.token.TokenRecord;
import dev.callgate.core.token.TokenSet;
import dev.callgate.core.token.TokenState;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Scheduler-scale benchmark (not a test; {@code ops/bench/scheduler-scale.sh} builds and runs it).
 * It loads N credentials whose access tokens expire uniformly over a spread into a fresh PostgreSQL
 * database through the production stores, starts the real service ({@code callgate.jar}) as a
 * separate process against it and a fast local token endpoint, and watches the service's refresh
 * scheduler refresh every token, printing progress, lateness, refresh and database rates, heap and
 * RSS every interval and a summary at the end. The exit code is 0 only when every token was
 * refreshed before its access token expired.
 */
public final class SchedulerScale {
  /** The first access token expires this long after t0, the last one a spread later. */
  private static final Duration FIRST_EXPIRY = Duration.ofMinutes(2);

  /** Loaded access tokens live this long, so the policy's proactive lead is 2 minutes. */
  private static final Duration ACCESS_LIFETIME = Duration.ofMinutes(10);

  /** What an identity provider that reports no refresh-token lifetime gets assumed. */
  private static final Duration ASSUMED_REFRESH_LIFETIME = Duration.ofHours(12);

  /** A refresh written this shortly before an observation may not be visible yet. */
  private static final Duration SETTLE_GRACE = Duration.ofSeconds(5);

  private static final String PROVIDER = "bench-idp";
  private static final String CLIENT_ID = "callgate-bench";
  private static final String SCOPE = "offline_access";
  private static final Pattern DATABASE_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

  private static final String USAGE =
      """
      usage: SchedulerScale [--credentials N] [--spread-minutes M] [--admin-url URL] [--database NAME]
                            [--heap SIZE] [--jar PATH] [--load-concurrency N] [--lead-seconds S]
                            [--interval-seconds S] [--scrape-seconds S] [--seed N]
        --credentials       credentials (and tokens) to load                 default 1000000
        --spread-minutes    access-token expiries spread over this long        default 60
        --admin-url         PostgreSQL URL of a database to create the bench database from
                                                     default postgresql://postgres@127.0.0.1:5432/postgres
        --database          bench database, dropped and recreated at start    default callgate_bench
        --heap              -Xmx of the service                               default 1g
        --jar               the service                                       default app/target/callgate.jar
        --load-concurrency  credentials being written at once while loading   default 256
        --lead-seconds      t0 (the first refresh due) this long after loading starts
                                                     default 30 + credentials / 600
        --interval-seconds  observation interval                              default 10
        --scrape-seconds    read /metrics (rendered on the service's event loop) at most this often
                                                     default 10
        --seed              seed of the expiry times                          default 1
      """;

  private final Options options;
  private final long startedAt = System.currentTimeMillis();

  private SchedulerScale(Options options) {
    this.options = options;
  }

  public static void main(String[] args) {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.print(USAGE);
      System.exit(2);
      return;
    }
    int code;
    try {
      code = new SchedulerScale(options).run();
    } catch (Exception e) {
      System.err.println("benchmark failed: " + e);
      e.printStackTrace();
      code = 2;
    }
    System.exit(code);
  }

  record Options(
      int credentials,
      Duration spread,
      String adminUrl,
      String database,
      String heap,
      Path jar,
      int loadConcurrency,
      Duration lead,
      Duration interval,
      Duration scrape,
      long seed) {

    static Options parse(String[] args) {
      Map<String, String> values = new LinkedHashMap<>();
      for (int i = 0; i < args.length; i++) {
        String arg = args[i];
        if (arg.equals("--help") || arg.equals("-h")) {
          throw new IllegalArgumentException("");
        }
        if (!arg.startsWith("--")) {
          throw new IllegalArgumentException("unexpected argument '" + arg + "'");
        }
        int equals = arg.indexOf('=');
        if (equals > 0) {
          values.put(arg.substring(2, equals), arg.substring(equals + 1));
        } else if (i + 1 < args.length) {
          values.put(arg.substring(2), args[++i]);
        } else {
          throw new IllegalArgumentException(arg + " needs a value");
        }
      }
      int credentials = positive(values, "credentials", "1000000");
      double spreadMinutes = Double.parseDouble(take(values, "spread-minutes", "60"));
      if (!(spreadMinutes > 0)) {
        throw new IllegalArgumentException("--spread-minutes must be positive");
      }
      String database = take(values, "database", "callgate_bench");
      if (!DATABASE_NAME.matcher(database).matches()) {
        throw new IllegalArgumentException(
            "--database must be a plain lower-case name, not '" + database + "'");
      }
      // loading runs at about 1,000 credentials/s on a busy 2-core machine: leave room
      String leadDefault = String.valueOf(30 + credentials / 600);
      Options options =
          new Options(
              credentials,
              Duration.ofMillis(Math.round(spreadMinutes * 60_000)),
              take(values, "admin-url", "postgresql://postgres@127.0.0.1:5432/postgres"),
              database,
              take(values, "heap", "1g"),
              Path.of(take(values, "jar", "app/target/callgate.jar")),
              positive(values, "load-concurrency", "256"),
              Duration.ofSeconds(positive(values, "lead-seconds", leadDefault)),
              Duration.ofSeconds(positive(values, "interval-seconds", "10")),
              Duration.ofSeconds(positive(values, "scrape-seconds", "10")),
              Long.parseLong(take(values, "seed", "1")));
      if (!values.isEmpty()) {
        throw new IllegalArgumentException("unknown option --" + values.keySet().iterator().next());
      }
      return options;
    }

    private static String take(Map<String, String> values, String name, String fallback) {
      String value = values.remove(name);
      return value == null ? fallback : value;
    }

    private static int positive(Map<String, String> values, String name, String fallback) {
      int value;
      try {
        value = Integer.parseInt(take(values, name, fallback).replace("_", ""));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--" + name + " must be a whole number");
      }
      if (value < 1) {
        throw new IllegalArgumentException("--" + name + " must be positive");
      }
      return value;
    }
  }

  private int run() throws Exception {
    if (!Files.isRegularFile(options.jar())) {
      throw new IllegalStateException(
          options.jar() + " is missing: build it with mvn -B -q package -DskipTests");
    }
    Path runDir = Files.createTempDirectory("callgate-bench-");
    Vertx vertx = Vertx.vertx();
    Service service = null;
    Pool admin = null;
    Pool bench = null;
    try {
      String clientSecret = randomToken("cs-");
      TokenEndpoint endpoint = TokenEndpoint.start(vertx, CLIENT_ID, clientSecret);
      PgConnectOptions adminOptions = PgConnectOptions.fromUri(options.adminUrl());
      admin = pool(vertx, adminOptions, 2);
      recreateDatabase(admin, options.database());
      String benchUrl = databaseUrl(options.adminUrl(), options.database());
      double perStatement = calibrate(vertx, admin, benchUrl, options.database());
      bench = pool(vertx, PgConnectOptions.fromUri(benchUrl), 4);

      long t0 = System.currentTimeMillis() + options.lead().toMillis();
      Plan plan = Plan.generate(options, t0);
      printHeader(endpoint, t0, plan, admin, perStatement);

      // the service gets the same key in CALLGATE_MASTER_KEY, and derives the same key id from it
      String masterKey = AesGcmSecretCipher.generateKey();
      AesGcmSecretCipher cipher =
          MasterKeys.cipher(Optional.of(Secret.of(masterKey)), runDir.resolve("unused"));
      // Loading is setup, not the measurement: its commits need not wait for the disk. The
      // service connects with the server's defaults.
      PgConnectOptions loading =
          PgConnectOptions.fromUri(benchUrl).addProperty("synchronous_commit", "off");
      SqlStores stores = PgStores.connect(vertx, loading, cipher, 16).await();
      try {
        new Loader(stores, plan, endpoint.tokenUrl(), clientSecret, options.loadConcurrency())
            .load();
      } finally {
        stores.close().await();
      }
      recordExpiries(bench, plan);
      analyze(bench);
      long loadedAt = System.currentTimeMillis();
      if (loadedAt > t0) {
        System.out.printf(
            "warning: loading overran t0 by %s: the earliest tokens were already due when the"
                + " service started (raise --lead-seconds)%n",
            seconds(loadedAt - t0));
      }

      service = Service.start(options, benchUrl, masterKey, runDir);
      Service running = service;
      Runtime.getRuntime().addShutdownHook(new Thread(running::stop));
      service.awaitReady(Duration.ofSeconds(90));
      System.out.printf(
          "service pid %d on port %d ready after %s (log: %s)%n",
          service.pid(),
          service.port(),
          seconds(System.currentTimeMillis() - loadedAt),
          service.log());

      Observer observer =
          new Observer(plan, endpoint, service, admin, bench, options, perStatement);
      observer.observe();
      Summary summary = observer.summarize(startedAt, loadedAt);
      return summary.failed() ? 1 : 0;
    } finally {
      if (service != null) {
        service.stop();
      }
      if (bench != null) {
        bench.close().await();
      }
      if (admin != null) {
        admin.close().await();
      }
      vertx.close().await();
    }
  }

  private void printHeader(
      TokenEndpoint endpoint, long t0, Plan plan, Pool admin, double perStatement) {
    System.out.printf(
        "scheduler-scale: %,d credentials, access-token expiries uniform over %s from t0 + %s;"
            + " database %s; service -Xmx%s%n",
        options.credentials(),
        seconds(options.spread().toMillis()),
        seconds(FIRST_EXPIRY.toMillis()),
        options.database(),
        options.heap());
    System.out.printf(
        "token endpoint %s; t0 %s (in %s); deadline t0 + %s%n",
        endpoint.tokenUrl(),
        Instant.ofEpochMilli(t0),
        seconds(t0 - System.currentTimeMillis()),
        seconds(plan.deadline() - t0));
    System.out.printf(
        "PostgreSQL counts %.1f transactions per statement as the Vert.x client sends it (a"
            + " prepare round trip counts too, but the service prepares each statement once per"
            + " connection; measured on the fresh database)%n",
        perStatement);
    String autovacuum =
        admin.query("SHOW autovacuum").execute().await().iterator().next().getString(0);
    if (!"on".equals(autovacuum)) {
      System.out.println(
          "note: autovacuum is "
              + autovacuum
              + " on this server: the benchmark vacuums tokens and token_leases every minute, as"
              + " autovacuum would");
    }
  }

  // ---- the plan: which token expires when ----

  /**
   * Each token's expiry, uniform in [t0 + 2 min, t0 + 2 min + spread]; its due time (the
   * nextRefreshAt the policy gives it) is filled in while loading.
   */
  record Plan(long t0, long[] expiresAt, long[] dueAt, long deadline, int nameWidth) {
    static Plan generate(Options options, long t0) {
      SplittableRandom random = new SplittableRandom(options.seed());
      long first = t0 + FIRST_EXPIRY.toMillis();
      long spread = options.spread().toMillis();
      long[] expiresAt = new long[options.credentials()];
      for (int i = 0; i < expiresAt.length; i++) {
        expiresAt[i] = first + random.nextLong(spread + 1);
      }
      int width = String.valueOf(options.credentials() - 1).length();
      long deadline = t0 + spread + Duration.ofMinutes(10).toMillis();
      return new Plan(t0, expiresAt, new long[expiresAt.length], deadline, width);
    }

    int size() {
      return expiresAt.length;
    }

    String name(int i) {
      String digits = String.valueOf(i);
      return "bench-" + "0".repeat(nameWidth - digits.length()) + digits;
    }
  }

  // ---- the fast local token endpoint ----

  /**
   * An RFC 6749 token endpoint for refresh_token grants on loopback: client_secret_basic checked,
   * fresh random tokens for every grant, nothing blocking, every grant counted.
   */
  static final class TokenEndpoint {
    private final String clientId;
    private final String clientSecret;
    private final AtomicLong grants = new AtomicLong();
    private final AtomicLong refusals = new AtomicLong();
    private HttpServer server;

    private TokenEndpoint(String clientId, String clientSecret) {
      this.clientId = clientId;
      this.clientSecret = clientSecret;
    }

    static TokenEndpoint start(Vertx vertx, String clientId, String clientSecret) {
      TokenEndpoint endpoint = new TokenEndpoint(clientId, clientSecret);
      endpoint.server =
          vertx.createHttpServer().requestHandler(endpoint::handle).listen(0, "127.0.0.1").await();
      return endpoint;
    }

    String tokenUrl() {
      return "http://127.0.0.1:" + server.actualPort() + "/token";
    }

    long grants() {
      return grants.get();
    }

    long refusals() {
      return refusals.get();
    }

    private void handle(HttpServerRequest request) {
      if (request.method() != HttpMethod.POST || !"/token".equals(request.path())) {
        request.response().setStatusCode(404).end();
        return;
      }
      request.setExpectMultipart(true);
      request.endHandler(done -> answer(request));
    }

    private void answer(HttpServerRequest request) {
      if (!authenticated(request.getHeader("Authorization"))) {
        refuse(request, 401, "invalid_client");
        return;
      }
      MultiMap form = request.formAttributes();
      if (!"refresh_token".equals(form.get("grant_type"))) {
        refuse(request, 400, "unsupported_grant_type");
        return;
      }
      String refreshToken = form.get("refresh_token");
      if (refreshToken == null || refreshToken.isEmpty()) {
        refuse(request, 400, "invalid_request");
        return;
      }
      grants.incrementAndGet();
      JsonObject tokens =
          new JsonObject()
              .put("access_token", randomToken("at-"))
              .put("token_type", "Bearer")
              .put("expires_in", 7200)
              .put("refresh_token", randomToken("rt-"));
      request
          .response()
          .putHeader("Content-Type", "application/json;charset=UTF-8")
          .putHeader("Cache-Control", "no-store")
          .end(tokens.encode());
    }

    /** RFC 6749 §2.3.1: the id and secret are form-encoded before they are joined. */
    private boolean authenticated(String authorization) {
      if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
        return false;
      }
      String pair;
      try {
        pair =
            new String(
                Base64.getDecoder().decode(authorization.substring(6).trim()),
                StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        return false;
      }
      int colon = pair.indexOf(':');
      return colon > 0
          && clientId.equals(URLDecoder.decode(pair.substring(0, colon), StandardCharsets.UTF_8))
          && clientSecret.equals(
              URLDecoder.decode(pair.substring(colon + 1), StandardCharsets.UTF_8));
    }

    private void refuse(HttpServerRequest request, int status, String error) {
      refusals.incrementAndGet();
      request
          .response()
          .setStatusCode(status)
          .putHeader("Content-Type", "application/json;charset=UTF-8")
          .end(new JsonObject().put("error", error).encode());
    }
  }

  // ---- loading through the production stores ----

  /**
   * One provider and N credentials with their token records, written through the stores' ports with
   * a bounded number in flight: each worker writes one credential and its token, then takes the
   * next index.
   */
  static final class Loader {
    private final CredentialStore credentials;
    private final TokenStore tokens;
    private final Plan plan;
    private final String tokenUrl;
    private final String clientSecret;
    private final int concurrency;
    private final RefreshPolicy policy =
        new RefreshPolicy(RefreshPolicy.Settings.defaults(), new SplittableRandom());
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger loaded = new AtomicInteger();

    Loader(SqlStores stores, Plan plan, String tokenUrl, String clientSecret, int concurrency) {
      this.credentials = stores.credentials();
      this.tokens = stores.tokens();
      this.plan = plan;
      this.tokenUrl = tokenUrl;
      this.clientSecret = clientSecret;
      this.concurrency = concurrency;
    }

    void load() throws Exception {
      long started = System.currentTimeMillis();
      credentials.saveProvider(provider()).toCompletableFuture().join();
      int workers = Math.min(plan.size(), concurrency);
      List<CompletableFuture<Void>> running = new ArrayList<>();
      for (int w = 0; w < workers; w++) {
        running.add(work().toCompletableFuture());
      }
      CompletableFuture<Void> all =
          CompletableFuture.allOf(running.toArray(CompletableFuture[]::new));
      long lastPrint = started;
      int lastLoaded = 0;
      while (true) {
        try {
          all.get(10, TimeUnit.SECONDS);
          break;
        } catch (TimeoutException progress) {
          long now = System.currentTimeMillis();
          int count = loaded.get();
          System.out.printf(
              "loading: %,d of %,d (%,.0f/s)%n",
              count, plan.size(), (count - lastLoaded) * 1000.0 / (now - lastPrint));
          lastPrint = now;
          lastLoaded = count;
        }
      }
      long took = System.currentTimeMillis() - started;
      System.out.printf(
          "loaded %,d credentials and token records in %s: %,.0f credentials/s (%d in flight)%n",
          plan.size(), seconds(took), plan.size() * 1000.0 / Math.max(1, took), workers);
    }

    private CompletionStage<Void> work() {
      int i = next.getAndIncrement();
      if (i >= plan.size()) {
        return CompletableFuture.completedStage(null);
      }
      return loadOne(i).thenCompose(done -> work());
    }

    private CompletionStage<Void> loadOne(int i) {
      String name = plan.name(i);
      TokenRecord record = record(name, i);
      return credentials
          .saveCredential(credential(name))
          .thenCompose(saved -> tokens.compareAndSet(record))
          .thenAccept(
              stored -> {
                if (stored.isEmpty()) {
                  throw new IllegalStateException("the token of " + name + " existed already");
                }
                loaded.incrementAndGet();
              });
    }

    private AuthProvider provider() {
      return valid(
          new AuthProviderDraft(
                  PROVIDER,
                  null,
                  null,
                  tokenUrl,
                  null,
                  CLIENT_ID,
                  clientSecret,
                  "client_secret_basic",
                  List.of(SCOPE),
                  null)
              .validate());
    }

    private static NamedCredential credential(String name) {
      return valid(
          new CredentialDraft(
                  name,
                  "http://127.0.0.1:9/api",
                  "oauth2_authorization_code",
                  "named",
                  PROVIDER,
                  null,
                  null,
                  null,
                  List.of(),
                  false,
                  null,
                  null,
                  null,
                  null,
                  null,
                  null,
                  null,
                  null,
                  null)
              .validate());
    }

    /** Issued 10 minutes before it expires and used since, so the proactive refresh applies. */
    private TokenRecord record(String name, int i) {
      Instant expiresAt = Instant.ofEpochMilli(plan.expiresAt()[i]);
      Instant issuedAt = expiresAt.minus(ACCESS_LIFETIME);
      TokenSet tokenSet =
          new TokenSet(
              Secret.of(randomToken("at-")),
              "Bearer",
              issuedAt,
              expiresAt,
              Optional.of(Secret.of(randomToken("rt-"))),
              Optional.of(
                  new RefreshTokenExpiry(
                      issuedAt.plus(ASSUMED_REFRESH_LIFETIME), RefreshTokenExpiry.Source.ASSUMED)),
              List.of(SCOPE));
      Optional<Instant> due = policy.nextRefreshAt(tokenSet, false, Optional.of(issuedAt));
      plan.dueAt()[i] = due.orElseThrow().toEpochMilli();
      return TokenRecords.edit(TokenRecord.unauthorized(TokenKey.named(name)))
          .tokens(tokenSet)
          .state(TokenState.ACTIVE)
          .lastUsedAt(issuedAt)
          .nextRefreshAt(due)
          .build();
    }

    private static <T> T valid(Validated<T> validated) {
      if (validated instanceof Validated.Valid<T> valid) {
        return valid.value();
      }
      throw new IllegalStateException("invalid bench input: " + validated.problems());
    }
  }

  /** The benchmark's own record of every token's original expiry and due time. */
  private static void recordExpiries(Pool bench, Plan plan) {
    long started = System.currentTimeMillis();
    bench
        .query(
            "CREATE TABLE bench_expiry (credential TEXT NOT NULL, subject TEXT NOT NULL,"
                + " expires_at BIGINT NOT NULL, due_at BIGINT NOT NULL,"
                + " PRIMARY KEY (credential, subject))")
        .execute()
        .await();
    int chunk = 10_000;
    for (int from = 0; from < plan.size(); from += chunk) {
      int to = Math.min(plan.size(), from + chunk);
      String[] names = new String[to - from];
      String[] subjects = new String[to - from];
      Long[] expires = new Long[to - from];
      Long[] dues = new Long[to - from];
      for (int i = from; i < to; i++) {
        names[i - from] = plan.name(i);
        subjects[i - from] = "";
        expires[i - from] = plan.expiresAt()[i];
        dues[i - from] = plan.dueAt()[i];
      }
      bench
          .preparedQuery(
              "INSERT INTO bench_expiry (credential, subject, expires_at, due_at)"
                  + " SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[])")
          .execute(
              Tuple.tuple()
                  .addArrayOfString(names)
                  .addArrayOfString(subjects)
                  .addArrayOfLong(expires)
                  .addArrayOfLong(dues))
          .await();
    }
    bench
        .query("CREATE INDEX bench_expiry_expires_at ON bench_expiry (expires_at)")
        .execute()
        .await();
    System.out.printf(
        "recorded %,d original expiries in bench_expiry in %s%n",
        plan.size(), seconds(System.currentTimeMillis() - started));
  }

  // ---- the service under test ----

  /** callgate.jar as a separate process, its output in a log file. */
  static final class Service {
    private final Process process;
    private final int port;
    private final Path log;
    private final HttpClient http =
        HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Service(Process process, int port, Path log) {
      this.process = process;
      this.port = port;
      this.log = log;
    }

    static Service start(Options options, String databaseUrl, String masterKey, Path runDir)
        throws IOException {
      int port = freePort();
      Path log = runDir.resolve("callgate.log");
      Path java = Path.of(System.getProperty("java.home"), "bin", "java");
      ProcessBuilder builder =
          new ProcessBuilder(
                  java.toString(),
                  "-Xmx" + options.heap(),
                  // a service out of heap should end the run, not limp on
                  "-XX:+ExitOnOutOfMemoryError",
                  "-jar",
                  options.jar().toAbsolutePath().toString())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile());
      Map<String, String> env = builder.environment();
      env.keySet().removeIf(name -> name.startsWith("CALLGATE_"));
      env.put("CALLGATE_DB_URL", databaseUrl);
      env.put("CALLGATE_MASTER_KEY", masterKey);
      env.put("CALLGATE_ADMIN_KEY", randomToken("bench-admin-"));
      env.put("CALLGATE_HTTP_HOST", "127.0.0.1");
      env.put("CALLGATE_HTTP_PORT", String.valueOf(port));
      env.put("CALLGATE_DATA_DIR", runDir.resolve("data").toString());
      env.put("CALLGATE_OUTBOUND_ALLOW", "127.0.0.0/8,::1/128");
      System.out.printf("starting %s%n", String.join(" ", builder.command()));
      return new Service(builder.start(), port, log);
    }

    long pid() {
      return process.pid();
    }

    int port() {
      return port;
    }

    Path log() {
      return log;
    }

    boolean alive() {
      return process.isAlive();
    }

    int exitCode() {
      return process.exitValue();
    }

    void awaitReady(Duration timeout) throws InterruptedException {
      long until = System.currentTimeMillis() + timeout.toMillis();
      while (System.currentTimeMillis() < until) {
        if (!process.isAlive()) {
          throw new IllegalStateException(
              "the service exited with " + process.exitValue() + " at start; see " + log);
        }
        try {
          HttpResponse<Void> ready =
              http.send(
                  HttpRequest.newBuilder(uri("/health/ready"))
                      .timeout(Duration.ofSeconds(5))
                      .build(),
                  HttpResponse.BodyHandlers.discarding());
          if (ready.statusCode() == 200) {
            return;
          }
        } catch (IOException notYet) {
          // not listening yet
        }
        Thread.sleep(250);
      }
      throw new IllegalStateException(
          "the service was not ready within " + timeout + "; see " + log);
    }

    /**
     * The heap in use as the service reports it ({@code jvm_memory_used_bytes} of the heap pools),
     * with the size of the scrape, read line by line so a large scrape is not held here.
     */
    Metrics metrics() {
      long started = System.currentTimeMillis();
      try {
        HttpResponse<InputStream> response =
            http.send(
                HttpRequest.newBuilder(uri("/metrics")).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        double heap = 0;
        double queued = 0;
        double longestWait = 0;
        long lines = 0;
        long bytes = 0;
        try (BufferedReader reader =
            new BufferedReader(
                new InputStreamReader(response.body(), StandardCharsets.UTF_8), 1 << 16)) {
          String line;
          while ((line = reader.readLine()) != null) {
            lines++;
            bytes += line.length() + 1;
            if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
              heap += value(line);
            } else if (line.startsWith("vertx_pool_queue_pending{")
                && line.contains("pool_type=\"sql\"")) {
              queued += value(line);
            } else if (line.startsWith("vertx_pool_queue_time_seconds_max{")
                && line.contains("pool_type=\"sql\"")) {
              longestWait = Math.max(longestWait, value(line));
            }
          }
        }
        return new Metrics(
            Optional.of((long) heap),
            (long) queued,
            longestWait,
            lines,
            bytes,
            System.currentTimeMillis() - started);
      } catch (IOException | RuntimeException e) {
        return Metrics.unavailable(System.currentTimeMillis() - started);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Metrics.unavailable(System.currentTimeMillis() - started);
      }
    }

    private static double value(String line) {
      return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }

    /**
     * The service's threads that used the most CPU so far (from {@code jcmd Thread.print}): shows
     * whether the work spreads over the event loops.
     */
    List<String> busiestThreads(int count) {
      Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
      Pattern thread = Pattern.compile("^\"([^\"]+)\".* cpu=([0-9.]+)ms");
      List<Map.Entry<String, Double>> threads = new ArrayList<>();
      try {
        Process dump =
            new ProcessBuilder(jcmd.toString(), String.valueOf(pid()), "Thread.print")
                .redirectErrorStream(true)
                .start();
        try (BufferedReader reader =
            new BufferedReader(
                new InputStreamReader(dump.getInputStream(), StandardCharsets.UTF_8))) {
          String line;
          while ((line = reader.readLine()) != null) {
            Matcher matched = thread.matcher(line);
            if (matched.find()) {
              threads.add(Map.entry(matched.group(1), Double.parseDouble(matched.group(2))));
            }
          }
        }
        dump.waitFor(30, TimeUnit.SECONDS);
      } catch (IOException e) {
        return List.of();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return List.of();
      }
      return threads.stream()
          .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
          .limit(count)
          .map(t -> String.format("%s %s", t.getKey(), seconds(Math.round(t.getValue()))))
          .toList();
    }

    /** Resident set size from /proc, in bytes. */
    Optional<Long> rss() {
      try {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid()), "status"))) {
          if (line.startsWith("VmRSS:")) {
            return Optional.of(Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024);
          }
        }
      } catch (IOException | RuntimeException gone) {
        // the process has ended
      }
      return Optional.empty();
    }

    /** SIGTERM (the service closes its store and Vert.x), then SIGKILL after 30 s. */
    void stop() {
      if (!process.isAlive()) {
        return;
      }
      process.destroy();
      try {
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }

    private URI uri(String path) {
      return URI.create("http://127.0.0.1:" + port + path);
    }

    private static int freePort() throws IOException {
      try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        return socket.getLocalPort();
      }
    }
  }

  /**
   * What one /metrics scrape said: heap in use, statements waiting for a connection of the
   * service's SQL pool, the longest such wait lately, and the scrape's own size and duration.
   */
  record Metrics(
      Optional<Long> heapUsed,
      long poolQueued,
      double poolLongestWaitSeconds,
      long lines,
      long bytes,
      long tookMillis) {
    static Metrics unavailable(long tookMillis) {
      return new Metrics(Optional.empty(), 0, 0, 0, 0, tookMillis);
    }
  }

  // ---- observing ----

  /** One interval's line. */
  record Sample(
      long at,
      long due,
      long refreshed,
      long late,
      double refreshesPerSecond,
      long grants,
      double transactionsPerSecond,
      double loadAverage,
      Optional<Long> heap,
      Optional<Long> rss,
      Optional<Metrics> metrics) {}

  record Summary(boolean failed) {}

  /**
   * Watches the database and the service without refreshing anything itself. Lateness is settled
   * incrementally: each interval joins only the tokens whose original expiry passed since the last
   * one (and those due in the next minutes, which may already be refreshed) to the tokens table, so
   * an interval costs the database little even with a million rows; the summary then checks every
   * token once.
   */
  static final class Observer {
    private final Plan plan;
    private final TokenEndpoint endpoint;
    private final Service service;
    private final Pool admin;
    private final Pool bench;
    private final Options options;
    private final double perStatement;
    private final long[] sortedDue;
    private final List<Sample> samples = new ArrayList<>();
    private long ownStatements;
    private long settledUntil;
    private long settledTotal;
    private long settledOnTime;
    private long settledRefreshed;
    private long maxHeap = -1;
    private long maxRss = -1;
    private Metrics lastMetrics;
    private long observedFrom;
    private long lastScrape = Long.MIN_VALUE / 2;

    Observer(
        Plan plan,
        TokenEndpoint endpoint,
        Service service,
        Pool admin,
        Pool bench,
        Options options,
        double perStatement) {
      this.perStatement = perStatement;
      this.plan = plan;
      this.endpoint = endpoint;
      this.service = service;
      this.admin = admin;
      this.bench = bench;
      this.options = options;
      this.sortedDue = plan.dueAt().clone();
      Arrays.sort(sortedDue);
      this.settledUntil = Long.MIN_VALUE;
    }

    /**
     * With autovacuum off (as on some developers' servers), the two tables every refresh writes
     * twice are vacuumed every minute, as autovacuum would on a production server; otherwise their
     * dead rows would slow every claim more and more.
     */
    private void vacuumIfNobodyElseDoes(int samplesSoFar) {
      if (autovacuumOn == null) {
        autovacuumOn =
            "on"
                .equals(
                    admin
                        .query("SHOW autovacuum")
                        .execute()
                        .await()
                        .iterator()
                        .next()
                        .getString(0));
      }
      long everyMinute = Math.max(1, 60_000 / options.interval().toMillis());
      if (!autovacuumOn && samplesSoFar % everyMinute == 0) {
        bench.query("VACUUM tokens, token_leases").execute().await();
        ownStatements++;
      }
    }

    private Boolean autovacuumOn;

    void observe() throws InterruptedException {
      System.out.println(
          "every "
              + seconds(options.interval().toMillis())
              + ": tokens due so far, refreshed (last_refresh_at >= t0), late (refreshed after,"
              + " or unrefreshed past, the original expiry), refreshes/s, token-endpoint grants,"
              + " DB transactions/s of "
              + options.database()
              + " (pg_stat_database xact_commit + xact_rollback: each statement outside an"
              + " explicit transaction counts as one, and so does a prepare round trip; the"
              + " benchmark's own are subtracted), statements waiting for a connection of the"
              + " service's SQL pool, heap used (both from /metrics), RSS, how long the /metrics"
              + " scrape took, the machine's 1-minute load average");
      System.out.printf(
          "%9s %10s %10s %8s %6s %8s %10s %9s %9s %8s %7s %9s %5s%n",
          "t-t0",
          "due",
          "refreshed",
          "backlog",
          "late",
          "ref/s",
          "grants",
          "db xact/s",
          "sql queue",
          "heap MB",
          "RSS MB",
          "scrape ms",
          "load");
      long previousAt = System.currentTimeMillis();
      long previousXacts = transactions();
      long previousOwn = ownStatements;
      long previousRefreshed = 0;
      observedFrom = previousAt;
      long tick = previousAt;
      while (true) {
        tick += options.interval().toMillis();
        long sleep = tick - System.currentTimeMillis();
        if (sleep > 0) {
          Thread.sleep(sleep);
        }
        long now = System.currentTimeMillis();
        long refreshed = settle(now);
        long xacts = transactions();
        long own = ownStatements;
        Metrics metrics = null;
        if (service.alive() && now - lastScrape >= options.scrape().toMillis() - 1000) {
          metrics = service.metrics();
          lastScrape = now;
        }
        Optional<Long> rss = service.rss();
        double elapsed = (now - previousAt) / 1000.0;
        Optional<Long> heap = metrics == null ? Optional.empty() : metrics.heapUsed();
        Sample sample =
            new Sample(
                now,
                dueBy(now),
                refreshed,
                settledTotal - settledOnTime,
                (refreshed - previousRefreshed) / elapsed,
                endpoint.grants(),
                // the observation's own statements land in the same counter
                ((xacts - previousXacts) - (own - previousOwn) * perStatement) / elapsed,
                loadAverage(),
                heap,
                rss,
                Optional.ofNullable(metrics).filter(m -> m.heapUsed().isPresent()));
        samples.add(sample);
        if (metrics != null && metrics.heapUsed().isPresent()) {
          lastMetrics = metrics;
        }
        heap.ifPresent(h -> maxHeap = Math.max(maxHeap, h));
        rss.ifPresent(r -> maxRss = Math.max(maxRss, r));
        print(sample);
        vacuumIfNobodyElseDoes(samples.size());
        previousAt = now;
        previousXacts = xacts;
        previousOwn = own;
        previousRefreshed = refreshed;
        if (refreshed >= plan.size()) {
          return;
        }
        if (!service.alive()) {
          System.out.printf(
              "the service exited with %d; see %s%n", service.exitCode(), service.log());
          return;
        }
        if (now >= plan.deadline()) {
          System.out.println("deadline reached (t0 + spread + 10 min)");
          return;
        }
      }
    }

    /**
     * Settles the tokens whose original expiry is over (up to a few seconds ago, since a refresh is
     * committed a moment after its time is taken) and returns how many are refreshed so far: the
     * settled ones plus those refreshed ahead of their expiry, which are due within the policy's
     * lead of now.
     */
    private long settle(long now) {
      long settleTo = now - SETTLE_GRACE.toMillis();
      long aheadTo = now + FIRST_EXPIRY.toMillis() + Duration.ofMinutes(1).toMillis();
      long from = settledUntil == Long.MIN_VALUE ? plan.t0() - 1 : settledUntil;
      Row row =
          query(
              "SELECT count(*) FILTER (WHERE e.expires_at <= $2) AS expired,"
                  + " count(*) FILTER (WHERE e.expires_at <= $2 AND t.last_refresh_at >= $4"
                  + "   AND t.last_refresh_at <= e.expires_at) AS on_time,"
                  + " count(*) FILTER (WHERE e.expires_at <= $2 AND t.last_refresh_at >= $4)"
                  + "   AS expired_refreshed,"
                  + " count(*) FILTER (WHERE e.expires_at > $2 AND t.last_refresh_at >= $4)"
                  + "   AS ahead"
                  + " FROM bench_expiry e LEFT JOIN tokens t"
                  + " ON t.credential = e.credential AND t.subject = e.subject"
                  + " WHERE e.expires_at > $1 AND e.expires_at <= $3",
              Tuple.of(from, Math.max(from, settleTo), aheadTo, plan.t0()));
      if (settleTo > from) {
        settledUntil = settleTo;
        settledTotal += row.getLong("expired");
        settledOnTime += row.getLong("on_time");
        settledRefreshed += row.getLong("expired_refreshed");
      }
      return settledRefreshed + row.getLong("ahead");
    }

    private long dueBy(long now) {
      int index = Arrays.binarySearch(sortedDue, now);
      if (index < 0) {
        return -index - 1;
      }
      while (index + 1 < sortedDue.length && sortedDue[index + 1] == now) {
        index++;
      }
      return index + 1;
    }

    private long transactions() {
      return SchedulerScale.transactions(admin, options.database());
    }

    private Row query(String sql, Tuple parameters) {
      ownStatements++;
      return bench.preparedQuery(sql).execute(parameters).await().iterator().next();
    }

    private void print(Sample sample) {
      System.out.printf(
          "%9s %,10d %,10d %,8d %,6d %,8.1f %,10d %,9.0f %9s %8s %7s %9s %5.1f%n",
          sinceT0(sample.at()),
          sample.due(),
          sample.refreshed(),
          sample.due() - sample.refreshed(),
          sample.late(),
          sample.refreshesPerSecond(),
          sample.grants(),
          sample.transactionsPerSecond(),
          sample.metrics().map(m -> String.format("%,d", m.poolQueued())).orElse("n/a"),
          sample.heap().map(SchedulerScale::megabytes).orElse("n/a"),
          sample.rss().map(SchedulerScale::megabytes).orElse("n/a"),
          sample.metrics().map(m -> String.valueOf(m.tookMillis())).orElse("n/a"),
          sample.loadAverage());
    }

    private String sinceT0(long at) {
      long seconds = Math.floorDiv(at - plan.t0(), 1000);
      String sign = seconds < 0 ? "-" : "+";
      long abs = Math.abs(seconds);
      return String.format("%s%d:%02d", sign, abs / 60, abs % 60);
    }

    /** Checks every token once against its original expiry, and prints the summary. */
    Summary summarize(long startedAt, long loadedAt) throws IOException {
      long t0 = plan.t0();
      long now = System.currentTimeMillis();
      Row row =
          query(
              "SELECT count(*) AS total,"
                  + " count(*) FILTER (WHERE t.last_refresh_at >= $1) AS refreshed,"
                  + " count(*) FILTER (WHERE t.last_refresh_at >= $1"
                  + "   AND t.last_refresh_at <= e.expires_at) AS on_time,"
                  + " count(*) FILTER (WHERE t.last_refresh_at >= $1"
                  + "   AND t.last_refresh_at > e.expires_at) AS late_refreshed,"
                  + " count(*) FILTER (WHERE (t.last_refresh_at IS NULL OR t.last_refresh_at < $1)"
                  + "   AND e.expires_at <= $2) AS expired_unrefreshed,"
                  + " count(*) FILTER (WHERE t.last_refresh_at IS NULL OR t.last_refresh_at < $1)"
                  + "   AS never,"
                  + " count(*) FILTER (WHERE t.last_refresh_at >= $1"
                  + "   AND t.last_refresh_at < e.due_at) AS early,"
                  + " percentile_disc(0.5) WITHIN GROUP (ORDER BY t.last_refresh_at - e.due_at)"
                  + "   FILTER (WHERE t.last_refresh_at >= $1) AS lag_p50,"
                  + " percentile_disc(0.99) WITHIN GROUP (ORDER BY t.last_refresh_at - e.due_at)"
                  + "   FILTER (WHERE t.last_refresh_at >= $1) AS lag_p99,"
                  + " max(t.last_refresh_at - e.due_at) FILTER (WHERE t.last_refresh_at >= $1)"
                  + "   AS lag_max,"
                  + " min(e.expires_at - t.last_refresh_at) FILTER (WHERE t.last_refresh_at >= $1)"
                  + "   AS closest,"
                  + " max(t.last_refresh_at) AS last_refresh"
                  + " FROM bench_expiry e LEFT JOIN tokens t"
                  + " ON t.credential = e.credential AND t.subject = e.subject",
              Tuple.of(t0, now));
      Map<String, Long> states = new LinkedHashMap<>();
      ownStatements++;
      bench
          .query("SELECT state, count(*) AS n FROM tokens GROUP BY state ORDER BY state")
          .execute()
          .await()
          .forEach(r -> states.put(r.getString("state"), r.getLong("n")));

      long total = row.getLong("total");
      long refreshed = row.getLong("refreshed");
      long onTime = row.getLong("on_time");
      long lateRefreshed = row.getLong("late_refreshed");
      long expiredUnrefreshed = row.getLong("expired_unrefreshed");
      long never = row.getLong("never");
      long late = lateRefreshed + expiredUnrefreshed;
      List<Sample> active = samples.stream().filter(s -> s.at() > t0).toList();
      double maxRefreshes = active.stream().mapToDouble(Sample::refreshesPerSecond).max().orElse(0);
      double maxXacts = active.stream().mapToDouble(Sample::transactionsPerSecond).max().orElse(0);
      double meanXacts = meanOver(active, Sample::transactionsPerSecond);
      List<Sample> idle = samples.stream().filter(s -> s.at() <= t0).toList();
      Long lastRefresh = row.getLong("last_refresh");
      double meanRefreshes =
          lastRefresh == null || lastRefresh <= t0 ? 0 : refreshed * 1000.0 / (lastRefresh - t0);

      System.out.println();
      System.out.println("== summary ==");
      line("credentials", String.format("%,d (token records found: %,d)", plan.size(), total));
      line("refreshed before expiry", String.format("%,d", onTime));
      samples.stream()
          .max(Comparator.comparingLong(s -> s.due() - s.refreshed()))
          .ifPresent(
              worst ->
                  line(
                      "backlog (max)",
                      String.format(
                          "%,d tokens due and not yet refreshed, at t0 %s",
                          worst.due() - worst.refreshed(), sinceT0(worst.at()))));
      line(
          "late",
          String.format(
              "%,d (refreshed after expiry %,d; expired and not refreshed %,d)",
              late, lateRefreshed, expiredUnrefreshed));
      line("never refreshed", String.format("%,d", never));
      line(
          "token-endpoint grants",
          String.format(
              "%,d (%s; refused requests %,d)",
              endpoint.grants(),
              endpoint.grants() == plan.size()
                  ? "one per credential"
                  : endpoint.grants() > plan.size()
                      ? (endpoint.grants() - plan.size()) + " more than credentials"
                      : (plan.size() - endpoint.grants()) + " fewer than credentials",
              endpoint.refusals()));
      line(
          "refresh after due time",
          row.getValue("lag_p50") == null
              ? "n/a"
              : String.format(
                  "p50 %s, p99 %s, max %s; closest to expiry %s; before due %,d",
                  seconds(row.getLong("lag_p50")),
                  seconds(row.getLong("lag_p99")),
                  seconds(row.getLong("lag_max")),
                  seconds(row.getLong("closest")),
                  row.getLong("early")));
      line(
          "refreshes/s",
          String.format(
              "mean %,.1f (t0 to the last refresh), max interval %,.1f",
              meanRefreshes, maxRefreshes));
      line(
          "DB transactions/s",
          String.format(
              "mean %,.0f, max interval %,.0f (statements outside an explicit transaction count"
                  + " one each, and so does a prepare round trip: about %,.0f statements/s)%s%s",
              meanXacts,
              maxXacts,
              meanXacts / perStatement,
              meanRefreshes > 0
                  ? String.format("; %.1f per refresh", meanXacts / meanRefreshes)
                  : "",
              idle.isEmpty()
                  ? ""
                  : String.format(
                      "; %,.0f before t0, with nothing due",
                      meanOver(idle, Sample::transactionsPerSecond))));
      line(
          "heap used (max)",
          (maxHeap < 0 ? "n/a" : megabytes(maxHeap) + " MB")
              + " of -Xmx"
              + options.heap()
              + (lastMetrics == null
                  ? ""
                  : String.format(
                      " (/metrics: %,d lines, %s MB, %d ms at the last scrape)",
                      lastMetrics.lines(),
                      megabytes(lastMetrics.bytes()),
                      lastMetrics.tookMillis())));
      line("RSS (max)", maxRss < 0 ? "n/a" : megabytes(maxRss) + " MB");
      List<Metrics> scrapes = samples.stream().flatMap(s -> s.metrics().stream()).toList();
      if (!scrapes.isEmpty()) {
        line(
            "service SQL pool queue",
            String.format(
                "max %,d statements waiting for one of its connections; longest wait %.1f s",
                scrapes.stream().mapToLong(Metrics::poolQueued).max().orElse(0),
                scrapes.stream().mapToDouble(Metrics::poolLongestWaitSeconds).max().orElse(0)));
      }
      line("token states", states.toString());
      line(
          "wall time",
          String.format(
              "%s (loading %s, service run %s)",
              seconds(System.currentTimeMillis() - startedAt),
              seconds(loadedAt - startedAt),
              seconds(System.currentTimeMillis() - observedFrom)));
      if (service.alive()) {
        line("service CPU by thread", String.join(", ", service.busiestThreads(4)));
      }
      List<String> problems = serviceProblems();
      line(
          "service log",
          String.format("%s: %,d warning or error lines", service.log(), problems.size()));
      problems.stream().distinct().limit(5).forEach(p -> System.out.println("    " + p));
      boolean failed = late > 0 || never > 0;
      System.out.println(
          failed
              ? "FAILED: " + (late + never) + " tokens late or never refreshed"
              : "OK: every token refreshed before its access token expired");
      return new Summary(failed);
    }

    private static double meanOver(List<Sample> samples, ToDoubleFunction<Sample> rate) {
      if (samples.size() < 2) {
        return samples.isEmpty() ? 0 : rate.applyAsDouble(samples.get(0));
      }
      double weighted = 0;
      long span = 0;
      for (int i = 1; i < samples.size(); i++) {
        long length = samples.get(i).at() - samples.get(i - 1).at();
        weighted += rate.applyAsDouble(samples.get(i)) * length;
        span += length;
      }
      return weighted / span;
    }

    private List<String> serviceProblems() throws IOException {
      List<String> problems = new ArrayList<>();
      for (String line : Files.readAllLines(service.log())) {
        if (line.contains("WARNING") || line.contains("SEVERE") || line.contains("Exception")) {
          problems.add(line.length() > 200 ? line.substring(0, 200) + "…" : line);
        }
      }
      return problems;
    }

    private static void line(String label, String value) {
      System.out.printf("%-26s %s%n", label, value);
    }
  }

  // ---- small things ----

  private static Pool pool(Vertx vertx, PgConnectOptions options, int size) {
    return PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(size))
        .connectingTo(options)
        .using(vertx)
        .build();
  }

  /**
   * How many transactions pg_stat_database counts for one prepared statement as the service's
   * Vert.x client sends it (prepared statements cached), measured on the fresh database before
   * anything else connects to it.
   */
  private static double calibrate(Vertx vertx, Pool admin, String url, String database)
      throws InterruptedException {
    int statements = 200;
    // prepared as the service prepares them: once per connection, then executed
    Pool probe = pool(vertx, PgConnectOptions.fromUri(url).setCachePreparedStatements(true), 1);
    try {
      long before = transactions(admin, database);
      for (int i = 0; i < statements; i++) {
        probe
            .preparedQuery("SELECT count(*) FROM pg_class WHERE relname = $1")
            .execute(Tuple.of("bench_" + i))
            .await();
      }
      // a backend reports its counts at most once a second, or when told to
      probe.query("SELECT pg_stat_force_next_flush()").execute().await();
      Thread.sleep(1500);
      long counted = transactions(admin, database) - before - 1;
      return Math.max(1.0, Math.round(counted * 10.0 / statements) / 10.0);
    } finally {
      probe.close().await();
    }
  }

  static long transactions(Pool admin, String database) {
    return admin
        .preparedQuery(
            "SELECT xact_commit + xact_rollback AS xacts FROM pg_stat_database WHERE datname = $1")
        .execute(Tuple.of(database))
        .await()
        .iterator()
        .next()
        .getLong("xacts");
  }

  /**
   * Statistics for the planner, and the visibility map, as autovacuum would have them soon after a
   * bulk load (it may be off on a developer's server).
   */
  private static void analyze(Pool bench) {
    long started = System.currentTimeMillis();
    bench
        .query("VACUUM ANALYZE tokens, token_leases, credentials, providers, bench_expiry")
        .execute()
        .await();
    System.out.printf(
        "vacuumed and analyzed in %s%n", seconds(System.currentTimeMillis() - started));
  }

  static double loadAverage() {
    try {
      return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  private static void recreateDatabase(Pool admin, String name) {
    admin.query("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)").execute().await();
    admin.query("CREATE DATABASE " + name).execute().await();
  }

  /** The admin URL with its database replaced. */
  static String databaseUrl(String adminUrl, String database) {
    try {
      URI admin = new URI(adminUrl);
      return new URI(
              admin.getScheme(),
              admin.getUserInfo(),
              admin.getHost(),
              admin.getPort(),
              "/" + database,
              admin.getQuery(),
              null)
          .toString();
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("--admin-url is not a URL: " + adminUrl, e);
    }
  }

  static String randomToken(String prefix) {
    byte[] bytes = new byte[24];
    ThreadLocalRandom.current().nextBytes(bytes);
    return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  static String megabytes(long bytes) {
    return String.format("%,.0f", bytes / (1024.0 * 1024.0));
  }

  static String seconds(long millis) {
    double s = millis / 1000.0;
    if (Math.abs(s) < 100) {
      return String.format("%.1f s", s);
    }
    long whole = Math.round(s);
    return String.format("%dm %02ds", whole / 60, Math.abs(whole % 60));
  }
}
