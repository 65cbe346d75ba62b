package dev.callgate.app.runtime;

import dev.callgate.core.port.Clock;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletionStage;

/** The system clock, with delays on Vert.x timers (no thread waits). */
public final class VertxClock implements Clock {
  private final Vertx vertx;

  public VertxClock(Vertx vertx) {
    this.vertx = vertx;
  }

  @Override
  public Instant now() {
    return Instant.now();
  }

  @Override
  public CompletionStage<Void> delay(Duration delay) {
    Promise<Void> done = Promise.promise();
    long millis = Math.max(1, delay.toMillis());
    vertx.setTimer(millis, id -> done.complete());
    return done.future().toCompletionStage();
  }
}
