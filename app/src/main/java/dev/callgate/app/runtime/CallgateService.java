package dev.callgate.app.runtime;

import dev.callgate.adapter.cache.CacheOptions;
import dev.callgate.adapter.cache.CachedStores;
import dev.callgate.adapter.embedded.SqliteStores;
import dev.callgate.adapter.http.CalloutTransportOptions;
import dev.callgate.adapter.http.CalloutTransports;
import dev.callgate.adapter.http.RequestSigners;
import dev.callgate.adapter.http.WebhookSenders;
import dev.callgate.adapter.idp.IdentityProviderOptions;
import dev.callgate.adapter.idp.IdentityProviders;
import dev.callgate.adapter.pg.PgStores;
import dev.callgate.adapter.sql.AesGcmSecretCipher;
import dev.callgate.adapter.sql.SqlStores;
import dev.callgate.app.bodies.StreamingCalloutBodies;
import dev.callgate.app.config.Configuration;
import dev.callgate.app.http.ApiRouter;
import dev.callgate.app.http.ApiServices;
import dev.callgate.app.http.CalloutRoute;
import dev.callgate.app.http.InboundServer;
import dev.callgate.app.http.Readiness;
import dev.callgate.app.http.WebhookJson;
import dev.callgate.app.logging.Logging;
import dev.callgate.app.logging.RefreshLog;
import dev.callgate.app.logging.RefreshRuleLog;
import dev.callgate.app.metrics.CallgateMetrics;
import dev.callgate.app.metrics.VertxGaugeReRegistration;
import dev.callgate.core.event.EventSource;
import dev.callgate.core.port.CalloutTransport;
import dev.callgate.core.port.EventLog;
import dev.callgate.core.port.IdentityProvider;
import dev.callgate.core.refresh.RefreshPolicy;
import dev.callgate.core.service.ApiKeys;
import dev.callgate.core.service.Authorizations;
import dev.callgate.core.service.Callouts;
import dev.callgate.core.service.ConnectLinks;
import dev.callgate.core.service.ConnectionTests;
import dev.callgate.core.service.ConsoleSessions;
import dev.callgate.core.service.Credentials;
import dev.callgate.core.service.DeviceAuthorizations;
import dev.callgate.core.service.EventFeed;
import dev.callgate.core.service.EventRetention;
import dev.callgate.core.service.FleetStatus;
import dev.callgate.core.service.ManualRefreshes;
import dev.callgate.core.service.Providers;
import dev.callgate.core.service.RefreshSchedule;
import dev.callgate.core.service.Refresher;
import dev.callgate.core.service.Revocations;
import dev.callgate.core.service.TokenStatuses;
import dev.callgate.core.service.WebhookDispatch;
import dev.callgate.core.service.Webhooks;
import dev.callgate.core.webhook.DeliveryPolicy;
import dev.callgate.core.webhook.WebhookUrlRule;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Callgate wired and running: the store (embedded SQLite unless a database URL is configured), the
 * identity-provider client, the callout transport, the use cases, the HTTP API, the refresh
 * scheduler and the metrics sampler, on one Vert.x instance.
 */
public final class CallgateService {
  private static final Logger LOG = LoggerFactory.getLogger(CallgateService.class);

  /** Callout bodies that merge fields are resolved in are read whole, up to this size. */
  static final long BUFFERED_BODY_LIMIT = 1024 * 1024;

  /**
   * How often {@code callgate_ready} asks the readiness check: well inside an alert's two minutes,
   * and as often as a load balancer would ask {@code /health/ready}.
   */
  static final Duration READINESS_SAMPLE_INTERVAL = Duration.ofSeconds(5);

  /** How many events one webhook round queues, and pending deliveries it looks at, per webhook. */
  static final int WEBHOOK_BATCH = 100;

  private final Vertx vertx;
  private final SqlStores stores;
  private final CachedStores cached;
  private final InboundServer server;
  private final RefreshScheduler scheduler;
  private final EventTail events;
  private final EventRetentionJob retention;
  private final WebhookDispatcher webhooks;
  private final DevicePollScheduler devicePolls;

