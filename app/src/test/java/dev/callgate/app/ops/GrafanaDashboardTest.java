package dev.callgate.app.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboard of {@code ops/grafana} imports anywhere: one Prometheus data-source
 * variable that every panel and query uses, unique panel ids, panels on the 24-column grid without
 * overlapping, and panels for each part of the service. That every query names a metric the service
 * exports is {@code OpsQueriesTest}'s, against a running instance.
 */
class GrafanaDashboardTest {
  private static final JsonObject DATASOURCE =
      new JsonObject().put("type", "prometheus").put("uid", "${datasource}");

  private final JsonObject dashboard = OpsQueries.dashboard();

  @Test
  void dashboardWhenImportedThenAsksForAPrometheusDataSource() {
    assertThat(dashboard.getInteger("schemaVersion")).isBetween(36, 41);
    assertThat(dashboard.getString("uid")).isEqualTo("callgate");
    JsonArray variables = dashboard.getJsonObject("templating").getJsonArray("list");
    List<JsonObject> datasources = new ArrayList<>();
    for (int i = 0; i < variables.size(); i++) {
      JsonObject variable = variables.getJsonObject(i);
      if ("datasource".equals(variable.getString("type"))) {
        datasources.add(variable);
      } else {
        assertThat(variable.getJsonObject("datasource"))
            .as(variable.encode())
            .isEqualTo(DATASOURCE);
      }
    }
    assertThat(datasources).hasSize(1);
    assertThat(datasources.get(0).getString("name")).isEqualTo("datasource");
    assertThat(datasources.get(0).getString("query")).isEqualTo("prometheus");
  }

  @Test
  void panelsWhenQueryingThenThroughTheDataSourceVariable() {
    List<String> problems = new ArrayList<>();
    for (JsonObject panel : OpsQueries.panels(dashboard)) {
      if ("row".equals(panel.getString("type"))) {
        continue;
      }
      String title = panel.getString("title", "(untitled)");
      if (!DATASOURCE.equals(panel.getJsonObject("datasource"))) {
        problems.add(title + ": panel data source " + panel.getValue("datasource"));
      }
      JsonArray targets = panel.getJsonArray("targets", new JsonArray());
      if (targets.isEmpty()) {
        problems.add(title + ": no query");
      }
      for (int i = 0; i < targets.size(); i++) {
        JsonObject target = targets.getJsonObject(i);
        if (!DATASOURCE.equals(target.getJsonObject("datasource"))) {
          problems.add(title + ": query data source " + target.getValue("datasource"));
        }
        if (target.getString("expr", "").isBlank()) {
          problems.add(title + ": empty query " + target.getString("refId"));
        }
      }
    }
    assertThat(problems).isEmpty();
  }

  @Test
  void panelsWhenLaidOutThenUniqueAndOnTheGridWithoutOverlap() {
    Set<Integer> ids = new HashSet<>();
    Set<String> taken = new HashSet<>();
    List<String> problems = new ArrayList<>();
    for (JsonObject panel : OpsQueries.panels(dashboard)) {
      String title = panel.getString("title");
      if (!ids.add(panel.getInteger("id"))) {
        problems.add(title + ": id " + panel.getInteger("id") + " twice");
      }
      JsonObject grid = panel.getJsonObject("gridPos");
      int x = grid.getInteger("x");
      int y = grid.getInteger("y");
      int w = grid.getInteger("w");
      int h = grid.getInteger("h");
      if (x < 0 || w < 1 || x + w > 24 || h < 1) {
        problems.add(title + ": off the grid " + grid.encode());
      }
      for (int column = x; column < x + w; column++) {
        for (int line = y; line < y + h; line++) {
          if (!taken.add(column + ":" + line)) {
            problems.add(title + ": overlaps another panel at " + column + "," + line);
            line = y + h;
            column = x + w;
          }
        }
      }
    }
    assertThat(problems).isEmpty();
  }

  @Test
  void dashboardWhenReadThenShowsEveryPartOfTheService() {
    Set<String> metrics = new TreeSet<>();
    OpsQueries.ofDashboard().forEach(query -> metrics.addAll(query.metrics()));
    assertThat(metrics)
        .contains(
            "callgate_callouts_seconds_count",
            "callgate_callouts_seconds_bucket",
            "callgate_refreshes_total",
            "callgate_refresh_answers_total",
            "callgate_tokens",
            "callgate_refresh_token_expiry_seconds",
            "callgate_events_total",
            "callgate_webhook_deliveries_total",
            "callgate_webhook_pending",
            "callgate_ready",
            "jvm_memory_used_bytes",
            "jvm_gc_pause_seconds_sum",
            "callgate_inbound_connections",
            "vertx_pool_in_use");
  }
}
