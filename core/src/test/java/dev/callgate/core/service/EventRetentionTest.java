package dev.callgate.core.service;

import static dev.callgate.core.service.ServiceFixture.join;
import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.core.event.Event;
import dev.callgate.core.event.EventType;
import dev.callgate.core.testkit.InMemoryEventLog;
import dev.callgate.core.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EventRetentionTest {
  private final ManualClock clock = new ManualClock();
  private final InMemoryEventLog log = new InMemoryEventLog();

  @Test
  void purgeExpiredWhenEventsOutliveTheRetentionThenOnlyThoseGo() {
    Instant now = clock.now();
    log.record(
        List.of(
            at(now.minus(Duration.ofDays(31))),
            at(now.minus(Duration.ofDays(30)).minusSeconds(1)),
            at(now.minus(Duration.ofDays(29))),
            at(now)));

    long purged = join(new EventRetention(log, clock, Duration.ofDays(30)).purgeExpired());

    assertThat(purged).isEqualTo(2);
    assertThat(log.all())
        .extracting(Event::time)
        .containsExactly(now.minus(Duration.ofDays(29)), now);
  }

  private static Event at(Instant time) {
    return new Event(
        EventType.TOKEN_REFRESHED,
        time,
        Optional.of("crm"),
        Optional.empty(),
        "instance-1",
        Optional.empty(),
        Optional.empty(),
        Map.of());
  }
}
