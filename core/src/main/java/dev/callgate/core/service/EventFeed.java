package dev.callgate.core.service;

import static dev.callgate.core.diagnosis.DiagnosisCode.FORBIDDEN;
import static dev.callgate.core.diagnosis.DiagnosisCode.INVALID_VALUE;

import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.diagnosis.Validated;
import dev.callgate.core.event.EventPage;
import dev.callgate.core.event.EventQuery;
import dev.callgate.core.event.EventType;
import dev.callgate.core.port.EventLog;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Reading the {@link EventLog} for an admin: the request's filters checked and turned into an
 * {@link EventQuery} — types by their wire names, the cursor and the page size as decimal numbers —
 * and the page read. Only admins read events: they name every credential and user, and who did
 * what.
 */
public final class EventFeed {
  /** Events per page when the request names no limit. */
  public static final int DEFAULT_LIMIT = 100;

  /**
   * A request to read events, its values as the request carried them. {@code types}: wire names,
   * each value possibly a comma-separated list; {@code after}: the cursor of a previous page;
   * {@code lastEventId}: the id a live view last received, which takes the place of {@code after}
   * when a view reconnects.
   */
  public record ReadEvents(
      Caller caller,
      Optional<String> credential,
      Optional<String> user,
      List<String> types,
      Optional<String> after,
      Optional<String> lastEventId,
      Optional<String> limit) {
    public ReadEvents {
      Objects.requireNonNull(caller, "caller");
      Objects.requireNonNull(credential, "credential");
      Objects.requireNonNull(user, "user");
      types = List.copyOf(types);
      Objects.requireNonNull(after, "after");
      Objects.requireNonNull(lastEventId, "lastEventId");
      Objects.requireNonNull(limit, "limit");
    }
  }

  /** A page of events, or why none can be read. */
  public sealed interface EventsOutcome {
    <R> R fold(Function<EventPage, R> read, Function<List<Diagnosis>, R> rejected);

    record Read(EventPage page) implements EventsOutcome {
      public Read {
        Objects.requireNonNull(page, "page");
      }

      @Override
      public <R> R fold(Function<EventPage, R> read, Function<List<Diagnosis>, R> rejected) {
        return read.apply(page);
      }
    }

    record Rejected(List<Diagnosis> problems) implements EventsOutcome {
      public Rejected {
        problems = List.copyOf(problems);
        if (problems.isEmpty()) {
          throw new IllegalArgumentException("a rejection has at least one problem");
        }
      }

      @Override
      public <R> R fold(Function<EventPage, R> read, Function<List<Diagnosis>, R> rejected) {
        return rejected.apply(problems);
      }
    }
  }

  private final EventLog log;

  public EventFeed(EventLog log) {
    this.log = log;
  }

  /** The page {@code command} asks for, if its caller may read events and its values are valid. */
  public CompletionStage<EventsOutcome> read(ReadEvents command) {
    return query(command)
        .fold(
            query ->
                log.read(query).thenApply(page -> (EventsOutcome) new EventsOutcome.Read(page)),
            problems ->
                CompletableFuture.completedStage(
                    (EventsOutcome) new EventsOutcome.Rejected(problems)));
  }

  /** The page {@code query} selects; for a live view that has checked its request already. */
  public CompletionStage<EventPage> read(EventQuery query) {
    return log.read(query);
  }

  /**
   * The query {@code command} means, or every problem with it: a caller that is not an admin, an
   * unknown type, a cursor or limit that is not a number in range.
   */
  public Validated<EventQuery> query(ReadEvents command) {
    if (!command.caller().isAdmin()) {
      return Validated.invalid(
          List.of(
              Diagnosis.of(
                  FORBIDDEN,
                  "subject",
                  command.caller().subject(),
                  "action",
                  "read events",
                  "role",
                  "admin")));
    }
    List<Diagnosis> problems = new ArrayList<>();
    Set<EventType> types = types(command.types(), problems);
    Optional<String> resumeFrom = command.lastEventId().or(command::after);
    String cursorField = command.lastEventId().isPresent() ? "Last-Event-ID" : "after";
    long after =
        resumeFrom.map(value -> number(cursorField, value, 0, Long.MAX_VALUE, problems)).orElse(0L);
    int limit =
        command
            .limit()
            .map(value -> (int) number("limit", value, 1, EventQuery.MAX_LIMIT, problems))
            .orElse(DEFAULT_LIMIT);
    Optional<String> credential = nonEmpty("credential", command.credential(), problems);
    Optional<String> user = nonEmpty("user", command.user(), problems);
    if (!problems.isEmpty()) {
      return Validated.invalid(problems);
    }
    return Validated.valid(new EventQuery(after, credential, user, types, limit));
  }

  private static Set<EventType> types(List<String> values, List<Diagnosis> problems) {
    Set<EventType> types = EnumSet.noneOf(EventType.class);
    for (String value : values) {
      for (String name : value.split(",", -1)) {
        String wireName = name.trim();
        Optional<EventType> type = EventType.fromWireName(wireName);
        if (type.isPresent()) {
          types.add(type.get());
        } else {
          problems.add(
              Diagnosis.of(
                  INVALID_VALUE,
                  "field",
                  "type",
                  "problem",
                  wireName.isEmpty()
                      ? "a type is empty"
                      : "'" + shown(wireName) + "' is not an event type (e.g. grant.lost)"));
        }
      }
    }
    return types;
  }

  private static long number(
      String field, String value, long min, long max, List<Diagnosis> problems) {
    String problem = "'" + shown(value) + "' is not a whole number from " + min + " to " + max;
    if (value.isEmpty() || value.length() > 19 || !value.chars().allMatch(Character::isDigit)) {
      problems.add(Diagnosis.of(INVALID_VALUE, "field", field, "problem", problem));
      return min;
    }
    try {
      long number = Long.parseLong(value);
      if (number >= min && number <= max) {
        return number;
      }
    } catch (NumberFormatException e) {
      // beyond a long: out of range like any other
    }
    problems.add(Diagnosis.of(INVALID_VALUE, "field", field, "problem", problem));
    return min;
  }

  private static Optional<String> nonEmpty(
      String field, Optional<String> value, List<Diagnosis> problems) {
    if (value.isPresent() && value.get().isEmpty()) {
      problems.add(Diagnosis.of(INVALID_VALUE, "field", field, "problem", "it is empty"));
      return Optional.empty();
    }
    return value;
  }

  /** A value as a diagnosis may repeat it: bounded, so a long request makes no long answer. */
  private static String shown(String value) {
    return value.length() > 64 ? value.substring(0, 64) + "…" : value;
  }
}
