package dev.callgate.app.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.app.config.Configuration;
import dev.callgate.app.e2e.CallgateUnderTest;
import dev.callgate.app.ops.OpsTool.Run;
import io.vertx.core.json.JsonArray;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * The deploy kit of {@code ops/} as far as it runs without a cluster or a container engine: the
 * systemd unit passes {@code systemd-analyze verify} with a low exposure score; the Kubernetes
 * manifests parse and fit together (three instances, probes on the health endpoints, a non-root
 * read-only container, a Secret for the master key and the database URL, a disruption budget);
 * every {@code CALLGATE_…} variable the kit sets is one Callgate reads and the README documents,
 * and the values it sets pass Callgate's own validation; and the container's health check, run as
 * is, tells a ready Callgate from none.
 */
class DeployKitTest {
  private static final Path SYSTEMD = OpsTool.OPS.resolve("systemd");
  private static final Path K8S = OpsTool.OPS.resolve("k8s");
  private static final Path CONTAINERFILE = OpsTool.OPS.resolve("container/Containerfile");
  private static final Path README = Path.of("..", "README.md");
  private static final Pattern VARIABLE = Pattern.compile("\\bCALLGATE_[A-Z0-9_]+");
  private static final String SYSTEMD_INSTALL = "Debian: apt-get install systemd";

  @TempDir Path temporary;

  // systemd-analyze verify

  @Test
  void unitWhenVerifiedBySystemdThenClean() throws IOException {
    OpsTool analyze = OpsTool.require("systemd-analyze", SYSTEMD_INSTALL);
    Path unit = unitWithJavaOfThisMachine();

    Run verify = analyze.run(unit.getParent(), "verify", unit.getFileName().toString());

    assertThat(verify.exitCode()).as(verify.output()).isZero();
    assertThat(verify.output()).as("warnings of systemd-analyze verify").isBlank();
  }

  @Test
  void unitWhenAssessedBySystemdThenExposureIsLow() throws IOException {
    OpsTool analyze = OpsTool.require("systemd-analyze", SYSTEMD_INSTALL);
    Path unit = unitWithJavaOfThisMachine();

    Run security =
        analyze.run(unit.getParent(), "security", "--offline=true", unit.getFileName().toString());

    Matcher level =
        Pattern.compile("Overall exposure level for \\S+: ([0-9.]+)").matcher(security.output());
    assertThat(level.find()).as(security.output()).isTrue();
    // 0 is a unit that can do nothing, 10 one that can do anything; below 2 is systemd's "OK"
    assertThat(Double.parseDouble(level.group(1))).as(security.output()).isLessThan(2.0);
  }

  @Test
  void unitWhenReadThenHardenedWithStateDirectoryAndEnvironmentFile() throws IOException {
    Map<String, List<String>> service =
        unitSettings(Files.readString(SYSTEMD.resolve("callgate.service")));
    assertThat(service.get("DynamicUser")).containsExactly("yes");
    assertThat(service.get("ProtectSystem")).containsExactly("strict");
    assertThat(service.get("NoNewPrivileges")).containsExactly("yes");
    assertThat(service.get("Restart")).containsExactly("on-failure");
    assertThat(service.get("StateDirectory")).containsExactly("callgate");
    assertThat(service.get("EnvironmentFile")).containsExactly("/etc/callgate/callgate.env");
    assertThat(service.get("Environment")).contains("CALLGATE_DATA_DIR=%S/callgate");
    // a configuration Callgate refuses (exit 2) is not restarted in a loop
    assertThat(service.get("RestartPreventExitStatus")).containsExactly("2");
  }

  /**
   * The unit as shipped, but naming this machine's {@code java} where {@code /usr/bin/java} is
   * missing: {@code verify} checks that the command exists, which is the target host's business.
   */
  private Path unitWithJavaOfThisMachine() throws IOException {
    String unit = Files.readString(SYSTEMD.resolve("callgate.service"));
    if (!Files.isExecutable(Path.of("/usr/bin/java"))) {
      unit =
          unit.replace(
              "ExecStart=/usr/bin/java",
              "ExecStart=" + Path.of(System.getProperty("java.home"), "bin", "java"));
    }
    return Files.writeString(temporary.resolve("callgate.service"), unit);
  }

