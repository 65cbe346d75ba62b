package dev.callgate.core.credential;

import static dev.callgate.core.diagnosis.DiagnosisCode.INVALID_NAME;
import static dev.callgate.core.diagnosis.DiagnosisCode.INVALID_URL;

import dev.callgate.core.diagnosis.Diagnosis;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/** The value rules that credentials and providers share, each yielding a diagnosis on failure. */
final class Checks {
  /** Names go into URL paths unescaped, so no dots (no '..'), slashes or spaces. */
  static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_-]{0,63}");

  private static final Pattern USER_INFO = Pattern.compile("//[^/?#]*@");

  static final String NAME_RULE =
      "a letter, then up to 63 letters, digits, '_' or '-' (no dots, slashes or spaces)";

  private Checks() {}

  static void name(String field, String value, List<Diagnosis> problems) {
    if (value == null || !NAME.matcher(value).matches()) {
      problems.add(
          Diagnosis.of(
              INVALID_NAME, "field", field, "value", String.valueOf(value), "rule", NAME_RULE));
    }
  }

  /** An absolute http(s) URL with a host, no user info and no fragment. */
  static Optional<URI> httpUrl(String field, String value, List<Diagnosis> problems) {
    if (value == null || value.isBlank()) {
      problems.add(invalidUrl(field, String.valueOf(value), "it is missing"));
      return Optional.empty();
    }
    URI uri;
    try {
      uri = new URI(value);
    } catch (URISyntaxException e) {
      problems.add(invalidUrl(field, value, e.getReason()));
      return Optional.empty();
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      problems.add(invalidUrl(field, value, "the scheme must be http or https"));
    } else if (uri.getHost() == null || uri.getHost().isEmpty()) {
      problems.add(invalidUrl(field, value, "it has no host"));
    } else if (uri.getPort() > 65535 || uri.getPort() == 0) {
      problems.add(invalidUrl(field, value, "the port must be between 1 and 65535"));
    } else if (uri.getRawUserInfo() != null) {
      problems.add(invalidUrl(field, value, "credentials in the URL are not allowed"));
    } else if (uri.getRawFragment() != null) {
      problems.add(invalidUrl(field, value, "a fragment is not allowed"));
    } else {
      return Optional.of(uri);
    }
    return Optional.empty();
  }

  private static Diagnosis invalidUrl(String field, String value, String reason) {
    return Diagnosis.of(
        INVALID_URL, "field", field, "value", withoutUserInfo(value), "reason", reason);
  }

  /** User info may hold a password, and a diagnosis is shown and logged: repeat the URL without. */
  private static String withoutUserInfo(String value) {
    return USER_INFO.matcher(value).replaceFirst("//***@");
  }
}
