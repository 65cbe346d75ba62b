package dev.callgate.app.runtime;

import dev.callgate.core.port.ChangeFeed;
import dev.callgate.core.service.WebhookDispatch;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Runs {@link WebhookDispatch} rounds on the event loop, one at a time: every {@code interval}
 * (retries fall due with time alone), at once when events are appended, and again at once after a
 * round that sent something, so a backlog drains without waiting. After each round it reports how
 * many deliveries are pending. A failing round is logged once, and again only when it recovers or
 * fails differently.
 */
public final class WebhookDispatcher {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookDispatcher.class);

  private final Vertx vertx;
  private final Context context;
  private final WebhookDispatch dispatch;
  private final ChangeFeed changes;
  private final Supplier<CompletionStage<Long>> pending;
  private final LongConsumer pendingObserved;
  private final Duration interval;
  private boolean running;
  private boolean again;
  private boolean stopped;
  private long timer = -1;
  private final RecurringFailureLog failures =
      new RecurringFailureLog(LOG, Level.WARN, "sending webhooks", "webhooks.dispatch");
  private AutoCloseable subscription;

  public WebhookDispatcher(
      Vertx vertx,
      WebhookDispatch dispatch,
      ChangeFeed changes,
      Supplier<CompletionStage<Long>> pending,
      LongConsumer pendingObserved,
      Duration interval) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.dispatch = dispatch;
    this.changes = changes;
    this.pending = pending;
    this.pendingObserved = pendingObserved;
    this.interval = interval;
  }

  public void start() {
    context.runOnContext(
        v -> {
          subscription =
              changes.subscribe(
                  change -> {
                    if (change.mayBringEvents()) {
                      context.runOnContext(w -> wake());
                    }
                  });
          round();
        });
  }

  public void stop() {
    context.runOnContext(
        v -> {
          stopped = true;
          vertx.cancelTimer(timer);
          if (subscription != null) {
            try {
              subscription.close();
            } catch (Exception e) {
              // closing a subscription does not fail; nothing to do if it did
            }
          }
        });
  }

  private void wake() {
    if (running) {
      again = true;
    } else if (!stopped) {
      vertx.cancelTimer(timer);
      round();
    }
  }

  private void round() {
    running = true;
    again = false;
    dispatch
        .dispatch()
        .whenComplete(
            (round, failure) ->
                context.runOnContext(
                    v -> {
                      running = false;
                      if (stopped) {
                        // a round cut short by the store closing under it is no failure to report
                        return;
                      }
                      observePending();
                      if (failure != null) {
                        failures.failed(failure);
                      } else {
                        failures.recovered();
                      }
                      boolean busy = failure == null && round.attempts() > 0;
                      if (again || busy) {
                        round();
                      } else {
                        timer = vertx.setTimer(interval.toMillis(), id -> round());
                      }
                    }));
  }

  private void observePending() {
    pending
        .get()
        .whenComplete(
            (count, failure) -> {
              // a store that fails shows in the round's failure and in readiness
              if (failure == null) {
                pendingObserved.accept(count);
              }
            });
  }
}