  private static Map<String, List<String>> unitSettings(String unit) {
    Map<String, List<String>> settings = new LinkedHashMap<>();
    for (String line : unit.split("\n")) {
      int equals = line.indexOf('=');
      if (line.startsWith("#") || line.startsWith("[") || equals < 0) {
        continue;
      }
      settings
          .computeIfAbsent(line.substring(0, equals).trim(), k -> new ArrayList<>())
          .add(line.substring(equals + 1).trim());
    }
    return settings;
  }

  // Kubernetes

  @Test
  void manifestsWhenParsedThenThreeInstancesOnPostgresqlWithProbesAndABudget() throws IOException {
    Map<String, Map<String, Object>> byKind = manifests();
    assertThat(byKind.keySet())
        .contains("Deployment", "Service", "Secret", "ConfigMap", "PodDisruptionBudget");

    Map<String, Object> deployment = byKind.get("Deployment");
    Map<String, Object> spec = map(deployment.get("spec"));
    assertThat(spec.get("replicas")).isEqualTo(3);
    Map<String, Object> labels = map(map(spec.get("selector")).get("matchLabels"));
    Map<String, Object> pod = map(spec.get("template"));
    assertThat(map(map(pod.get("metadata")).get("labels"))).containsAllEntriesOf(labels);
    assertThat(map(map(byKind.get("Service").get("spec")).get("selector"))).isEqualTo(labels);
    Map<String, Object> budget = map(byKind.get("PodDisruptionBudget").get("spec"));
    assertThat(map(map(budget.get("selector")).get("matchLabels"))).isEqualTo(labels);
    assertThat((Integer) budget.get("minAvailable")).isBetween(1, 2);

    Map<String, Object> podSpec = map(pod.get("spec"));
    assertThat(map(podSpec.get("securityContext"))).containsEntry("runAsNonRoot", true);
    Map<String, Object> container = map(list(podSpec.get("containers")).get(0));
    assertThat(map(container.get("securityContext")))
        .containsEntry("readOnlyRootFilesystem", true)
        .containsEntry("allowPrivilegeEscalation", false);
    assertThat(probePath(container, "livenessProbe")).isEqualTo("/health/live");
    assertThat(probePath(container, "readinessProbe")).isEqualTo("/health/ready");
    assertThat(map(container.get("resources")).keySet()).contains("requests", "limits");

    Map<String, Object> secret = map(byKind.get("Secret").get("stringData"));
    assertThat(secret.keySet())
        .containsExactlyInAnyOrder("CALLGATE_MASTER_KEY", "CALLGATE_DB_URL", "CALLGATE_ADMIN_KEY");
    assertThat((String) secret.get("CALLGATE_DB_URL")).startsWith("postgresql://");
    // the data directory Callgate creates at start is writable on the read-only root
    String dataDir = (String) map(byKind.get("ConfigMap").get("data")).get("CALLGATE_DATA_DIR");
    assertThat(list(container.get("volumeMounts")).stream().map(m -> map(m).get("mountPath")))
        .contains(dataDir, "/tmp");
  }

  @Test
  void manifestsWhenListedThenTheKustomizationNamesEveryOne() throws IOException {
    Set<String> files;
    try (Stream<Path> listed = Files.list(K8S)) {
      files =
          listed
              .map(p -> p.getFileName().toString())
              .filter(n -> n.endsWith(".yaml") && !n.equals("kustomization.yaml"))
              .collect(Collectors.toCollection(TreeSet::new));
    }
    Map<String, Object> kustomization =
        map(new Yaml().load(Files.readString(K8S.resolve("kustomization.yaml"))));
    assertThat(list(kustomization.get("resources"))).containsExactlyInAnyOrderElementsOf(files);
  }