  private CallgateService(
      Vertx vertx,
      SqlStores stores,
      CachedStores cached,
      InboundServer server,
      RefreshScheduler scheduler,
      EventTail events,
      EventRetentionJob retention,
      WebhookDispatcher webhooks,
      DevicePollScheduler devicePolls) {
    this.vertx = vertx;
    this.stores = stores;
    this.cached = cached;
    this.server = server;
    this.scheduler = scheduler;
    this.events = events;
    this.retention = retention;
    this.webhooks = webhooks;
    this.devicePolls = devicePolls;
  }

  public int port() {
    return server.port();
  }

  /**
   * Starts Callgate; {@code out} gets the one line a person must see and no log may hold: the admin
   * API key it generated, if it did.
   */
  public static CompletableFuture<CallgateService> start(Configuration config, PrintStream out) {
    Logging.routeLibraries();
    VertxGaugeReRegistration.quiet();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    CallgateMetrics.boundLabels(registry);
    Vertx vertx =
        Vertx.builder()
            .with(
                new VertxOptions()
                    .setEventLoopPoolSize(config.eventLoops())
                    // Netty's epoll where its native library loads (the one bundled is for Linux
                    // on x86-64), else NIO: Vert.x falls back without a word, the line below says
                    .setPreferNativeTransport(true)
                    .setMetricsOptions(
                        new MicrometerMetricsOptions()
                            .setEnabled(true)
                            // per-request meters with tags built on every request, server and
                            // client alike; Callgate's own meters, built once, count callouts,
                            // their answers and latency, and the open inbound connections
                            .addDisabledMetricsCategory(MetricsDomain.HTTP_SERVER)
                            .addDisabledMetricsCategory(MetricsDomain.HTTP_CLIENT)))
            .withMetrics(new MicrometerMetricsFactory(registry))
            .build();
    logTransport(vertx);
    // a failure no handler took (a defect): one line with its stack, not Vert.x's default text
    vertx.exceptionHandler(
        failure ->
            LOG.atError()
                .setMessage("unhandled failure: {}")
                .addArgument(failure.toString())
                .addKeyValue("event", "unhandled.failure")
                .setCause(failure)
                .log());
    // the JVM's meters read JMX, whose first use loads a few hundred classes: a worker binds them
    // while the store opens, and the API listens once they are there
    Future<Void> jvmMeters =
        vertx.executeBlocking(
            () -> {
              new JvmMemoryMetrics().bindTo(registry);
              new JvmGcMetrics().bindTo(registry);
              new JvmThreadMetrics().bindTo(registry);
              new ClassLoaderMetrics().bindTo(registry);
              new ProcessorMetrics().bindTo(registry);
              new UptimeMetrics().bindTo(registry);
              return null;
            },
            false);
    CompletableFuture<CallgateService> started = new CompletableFuture<>();
    AesGcmSecretCipher cipher;
    try {
      Files.createDirectories(config.dataDir());
      cipher = MasterKeys.cipher(config.masterKey(), config.previousMasterKeys(), config.dataDir());
    } catch (IOException | RuntimeException e) {
      started.completeExceptionally(
          new IllegalStateException(
              "cannot prepare the data directory " + config.dataDir() + ": " + e.getMessage(), e));
      vertx.close();
      return started;
    }
    Future<SqlStores> opened =
        config.embedded()
            ? SqliteStores.open(vertx, config.dataDir().resolve("callgate.db"), cipher)
            : PgStores.connect(
                vertx,
                config.databaseUrl().orElseThrow().toString(),
                cipher,
                config.databasePoolSize());
    opened
        .compose(stores -> resealUnderTheCurrentKey(config, stores).map(stores))
        .compose(stores -> jvmMeters.map(stores))
        .compose(stores -> wire(vertx, config, stores, registry, out))
        .onComplete(
            result -> {
              if (result.succeeded()) {
                started.complete(result.result());
              } else {
                started.completeExceptionally(result.cause());
                vertx.close();
              }
            });
    return started;
  }

  private static void logTransport(Vertx vertx) {
    if (vertx.isNativeTransportEnabled()) {
      LOG.atInfo()
          .setMessage("network transport: native (epoll)")
          .addKeyValue("event", "transport.selected")
          .addKeyValue("transport", "native")
          .log();
    } else {
      LOG.atInfo()
          .setMessage("network transport: NIO, as the native one is not available here: {}")
          .addArgument(String.valueOf(vertx.unavailableNativeTransportCause()))
          .addKeyValue("event", "transport.selected")
          .addKeyValue("transport", "nio")
          .log();
    }
  }

