package dev.callgate.app.http;

import dev.callgate.core.event.EventPage;
import dev.callgate.core.event.EventQuery;
import dev.callgate.core.event.RecordedEvent;
import dev.callgate.core.service.EventFeed;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;

/**
 * One live view of the events (Server-Sent Events): first the stored events after the view's
 * cursor, read page by page from the log, then those the instance's {@link LiveEvents} reader hands
 * on as they are recorded — each sent once, in id order, as {@code id}, {@code event} (the type's
 * wire name) and {@code data} ({@link EventJson}).
 *
 * <p>The view follows the live events before it reads the stored ones, so none recorded meanwhile
 * falls between the two; it sends an event only if its id is past the last one sent. Live events
 * wait in a bounded queue while the stored ones are read or while the client's connection is full:
 * a queue overflowing during the reading is dropped and the log read again (every event in it is
 * stored); overflowing while live, the client cannot keep up, and the view ends with a comment
 * saying so rather than holding more. A comment every {@code heartbeat} keeps proxies and idle
 * timeouts from closing a quiet view; the view ends when the client goes away.
 */
final class EventStream {
  /** How often a quiet view says it is alive, and how many live events a view may hold back. */
  record Settings(Duration heartbeat, int maxQueued) {
    static final Settings DEFAULTS = new Settings(Duration.ofSeconds(15), 1000);

    Settings {
      Objects.requireNonNull(heartbeat, "heartbeat");
      if (maxQueued < 1) {
        throw new IllegalArgumentException("a view holds at least one event back");
      }
    }
  }

  private final RoutingContext ctx;
  private final HttpServerResponse response;
  private final Context context;
  private final EventFeed feed;
  private final LiveEvents live;
  private final EventQuery query;
  private final Settings settings;

  // every field below is touched on the view's own context only
  private final ArrayDeque<RecordedEvent> queued = new ArrayDeque<>();
  private long lastSent;
  private boolean catchingUp = true;
  private boolean overflowedWhileReading;
  private boolean ended;
  private LiveEvents.Following following;
  private long heartbeatTimer = -1;

  EventStream(
      RoutingContext ctx, EventFeed feed, LiveEvents live, EventQuery query, Settings settings) {
    this.ctx = ctx;
    this.response = ctx.response();
    this.context = ctx.vertx().getOrCreateContext();
    this.feed = feed;
    this.live = live;
    this.query = query;
    this.settings = settings;
    this.lastSent = query.after();
  }

  void start() {
    response
        .setStatusCode(200)
        .setChunked(true)
        .putHeader("Content-Type", "text/event-stream; charset=utf-8")
        .putHeader("Cache-Control", "no-store")
        // a buffering proxy (nginx) would hold the events back
        .putHeader("X-Accel-Buffering", "no");
    response.closeHandler(v -> end());
    response.exceptionHandler(failure -> end());
    response.drainHandler(v -> flush());
    following = live.follow(batch -> context.runOnContext(v -> offer(batch)));
    heartbeatTimer =
        ctx.vertx()
            .setPeriodic(
                settings.heartbeat().toMillis(),
                id -> {
                  if (!ended) {
                    response.write(": heartbeat\n\n");
                  }
                });
    // the headers go out at once, so a client knows the view is open before any event
    response.write(": events after " + lastSent + "\n\n");
    readStored(lastSent);
  }

  /**
   * Reads the log from {@code after} until a page read after the last overflow comes back empty.
   */
  private void readStored(long after) {
    if (ended) {
      return;
    }
    overflowedWhileReading = false;
    EventQuery page =
        new EventQuery(after, query.credential(), query.user(), query.types(), query.limit());
    Future.fromCompletionStage(feed.read(page), context)
        .onSuccess(read -> stored(after, read))
        .onFailure(failure -> endWith("the event log cannot be read now; reconnect"));
  }

  private void stored(long after, EventPage page) {
    if (ended) {
      return;
    }
    page.events().forEach(this::send);
    if (page.next() > after) {
      continueWhenWritable(() -> readStored(page.next()));
    } else if (overflowedWhileReading) {
      readStored(page.next());
    } else {
      catchingUp = false;
      flush();
    }
  }

  /**
   * Runs {@code next} once the client's connection has room, so a slow client paces the reading.
   */
  private void continueWhenWritable(Runnable next) {
    if (response.writeQueueFull()) {
      response.drainHandler(
          v -> {
            response.drainHandler(d -> flush());
            next.run();
          });
    } else {
      next.run();
    }
  }

  private void offer(List<RecordedEvent> batch) {
    if (ended) {
      return;
    }
    for (RecordedEvent recorded : batch) {
      if (recorded.id() > lastSent && query.matches(recorded)) {
        queued.add(recorded);
      }
    }
    if (queued.size() > settings.maxQueued()) {
      if (catchingUp) {
        // every queued event is in the log: drop them and read the log on instead
        queued.clear();
        overflowedWhileReading = true;
        return;
      }
      endWith("this view fell more than " + settings.maxQueued() + " events behind; reconnect");
      return;
    }
    flush();
  }

  private void flush() {
    if (ended || catchingUp) {
      return;
    }
    while (!queued.isEmpty() && !response.writeQueueFull()) {
      send(queued.poll());
    }
  }

  private void send(RecordedEvent recorded) {
    if (recorded.id() <= lastSent) {
      return;
    }
    lastSent = recorded.id();
    response.write(
        "id: "
            + recorded.id()
            + "\nevent: "
            + recorded.event().type().wireName()
            + "\ndata: "
            + EventJson.of(recorded).encode()
            + "\n\n");
  }

  /** Ends the view with a last comment a person reading the stream can understand. */
  private void endWith(String reason) {
    if (ended) {
      return;
    }
    response.write(": " + reason + "\n\n");
    response.end();
    end();
  }

  private void end() {
    if (ended) {
      return;
    }
    ended = true;
    queued.clear();
    ctx.vertx().cancelTimer(heartbeatTimer);
    if (following != null) {
      following.close();
    }
    if (!response.ended()) {
      response.end();
    }
  }
}
