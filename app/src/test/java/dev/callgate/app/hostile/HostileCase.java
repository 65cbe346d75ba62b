package dev.callgate.app.hostile;

import dev.callgate.app.hostile.RawClient.Ending;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * One hostile request of a category: its bytes (in parts, with a pause between them, so that
 * Callgate acts on a head before the rest arrives or never does; made when the case runs, for a
 * case that needs something fresh), how the client ends the exchange, how long it waits for an
 * answer, and what Callgate must do.
 */
record HostileCase(
    String category,
    String name,
    String tag,
    Supplier<List<byte[]>> parts,
    Duration pause,
    Ending ending,
    Duration timeout,
    boolean head,
    Expectation expectation) {

  /** Callgate answers in milliseconds; this long without a whole answer is a hang. */
  static final Duration READ_TIMEOUT = Duration.ofSeconds(2);

  static HostileCase of(
      String category, String name, String tag, RawRequest request, Expectation expectation) {
    return of(category, name, tag, List.of(request.bytes()), request.isHead(), expectation);
  }

  static HostileCase of(
      String category,
      String name,
      String tag,
      List<byte[]> parts,
      boolean head,
      Expectation expectation) {
    return new HostileCase(
        category,
        name,
        tag,
        () -> parts,
        Duration.ZERO,
        Ending.READ_ANSWER,
        READ_TIMEOUT,
        head,
        expectation);
  }

  /** The same request sent as {@code parts}, {@code pause} apart, then ended by {@code ending}. */
  HostileCase sentAs(List<byte[]> parts, Duration pause, Ending ending) {
    return new HostileCase(
        category, name, tag, () -> parts, pause, ending, timeout, head, expectation);
  }

  /** Bytes made only when the case runs. */
  HostileCase madeWhenRun(Supplier<byte[]> bytes) {
    Supplier<List<byte[]>> once =
        new Supplier<>() {
          private List<byte[]> made;

          @Override
          public synchronized List<byte[]> get() {
            if (made == null) {
              made = List.of(bytes.get());
            }
            return made;
          }
        };
    return new HostileCase(category, name, tag, once, pause, ending, timeout, head, expectation);
  }

  HostileCase within(Duration timeout) {
    return new HostileCase(category, name, tag, parts, pause, ending, timeout, head, expectation);
  }

  byte[] allBytes() {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    parts.get().forEach(all::writeBytes);
    return all.toByteArray();
  }

  @Override
  public String toString() {
    return tag + " " + name;
  }
}
