package dev.callgate.core.credential;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a caller's subject may be, wherever one is written: a key's subject, a name in a
 * credential's {@code allowedCallers}, the user a request names for a per-user token. 1 to 128
 * letters, digits and {@code . _ - @ : +}, starting with a letter or digit — so a subject never
 * carries a line break, a NUL or markup into audit, logs, pages or the store, and a name that no
 * key can have is refused where it is written instead of matching nobody.
 */
public final class SubjectRule {
  /** The longest subject, in characters. */
  public static final int MAX_LENGTH = 128;

  private static final Pattern SUBJECT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@:+-]*");

  private SubjectRule() {}

  /** Why {@code subject} is not a subject; empty when it is one. */
  public static Optional<String> problem(String subject) {
    if (subject == null || subject.isEmpty()) {
      return Optional.of("it is missing");
    }
    if (subject.length() > MAX_LENGTH) {
      return Optional.of("it has " + subject.length() + " characters, more than " + MAX_LENGTH);
    }
    if (!SUBJECT.matcher(subject).matches()) {
      return Optional.of(
          "it may hold only letters, digits and . _ - @ : +, starting with a letter or digit");
    }
    return Optional.empty();
  }
}
