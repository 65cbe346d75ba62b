package dev.callgate.app.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.app.ops.OpsTool.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The Prometheus alert rules of {@code ops/prometheus}: valid for {@code promtool check rules},
 * their unit tests passing {@code promtool test rules}, every alert tested both firing and staying
 * quiet, and every alert telling the person paged what to do, in documents that exist.
 */
class AlertRulesTest {
  private static final Path PROMETHEUS = OpsTool.OPS.resolve("prometheus");
  private static final String RULES = "callgate-alerts.yml";
  private static final String TESTS = "callgate-alerts.test.yml";
  private static final String INSTALL = "Debian: apt-get install prometheus";

  @Test
  void rulesWhenCheckedByPromtoolThenValid() {
    Run check = OpsTool.require("promtool", INSTALL).run(PROMETHEUS, "check", "rules", RULES);
    assertThat(check.exitCode()).as(check.output()).isZero();
  }

  @Test
  void rulesWhenUnitTestedByPromtoolThenEveryCasePasses() {
    Run test = OpsTool.require("promtool", INSTALL).run(PROMETHEUS, "test", "rules", TESTS);
    assertThat(test.exitCode()).as(test.output()).isZero();
    assertThat(test.output()).contains("SUCCESS");
  }

  @Test
  void everyAlertIsTestedFiringAndQuiet() throws IOException {
    Set<String> alerts = new TreeSet<>(alerts().keySet());
    Set<String> fired = new TreeSet<>();
    Set<String> quiet = new TreeSet<>();
    Map<String, Object> tests = yaml(PROMETHEUS.resolve(TESTS));
    assertThat(list(tests.get("rule_files"))).containsExactly(RULES);
    for (Object test : list(tests.get("tests"))) {
      for (Object check : list(map(test).get("alert_rule_test"))) {
        String alert = (String) map(check).get("alertname");
        boolean fires = !list(map(check).getOrDefault("exp_alerts", List.of())).isEmpty();
        (fires ? fired : quiet).add(alert);
      }
    }
    assertThat(alerts).as("alerts of " + RULES).isNotEmpty();
    assertThat(fired).as("alerts tested firing").containsAll(alerts);
    assertThat(quiet).as("alerts tested staying quiet").containsAll(alerts);
    assertThat(alerts).as("alerts the tests name").containsAll(fired).containsAll(quiet);
  }

  @Test
  void everyAlertSaysWhatToDoInDocumentsThatExist() throws IOException {
    Pattern document = Pattern.compile("(docs|ops)/[A-Za-z0-9_/.-]+\\.md");
    List<String> problems = new ArrayList<>();
    alerts()
        .forEach(
            (alert, rule) -> {
              Map<String, Object> labels = map(rule.getOrDefault("labels", Map.of()));
              Map<String, Object> annotations = map(rule.getOrDefault("annotations", Map.of()));
              if (!Set.of("warning", "critical").contains(labels.get("severity"))) {
                problems.add(alert + ": severity is neither warning nor critical");
              }
              for (String annotation : List.of("summary", "description")) {
                if (String.valueOf(annotations.getOrDefault(annotation, "")).isBlank()) {
                  problems.add(alert + ": no " + annotation);
                }
              }
              Matcher named = document.matcher(String.valueOf(annotations.get("description")));
              while (named.find()) {
                if (!Files.isRegularFile(OpsTool.OPS.resolve("..").resolve(named.group()))) {
                  problems.add(alert + ": names " + named.group() + ", which does not exist");
                }
              }
            });
    assertThat(problems).isEmpty();
  }

  /** Every alert rule of the rules file by name. */
  static Map<String, Map<String, Object>> alerts() throws IOException {
    Map<String, Map<String, Object>> alerts = new java.util.LinkedHashMap<>();
    for (Object group : list(yaml(PROMETHEUS.resolve(RULES)).get("groups"))) {
      for (Object rule : list(map(group).get("rules"))) {
        Object alert = map(rule).get("alert");
        if (alert != null) {
          assertThat(alerts.put((String) alert, map(rule)))
              .as("alert " + alert + " twice")
              .isNull();
        }
      }
    }
    return alerts;
  }

  static Map<String, Object> yaml(Path file) throws IOException {
    return map(new Yaml().load(Files.readString(file)));
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object node) {
    assertThat(node).isInstanceOf(Map.class);
    return (Map<String, Object>) node;
  }

  @SuppressWarnings("unchecked")
  static List<Object> list(Object node) {
    assertThat(node).isInstanceOf(List.class);
    return (List<Object>) node;
  }
}
