package dev.callgate.core.callout;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One challenge of a {@code WWW-Authenticate} header (RFC 9110 §11.6.1): the auth scheme
 * (lower-cased, since schemes are case-insensitive), its auth-params (names lower-cased, quoted
 * values unescaped) or its token68. {@link #parse(List)} reads every challenge of every header
 * line; it is lenient, keeping what it could read before a syntax error.
 */
public record AuthenticationChallenge(
    String scheme, Map<String, String> params, Optional<String> token68) {

  public AuthenticationChallenge {
    Objects.requireNonNull(scheme, "scheme");
    params = Map.copyOf(params);
    Objects.requireNonNull(token68, "token68");
  }

  public Optional<String> param(String name) {
    return Optional.ofNullable(params.get(name.toLowerCase(Locale.ROOT)));
  }

  public boolean hasScheme(String name) {
    return scheme.equalsIgnoreCase(name);
  }

  /** The challenges of all {@code WWW-Authenticate} field lines, in order. */
  public static List<AuthenticationChallenge> parse(List<String> fieldValues) {
    List<AuthenticationChallenge> challenges = new ArrayList<>();
    for (String value : fieldValues) {
      new Parser(value).challenges(challenges);
    }
    return List.copyOf(challenges);
  }

  private static final class Parser {
    private final String input;
    private int pos;

    Parser(String input) {
      this.input = input;
    }

    void challenges(List<AuthenticationChallenge> into) {
      while (true) {
        skipListSeparators();
        if (atEnd()) {
          return;
        }
        String scheme = token();
        if (scheme.isEmpty()) {
          return; // not a challenge: stop, keeping what was read
        }
        Map<String, String> params = new LinkedHashMap<>();
        Optional<String> token68 = Optional.empty();
        boolean spaced = skipSpaces();
        if (spaced && !atEnd() && peek() != ',') {
          Optional<String> t68 = tryToken68();
          if (t68.isPresent()) {
            token68 = t68;
          } else if (!params(params)) {
            into.add(challenge(scheme, params, token68));
            return;
          }
        }
        into.add(challenge(scheme, params, token68));
      }
    }

    private static AuthenticationChallenge challenge(
        String scheme, Map<String, String> params, Optional<String> token68) {
      return new AuthenticationChallenge(scheme.toLowerCase(Locale.ROOT), params, token68);
    }

    /**
     * Reads {@code #auth-param} up to the next challenge; false on a syntax error. After a comma,
     * {@code token BWS "="} continues this challenge's params, anything else starts the next
     * challenge.
     */
    private boolean params(Map<String, String> params) {
      while (true) {
        String name = token();
        if (name.isEmpty()) {
          return false;
        }
        skipSpaces();
        if (atEnd() || peek() != '=') {
          return false;
        }
        pos++;
        skipSpaces();
        String value;
        if (!atEnd() && peek() == '"') {
          value = quotedString();
        } else {
          value = token();
        }
        params.putIfAbsent(name.toLowerCase(Locale.ROOT), value);
        skipSpaces();
        if (atEnd()) {
          return true;
        }
        if (peek() != ',') {
          return false;
        }
        int beforeNext = pos;
        skipListSeparators();
        int nameStart = pos;
        String next = token();
        skipSpaces();
        boolean isParam = !next.isEmpty() && !atEnd() && peek() == '=';
        if (isParam) {
          pos = nameStart;
        } else {
          pos = beforeNext;
          return true;
        }
      }
    }

    /** token68 followed by the end of the challenge, or empty with the position unchanged. */
    private Optional<String> tryToken68() {
      int start = pos;
      while (!atEnd() && isToken68Char(peek())) {
        pos++;
      }
      if (pos == start) {
        return Optional.empty();
      }
      while (!atEnd() && peek() == '=') {
        pos++;
      }
      String candidate = input.substring(start, pos);
      skipSpaces();
      if (atEnd() || peek() == ',') {
        return Optional.of(candidate);
      }
      pos = start;
      return Optional.empty();
    }

    private String quotedString() {
      StringBuilder value = new StringBuilder();
      pos++; // opening quote
      while (!atEnd()) {
        char c = input.charAt(pos++);
        if (c == '"') {
          return value.toString();
        }
        if (c == '\\' && !atEnd()) {
          c = input.charAt(pos++);
        }
        value.append(c);
      }
      return value.toString(); // unterminated: take the rest
    }

    private String token() {
      int start = pos;
      while (!atEnd() && isTokenChar(peek())) {
        pos++;
      }
      return input.substring(start, pos);
    }

    private boolean skipSpaces() {
      int start = pos;
      while (!atEnd() && (peek() == ' ' || peek() == '\t')) {
        pos++;
      }
      return pos > start;
    }

    private void skipListSeparators() {
      while (!atEnd() && (peek() == ' ' || peek() == '\t' || peek() == ',')) {
        pos++;
      }
    }

    private boolean atEnd() {
      return pos >= input.length();
    }

    private char peek() {
      return input.charAt(pos);
    }

    /** RFC 9110 §5.6.2 tchar. */
    private static boolean isTokenChar(char c) {
      return (c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }

    /** RFC 9110 §11.2 token68, without its trailing '='s. */
    private static boolean isToken68Char(char c) {
      return (c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || "-._~+/".indexOf(c) >= 0;
    }
  }
}
