package dev.callgate.core.credential;

import static dev.callgate.core.diagnosis.DiagnosisCode.RETURN_URL_NOT_ALLOWED;

import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.diagnosis.Validated;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Where a browser may be sent once it has authorized a credential, so that a link cannot turn
 * Callgate into an open redirect: a return URL is allowed when its scheme, host and port equal
 * those of an entry of the credential's {@code allowedReturnUrls} and its path lies at or below the
 * entry's path (a whole segment: {@code /app} allows {@code /app/done}, not {@code /application}).
 * Where the console asks, a path of Callgate's own beginning with {@value #CONSOLE_PATH} is allowed
 * too. Dot segments, backslashes, white space and control characters are refused outright, since
 * browsers and servers read them differently.
 */
public final class ReturnUrlRule {
  /** The console's own pages: a same-origin path below this is always a safe place to return. */
  public static final String CONSOLE_PATH = "/console/";

  /** How long a return URL may be: a browser's Location, not a document. */
  static final int MAX_LENGTH = 2048;

  /** How many entries a credential may list. */
  static final int MAX_ENTRIES = 20;

  private ReturnUrlRule() {}

  /**
   * {@code returnUrl} as allowed for {@code credential}, or {@code RETURN_URL_NOT_ALLOWED} saying
   * why; {@code consolePathAllowed} admits a {@value #CONSOLE_PATH} path besides the allow-list.
   */
  public static Validated<URI> check(
      NamedCredential credential, String returnUrl, boolean consolePathAllowed) {
    Optional<String> malformed = malformed(returnUrl);
    if (malformed.isPresent()) {
      return refused(credential, returnUrl, malformed.get());
    }
    URI uri;
    try {
      uri = new URI(returnUrl);
    } catch (URISyntaxException e) {
      return refused(credential, returnUrl, "it is not a URL");
    }
    if (!uri.isAbsolute()) {
      if (!consolePathAllowed) {
        return refused(credential, returnUrl, "it is not an absolute URL");
      }
      if (uri.getRawAuthority() != null
          || uri.getRawPath() == null
          || !uri.getRawPath().startsWith(CONSOLE_PATH)) {
        return refused(
            credential, returnUrl, "a path of Callgate's own must begin with " + CONSOLE_PATH);
      }
      return Validated.valid(uri);
    }
    if (uri.getRawUserInfo() != null) {
      return refused(credential, returnUrl, "credentials in the URL are not allowed");
    }
    for (URI entry : credential.allowedReturnUrls()) {
      if (sameOrigin(entry, uri) && below(entry.getRawPath(), uri.getRawPath())) {
        return Validated.valid(uri);
      }
    }
    return refused(
        credential,
        returnUrl,
        credential.allowedReturnUrls().isEmpty()
            ? "the credential lists no allowedReturnUrls"
            : "it is not at or below any of the credential's allowedReturnUrls");
  }

  /**
   * Why {@code entry} cannot be an entry of {@code allowedReturnUrls}, if it cannot: it must be an
   * absolute http(s) URL with a host, without user info, query or fragment, and without dot
   * segments.
   */
  static Optional<String> entryProblem(URI entry) {
    if (entry.getRawQuery() != null) {
      return Optional.of("'" + entry + "' has a query; list an origin and a path only");
    }
    if (entry.getRawFragment() != null) {
      return Optional.of("'" + entry + "' has a fragment; list an origin and a path only");
    }
    return malformed(entry.toString()).map(problem -> "'" + entry + "': " + problem);
  }

  private static Optional<String> malformed(String text) {
    if (text == null || text.isEmpty()) {
      return Optional.of("it is empty");
    }
    if (text.length() > MAX_LENGTH) {
      return Optional.of("it is longer than " + MAX_LENGTH + " characters");
    }
    if (text.chars().anyMatch(c -> c <= 0x20 || c == 0x7f || c == '\\')) {
      return Optional.of("it holds white space, a control character or a backslash");
    }
    String path = pathOf(text);
    for (String segment : path.split("/", -1)) {
      String decoded = segment.toLowerCase(Locale.ROOT).replace("%2e", ".");
      if (decoded.equals(".") || decoded.equals("..")) {
        return Optional.of("its path has a dot segment");
      }
    }
    return Optional.empty();
  }

  /** The path part of a URL or path, before its query or fragment. */
  private static String pathOf(String text) {
    int end = text.length();
    for (char stop : new char[] {'?', '#'}) {
      int at = text.indexOf(stop);
      if (at >= 0 && at < end) {
        end = at;
      }
    }
    String beforeQuery = text.substring(0, end);
    int authority = beforeQuery.indexOf("//");
    if (authority >= 0) {
      int path = beforeQuery.indexOf('/', authority + 2);
      return path < 0 ? "" : beforeQuery.substring(path);
    }
    return beforeQuery;
  }

  private static boolean sameOrigin(URI entry, URI candidate) {
    return entry.getScheme().equalsIgnoreCase(candidate.getScheme())
        && candidate.getHost() != null
        && entry.getHost().equalsIgnoreCase(candidate.getHost())
        && port(entry) == port(candidate);
  }

  private static int port(URI uri) {
    if (uri.getPort() != -1) {
      return uri.getPort();
    }
    return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
  }

  private static boolean below(String entryPath, String candidatePath) {
    String base = entryPath == null || entryPath.isEmpty() ? "/" : entryPath;
    String path = candidatePath == null || candidatePath.isEmpty() ? "/" : candidatePath;
    if (base.endsWith("/")) {
      return path.startsWith(base);
    }
    return path.equals(base) || path.startsWith(base + "/");
  }

  private static Validated<URI> refused(
      NamedCredential credential, String returnUrl, String reason) {
    String allowed =
        credential.allowedReturnUrls().isEmpty()
            ? "none"
            : credential.allowedReturnUrls().stream()
                .map(URI::toString)
                .collect(Collectors.joining(", "));
    return Validated.invalid(
        List.of(
            Diagnosis.of(
                RETURN_URL_NOT_ALLOWED,
                "returnUrl",
                String.valueOf(returnUrl).length() > 200
                    ? String.valueOf(returnUrl).substring(0, 200) + "…"
                    : String.valueOf(returnUrl),
                "credential",
                credential.name(),
                "reason",
                reason,
                "allowed",
                allowed)));
  }
}
