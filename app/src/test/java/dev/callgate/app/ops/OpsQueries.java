package dev.callgate.app.ops;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PromQL of {@code ops/}: each query of the Grafana dashboard (by panel, and the template
 * variables) and of the alert rules (by alert), with the metric names it selects.
 */
public final class OpsQueries {
  public static final Path DASHBOARD = OpsTool.OPS.resolve("grafana/callgate-dashboard.json");

  /** A query and where it lives: {@code panel "Heap"} or {@code alert CallgateGrantLost}. */
  public record Query(String where, String expression, Set<String> metrics) {}

  private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(\\s*([^,)]+)[,)]");

  private OpsQueries() {}

  public static JsonObject dashboard() {
    try {
      return new JsonObject(Files.readString(DASHBOARD));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every panel of {@code dashboard}, rows' nested panels included, rows themselves too. */
  public static List<JsonObject> panels(JsonObject dashboard) {
    List<JsonObject> panels = new ArrayList<>();
    collect(dashboard.getJsonArray("panels", new JsonArray()), panels);
    return panels;
  }

  private static void collect(JsonArray from, List<JsonObject> into) {
    for (int i = 0; i < from.size(); i++) {
      JsonObject panel = from.getJsonObject(i);
      into.add(panel);
      collect(panel.getJsonArray("panels", new JsonArray()), into);
    }
  }

  /** The dashboard's queries: every panel's targets, and the query variables. */
  public static List<Query> ofDashboard() {
    JsonObject dashboard = dashboard();
    List<Query> queries = new ArrayList<>();
    for (JsonObject panel : panels(dashboard)) {
      JsonArray targets = panel.getJsonArray("targets", new JsonArray());
      for (int i = 0; i < targets.size(); i++) {
        String expression = targets.getJsonObject(i).getString("expr", "");
        queries.add(
            new Query(
                "panel \"" + panel.getString("title") + "\"",
                expression,
                PromQlNames.of(expression)));
      }
    }
    JsonArray variables =
        dashboard.getJsonObject("templating", new JsonObject()).getJsonArray("list");
    for (int i = 0; i < variables.size(); i++) {
      JsonObject variable = variables.getJsonObject(i);
      if (!"query".equals(variable.getString("type"))) {
        continue;
      }
      Object query = variable.getValue("query");
      String expression =
          query instanceof JsonObject object ? object.getString("query") : String.valueOf(query);
      Matcher selector = LABEL_VALUES.matcher(expression);
      Set<String> metrics =
          selector.find() ? PromQlNames.of(selector.group(1)) : PromQlNames.of(expression);
      queries.add(new Query("variable $" + variable.getString("name"), expression, metrics));
    }
    return queries;
  }

  /** The alert rules' expressions, by alert. */
  public static List<Query> ofAlerts() {
    try {
      List<Query> queries = new ArrayList<>();
      for (Map.Entry<String, Map<String, Object>> alert : AlertRulesTest.alerts().entrySet()) {
        String expression = String.valueOf(alert.getValue().get("expr"));
        queries.add(new Query("alert " + alert.getKey(), expression, PromQlNames.of(expression)));
      }
      return queries;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Where each of {@code queries} names a metric outside {@code exported}, other than {@code up}
   * (Prometheus's own): "where: name (expression)", in order.
   */
  public static List<String> unexported(List<Query> queries, Set<String> exported) {
    Map<String, Set<String>> missing = new LinkedHashMap<>();
    for (Query query : queries) {
      for (String metric : query.metrics()) {
        if (!metric.equals("up") && !exported.contains(metric)) {
          missing
              .computeIfAbsent(
                  query.where() + " queries " + metric + exportedOfFamily(metric, exported),
                  k -> new TreeSet<>())
              .add(query.expression());
        }
      }
    }
    List<String> lines = new ArrayList<>();
    missing.forEach((what, expressions) -> lines.add(what + ", in: " + expressions));
    return lines;
  }

  /**
   * What the service exports of the metric's family, so that a query for a histogram's {@code
   * _bucket} of a timer without buckets says so.
   */
  private static String exportedOfFamily(String metric, Set<String> exported) {
    String family = SUFFIX.matcher(metric).replaceFirst("");
    List<String> relatives =
        exported.stream()
            .filter(name -> SUFFIX.matcher(name).replaceFirst("").equals(family))
            .toList();
    return relatives.isEmpty()
        ? " (nothing of " + family + " is exported)"
        : " (of " + family + " only " + relatives + " is exported)";
  }

  private static final Pattern SUFFIX = Pattern.compile("_(?:bucket|sum|count|total|max|created)$");

  /** The sample names of a Prometheus text exposition ({@code x_bucket}, {@code x_count}…). */
  public static Set<String> sampleNames(String exposition) {
    Set<String> names = new TreeSet<>();
    for (String line : exposition.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int end = 0;
      while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') {
        end++;
      }
      names.add(line.substring(0, end));
    }
    return names;
  }
}