  @Test
  void manifestsWhenTheirPlaceholdersAreReplacedThenCallgateAcceptsTheSettings()
      throws IOException {
    Map<String, Map<String, Object>> byKind = manifests();
    Map<String, String> environment = new HashMap<>();
    map(byKind.get("ConfigMap").get("data")).forEach((k, v) -> environment.put(k, (String) v));
    map(byKind.get("Secret").get("stringData")).forEach((k, v) -> environment.put(k, (String) v));
    environment.put("CALLGATE_INSTANCE_ID", "callgate-7d9f8b6c5-x2x4q");

    // as shipped, the placeholders are refused: nothing runs on them
    assertThat(problemVariables(environment)).contains("CALLGATE_MASTER_KEY", "CALLGATE_ADMIN_KEY");

    environment.put(
        "CALLGATE_MASTER_KEY", Base64.getEncoder().encodeToString(new byte[32]).replace('A', 'B'));
    environment.put("CALLGATE_ADMIN_KEY", "an-admin-key-of-enough-length-0123456789");
    assertThat(problemVariables(environment)).isEmpty();
  }

  private static String probePath(Map<String, Object> container, String probe) {
    return (String) map(map(container.get(probe)).get("httpGet")).get("path");
  }

  private static Map<String, Map<String, Object>> manifests() throws IOException {
    Map<String, Map<String, Object>> byKind = new LinkedHashMap<>();
    try (Stream<Path> listed = Files.list(K8S)) {
      for (Path file : listed.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
        for (Object document : new Yaml().loadAll(Files.readString(file))) {
          Map<String, Object> manifest = map(document);
          assertThat(manifest).as(file.toString()).containsKey("kind");
          assertThat(byKind.put((String) manifest.get("kind"), manifest))
              .as("one " + manifest.get("kind") + " only")
              .isNull();
        }
      }
    }
    return byKind;
  }

  // settings

  @Test
  void kitWhenItSetsVariablesThenCallgateReadsAndTheReadmeDocumentsEveryOne() throws IOException {
    Set<String> read = configurationVariables();
    Set<String> documented = new TreeSet<>();
    Matcher row =
        Pattern.compile("(?m)^\\| `(CALLGATE_[A-Z0-9_]+)` \\|").matcher(Files.readString(README));
    while (row.find()) {
      documented.add(row.group(1));
    }
    assertThat(documented).as("the README's configuration table").isNotEmpty();

    Map<String, Set<String>> unknown = new LinkedHashMap<>();
    for (Path file : kitFiles()) {
      Matcher named = VARIABLE.matcher(Files.readString(file));
      while (named.find()) {
        String variable = named.group();
        if (!read.contains(variable) || !documented.contains(variable)) {
          unknown.computeIfAbsent(variable, v -> new TreeSet<>()).add(file.toString());
        }
      }
    }
    assertThat(unknown)
        .as("variables Configuration does not read or the README does not list")
        .isEmpty();
  }

  @Test
  void systemdEnvironmentFileWhenReadThenCallgateAcceptsIt() throws IOException {
    Map<String, String> environment = new HashMap<>();
    for (String line : Files.readAllLines(SYSTEMD.resolve("callgate.env"))) {
      int equals = line.indexOf('=');
      if (!line.isBlank() && !line.startsWith("#") && equals > 0) {
        environment.put(line.substring(0, equals), line.substring(equals + 1));
      }
    }
    assertThat(environment).containsKey("CALLGATE_PUBLIC_URL");
    assertThat(problemVariables(environment)).isEmpty();
  }

  private static List<Path> kitFiles() throws IOException {
    List<Path> files = new ArrayList<>();
    for (Path directory : List.of(SYSTEMD, K8S, CONTAINERFILE.getParent())) {
      try (Stream<Path> listed = Files.list(directory)) {
        listed.filter(Files::isRegularFile).sorted().forEach(files::add);
      }
    }
    files.add(OpsTool.OPS.resolve("README.md"));
    return files;
  }

