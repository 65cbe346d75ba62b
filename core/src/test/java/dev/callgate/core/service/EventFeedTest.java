package dev.callgate.core.service;

import static dev.callgate.core.service.ServiceFixture.join;
import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.diagnosis.DiagnosisCode;
import dev.callgate.core.event.Event;
import dev.callgate.core.event.EventPage;
import dev.callgate.core.event.EventQuery;
import dev.callgate.core.event.EventType;
import dev.callgate.core.event.RecordedEvent;
import dev.callgate.core.service.EventFeed.ReadEvents;
import dev.callgate.core.testkit.InMemoryEventLog;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EventFeedTest {
  private static final Caller ADMIN = Caller.admin("root");

  private final InMemoryEventLog log = new InMemoryEventLog();
  private final EventFeed feed = new EventFeed(log);

  @Test
  void readWhenPagedThenEachPageContinuesAtTheCursorOfTheLast() {
    for (int i = 0; i < 5; i++) {
      log.record(List.of(event(EventType.TOKEN_REFRESHED, "crm", "")));
    }
    EventPage first = page(request(List.of(), Optional.empty(), Optional.of("2")));
    EventPage second =
        page(request(List.of(), Optional.of(Long.toString(first.next())), Optional.of("2")));
    EventPage rest =
        page(request(List.of(), Optional.of(Long.toString(second.next())), Optional.empty()));

    assertThat(first.events()).extracting(RecordedEvent::id).containsExactly(1L, 2L);
    assertThat(second.events()).extracting(RecordedEvent::id).containsExactly(3L, 4L);
    assertThat(rest.events()).extracting(RecordedEvent::id).containsExactly(5L);
    assertThat(page(request(List.of(), Optional.of("5"), Optional.empty())).next()).isEqualTo(5);
  }

  @Test
  void queryWhenTypesAreRepeatedOrCommaSeparatedThenAllCountAndFiltersApply() {
    EventQuery query =
        valid(
            new ReadEvents(
                ADMIN,
                Optional.of("crm"),
                Optional.of("alice"),
                List.of("grant.lost, grant.recovered", "audit.key.created"),
                Optional.of("7"),
                Optional.empty(),
                Optional.of("500")));

    assertThat(query)
        .isEqualTo(
            new EventQuery(
                7,
                Optional.of("crm"),
                Optional.of("alice"),
                Set.of(
                    EventType.GRANT_LOST, EventType.GRANT_RECOVERED, EventType.AUDIT_KEY_CREATED),
                500));
    assertThat(valid(request(List.of(), Optional.empty(), Optional.empty())))
        .isEqualTo(EventQuery.after(0, EventFeed.DEFAULT_LIMIT));
  }

  @Test
  void queryWhenLastEventIdIsSentThenItTakesThePlaceOfAfter() {
    EventQuery query =
        valid(
            new ReadEvents(
                ADMIN,
                Optional.empty(),
                Optional.empty(),
                List.of(),
                Optional.of("3"),
                Optional.of("42"),
                Optional.empty()));

    assertThat(query.after()).isEqualTo(42);
  }

  @Test
  void queryWhenValuesAreBadThenEveryProblemIsAnInvalidValue() {
    List<Diagnosis> problems =
        invalid(
            new ReadEvents(
                ADMIN,
                Optional.of(""),
                Optional.empty(),
                List.of("grant.lost,grant.found", ""),
                Optional.of("-1"),
                Optional.empty(),
                Optional.of("501")));

    assertThat(problems).extracting(Diagnosis::code).containsOnly(DiagnosisCode.INVALID_VALUE);
    assertThat(problems)
        .extracting(Diagnosis::message)
        .anySatisfy(m -> assertThat(m).contains("'grant.found' is not an event type"))
        .anySatisfy(m -> assertThat(m).contains("a type is empty"))
        .anySatisfy(m -> assertThat(m).startsWith("after is invalid"))
        .anySatisfy(m -> assertThat(m).startsWith("limit is invalid"))
        .anySatisfy(m -> assertThat(m).startsWith("credential is invalid"));
    assertThat(invalid(request(List.of(), Optional.of("99999999999999999999"), Optional.of("0"))))
        .hasSize(2);
    assertThat(invalid(request(List.of(), Optional.of("1e3"), Optional.of("ten")))).hasSize(2);
  }

  @Test
  void readWhenTheCallerIsNoAdminThenForbiddenAndNothingRead() {
    ReadEvents byCaller =
        new ReadEvents(
            Caller.caller("app"),
            Optional.empty(),
            Optional.empty(),
            List.of(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty());

    List<Diagnosis> problems = join(feed.read(byCaller)).fold(page -> List.of(), p -> p);

    assertThat(problems).extracting(Diagnosis::code).containsExactly(DiagnosisCode.FORBIDDEN);
  }

  private static ReadEvents request(
      List<String> types, Optional<String> after, Optional<String> limit) {
    return new ReadEvents(
        ADMIN, Optional.empty(), Optional.empty(), types, after, Optional.empty(), limit);
  }

  private EventPage page(ReadEvents request) {
    return join(feed.read(request))
        .fold(
            page -> page,
            problems -> {
              throw new AssertionError("rejected: " + problems);
            });
  }

  private EventQuery valid(ReadEvents request) {
    return feed.query(request)
        .fold(
            q -> q,
            problems -> {
              throw new AssertionError("invalid: " + problems);
            });
  }

  private List<Diagnosis> invalid(ReadEvents request) {
    return feed.query(request).fold(q -> List.of(), problems -> problems);
  }

  static Event event(EventType type, String credential, String user) {
    return new Event(
        type,
        Instant.parse("2026-01-01T00:00:00Z"),
        Optional.of(credential),
        user.isEmpty() ? Optional.empty() : Optional.of(user),
        "instance-1",
        Optional.empty(),
        Optional.empty(),
        Map.of());
  }
}
