package dev.callgate.app.ops;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What the checks of the dashboard and the alert rules take for the metrics a query names. */
class PromQlNamesTest {
  @Test
  void namesWhenQueryAggregatesAndFiltersThenOnlyTheSelectedMetricsCount() {
    assertThat(
            PromQlNames.of(
                "histogram_quantile(0.99, sum by (le, instance) (rate(callgate_callouts_seconds_bucket"
                    + "{job=~\"$job\", outcome!=\"relayed\", code=~\"a|b\"}[$__rate_interval])))"))
        .containsExactly("callgate_callouts_seconds_bucket");
  }

  @Test
  void namesWhenBinaryOperatorsJoinSelectorsThenEachSideCounts() {
    assertThat(
            PromQlNames.of(
                "sum by (job) (increase(x_total{outcome=~\"deferred|rejected\"}[10m])) > 0\n"
                    + "unless on (job) group_left sum without (instance) (y_count offset 5m) > 1e3"
                    + " and z / ignoring(code) w:recorded"))
        .containsExactly("w:recorded", "x_total", "y_count", "z");
  }

  @Test
  void namesWhenVariablesAndStringsLookLikeMetricsThenTheyDoNot() {
    assertThat(
            PromQlNames.of(
                "label_replace(up{job=\"callgate_ready\"}, \"dst\", \"$1\", \"src\", \"(.*)\")"
                    + " * on(instance) ${datasource_scale}"))
        .containsExactly("up");
  }
}