  /** The variables {@code Configuration} reads: its public {@code CALLGATE_…} constants. */
  private static Set<String> configurationVariables() {
    Set<String> variables = new TreeSet<>();
    for (Field field : Configuration.class.getFields()) {
      if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class) {
        try {
          String value = (String) field.get(null);
          if (value.startsWith("CALLGATE_")) {
            variables.add(value);
          }
        } catch (IllegalAccessException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    assertThat(variables).contains("CALLGATE_MASTER_KEY", "CALLGATE_DB_URL");
    return variables;
  }

  private static Set<String> problemVariables(Map<String, String> environment) {
    return Configuration.fromEnvironment(environment).problems().stream()
        .map(problem -> problem.fact("variable"))
        .collect(Collectors.toCollection(TreeSet::new));
  }

  // the container

  @Test
  void containerfileWhenReadThenBuildsWithMavenAndRunsNonRootOnTemurin17() throws IOException {
    List<String> instructions = instructions(Files.readString(CONTAINERFILE));
    List<String> stages = instructions.stream().filter(i -> i.startsWith("FROM ")).toList();
    assertThat(stages).hasSize(2);
    assertThat(stages.get(0)).contains("maven:", "temurin-17", " AS build");
    assertThat(stages.get(1)).contains("eclipse-temurin:17-jre");
    List<String> runtime =
        instructions.subList(instructions.indexOf(stages.get(1)), instructions.size());
    String user =
        runtime.stream().filter(i -> i.startsWith("USER ")).reduce((a, b) -> b).orElse("USER root");
    assertThat(user.substring(5).split(":")[0]).isNotIn("root", "0");
    String environment =
        runtime.stream().filter(i -> i.startsWith("ENV ")).collect(Collectors.joining(" "));
    Matcher dataDir = Pattern.compile("CALLGATE_DATA_DIR=(\\S+)").matcher(environment);
    assertThat(dataDir.find()).isTrue();
    assertThat(runtime).anyMatch(i -> i.startsWith("VOLUME ") && i.contains(dataDir.group(1)));
    assertThat(runtime).anyMatch(i -> i.startsWith("HEALTHCHECK ") && i.contains("/health/ready"));
  }

  @Test
  void containerHealthCheckWhenCallgateIsReadyThenPassesAndWhenNothingListensThenFails()
      throws Exception {
    OpsTool.require("bash", "the image's shell, which the health check runs in");
    List<String> command = healthCheckCommand();
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    assertThat(runHealthCheck(command, closedPort)).as("nothing listening").isNotZero();
    try (CallgateUnderTest callgate = CallgateUnderTest.start()) {
      assertThat(runHealthCheck(command, callgate.base().getPort())).as("Callgate ready").isZero();
    }
  }

  private static List<String> healthCheckCommand() throws IOException {
    String healthCheck =
        instructions(Files.readString(CONTAINERFILE)).stream()
            .filter(i -> i.startsWith("HEALTHCHECK "))
            .findFirst()
            .orElseThrow();
    JsonArray command =
        new JsonArray(healthCheck.substring(healthCheck.indexOf("CMD ") + 4).trim());
    List<String> arguments = new ArrayList<>();
    command.forEach(argument -> arguments.add((String) argument));
    return arguments;
  }

  private static int runHealthCheck(List<String> command, int port) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("CALLGATE_HTTP_PORT", String.valueOf(port));
    Process process = builder.start();
    process.getInputStream().readAllBytes();
    assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
    return process.exitValue();
  }

  /** A Containerfile's instructions, continuation lines joined, comments dropped. */
  private static List<String> instructions(String containerfile) {
    List<String> instructions = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : containerfile.split("\n")) {
      if (line.stripLeading().startsWith("#") && current.length() == 0) {
        continue;
      }
      String trimmed = line.strip();
      if (trimmed.endsWith("\\")) {
        current.append(trimmed, 0, trimmed.length() - 1).append(' ');
        continue;
      }
      current.append(trimmed);
      if (!current.toString().isBlank()) {
        instructions.add(current.toString().replaceAll("\\s+", " ").trim());
      }
      current.setLength(0);
    }
    return instructions;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object node) {
    assertThat(node).isInstanceOf(Map.class);
    return (Map<String, Object>) node;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object node) {
    assertThat(node).isInstanceOf(List.class);
    return (List<Object>) node;
  }
}
