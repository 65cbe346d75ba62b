package dev.callgate.core.callout;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * HTTP header fields in order, names compared case-insensitively (RFC 9110 §5.1). Immutable; the
 * {@code with…}/{@code without…} methods return new values.
 */
public record Headers(List<Header> fields) {

  /** One header field line. */
  public record Header(String name, String value) {
    public Header {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(value, "value");
    }

    public boolean is(String other) {
      return name.equalsIgnoreCase(other);
    }

    @Override
    public String toString() {
      // header values may carry credentials; print names only
      return name + ": …";
    }
  }

  public static final Headers EMPTY = new Headers(List.of());

  public Headers {
    fields = List.copyOf(fields);
  }

  public static Headers of(String... namesAndValues) {
    if (namesAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("headers come in name/value pairs");
    }
    List<Header> list = new ArrayList<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      list.add(new Header(namesAndValues[i], namesAndValues[i + 1]));
    }
    return new Headers(list);
  }

  // plain loops: these run for every field of every callout, where a stream costs more than the
  // search

  public Optional<String> first(String name) {
    for (Header header : fields) {
      if (header.is(name)) {
        return Optional.of(header.value());
      }
    }
    return Optional.empty();
  }

  public List<String> all(String name) {
    List<String> values = List.of();
    for (Header header : fields) {
      if (header.is(name)) {
        if (values.isEmpty()) {
          values = new ArrayList<>(1);
        }
        values.add(header.value());
      }
    }
    return values.isEmpty() ? values : List.copyOf(values);
  }

  public boolean contains(String name) {
    for (Header header : fields) {
      if (header.is(name)) {
        return true;
      }
    }
    return false;
  }

  public Headers with(String name, String value) {
    List<Header> list = new ArrayList<>(fields);
    list.add(new Header(name, value));
    return new Headers(list);
  }

  /** Replaces every field of that name with one. */
  public Headers withOnly(String name, String value) {
    return without(name).with(name, value);
  }

  public Headers without(String name) {
    return filter(h -> !h.is(name));
  }

  public Headers filter(Predicate<Header> keep) {
    List<Header> kept = new ArrayList<>(fields.size());
    for (Header header : fields) {
      if (keep.test(header)) {
        kept.add(header);
      }
    }
    return kept.size() == fields.size() ? this : new Headers(kept);
  }

  /** Lower-cased names, for set comparisons. */
  public static String normalize(String name) {
    return name.toLowerCase(Locale.ROOT);
  }
}
