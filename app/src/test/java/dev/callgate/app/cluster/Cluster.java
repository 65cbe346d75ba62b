package dev.callgate.app.cluster;

import dev.callgate.adapter.idp.NodeOidcProvider;
import dev.callgate.core.testkit.TestSecrets;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Callgate instances as separate processes sharing one database of a private PostgreSQL, with one
 * master key and admin key. The instances start at once (so their migrations race, as a rolling
 * deployment's do) and are named {@code <name>-0}, {@code <name>-1}, …, which is also their
 * instance id.
 */
final class Cluster implements AutoCloseable {
  static final String ADMIN_KEY = "cluster-admin-key-0123456789abcdef";
  static final Path IDP_DIRECTORY =
      Path.of("..", "adapters", "idp", "src", "test", "oidc-provider");

  /** An auth provider at its own node-oidc-provider, and a target API that checks its tokens. */
  record Provider(String name, NodeOidcProvider idp, IntrospectingTarget target) {}

  private final PostgresServer postgres;
  private final String databaseUrl;
  private final Map<String, String> environment;
  private final List<CallgateProcess> instances = new ArrayList<>();
  private final List<AutoCloseable> resources = new ArrayList<>();

  private Cluster(PostgresServer postgres, String databaseUrl, Map<String, String> environment) {
    this.postgres = postgres;
    this.databaseUrl = databaseUrl;
    this.environment = environment;
  }

  /**
   * {@code size} instances named after {@code name}, with {@code settings} (more {@code CALLGATE_*}
   * variables) on top of the shared ones.
   */
  static Cluster start(String name, int size, Map<String, String> settings) throws Exception {
    PostgresServer postgres = PostgresServer.create();
    Cluster cluster = null;
    try {
      String url = postgres.createDatabase(name.replace('-', '_'));
      byte[] key = new byte[32];
      new SecureRandom().nextBytes(key);
      Map<String, String> environment = new LinkedHashMap<>();
      environment.put("CALLGATE_DB_URL", url);
      environment.put(
          "CALLGATE_MASTER_KEY",
          TestSecrets.register("cluster master key", Base64.getEncoder().encodeToString(key)));
      environment.put("CALLGATE_ADMIN_KEY", TestSecrets.register("cluster admin key", ADMIN_KEY));
      // node-oidc-provider's registered redirect URI is http://127.0.0.1/v1/oauth/callback
      environment.put("CALLGATE_PUBLIC_URL", "http://127.0.0.1");
      environment.putAll(settings);
      cluster = new Cluster(postgres, url, Map.copyOf(environment));
      ExecutorService starting = Executors.newFixedThreadPool(size);
      try {
        List<Future<CallgateProcess>> started = new ArrayList<>();
        for (int i = 0; i < size; i++) {
          String instance = name + "-" + i;
          Map<String, String> own = new LinkedHashMap<>(cluster.environment);
          own.put("CALLGATE_INSTANCE_ID", instance);
          started.add(starting.submit(() -> CallgateProcess.start(instance, own)));
        }
        for (Future<CallgateProcess> instance : started) {
          cluster.instances.add(instance.get());
        }
      } finally {
        starting.shutdown();
      }
      return cluster;
    } catch (Exception e) {
      if (cluster != null) {
        cluster.close();
      } else {
        postgres.close();
      }
      throw e;
    }
  }

  PostgresServer postgres() {
    return postgres;
  }

  String databaseUrl() {
    return databaseUrl;
  }

  int size() {
    return instances.size();
  }

  CallgateProcess instance(int index) {
    return instances.get(index);
  }

  CallgateClient client(int index) {
    return new CallgateClient(instances.get(index).baseUri(), ADMIN_KEY);
  }

  /** Starts instance {@code index} again (it must have ended) on its port, with its id. */
  CallgateProcess restart(int index) throws Exception {
    CallgateProcess restarted = instances.get(index).restart();
    instances.set(index, restarted);
    return restarted;
  }

  /**
   * Starts a node-oidc-provider (rotating refresh tokens) and a target checking its tokens, and
   * registers the provider as {@code name}, its refresh-token lifetime stated.
   */
  Provider provider(String name, Duration accessTtl, Duration refreshTtl) throws Exception {
    NodeOidcProvider idp = NodeOidcProvider.start(IDP_DIRECTORY, accessTtl, refreshTtl);
    resources.add(0, idp);
    IntrospectingTarget target = new IntrospectingTarget(idp);
    resources.add(0, target);
    client(0).createProvider(name, idp.issuer(), List.of("openid", "offline_access"), refreshTtl);
    return new Provider(name, idp, target);
  }

  /** An authorization-code credential for {@code provider}'s target, callable by "app". */
  void credential(String name, Provider provider, boolean keepAlive) {
    client(0)
        .createCredential(
            name,
            URI.create(provider.target().baseUrl() + "/api"),
            provider.name(),
            new JsonObject()
                .put("keepAlive", keepAlive)
                .put("allowedCallers", new JsonArray().add("app")));
  }

  /** A caller key for {@code subject}. */
  String callerKey(String subject) {
    CallgateClient.Answer key =
        client(0)
            .call(
                "POST",
                "/v1/keys",
                new JsonObject()
                    .put("subject", subject)
                    .put("roles", new JsonArray().add("caller")));
    if (key.status() != 201) {
      throw new IllegalStateException("no key for " + subject + ": " + key.body());
    }
    return key.json().getString("key");
  }

  /** The callout URL of {@code credential}'s {@code path} at instance {@code index}. */
  URI callout(int index, String credential, String path) {
    return URI.create(instances.get(index).baseUri() + "/v1/callout/" + credential + path);
  }

  /** The sum of a metric over the instances that run. */
  double metric(String name, Map<String, String> labels) {
    double sum = 0;
    for (int i = 0; i < instances.size(); i++) {
      if (instances.get(i).alive()) {
        sum += client(i).metric(name, labels);
      }
    }
    return sum;
  }

  @Override
  public void close() throws Exception {
    Exception failure = null;
    for (AutoCloseable resource : resources) {
      try {
        resource.close();
      } catch (Exception e) {
        failure = first(failure, e);
      }
    }
    for (CallgateProcess instance : instances) {
      try {
        instance.close();
      } catch (Exception e) {
        failure = first(failure, e);
      }
    }
    try {
      postgres.close();
    } catch (Exception e) {
      failure = first(failure, e);
    }
    if (failure != null) {
      throw failure;
    }
  }

  private static Exception first(Exception first, Exception next) {
    if (first == null) {
      return next;
    }
    first.addSuppressed(next);
    return first;
  }
}