  /**
   * After a master-key rotation (previous keys configured), seals every secret still under a
   * previous key under the current one, so that the previous key can be dropped. A failure leaves
   * them readable under the previous keys and the service starts all the same; the next start tries
   * again.
   */
  private static Future<Void> resealUnderTheCurrentKey(Configuration config, SqlStores stores) {
    if (config.previousMasterKeys().isEmpty()) {
      return Future.succeededFuture();
    }
    return Future.fromCompletionStage(stores.reencryptSecrets())
        .transform(
            result -> {
              if (result.succeeded()) {
                LOG.atInfo()
                    .setMessage(
                        "sealed {} secrets under the current master key; the previous keys"
                            + " (CALLGATE_MASTER_KEY_PREVIOUS) can be dropped once every instance"
                            + " runs with the current one")
                    .addArgument(result.result())
                    .addKeyValue("event", "master-key.resealed")
                    .addKeyValue("resealed", result.result())
                    .log();
              } else {
                LOG.atWarn()
                    .setMessage(
                        "sealing secrets under the current master key failed; they stay readable"
                            + " under the previous keys and the next start tries again: {}")
                    .addArgument(result.cause().toString())
                    .addKeyValue("event", "master-key.reseal.failed")
                    .log();
              }
              return Future.<Void>succeededFuture();
            });
  }

