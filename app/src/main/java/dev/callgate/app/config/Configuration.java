package dev.callgate.app.config;

import static dev.callgate.core.diagnosis.DiagnosisCode.INVALID_CONFIGURATION;

import dev.callgate.adapter.idp.IdentityProviderOptions;
import dev.callgate.app.http.InboundLimits;
import dev.callgate.core.credential.ProviderEndpointRule;
import dev.callgate.core.credential.Secret;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.diagnosis.Validated;
import dev.callgate.core.outbound.OutboundAddressPolicy;
import dev.callgate.core.service.ConsoleSessions;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Callgate's settings, read from {@code CALLGATE_*} environment variables and checked all at once,
 * so a person fixes every bad value in one go. See the README's configuration table.
 */
public record Configuration(
    int httpPort,
    String httpHost,
    URI publicUrl,
    Path dataDir,
    Optional<URI> databaseUrl,
    Optional<Secret> masterKey,
    List<Secret> previousMasterKeys,
    Optional<Secret> adminKey,
    String instanceId,
    Duration refreshLease,
    Duration cacheMaxStaleness,
    int databasePoolSize,
    InboundLimits inbound,
    boolean metricsRequireKey,
    int calloutPoolSize,
    int calloutPoolQueue,
    OutboundAddressPolicy outbound,
    ProviderEndpointRule providerEndpoints,
    int providerMaxResponseBytes,
    Duration eventRetention,
    Duration webhookRetryHorizon,
    Duration webhookTimeout,
    Duration consoleSessionTtl,
    int eventLoops,
    Duration connectLinkTtl) {

  public static final String HTTP_PORT = "CALLGATE_HTTP_PORT";
  public static final String HTTP_HOST = "CALLGATE_HTTP_HOST";
  public static final String PUBLIC_URL = "CALLGATE_PUBLIC_URL";
  public static final String DATA_DIR = "CALLGATE_DATA_DIR";
  public static final String DB_URL = "CALLGATE_DB_URL";
  public static final String MASTER_KEY = "CALLGATE_MASTER_KEY";
  public static final String MASTER_KEY_PREVIOUS = "CALLGATE_MASTER_KEY_PREVIOUS";
  public static final String ADMIN_KEY = "CALLGATE_ADMIN_KEY";
  public static final String INSTANCE_ID = "CALLGATE_INSTANCE_ID";
  public static final String REFRESH_LEASE = "CALLGATE_REFRESH_LEASE";
  public static final String CACHE_MAX_STALENESS = "CALLGATE_CACHE_MAX_STALENESS";
  public static final String DB_POOL_SIZE = "CALLGATE_DB_POOL_SIZE";
  public static final String HTTP_IDLE_TIMEOUT = "CALLGATE_HTTP_IDLE_TIMEOUT";
  public static final String HTTP_HEADER_TIMEOUT = "CALLGATE_HTTP_HEADER_TIMEOUT";
  public static final String HTTP_BODY_TIMEOUT = "CALLGATE_HTTP_BODY_TIMEOUT";
  public static final String HTTP_MAX_CONNECTIONS = "CALLGATE_HTTP_MAX_CONNECTIONS";
  public static final String HTTP_MAX_REQUEST_LINE = "CALLGATE_HTTP_MAX_REQUEST_LINE";
  public static final String HTTP_MAX_HEADER_SIZE = "CALLGATE_HTTP_MAX_HEADER_SIZE";
  public static final String METRICS_REQUIRE_KEY = "CALLGATE_METRICS_REQUIRE_KEY";
  public static final String CALLOUT_POOL_SIZE = "CALLGATE_CALLOUT_POOL_SIZE";
  public static final String CALLOUT_POOL_QUEUE = "CALLGATE_CALLOUT_POOL_QUEUE";
  public static final String OUTBOUND_ALLOW = OutboundAddressPolicy.SETTING;
  public static final String PROVIDER_ALLOW_HTTP = ProviderEndpointRule.SETTING;
  public static final String PROVIDER_MAX_RESPONSE_BYTES = "CALLGATE_PROVIDER_MAX_RESPONSE_BYTES";
  public static final String EVENT_RETENTION = "CALLGATE_EVENT_RETENTION";
  public static final String WEBHOOK_RETRY_HORIZON = "CALLGATE_WEBHOOK_RETRY_HORIZON";
  public static final String WEBHOOK_TIMEOUT = "CALLGATE_WEBHOOK_TIMEOUT";
  public static final String CONSOLE_SESSION_TTL = "CALLGATE_CONSOLE_SESSION_TTL";
  public static final String EVENT_LOOPS = "CALLGATE_EVENT_LOOPS";
  public static final String CONNECT_LINK_TTL = "CALLGATE_CONNECT_LINK_TTL";

  /** A retry horizon shorter than the first back-off would give a down receiver one attempt. */
  static final Duration MIN_WEBHOOK_RETRY_HORIZON = Duration.ofMinutes(1);

  /** Events are kept at least this long: a shorter retention is a typo, not a policy. */
  static final Duration MIN_EVENT_RETENTION = Duration.ofHours(1);

  /**
   * Read by the log's configuration ({@code JsonLogConfigurator}), which would take a level it does
   * not know for INFO: checked here so that a typo stops the start instead.
   */
  public static final String LOG_LEVEL = "CALLGATE_LOG_LEVEL";

  static final java.util.Set<String> LOG_LEVELS =
      java.util.Set.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF");

  /** A provider's answers are kilobytes; 64 MiB is beyond any honest one. */
  static final int MAX_PROVIDER_RESPONSE_BYTES = 64 * 1024 * 1024;

  /** A lease must outlast a token-endpoint call; the calls get at most half of it. */
  static final Duration MIN_REFRESH_LEASE = Duration.ofSeconds(2);

  private static final Pattern INSTANCE_ID_PATTERN = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  /** An admin key must be hard to guess: at least this many characters. */
  static final int MIN_ADMIN_KEY_LENGTH = 24;

  public static Validated<Configuration> fromEnvironment(Map<String, String> env) {
    List<Diagnosis> problems = new ArrayList<>();
    int port = port(env.getOrDefault(HTTP_PORT, "8080"), problems);
    String host = env.getOrDefault(HTTP_HOST, "127.0.0.1");
    if (host.isBlank()) {
      problems.add(problem(HTTP_HOST, "it is blank"));
    }
    URI publicUrl = publicUrl(env.get(PUBLIC_URL), host, port, problems);
    Path dataDir = Path.of(".");
    try {
      dataDir = Path.of(env.getOrDefault(DATA_DIR, "./data"));
    } catch (InvalidPathException e) {
      problems.add(problem(DATA_DIR, "'" + env.get(DATA_DIR) + "' is not a path"));
    }
    Optional<URI> databaseUrl = databaseUrl(env.get(DB_URL), problems);
    Optional<Secret> masterKey = masterKey(MASTER_KEY, env.get(MASTER_KEY), problems);
    List<Secret> previousMasterKeys = new ArrayList<>();
    String previous = env.get(MASTER_KEY_PREVIOUS);
    if (previous != null && !previous.isBlank()) {
      for (String key : previous.split(",")) {
        masterKey(MASTER_KEY_PREVIOUS, key, problems).ifPresent(previousMasterKeys::add);
      }
    }
    if (databaseUrl.isPresent() && env.get(MASTER_KEY) == null) {
      problems.add(
          problem(
              MASTER_KEY,
              "it is required with PostgreSQL, so that every instance decrypts the same secrets"
                  + " (generate one with: openssl rand -base64 32)"));
    }
    Optional<Secret> adminKey = Optional.ofNullable(env.get(ADMIN_KEY)).map(Secret::of);
    if (adminKey.isPresent() && adminKey.get().reveal().length() < MIN_ADMIN_KEY_LENGTH) {
      problems.add(
          problem(ADMIN_KEY, "it must be at least " + MIN_ADMIN_KEY_LENGTH + " characters long"));
    }
    String instanceId =
        env.getOrDefault(INSTANCE_ID, "callgate-" + UUID.randomUUID().toString().substring(0, 8));
    if (!INSTANCE_ID_PATTERN.matcher(instanceId).matches()) {
      problems.add(
          problem(
              INSTANCE_ID, "'" + instanceId + "' is not 1 to 64 letters, digits, '.', '_' or '-'"));
    }
    Duration refreshLease = duration(env, REFRESH_LEASE, Duration.ofSeconds(30), problems);
    if (refreshLease.compareTo(MIN_REFRESH_LEASE) < 0) {
      problems.add(problem(REFRESH_LEASE, "it must be at least " + MIN_REFRESH_LEASE));
    }
    Duration cacheMaxStaleness =
        duration(env, CACHE_MAX_STALENESS, Duration.ofSeconds(10), problems);
    int poolSize = count(env, DB_POOL_SIZE, 16, problems);
    InboundLimits defaults = InboundLimits.defaults();
    InboundLimits inbound =
        new InboundLimits(
            positive(env, HTTP_IDLE_TIMEOUT, defaults.idleTimeout(), problems),
            positive(env, HTTP_HEADER_TIMEOUT, defaults.headerTimeout(), problems),
            positive(env, HTTP_BODY_TIMEOUT, defaults.bodyTimeout(), problems),
            bounded(env, HTTP_MAX_CONNECTIONS, defaults.maxConnections(), 1, 1_000_000, problems),
            bounded(env, HTTP_MAX_REQUEST_LINE, defaults.maxRequestLine(), 256, 65_536, problems),
            bounded(env, HTTP_MAX_HEADER_SIZE, defaults.maxHeaderSize(), 1024, 65_536, problems));
    boolean metricsRequireKey = bool(env, METRICS_REQUIRE_KEY, false, problems);
    String logLevel = env.get(LOG_LEVEL);
    if (logLevel != null && !LOG_LEVELS.contains(logLevel.toUpperCase(java.util.Locale.ROOT))) {
      problems.add(
          problem(
              LOG_LEVEL, "'" + logLevel + "' is not one of TRACE, DEBUG, INFO, WARN, ERROR, OFF"));
    }
    int calloutPoolSize = count(env, CALLOUT_POOL_SIZE, 32, problems);
    int calloutPoolQueue = bounded(env, CALLOUT_POOL_QUEUE, 1024, 0, 65_536, problems);
    OutboundAddressPolicy outbound =
        OutboundAddressPolicy.parse(env.get(OUTBOUND_ALLOW))
            .fold(
                policy -> policy,
                invalid -> {
                  problems.addAll(invalid);
                  return OutboundAddressPolicy.publicOnly();
                });
    ProviderEndpointRule providerEndpoints =
        new ProviderEndpointRule(bool(env, PROVIDER_ALLOW_HTTP, false, problems));
    int providerMaxResponseBytes =
        bounded(
            env,
            PROVIDER_MAX_RESPONSE_BYTES,
            IdentityProviderOptions.DEFAULT_MAX_RESPONSE_BYTES,
            1024,
            MAX_PROVIDER_RESPONSE_BYTES,
            problems);
    Duration eventRetention = duration(env, EVENT_RETENTION, Duration.ofDays(30), problems);
    if (eventRetention.compareTo(MIN_EVENT_RETENTION) < 0) {
      problems.add(problem(EVENT_RETENTION, "it must be at least " + MIN_EVENT_RETENTION));
    }
    Duration webhookRetryHorizon =
        duration(env, WEBHOOK_RETRY_HORIZON, Duration.ofHours(24), problems);
    if (webhookRetryHorizon.compareTo(MIN_WEBHOOK_RETRY_HORIZON) < 0) {
      problems.add(
          problem(WEBHOOK_RETRY_HORIZON, "it must be at least " + MIN_WEBHOOK_RETRY_HORIZON));
    }
    Duration webhookTimeout = positive(env, WEBHOOK_TIMEOUT, Duration.ofSeconds(10), problems);
    Duration consoleSessionTtl =
        positive(env, CONSOLE_SESSION_TTL, ConsoleSessions.DEFAULT_LIFETIME, problems);
    // one loop per core, each serving requests: a loop never blocks, so Vert.x's default of two
    // per core only has two busy loops take turns on one core
    int eventLoops =
        bounded(env, EVENT_LOOPS, Runtime.getRuntime().availableProcessors(), 1, 1024, problems);
    Duration connectLinkTtl = positive(env, CONNECT_LINK_TTL, Duration.ofMinutes(15), problems);
    if (!problems.isEmpty()) {
      return Validated.invalid(problems);
    }
    return Validated.valid(
        new Configuration(
            port,
            host,
            publicUrl,
            dataDir,
            databaseUrl,
            masterKey,
            previousMasterKeys,
            adminKey,
            instanceId,
            refreshLease,
            cacheMaxStaleness,
            poolSize,
            inbound,
            metricsRequireKey,
            calloutPoolSize,
            calloutPoolQueue,
            outbound,
            providerEndpoints,
            providerMaxResponseBytes,
            eventRetention,
            webhookRetryHorizon,
            webhookTimeout,
            consoleSessionTtl,
            eventLoops,
            connectLinkTtl));
  }

  /** An ISO-8601 duration such as {@code PT30S}, not negative. */
  private static Duration duration(
      Map<String, String> env, String variable, Duration fallback, List<Diagnosis> problems) {
    String value = env.get(variable);
    if (value == null) {
      return fallback;
    }
    try {
      Duration duration = Duration.parse(value.trim());
      if (duration.isNegative()) {
        problems.add(problem(variable, "'" + value + "' is negative"));
        return fallback;
      }
      return duration;
    } catch (DateTimeParseException e) {
      problems.add(problem(variable, "'" + value + "' is not an ISO-8601 duration such as PT30S"));
      return fallback;
    }
  }

  /** A duration that must be more than zero: a zero timeout would close every connection. */
  private static Duration positive(
      Map<String, String> env, String variable, Duration fallback, List<Diagnosis> problems) {
    Duration duration = duration(env, variable, fallback, problems);
    if (duration.isZero()) {
      problems.add(problem(variable, "it must be longer than zero"));
      return fallback;
    }
    if (duration.toMillis() > Integer.MAX_VALUE) {
      problems.add(
          problem(variable, "it must be shorter than " + Duration.ofMillis(Integer.MAX_VALUE)));
      return fallback;
    }
    return duration;
  }

  private static int bounded(
      Map<String, String> env,
      String variable,
      int fallback,
      int min,
      int max,
      List<Diagnosis> problems) {
    String value = env.get(variable);
    if (value == null) {
      return fallback;
    }
    try {
      int number = Integer.parseInt(value.trim());
      if (number >= min && number <= max) {
        return number;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    problems.add(problem(variable, "'" + value + "' is not a number from " + min + " to " + max));
    return fallback;
  }

  private static boolean bool(
      Map<String, String> env, String variable, boolean fallback, List<Diagnosis> problems) {
    String value = env.get(variable);
    if (value == null) {
      return fallback;
    }
    return switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> {
        problems.add(problem(variable, "'" + value + "' is not true or false"));
        yield fallback;
      }
    };
  }

  private static int count(
      Map<String, String> env, String variable, int fallback, List<Diagnosis> problems) {
    String value = env.get(variable);
    if (value == null) {
      return fallback;
    }
    try {
      int count = Integer.parseInt(value.trim());
      if (count >= 1 && count <= 1024) {
        return count;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    problems.add(problem(variable, "'" + value + "' is not a number from 1 to 1024"));
    return fallback;
  }

  /** How long a refresh's calls to the token endpoint may take: half the lease, 10 s at most. */
  public Duration tokenEndpointTimeout() {
    Duration half = refreshLease.dividedBy(2);
    return half.compareTo(Duration.ofSeconds(10)) < 0 ? half : Duration.ofSeconds(10);
  }

  /** Where identity providers send the browser back to. */
  public URI redirectUri() {
    String base = publicUrl.toString();
    return URI.create(
        (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/v1/oauth/callback");
  }

  /** True when no database is configured: the SQLite file in the data directory is the store. */
  public boolean embedded() {
    return databaseUrl.isEmpty();
  }

  private static int port(String value, List<Diagnosis> problems) {
    try {
      int port = Integer.parseInt(value.trim());
      if (port < 0 || port > 65535) {
        problems.add(problem(HTTP_PORT, "'" + value + "' is not a port between 0 and 65535"));
      }
      return port;
    } catch (NumberFormatException e) {
      problems.add(problem(HTTP_PORT, "'" + value + "' is not a number"));
      return 0;
    }
  }

  private static URI publicUrl(String value, String host, int port, List<Diagnosis> problems) {
    String url =
        value != null
            ? value
            : "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    try {
      URI uri = new URI(url);
      boolean http =
          "http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme());
      if (!http
          || uri.getHost() == null
          || uri.getRawQuery() != null
          || uri.getRawFragment() != null) {
        problems.add(
            problem(
                PUBLIC_URL,
                "'" + url + "' is not an absolute http(s) URL without query or fragment"));
      }
      return uri;
    } catch (URISyntaxException e) {
      problems.add(problem(PUBLIC_URL, "'" + url + "' is not a URL: " + e.getReason()));
      return URI.create("http://invalid");
    }
  }

  private static Optional<URI> databaseUrl(String value, List<Diagnosis> problems) {
    if (value == null || value.isBlank()) {
      return Optional.empty();
    }
    try {
      URI uri = new URI(value);
      if (!"postgresql".equals(uri.getScheme()) && !"postgres".equals(uri.getScheme())) {
        problems.add(
            problem(
                DB_URL,
                "it must be a postgresql:// URL (the scheme is '" + uri.getScheme() + "')"));
      }
      return Optional.of(uri);
    } catch (URISyntaxException e) {
      // the URL may hold a password: name the problem, not the value
      problems.add(problem(DB_URL, "it is not a URL (" + e.getReason().replace(value, "…") + ")"));
      return Optional.empty();
    }
  }

  private static Optional<Secret> masterKey(
      String variable, String value, List<Diagnosis> problems) {
    if (value == null) {
      return Optional.empty();
    }
    try {
      byte[] key = Base64.getDecoder().decode(value.trim());
      if (key.length != 32) {
        problems.add(
            problem(
                variable, "it decodes to " + key.length + " bytes, not the 32 of an AES-256 key"));
      }
    } catch (IllegalArgumentException e) {
      problems.add(problem(variable, "it is not base64"));
    }
    return Optional.of(Secret.of(value.trim()));
  }

  private static Diagnosis problem(String variable, String problem) {
    return Diagnosis.of(INVALID_CONFIGURATION, "variable", variable, "problem", problem);
  }

  @Override
  public String toString() {
    // the database URL may carry a password
    return "Configuration[http="
        + httpHost
        + ":"
        + httpPort
        + ", publicUrl="
        + publicUrl
        + ", dataDir="
        + dataDir
        + ", store="
        + (embedded() ? "embedded" : "postgresql")
        + ", instance="
        + instanceId
        + "]";
  }
}
