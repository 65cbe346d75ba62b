package dev.callgate.app.metrics;

import java.util.logging.Filter;
import java.util.logging.Logger;

/**
 * Keeps Micrometer from warning about Vert.x's own gauges at every start. Vert.x registers its
 * gauges (active requests, pool queues) again each time it needs one — by design, so that it always
 * updates the gauge its configuration's tags lead to — and Micrometer 1.13.9 and later warn at the
 * second registration ("This Gauge has been already registered … the registration will be
 * ignored"), which is harmless here (vert-x3/vertx-micrometer-metrics#259,
 * micrometer-metrics/micrometer#6931). Only those warnings about {@code vertx.*} meters are
 * dropped; one about any other meter, Callgate's own included, still shows.
 */
public final class VertxGaugeReRegistration {
  /** Micrometer's logger for meter registration, kept: JUL holds its loggers weakly. */
  private static final Logger MICROMETER =
      Logger.getLogger("io.micrometer.core.instrument.MeterRegistry");

  private VertxGaugeReRegistration() {}

  /** Installs the filter once; later calls change nothing. */
  public static synchronized void quiet() {
    Filter existing = MICROMETER.getFilter();
    if (existing instanceof VertxGauges) {
      return;
    }
    MICROMETER.setFilter(new VertxGauges(existing));
  }

  private record VertxGauges(Filter next) implements Filter {
    @Override
    public boolean isLoggable(java.util.logging.LogRecord record) {
      String message = record.getMessage();
      boolean vertxGauge =
          message != null
              && message.startsWith("This Gauge has been already registered")
              && message.contains("name='vertx.");
      return !vertxGauge && (next == null || next.isLoggable(record));
    }
  }
}