  private static Future<CallgateService> wire(
      Vertx vertx,
      Configuration config,
      SqlStores stores,
      PrometheusMeterRegistry registry,
      PrintStream out) {
    VertxClock clock = new VertxClock(vertx);
    SecureRandom random = new SecureRandom();
    RefreshPolicy policy = new RefreshPolicy(RefreshPolicy.Settings.defaults(), random);
    CachedStores cached =
        CachedStores.over(
            stores.credentials(),
            stores.tokens(),
            stores.apiKeys(),
            stores.changes(),
            new CacheOptions(config.cacheMaxStaleness(), CacheOptions.defaults().maximumSize()));
    CallgateMetrics metrics = new CallgateMetrics(registry);
    metrics.cache(cached::statistics);
    IdentityProvider identityProvider =
        IdentityProviders.create(
            vertx,
            IdentityProviderOptions.defaults()
                .withConnectTimeout(config.tokenEndpointTimeout())
                .withRequestTimeout(config.tokenEndpointTimeout())
                .withClock(clock::now)
                .withOutbound(config.outbound())
                .withEndpoints(config.providerEndpoints())
                .withMaxResponseBytes(config.providerMaxResponseBytes()));
    CalloutTransport transport =
        CalloutTransports.create(
            vertx,
            CalloutTransportOptions.defaults()
                .withMaxPoolSize(config.calloutPoolSize())
                .withMaxWaitQueueSize(config.calloutPoolQueue()),
            config.outbound());
    String instanceId = config.instanceId();
    Refresher.Settings refreshSettings =
        new Refresher.Settings(
            instanceId, config.refreshLease(), Refresher.Settings.LEASE_POLL_INTERVAL);
    // What decides on a token reads the store itself; what serves callouts reads the caches.
    Refresher refresher =
        new Refresher(
            stores.credentials(),
            stores.tokens(),
            identityProvider,
            clock,
            policy,
            refreshSettings,
            metrics.andThen(new RefreshLog()));
    EventSource events = new EventSource(instanceId, clock);
    Callouts callouts =
        new Callouts(
            cached.credentials(),
            cached.tokens(),
            refresher,
            transport,
            clock,
            policy,
            BUFFERED_BODY_LIMIT,
            metrics.andThen(new RefreshRuleLog()),
            RequestSigners.awsSigV4(vertx, config.outbound()));
    Authorizations authorizations =
        new Authorizations(
            cached.credentials(),
            stores.tokens(),
            stores.pendingAuthorizations(),
            identityProvider,
            events,
            random,
            policy,
            new Authorizations.Settings(config.redirectUri(), Duration.ofMinutes(10)),
            stores.events());
    ApiKeys apiKeys = new ApiKeys(cached.apiKeys(), events, random, config.adminKey());
    RefreshSchedule schedule =
        new RefreshSchedule(
            cached.credentials(),
            stores.tokens(),
            refresher,
            clock,
            policy,
            new RefreshSchedule.Settings(
                instanceId, RefreshScheduler.BATCH_SIZE, config.refreshLease()));
    // Writes that decide on tokens (re-arming, revoking) read the store itself, like the refresher.
    Providers providers =
        new Providers(
            stores.credentials(),
            stores.tokens(),
            identityProvider,
            events,
            random,
            policy,
            config.providerEndpoints());
    Revocations revocations =
        new Revocations(
            stores.credentials(),
            stores.tokens(),
            identityProvider,
            clock,
            policy,
            refreshSettings,
            stores.events());
    TokenStatuses statuses =
        new TokenStatuses(
            cached.credentials(),
            stores.tokens(),
            clock,
            Optional.of(stores.deviceAuthorizations()));
    DeviceAuthorizations deviceAuthorizations =
        new DeviceAuthorizations(
            cached.credentials(),
            stores.deviceAuthorizations(),
            identityProvider,
            authorizations,
            events,
            random);
    EventLog eventLog = stores.events();
    // the feed announces every append; the timer is a fallback, frequent only while it is deaf
    EventTail eventTail =
        new EventTail(
            vertx,
            eventLog,
            stores.changes(),
            instanceId,
            new EventLogLines(metrics),
            new EventTail.Settings(Duration.ofSeconds(5), Duration.ofMillis(500)));
    ConnectLinks connectLinks =
        new ConnectLinks(
            cached.credentials(),
            stores.connectLinks(),
            authorizations,
            identityProvider,
            events,
            random,
            new ConnectLinks.Settings(config.publicUrl(), config.connectLinkTtl()));
    EventRetentionJob retention =
        new EventRetentionJob(
            vertx, new EventRetention(eventLog, clock, config.eventRetention()), connectLinks);
    Webhooks webhooks =
        new Webhooks(
            stores.webhooks(),
            events,
            random,
            new WebhookUrlRule(config.providerEndpoints(), config.outbound()));
    WebhookDispatch webhookDispatch =
        new WebhookDispatch(
            stores.webhooks(),
            eventLog,
            WebhookSenders.create(
                vertx,
                config.outbound(),
                config.webhookTimeout(),
                config.webhookTimeout(),
                WebhookJson::payload),
            clock,
            random,
            new WebhookDispatch.Settings(
                instanceId,
                // a round's sends take two timeouts at most; the lease outlasts a few rounds
                config.webhookTimeout().multipliedBy(6),
                DeliveryPolicy.defaults().withHorizon(config.webhookRetryHorizon()),
                WEBHOOK_BATCH,
                Webhooks.RECENT_DELIVERIES),
            metrics::webhookSettled);
    WebhookDispatcher webhookDispatcher =
        new WebhookDispatcher(
            vertx,
            webhookDispatch,
            stores.changes(),
            () ->
                stores
                    .webhooks()
                    .pendingCounts()
                    .thenApply(counts -> counts.values().stream().mapToLong(Long::longValue).sum()),
            metrics::webhookPending,
            Duration.ofSeconds(1));
    ApiServices services =
        new ApiServices(
            apiKeys,
            callouts,
            authorizations,
            new ManualRefreshes(cached.credentials(), refresher, statuses, clock, stores.events()),
            providers,
            new Credentials(stores.credentials(), providers, revocations, events),
            revocations,
            statuses,
            new ConnectionTests(cached.credentials(), callouts, clock),
            new EventFeed(eventLog),
            new FleetStatus(cached.credentials(), stores.tokens(), statuses),
            eventTail,
            webhooks,
            new ConsoleSessions(
                stores.consoleSessions(),
                apiKeys,
                events,
                random,
                new ConsoleSessions.Settings(
                    config.consoleSessionTtl(),
                    "https".equalsIgnoreCase(config.publicUrl().getScheme()))),
            connectLinks,
            deviceAuthorizations);
    CalloutRoute calloutRoute =
        new CalloutRoute(
            callouts,
            new StreamingCalloutBodies(BUFFERED_BODY_LIMIT),
            metrics::callout,
            metrics::secretEchoBlocked);
    RefreshScheduler scheduler = new RefreshScheduler(vertx, schedule, Duration.ofSeconds(1));
    DevicePollScheduler devicePolls =
        new DevicePollScheduler(vertx, deviceAuthorizations, Duration.ofSeconds(1));
    Readiness readiness = new Readiness(instanceId, stores::ping, stores.changes()::listening);
    // the event reader takes its place at the end of the log before anything is recorded or any
    // live view opens: an event recorded before it stood there would be handed to no view
    return eventTail
        .start()
        .compose(
            atTheEnd -> Future.fromCompletionStage(apiKeys.bootstrap(), vertx.getOrCreateContext()))
        .compose(
            bootstrap ->
                InboundServer.listen(
                        vertx,
                        config.eventLoops(),
                        config.inbound(),
                        metrics.inboundConnections(),
                        // a router per server, made on its loop: the services behind are shared
                        () ->
                            ApiRouter.create(
                                vertx,
                                services,
                                registry,
                                readiness,
                                calloutRoute,
                                config.metricsRequireKey()),
                        config.httpPort(),
                        config.httpHost())
                    .map(
                        server -> {
                          scheduler.start();
                          devicePolls.start();
                          metrics.sampleReadiness(readiness::ready);
                          vertx.setPeriodic(
                              READINESS_SAMPLE_INTERVAL.toMillis(),
                              id -> metrics.sampleReadiness(readiness::ready));
                          retention.start();
                          webhookDispatcher.start();
                          AtomicBoolean sampling = new AtomicBoolean(true);
                          vertx.setPeriodic(
                              15_000,
                              id ->
                                  metrics
                                      .sample(stores.tokens(), clock::now)
                                      .whenComplete(
                                          (sampled, failure) -> censusSampled(sampling, failure)));
                          String store =
                              config.embedded()
                                  ? "embedded SQLite in " + config.dataDir().toAbsolutePath()
                                  : "PostgreSQL";
                          LOG.atInfo()
                              .setMessage(
                                  "Callgate listening on http://{}:{} (store: {}, redirect URI: {},"
                                      + " instance: {}, event loops: {})")
                              .addArgument(config.httpHost())
                              .addArgument(server.port())
                              .addArgument(store)
                              .addArgument(config.redirectUri())
                              .addArgument(instanceId)
                              .addArgument(config.eventLoops())
                              .addKeyValue("event", "service.started")
                              .addKeyValue("port", server.port())
                              .addKeyValue("instance", instanceId)
                              .log();
                          bootstrap.ifPresent(
                              created -> {
                                // a live admin key must not travel with the logs to wherever they
                                // are kept and read: it is printed once, plainly, for the person
                                // starting Callgate, and the log only says that it was
                                out.println(
                                    "Generated the admin API key (shown once, keep it): "
                                        + created.key().reveal());
                                LOG.atWarn()
                                    .setMessage(
                                        "generated an admin API key, shown once on the console"
                                            + " and not logged; set CALLGATE_ADMIN_KEY to choose"
                                            + " one")
                                    .addKeyValue("event", "admin-key.generated")
                                    .log();
                              });
                          return new CallgateService(
                              vertx,
                              stores,
                              cached,
                              server,
                              scheduler,
                              eventTail,
                              retention,
                              webhookDispatcher,
                              devicePolls);
                        }));
  }

