package dev.callgate.core.callout;

import static dev.callgate.core.diagnosis.DiagnosisCode.TARGET_PATH_REJECTED;
import static dev.callgate.core.diagnosis.DiagnosisCode.TOKEN_PARAMETER_CONFLICT;

import dev.callgate.core.credential.NamedCredential;
import dev.callgate.core.diagnosis.Diagnosis;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Joins a credential's URL and a caller's raw (still percent-encoded) path and query into the URI
 * Callgate calls, so that the result can never leave the credential's scheme, host and port nor
 * climb above its base path — whatever the target does with the path afterwards. Dot segments (also
 * percent-encoded any number of times, written as overlong UTF-8 or as a Unicode look-alike such as
 * U+FF0E, or hidden behind an encoded slash or a {@code ;} path parameter), backslashes, empty
 * segments, absolute URLs, control characters and invalid percent-encoding are refused with {@code
 * TARGET_PATH_REJECTED}. The caller's valid encoding is kept byte for byte; characters a URI may
 * not hold raw (a space, {@code |}, non-ASCII letters) are percent-encoded as UTF-8. The joined URI
 * is checked once more against the base before it is returned.
 */
public final class TargetUrl {

  /** A first segment such as {@code http:} or {@code https:%2f%2fevil} reads as a URL scheme. */
  private static final Pattern SCHEME =
      Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:.*", Pattern.DOTALL);

  private static final String SUB_DELIMS = "!$&'()*+,;=";
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private TargetUrl() {}

