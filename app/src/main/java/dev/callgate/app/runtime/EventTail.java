package dev.callgate.app.runtime;

import dev.callgate.app.http.LiveEvents;
import dev.callgate.core.event.EventPage;
import dev.callgate.core.event.EventQuery;
import dev.callgate.core.event.RecordedEvent;
import dev.callgate.core.port.ChangeFeed;
import dev.callgate.core.port.EventLog;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The instance's one reader of the event log: it reads what was appended after its cursor whenever
 * the store's {@link ChangeFeed} announces a change, and on a timer besides — often while the feed
 * is not listening, rarely while it is, so an append the feed did not announce still shows soon.
 * Each batch goes to every live view following ({@link LiveEvents}), and each event this instance
 * recorded to {@code ownEvents} (its log line and counter), so that in a cluster every event is
 * logged once, by the instance that recorded it.
 *
 * <p>At start the reader moves to the end of the log without handing anything to {@code ownEvents}:
 * what was recorded before this start was this instance's predecessor's to log. All reading runs on
 * one Vert.x context, one read at a time; a wake during a read makes one more read after it.
 */
public final class EventTail implements LiveEvents {
  /** Events one read takes at most. */
  static final int PAGE = EventQuery.MAX_LIMIT;

  private static final Logger LOG = LoggerFactory.getLogger(EventTail.class);

  /**
   * How long to wait for news before reading anyway: {@code whileListening} while the change feed
   * hears changes (a fallback), {@code whileDeaf} while it does not (the only way to learn).
   */
  public record Settings(Duration whileListening, Duration whileDeaf) {
    public Settings {
      Objects.requireNonNull(whileListening, "whileListening");
      Objects.requireNonNull(whileDeaf, "whileDeaf");
      if (whileListening.isNegative()
          || whileListening.isZero()
          || whileDeaf.isNegative()
          || whileDeaf.isZero()) {
        throw new IllegalArgumentException("the reading intervals must be positive");
      }
    }
  }

  private final Vertx vertx;
  private final Context context;
  private final EventLog log;
  private final ChangeFeed changes;
  private final String instance;
  private final Consumer<RecordedEvent> ownEvents;
  private final Settings settings;
  private final List<Consumer<List<RecordedEvent>>> followers = new CopyOnWriteArrayList<>();

  // touched on the tail's context only
  private long cursor;
  private boolean reachedEnd;
  private boolean reading;
  private boolean readAgain;
  private boolean stopped;
  private long timer = -1;
  private final RecurringFailureLog failures =
      new RecurringFailureLog(LOG, Level.WARN, "reading the event log", "events.read");
  private AutoCloseable subscription;

  public EventTail(
      Vertx vertx,
      EventLog log,
      ChangeFeed changes,
      String instance,
      Consumer<RecordedEvent> ownEvents,
      Settings settings) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.log = log;
    this.changes = changes;
    this.instance = instance;
    this.ownEvents = ownEvents;
    this.settings = settings;
  }

  /** Starts reading; the future completes once the reader stands at the end of the log. */
  public Future<Void> start() {
    Promise<Void> atTheEnd = Promise.promise();
    context.runOnContext(
        v -> {
          subscription =
              changes.subscribe(
                  change -> {
                    if (change.mayBringEvents()) {
                      wake();
                    }
                  });
          skipToTheEnd(atTheEnd);
        });
    return atTheEnd.future();
  }

  /**
   * Moves the cursor to the newest event in one read: a page of a filter no event matches (no
   * credential has an empty name) is empty, and its cursor is the newest id the log looked at, so
   * every event after it was recorded after this start and is handed on. A log that cannot be read
   * now is read from its start, handing nothing to {@code ownEvents} until the reading finds no
   * more, so what a predecessor recorded is not logged again.
   */
  private void skipToTheEnd(Promise<Void> atTheEnd) {
    EventQuery nothing = new EventQuery(0, Optional.of(""), Optional.empty(), Set.of(), 1);
    Future.fromCompletionStage(log.read(nothing), context)
        .onComplete(
            result -> {
              if (result.succeeded()) {
                cursor = Math.max(cursor, result.result().next());
                // the cursor is the end: whatever follows it was recorded after this start
                reachedEnd = true;
              }
              atTheEnd.complete();
              read();
            });
  }

  public void stop() {
    context.runOnContext(
        v -> {
          stopped = true;
          vertx.cancelTimer(timer);
          followers.clear();
          if (subscription != null) {
            try {
              subscription.close();
            } catch (Exception e) {
              // closing a subscription does not fail; nothing to do if it did
            }
          }
        });
  }

  /** Reads the log soon (from any thread). */
  public void wake() {
    context.runOnContext(v -> read());
  }

  /** How many live views follow now. */
  public int followers() {
    return followers.size();
  }

  @Override
  public Following follow(Consumer<List<RecordedEvent>> batches) {
    // a distinct object per follower, so one view following twice is two followers
    Consumer<List<RecordedEvent>> follower = batches::accept;
    followers.add(follower);
    return () -> followers.remove(follower);
  }

  private void read() {
    if (stopped) {
      return;
    }
    if (reading) {
      readAgain = true;
      return;
    }
    reading = true;
    readAgain = false;
    vertx.cancelTimer(timer);
    long after = cursor;
    Future.fromCompletionStage(log.read(EventQuery.after(after, PAGE)), context)
        .onComplete(
            result -> {
              reading = false;
              if (result.succeeded()) {
                failures.recovered();
                if (handOn(after, result.result())) {
                  readAgain = true;
                }
              } else {
                failures.failed(result.cause());
              }
              if (readAgain && result.succeeded()) {
                read();
              } else {
                schedule();
              }
            });
  }

  /** Hands the page on; true when there may be more to read at once. */
  private boolean handOn(long after, EventPage page) {
    if (stopped) {
      return false;
    }
    cursor = Math.max(cursor, page.next());
    if (!page.events().isEmpty()) {
      if (reachedEnd) {
        for (RecordedEvent recorded : page.events()) {
          if (recorded.event().instance().equals(instance)) {
            ownEvents.accept(recorded);
          }
        }
      }
      for (Consumer<List<RecordedEvent>> follower : followers) {
        follower.accept(page.events());
      }
    }
    if (page.next() > after) {
      return true;
    }
    reachedEnd = true;
    return false;
  }

  private void schedule() {
    if (stopped) {
      return;
    }
    Duration wait = changes.listening() ? settings.whileListening() : settings.whileDeaf();
    timer = vertx.setTimer(Math.max(1, wait.toMillis()), id -> read());
  }
}