  /**
   * Logs the census sampling once when it stops working and once when it works again; meanwhile
   * readiness shows the store's trouble.
   */
  private static void censusSampled(AtomicBoolean sampling, Throwable failure) {
    boolean works = failure == null;
    if (!sampling.compareAndSet(!works, works)) {
      return;
    }
    if (works) {
      LOG.atInfo()
          .setMessage("sampling the store's census for the metrics works again")
          .addKeyValue("event", "metrics.census.recovered")
          .log();
    } else {
      LOG.atWarn()
          .setMessage("sampling the store's census for the metrics failed: {}")
          .addArgument(failure.toString())
          .addKeyValue("event", "metrics.census.failed")
          .log();
    }
  }

  /**
   * Stops accepting requests, closes the store, then Vert.x. Blocks until done: call it from a
   * plain thread (the shutdown hook, a test), never from an event loop — Vert.x cannot report its
   * own closing on a loop that it is closing.
   */
  public void stop() {
    scheduler.stop();
    devicePolls.stop();
    webhooks.stop();
    retention.stop();
    events.stop();
    try {
      cached.close();
    } catch (Exception e) {
      // closing a subscription does not fail; nothing to do if it did
    }
    try {
      server.close().eventually(stores::close).toCompletionStage().toCompletableFuture().join();
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().join();
    }
  }
}
