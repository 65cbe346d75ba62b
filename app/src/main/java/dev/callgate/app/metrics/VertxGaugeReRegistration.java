package dev.callgate.app.metrics;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;

/**
 * Keeps Micrometer from warning about Vert.x's own gauges at every start. Vert.x registers its
 * gauges (active requests, pool queues) again each time it needs one — by design, so that it always
 * updates the gauge its configuration's tags lead to — and Micrometer 1.13.9 and later warn at the
 * second registration ("This Gauge has been already registered … the registration will be
 * ignored"), which is harmless here (vert-x3/vertx-micrometer-metrics#259,
 * micrometer-metrics/micrometer#6931). Only those warnings about {@code vertx.*} meters are
 * dropped; one about any other meter, Callgate's own included, still shows. Micrometer logs through
 * SLF4J when it is present, so the filter sits in logback, ahead of every appender.
 */
public final class VertxGaugeReRegistration {
  private VertxGaugeReRegistration() {}

  /** Installs the filter once; later calls change nothing. */
  public static synchronized void quiet() {
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    if (!(factory instanceof LoggerContext context)) {
      // another SLF4J backend was chosen (an embedding application's): its configuration decides
      return;
    }
    if (context.getTurboFilterList().stream().anyMatch(f -> f instanceof VertxGauges)) {
      return;
    }
    VertxGauges filter = new VertxGauges();
    filter.setContext(context);
    filter.start();
    context.addTurboFilter(filter);
  }

  private static final class VertxGauges extends TurboFilter {
    @Override
    public FilterReply decide(
        Marker marker,
        ch.qos.logback.classic.Logger logger,
        Level level,
        String format,
        Object[] params,
        Throwable t) {
      boolean vertxGauge =
          format != null
              && format.startsWith("This Gauge has been already registered")
              && format.contains("name='vertx.");
      return vertxGauge ? FilterReply.DENY : FilterReply.NEUTRAL;
    }
  }
}
