package dev.callgate.app.runtime;

import dev.callgate.core.service.DeviceAuthorizations;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Polls the device authorizations that are due about every interval, one round at a time: a round
 * still running when the next is due is not overlapped. Each authorization's own interval decides
 * when the provider is asked again; this only looks for those whose time has come.
 */
public final class DevicePollScheduler {
  private static final Logger LOG = LoggerFactory.getLogger(DevicePollScheduler.class);

  private final Vertx vertx;
  private final DeviceAuthorizations devices;
  private final Duration interval;
  private final AtomicBoolean polling = new AtomicBoolean();
  private final RecurringFailureLog failures =
      new RecurringFailureLog(
          LOG, Level.ERROR, "polling device authorizations", "device-authorization.poll");
  private volatile long timerId = -1;

  public DevicePollScheduler(Vertx vertx, DeviceAuthorizations devices, Duration interval) {
    this.vertx = vertx;
    this.devices = devices;
    this.interval = interval;
  }

  public void start() {
    timerId = vertx.setPeriodic(interval.toMillis(), id -> round());
  }

  public void stop() {
    vertx.cancelTimer(timerId);
  }

  private void round() {
    if (!polling.compareAndSet(false, true)) {
      return;
    }
    devices
        .pollDue()
        .whenComplete(
            (polled, failure) -> {
              polling.set(false);
              if (failure != null) {
                failures.failed(failure);
              } else {
                failures.recovered();
              }
            });
  }
}
