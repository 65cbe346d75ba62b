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

  public Optional<String> first(String name) {
    return fields.stream().filter(h -> h.is(name)).map(Header::value).findFirst();
  }

  public List<String> all(String name) {
    return fields.stream().filter(h -> h.is(name)).map(Header::value).toList();
  }

  public boolean contains(String name) {
    return fields.stream().anyMatch(h -> h.is(name));
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
    return new Headers(fields.stream().filter(keep).toList());
  }

  /** Lower-cased names, for set comparisons. */
  public static String normalize(String name) {
    return name.toLowerCase(Locale.ROOT);
  }
}
