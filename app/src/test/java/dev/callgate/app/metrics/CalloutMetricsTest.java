package dev.callgate.app.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.core.callout.Body;
import dev.callgate.core.callout.CalloutResponse;
import dev.callgate.core.callout.Headers;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.diagnosis.DiagnosisCode;
import dev.callgate.core.service.CalloutResult;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * {@code callgate_callouts}: one series per credential, outcome, diagnosis code and status class,
 * with the histogram buckets the dashboards read, counting every callout recorded from any number
 * of event-loop threads at once.
 */
class CalloutMetricsTest {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final CallgateMetrics metrics = new CallgateMetrics(registry);

  private static CalloutResult relayed(int status) {
    return new CalloutResult.Relayed(new CalloutResponse(status, Headers.EMPTY, Body.EMPTY), false);
  }

  private static CalloutResult refused(DiagnosisCode code, Object... facts) {
    return new CalloutResult.Refused(Diagnosis.of(code, facts));
  }

  private Timer timer(String credential, String outcome, String code, String status) {
    return registry
        .get("callgate_callouts")
        .tags("credential", credential, "outcome", outcome, "code", code, "status", status)
        .timer();
  }

  @Test
  void calloutWhenRecordedFromManyThreadsAtOnceThenEachSeriesCountsEveryCallout() throws Exception {
    int threads = 8;
    int each = 2_000;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> done = new ArrayList<>();
    try {
      for (int t = 0; t < threads; t++) {
        done.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < each; i++) {
                    metrics.callout("crm", relayed(200 + i % 2), Duration.ofMillis(3));
                    metrics.callout("crm", relayed(503), Duration.ofMillis(30));
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(timer("crm", "relayed", "none", "2xx").count()).isEqualTo(threads * each);
    assertThat(timer("crm", "relayed", "none", "5xx").count()).isEqualTo(threads * each);
    assertThat(registry.find("callgate_callouts").timers()).hasSize(2);
  }

  @Test
  void calloutWhenCredentialDoesNotExistThenLabelledOtherWhateverTheName() {
    metrics.callout(
        "made-up-1",
        refused(DiagnosisCode.CREDENTIAL_NOT_FOUND, "credential", "made-up-1"),
        Duration.ZERO);
    metrics.callout(
        "made-up-2",
        refused(DiagnosisCode.CREDENTIAL_NOT_FOUND, "credential", "made-up-2"),
        Duration.ZERO);
    metrics.callout(
        "crm",
        refused(
            DiagnosisCode.METHOD_NOT_ALLOWED,
            "method",
            "PUT",
            "credential",
            "crm",
            "allowed",
            "GET"),
        Duration.ZERO);

    assertThat(timer("other", "refused", "CREDENTIAL_NOT_FOUND", "none").count()).isEqualTo(2);
    assertThat(timer("crm", "refused", "METHOD_NOT_ALLOWED", "none").count()).isEqualTo(1);
    assertThat(registry.find("callgate_callouts").timers()).hasSize(2);
  }

  @Test
  void scrapeWhenCalloutsRecordedThenHistogramHasTheDashboardsBuckets() {
    metrics.callout("crm", relayed(204), Duration.ofMillis(7));

    String scrape = registry.scrape();

    assertThat(scrape)
        .contains(
            "callgate_callouts_seconds_bucket{code=\"none\",credential=\"crm\","
                + "outcome=\"relayed\",status=\"2xx\",le=\"0.01\"} 1")
        .contains(
            "callgate_callouts_seconds_bucket{code=\"none\",credential=\"crm\","
                + "outcome=\"relayed\",status=\"2xx\",le=\"0.005\"} 0")
        .contains("le=\"30.0\"");
  }
}