  public static TargetUrlOutcome resolve(URI baseUrl, String rawPath, Optional<String> rawQuery) {
    Objects.requireNonNull(baseUrl, "baseUrl");
    Objects.requireNonNull(rawPath, "rawPath");
    Objects.requireNonNull(rawQuery, "rawQuery");
    String basePath = baseUrl.getRawPath() == null ? "" : baseUrl.getRawPath();
    String prefix = stripTrailingSlashes(basePath);

    String path;
    if (rawPath.isEmpty()) {
      path = basePath;
    } else {
      Result joined = joinPath(prefix, rawPath);
      if (joined.problem != null) {
        return rejected(baseUrl, rawPath, joined.problem);
      }
      path = joined.value;
    }

    String query = baseUrl.getRawQuery();
    Optional<String> callerQuery = rawQuery.filter(q -> !q.isEmpty());
    if (callerQuery.isPresent()) {
      Result encoded = encodeQuery(callerQuery.get());
      if (encoded.problem != null) {
        return rejected(baseUrl, rawPath + "?" + callerQuery.get(), encoded.problem);
      }
      query = query == null || query.isEmpty() ? encoded.value : query + "&" + encoded.value;
    }

    String text =
        baseUrl.getScheme()
            + "://"
            + baseUrl.getRawAuthority()
            + path
            + (query == null ? "" : "?" + query);
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      return rejected(baseUrl, rawPath, "it does not make a valid URL (" + e.getReason() + ")");
    }
    if (!staysBelow(baseUrl, prefix, uri)) {
      return rejected(baseUrl, rawPath, "the joined URL would leave the credential's URL");
    }
    return new TargetUrlOutcome.Resolved(uri);
  }

  /**
   * {@code uri} with {@code name=value} appended to its query, both percent-encoded as UTF-8 so
   * that every character of the value reaches the target as it is (RFC 6750 §2.3 places an access
   * token this way).
   */
  public static URI withQueryParameter(URI uri, String name, String value) {
    String parameter = percentEncoded(name) + "=" + percentEncoded(value);
    String query = uri.getRawQuery();
    String text = uri.toString();
    int fragment = text.indexOf('#');
    String head = fragment < 0 ? text : text.substring(0, fragment);
    String joined =
        query == null ? head + "?" + parameter : head + (query.isEmpty() ? "" : "&") + parameter;
    return URI.create(fragment < 0 ? joined : joined + text.substring(fragment));
  }

  /**
   * {@code TOKEN_PARAMETER_CONFLICT} when the credential places its token in a query parameter that
   * the resolved URL already has (from the caller or the credential's URL), compared decoded: the
   * target would receive two, and might read the one Callgate did not write.
   */
  public static Optional<Diagnosis> tokenParameterConflict(NamedCredential credential, URI uri) {
    if (!credential.generateAuthorizationHeader() || uri.getRawQuery() == null) {
      return Optional.empty();
    }
    return credential
        .tokenPlacement()
        .fold(
            bearer -> Optional.empty(),
            header -> Optional.empty(),
            query -> {
              for (String parameter : uri.getRawQuery().split("&")) {
                int equals = parameter.indexOf('=');
                String name = equals < 0 ? parameter : parameter.substring(0, equals);
                if (query
                    .name()
                    .equals(new String(decodeLeniently(name), StandardCharsets.UTF_8))) {
                  return Optional.of(
                      Diagnosis.of(
                          TOKEN_PARAMETER_CONFLICT,
                          "parameter",
                          printable(query.name()),
                          "credential",
                          credential.name()));
                }
              }
              return Optional.empty();
            });
  }

  /** Every octet but the unreserved ones (RFC 3986 §2.3) as {@code %XX}. */
  static String percentEncoded(String text) {
    StringBuilder out = new StringBuilder();
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (isUnreserved(c)) {
        out.append((char) c);
      } else {
        out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
      }
    }
    return out.toString();
  }

  /** The last guard: same origin, below the base path on a segment boundary, no dot segment. */
  private static boolean staysBelow(URI base, String prefix, URI uri) {
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    boolean sameOrigin =
        base.getScheme().equalsIgnoreCase(uri.getScheme())
            && Objects.equals(base.getRawAuthority(), uri.getRawAuthority())
            && Objects.equals(base.getHost(), uri.getHost())
            && base.getPort() == uri.getPort()
            && uri.getRawUserInfo() == null == (base.getRawUserInfo() == null);
    boolean belowPrefix =
        prefix.isEmpty()
            ? path.isEmpty() || path.startsWith("/")
            : path.equals(prefix) || path.startsWith(prefix + "/");
    boolean normal = uri.normalize().getRawPath().equals(path) || path.isEmpty();
    return sameOrigin && belowPrefix && normal && uri.getRawFragment() == null;
  }

  private record Result(String value, String problem) {
    static Result ok(String value) {
      return new Result(value, null);
    }

    static Result problem(String problem) {
      return new Result(null, problem);
    }
  }

  private static Result joinPath(String prefix, String rawPath) {
    if (rawPath.indexOf('?') >= 0 || rawPath.indexOf('#') >= 0) {
      return Result.problem("a path cannot hold a raw '?' or '#'");
    }
    String relative = rawPath.startsWith("/") ? rawPath.substring(1) : rawPath;
    if (relative.isEmpty()) {
      return Result.ok(prefix + "/");
    }
    if (relative.startsWith("/")) {
      return Result.problem("it starts with '//', which names another host");
    }
    String[] segments = relative.split("/", -1);
    if (SCHEME.matcher(segments[0]).matches()) {
      return Result.problem("it is an absolute URL, not a path");
    }
    List<String> encoded = new ArrayList<>();
    for (int i = 0; i < segments.length; i++) {
      boolean last = i == segments.length - 1;
      if (segments[i].isEmpty() && !last) {
        return Result.problem("it has an empty segment ('//')");
      }
      Result segment = segment(segments[i]);
      if (segment.problem != null) {
        return segment;
      }
      encoded.add(segment.value);
    }
    return Result.ok(prefix + "/" + String.join("/", encoded));
  }

  /** One raw path segment: checked, with the characters a URI may not hold raw encoded. */
  private static Result segment(String raw) {
    if (isPlain(raw)) {
      // no '%' to decode, no character to fold: of all the checks below, only the dot remains
      return isDotName(raw) ? Result.problem("it holds a '.' or '..' segment") : Result.ok(raw);
    }
    Result encoded = encode(raw, true);
    if (encoded.problem != null) {
      return encoded;
    }
    // A target, or a proxy in front of it, may decode more than once, and may fold Unicode
    // look-alikes (U+FF0E, U+2024) to ASCII: every decoding, down to the last that changes
    // anything, is checked, each as bytes, as ISO-8859-1 and as NFKC-folded UTF-8.
    String layer = encoded.value;
    for (int depth = 0; ; depth++) {
      byte[] decoded = decodeLeniently(layer);
      String problem = problem(decoded, depth == 0 ? "" : "an encoded ");
      if (problem != null) {
        return Result.problem(problem);
      }
      String next = new String(decoded, StandardCharsets.ISO_8859_1);
      if (next.equals(layer)) {
        return encoded;
      }
      layer = next;
    }
  }

  /** Whether a segment holds only characters a path keeps as they are and no decoding changes. */
  private static boolean isPlain(String raw) {
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (!(isUnreserved(c) || SUB_DELIMS.indexOf(c) >= 0 || c == ':' || c == '@')) {
        return false;
      }
    }
    return true;
  }

  /** Whether a plain segment is {@code .} or {@code ..}, also with a {@code ;} path parameter. */
  private static boolean isDotName(String raw) {
    int semicolon = raw.indexOf(';');
    int end = semicolon < 0 ? raw.length() : semicolon;
    return (end == 1 || end == 2) && raw.charAt(0) == '.' && raw.charAt(end - 1) == '.';
  }

  /** What is wrong with one decoding of a segment, or null; {@code how} prefixes the reason. */
  private static String problem(byte[] decoded, String how) {
    for (int i = 0; i < decoded.length; i++) {
      int unsigned = decoded[i] & 0xff;
      if (unsigned < 0x20 || unsigned == 0x7f) {
        return "it holds an encoded control character";
      }
      if (unsigned == '\\') {
        return "it holds " + (how.isEmpty() ? "an encoded" : "a doubly encoded") + " backslash";
      }
      if (isOverlong(decoded, i)) {
        return "it holds an overlong UTF-8 encoding";
      }
    }
    String text = new String(decoded, StandardCharsets.ISO_8859_1);
    if (hasDotSegment(text)) {
      return how.isEmpty()
          ? "it holds a '.' or '..' segment"
          : "it holds a doubly encoded '.', '..' or backslash";
    }
    String folded =
        Normalizer.normalize(new String(decoded, StandardCharsets.UTF_8), Normalizer.Form.NFKC);
    if (hasDotSegment(folded) || folded.indexOf('\\') >= 0) {
      return "it holds a character that reads as '.', '/' or a backslash once folded (NFKC)";
    }
    return null;
  }

  /**
   * Whether the byte at {@code i} starts an overlong UTF-8 form (RFC 3629 §3): C0 and C1 lead
   * bytes, E0 followed by 80–9F and F0 followed by 80–8F encode in more bytes than needed, which
   * lenient decoders turn into '.' or '/'.
   */
  private static boolean isOverlong(byte[] bytes, int i) {
    int lead = bytes[i] & 0xff;
    if (lead == 0xc0 || lead == 0xc1) {
      return true;
    }
    if (i + 1 >= bytes.length) {
      return false;
    }
    int next = bytes[i + 1] & 0xff;
    return (lead == 0xe0 && next >= 0x80 && next <= 0x9f)
        || (lead == 0xf0 && next >= 0x80 && next <= 0x8f);
  }

  /**
   * Whether a decoded segment, split at (decoded) slashes, has a piece that servers treat as a dot
   * segment — also with a {@code ;} path parameter, which Tomcat and others strip before resolving.
   */
  private static boolean hasDotSegment(String decoded) {
    for (String piece : decoded.split("/", -1)) {
      int semicolon = piece.indexOf(';');
      String name = semicolon >= 0 ? piece.substring(0, semicolon) : piece;
      if (name.equals(".") || name.equals("..")) {
        return true;
      }
    }
    return false;
  }

  private static Result encodeQuery(String raw) {
    if (raw.indexOf('#') >= 0) {
      return Result.problem("a query cannot hold a raw '#'");
    }
    Result encoded = encode(raw, false);
    if (encoded.problem != null) {
      return encoded;
    }
    for (byte b : decode(encoded.value)) {
      int unsigned = b & 0xff;
      if (unsigned < 0x20 || unsigned == 0x7f) {
        return Result.problem("its query holds an encoded control character");
      }
    }
    return encoded;
  }

  /**
   * Keeps pchar (RFC 3986 §3.3, and in a query also {@code /} and {@code ?}) as it is, checks
   * percent-encoding, refuses backslashes in a path and control characters anywhere, and encodes
   * the rest as UTF-8.
   */
  private static Result encode(String raw, boolean path) {
    String where = path ? "the path" : "the query";
    String alsoAllowed = path ? "" : "/?";
    StringBuilder out = new StringBuilder(raw.length());
    int i = 0;
    while (i < raw.length()) {
      int c = raw.codePointAt(i);
      int width = Character.charCount(c);
      if (c == '%') {
        if (i + 2 >= raw.length() || !isHex(raw.charAt(i + 1)) || !isHex(raw.charAt(i + 2))) {
          return Result.problem(where + " holds an invalid percent-encoding");
        }
        out.append(raw, i, i + 3);
        i += 3;
        continue;
      }
      if (Character.isISOControl(c)) {
        return Result.problem(where + " holds a control character");
      }
      if (c == '\\' && path) {
        return Result.problem("it holds a backslash");
      }
      if (isUnreserved(c)
          || SUB_DELIMS.indexOf(c) >= 0
          || c == ':'
          || c == '@'
          || alsoAllowed.indexOf(c) >= 0) {
        out.append((char) c);
      } else if (Character.isSurrogate((char) c) && width == 1) {
        return Result.problem(where + " holds an unpaired surrogate");
      } else {
        for (byte b : new String(Character.toChars(c)).getBytes(StandardCharsets.UTF_8)) {
          out.append('%').append(HEX[(b >> 4) & 0xf]).append(HEX[b & 0xf]);
        }
      }
      i += width;
    }
    return Result.ok(out.toString());
  }

  /** Percent-decodes a string whose encoding was checked. */
  private static byte[] decode(String encoded) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(encoded.length());
    for (int i = 0; i < encoded.length(); i++) {
      char c = encoded.charAt(i);
      if (c == '%') {
        bytes.write(Integer.parseInt(encoded.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        bytes.write(c);
      }
    }
    return bytes.toByteArray();
  }

  /** Decodes valid {@code %XX} and leaves anything else, char for byte (ISO-8859-1). */
  private static byte[] decodeLeniently(String text) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '%'
          && i + 2 < text.length()
          && isHex(text.charAt(i + 1))
          && isHex(text.charAt(i + 2))) {
        out.write(Integer.parseInt(text.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        out.write(c);
      }
    }
    return out.toByteArray();
  }

  private static boolean isHex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  private static boolean isUnreserved(int c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '-'
        || c == '.'
        || c == '_'
        || c == '~';
  }

  private static String stripTrailingSlashes(String path) {
    int end = path.length();
    while (end > 0 && path.charAt(end - 1) == '/') {
      end--;
    }
    return path.substring(0, end);
  }

  private static TargetUrlOutcome rejected(URI baseUrl, String path, String reason) {
    return new TargetUrlOutcome.Rejected(
        Diagnosis.of(
            TARGET_PATH_REJECTED,
            "path",
            printable(path),
            "baseUrl",
            shown(baseUrl),
            "reason",
            reason));
  }

  /**
   * The credential's URL as a diagnosis may show it to a caller: a credential's URL may carry its
   * secret (an API key in the query, a password in the user info), so the query keeps its parameter
   * names with every value as {@code ***}, and the user info goes.
   */
  static String shown(URI url) {
    StringBuilder out = new StringBuilder();
    if (url.getScheme() != null) {
      out.append(url.getScheme()).append("://");
    }
    if (url.getHost() != null) {
      out.append(url.getHost());
      if (url.getPort() >= 0) {
        out.append(':').append(url.getPort());
      }
    }
    out.append(url.getRawPath() == null ? "" : url.getRawPath());
    String query = url.getRawQuery();
    if (query != null) {
      StringBuilder redacted = new StringBuilder();
      for (String parameter : query.split("&", -1)) {
        int equals = parameter.indexOf('=');
        redacted
            .append(redacted.length() == 0 ? "?" : "&")
            .append(equals < 0 ? parameter : parameter.substring(0, equals) + "=***");
      }
      out.append(redacted);
    }
    return out.toString();
  }

  /** The caller's path for a message: control characters shown as escapes, long ones shortened. */
  private static String printable(String text) {
    StringBuilder out = new StringBuilder();
    text.codePoints()
        .limit(200)
        .forEach(
            c -> {
              if (Character.isISOControl(c)) {
                out.append(String.format(Locale.ROOT, "\\u%04x", c));
              } else {
                out.appendCodePoint(c);
              }
            });
    return text.codePointCount(0, text.length()) > 200 ? out + "…" : out.toString();
  }
}
