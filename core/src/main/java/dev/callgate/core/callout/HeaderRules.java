package dev.callgate.core.callout;

import static dev.callgate.core.diagnosis.DiagnosisCode.AMBIGUOUS_REQUEST;
import static dev.callgate.core.diagnosis.DiagnosisCode.AUTHORIZATION_HEADER_CONFLICT;
import static dev.callgate.core.diagnosis.DiagnosisCode.INVALID_VALUE;
import static dev.callgate.core.diagnosis.DiagnosisCode.MERGE_FIELDS_NOT_ALLOWED;
import static dev.callgate.core.diagnosis.DiagnosisCode.METHOD_NOT_ALLOWED;

import dev.callgate.core.credential.Authentication;
import dev.callgate.core.credential.NamedCredential;
import dev.callgate.core.diagnosis.Diagnosis;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The one rulebook for what crosses Callgate on a callout — used by the callout service, the
 * transport and the HTTP route alike. Requests: which methods a credential lets through (TRACE,
 * which echoes the request with its credential, and CONNECT, which opens a tunnel, never), which
 * header names and values are accepted at all (names are RFC 9110 tokens; values are visible
 * US-ASCII, space and tab — the obsolete octets above 0x7F are refused, never forwarded), and which
 * of the caller's headers reach the target, under which name, and with which value. Responses:
 * hop-by-hop headers and every {@code Callgate-*} header of the target's are never relayed, so a
 * target cannot forge Callgate's own error header. Secrets: the {@link EchoGuard} of what Callgate
 * injected, which the target's answer must not repeat.
 *
 * <p>The request header rules in detail: Hop-by-hop headers (RFC 9110 §7.6.1), {@code Host} and
 * {@code Content-Length} (the transport sets them) are dropped; the caller's {@code Authorization}
 * carries its Callgate API key and is never forwarded; other {@code Callgate-*} headers are
 * Callgate's; {@code Callgate-Proxy-<Name>} is forwarded as {@code <Name>}. A header that would
 * collide with the authorization header Callgate generates is refused ({@code
 * AUTHORIZATION_HEADER_CONFLICT}) rather than sent as a second credential; merge fields in header
 * values are resolved when the credential allows them and refused otherwise. Finally the generated
 * header is added.
 */
public final class HeaderRules {

  public static final String PROXY_PREFIX = "Callgate-Proxy-";
  private static final String CALLGATE_PREFIX = "callgate-";

  /**
   * RFC 9110 §7.6.1 and the de-facto ones (Keep-Alive, Proxy-Connection). Looked up ignoring case,
   * so that no field name is lower-cased on the way.
   */
  private static final Set<String> HOP_BY_HOP =
      ignoringCase(
          "connection",
          "keep-alive",
          "proxy-connection",
          "proxy-authenticate",
          "proxy-authorization",
          "te",
          "trailer",
          "transfer-encoding",
          "upgrade");

  /** Set by the transport for the target's connection and body. */
  private static final Set<String> TRANSPORT_OWNED = ignoringCase("host", "content-length");

  /** The methods a credential allows when it names none, in the order they are shown. */
  public static final Set<String> DEFAULT_ALLOWED_METHODS =
      orderedSet("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");

  /**
   * TRACE reflects the request — with the credential Callgate added — back to the caller; CONNECT
   * turns the callout into a tunnel past every rule here. No credential allows them.
   */
  public static final Set<String> NEVER_ALLOWED_METHODS = Set.of("TRACE", "CONNECT");

  /** RFC 9110 §5.6.2 tchar, besides letters and digits. */
  private static final String TOKEN_SYMBOLS = "!#$%&'*+-.^_`|~";

  private HeaderRules() {}

  /**
   * Whether a credential may name this header for its secret: not a hop-by-hop header, not one the
   * transport sets (Host, Content-Length), not {@code Expect}, not Callgate's own. A secret in any
   * of them would be dropped or would break the request.
   */
  public static boolean credentialMaySet(String name) {
    return !HOP_BY_HOP.contains(name)
        && !TRANSPORT_OWNED.contains(name)
        && !name.equalsIgnoreCase("expect")
        && !isCallgateOwned(name);
  }

  /** Whether {@code text} is an RFC 9110 token (a method, a header name). */
  public static boolean isToken(String text) {
    if (text == null || text.isEmpty()) {
      return false;
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean tchar =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || TOKEN_SYMBOLS.indexOf(c) >= 0;
      if (!tchar) {
        return false;
      }
    }
    return true;
  }

  /**
   * The problems of a credential's {@code allowedMethods} as written: each must be a token, TRACE
   * and CONNECT are refused; the accepted ones, upper-cased, are added to {@code methods}.
   */
  public static List<Diagnosis> checkAllowedMethods(
      Collection<String> written, Set<String> methods) {
    List<Diagnosis> problems = new ArrayList<>();
    if (written.isEmpty()) {
      problems.add(invalid("allowedMethods", "it is empty, so no callout could pass"));
    }
    for (String method : written) {
      if (!isToken(method)) {
        problems.add(
            invalid(
                "allowedMethods", "'" + String.valueOf(method) + "' is not an HTTP method token"));
        continue;
      }
      String upper = method.toUpperCase(Locale.ROOT);
      if (NEVER_ALLOWED_METHODS.contains(upper)) {
        problems.add(
            invalid(
                "allowedMethods",
                upper
                    + " is never allowed (TRACE echoes the credential back, CONNECT opens a"
                    + " tunnel)"));
      } else {
        methods.add(upper);
      }
    }
    return problems;
  }

  /** {@code METHOD_NOT_ALLOWED} when the credential does not let {@code method} through. */
  public static Optional<Diagnosis> methodRefused(NamedCredential credential, String method) {
    if (credential.allowsMethod(method)) {
      return Optional.empty();
    }
    return Optional.of(
        Diagnosis.of(
            METHOD_NOT_ALLOWED,
            "method",
            printable(method),
            "credential",
            credential.name(),
            "allowed",
            allowHeader(credential.allowedMethods())));
  }

  /** The value of an {@code Allow} header for these methods, in the usual order. */
  public static String allowHeader(Set<String> methods) {
    List<String> ordered = new ArrayList<>();
    DEFAULT_ALLOWED_METHODS.stream().filter(methods::contains).forEach(ordered::add);
    methods.stream()
        .filter(m -> !DEFAULT_ALLOWED_METHODS.contains(m))
        .sorted()
        .forEach(ordered::add);
    return String.join(", ", ordered);
  }

  /**
   * The first header field of a caller's request that no rule could forward faithfully: a name that
   * is empty or not a token, or a value with a control character or an octet above 0x7F (RFC 9110
   * §5.5 obs-text, which targets read differently; send such text encoded, as RFC 8187 does).
   * Applied to every field the caller sent, forwarded or not, so the answer does not depend on
   * which header carried it.
   */
  public static Optional<Diagnosis> invalidField(Headers callerHeaders) {
    for (Headers.Header header : callerHeaders.fields()) {
      if (!isToken(header.name())) {
        return Optional.of(
            invalid(
                "header name '" + printable(header.name()) + "'",
                "a header name is a non-empty token (RFC 9110 §5.6.2)"));
      }
      String value = header.value();
      for (int i = 0; i < value.length(); i++) {
        char c = value.charAt(i);
        if (c > 0x7e || (c < 0x20 && c != '\t')) {
          return Optional.of(
              invalid(
                  "header " + header.name(),
                  "its value holds a control character or a character outside US-ASCII;"
                      + " Callgate forwards visible US-ASCII, spaces and tabs only"));
        }
      }
    }
    return Optional.empty();
  }

  /**
   * Why a request's head, as the client wrote it, can be read in more than one way; empty when it
   * cannot. Callgate and whatever stands before or behind it must agree where a request ends, whose
   * key it carries and which host it names, so a head that lets two parsers disagree is refused
   * (RFC 9112 §6.1: a server may reject Content-Length with Transfer-Encoding, and must close the
   * connection after; §6.3: chunked is the only coding that frames a request). Refused: both
   * framings; a Transfer-Encoding other than exactly {@code chunked}, or in two fields; two
   * Content-Length, Host or Authorization fields; and a first header line that starts with
   * whitespace (RFC 9112 §2.2), which one parser folds into the request line and another reads as a
   * field.
   *
   * @param received every header field as the client sent it, before any parser merged or dropped
   *     one
   * @param firstLineFolded whether the line after the request line starts with a space or a tab
   */
  public static Optional<Diagnosis> ambiguousRequest(Headers received, boolean firstLineFolded) {
    if (firstLineFolded) {
      return ambiguous("the first header line starts with whitespace (obsolete line folding)");
    }
    List<String> encodings = received.all("Transfer-Encoding");
    if (!encodings.isEmpty() && received.contains("Content-Length")) {
      return ambiguous("it has both Content-Length and Transfer-Encoding");
    }
    if (encodings.size() > 1) {
      return ambiguous("it has " + encodings.size() + " Transfer-Encoding fields");
    }
    if (encodings.size() == 1 && !encodings.get(0).trim().equalsIgnoreCase("chunked")) {
      return ambiguous(
          "its Transfer-Encoding is '"
              + printable(encodings.get(0))
              + "'; only 'chunked' frames a request");
    }
    for (String name : List.of("Content-Length", "Host", "Authorization")) {
      int count = received.all(name).size();
      if (count > 1) {
        return ambiguous("it has " + count + " " + name + " fields");
      }
    }
    return Optional.empty();
  }

  private static Optional<Diagnosis> ambiguous(String reason) {
    return Optional.of(Diagnosis.of(AMBIGUOUS_REQUEST, "reason", reason));
  }

  /**
   * Whether a field named {@code name} belongs to one connection only, in a message whose {@code
   * Connection} fields are {@code connectionFields}: one of RFC 9110 §7.6.1 (and Keep-Alive,
   * Proxy-Connection), or a name a {@code Connection} field lists. The transport asks this of every
   * field it copies, either way.
   */
  public static boolean isHopByHop(String name, List<String> connectionFields) {
    if (HOP_BY_HOP.contains(name)) {
      return true;
    }
    for (String connection : connectionFields) {
      if (listsOption(connection, name)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether a field of the request Callgate prepared may be sent to the target as it is: not
   * hop-by-hop, and not one the transport sets itself ({@code Host}, {@code Content-Length}).
   */
  public static boolean sentToTarget(String name, List<String> connectionFields) {
    return !isHopByHop(name, connectionFields) && !TRANSPORT_OWNED.contains(name);
  }

  /**
   * Whether a field of the target's answer reaches the caller: not hop-by-hop, not {@code
   * Content-Length} (Callgate frames the body it relays itself) and not a {@code Callgate-*} field
   * — those are Callgate's own, and a target sending {@code Callgate-Error} would pass its answer
   * off as Callgate's refusal.
   */
  public static boolean relayedToCaller(String name, List<String> connectionFields) {
    return !isHopByHop(name, connectionFields)
        && !name.equalsIgnoreCase("Content-Length")
        && !isCallgateOwned(name);
  }

  private static boolean isCallgateOwned(String name) {
    return name.regionMatches(true, 0, CALLGATE_PREFIX, 0, CALLGATE_PREFIX.length());
  }

  /**
   * Whether a {@code Connection} field's comma-separated list names {@code name}, compared ignoring
   * case, without splitting the field into strings.
   */
  private static boolean listsOption(String connection, String name) {
    int start = 0;
    while (start <= connection.length()) {
      int comma = connection.indexOf(',', start);
      int end = comma < 0 ? connection.length() : comma;
      int from = start;
      int to = end;
      while (from < to && connection.charAt(from) <= ' ') {
        from++;
      }
      while (to > from && connection.charAt(to - 1) <= ' ') {
        to--;
      }
      if (to - from == name.length()
          && connection.regionMatches(true, from, name, 0, name.length())) {
        return true;
      }
      if (comma < 0) {
        return false;
      }
      start = comma + 1;
    }
    return false;
  }

  /**
   * The secrets Callgate puts into a request for this credential: the generated header's value and,
   * since merge fields and the Basic scheme carry them in other shapes, the access token, {@code
   * user:password} with its Base64, the API key, — where merge fields may place it — the password,
   * the access token as a query carries it, and the values of the credential URL's query.
   */
  public static EchoGuard echoGuard(
      NamedCredential credential, Optional<Headers.Header> generated, MergeFieldValues values) {
    List<String> secrets = new ArrayList<>();
    generated.ifPresent(header -> secrets.add(header.value()));
    values.oauthToken().ifPresent(token -> secrets.add(token.reveal()));
    if (credential.tokenPlacement().fold(bearer -> false, header -> false, query -> true)) {
      // in a query the token travels percent-encoded, and a target may echo the URL as it got it
      values.oauthToken().ifPresent(token -> secrets.add(TargetUrl.percentEncoded(token.reveal())));
    }
    values.apiKey().ifPresent(key -> secrets.add(key.reveal()));
    if (credential.authentication() instanceof Authentication.Basic basic) {
      String userPass = basic.username() + ":" + basic.password().reveal();
      secrets.add(userPass);
      secrets.add(Base64.getEncoder().encodeToString(userPass.getBytes(StandardCharsets.UTF_8)));
    }
    if (credential.authentication() instanceof Authentication.AwsSigV4 aws) {
      // the signature is no secret (it proves one request, once); the keys that make it are
      secrets.add(aws.secretAccessKey().reveal());
      aws.sessionToken().ifPresent(token -> secrets.add(token.reveal()));
    }
    if (credential.allowMergeFieldsInHeaders() || credential.allowMergeFieldsInBody()) {
      values.password().ifPresent(password -> secrets.add(password.reveal()));
    }
    // a credential URL's query is sealed at rest like any secret (an API key often lives there):
    // its values, as sent and decoded, are not the caller's to see either
    String query = credential.url().getRawQuery();
    if (query != null) {
      for (String pair : query.split("&")) {
        String value = pair.substring(pair.indexOf('=') + 1);
        if (!value.isEmpty()) {
          secrets.add(value);
          secrets.add(URLDecoder.decode(value, StandardCharsets.UTF_8));
        }
      }
    }
    return EchoGuard.of(secrets);
  }

  public static HeaderOutcome prepare(
      NamedCredential credential,
      Headers callerHeaders,
      Optional<Headers.Header> generated,
      MergeFieldValues values) {
    Objects.requireNonNull(credential, "credential");
    Objects.requireNonNull(callerHeaders, "callerHeaders");
    Objects.requireNonNull(generated, "generated");
    Objects.requireNonNull(values, "values");
    List<String> connection = callerHeaders.all("Connection");
    Optional<Headers.Header> generatedHeader =
        credential.generateAuthorizationHeader() ? generated : Optional.empty();

    List<Headers.Header> forwarded = new ArrayList<>();
    for (Headers.Header header : callerHeaders.fields()) {
      boolean proxied =
          header.name().regionMatches(true, 0, PROXY_PREFIX, 0, PROXY_PREFIX.length());
      String name;
      if (proxied) {
        name = header.name().substring(PROXY_PREFIX.length());
        if (name.isEmpty()) {
          return rejected(
              invalid(
                  "header " + header.name(),
                  "it names no header to forward (write " + PROXY_PREFIX + "<Name>)"));
        }
      } else if (isCallgateOwned(header.name()) || header.is(AuthorizationHeaders.AUTHORIZATION)) {
        continue;
      } else {
        name = header.name();
      }
      if (!sentToTarget(name, connection)) {
        continue;
      }
      if (generatedHeader.isPresent() && generatedHeader.get().is(name)) {
        return rejected(
            Diagnosis.of(
                AUTHORIZATION_HEADER_CONFLICT,
                "header",
                generatedHeader.get().name(),
                "credential",
                credential.name()));
      }
      if (AwsSignatureHeaders.signs(credential) && AwsSignatureHeaders.isSignatureHeader(name)) {
        return rejected(
            Diagnosis.of(
                AUTHORIZATION_HEADER_CONFLICT, "header", name, "credential", credential.name()));
      }
      forwarded.add(new Headers.Header(name, header.value()));
    }

    List<Headers.Header> prepared = new ArrayList<>();
    for (Headers.Header header : forwarded) {
      if (MergeFields.hasControlCharacter(header.value().replace('\t', ' '))) {
        return rejected(invalid("header " + header.name(), lineBreakProblem()));
      }
      Optional<String> mergeField = MergeFields.firstMergeField(header.value());
      if (mergeField.isEmpty()) {
        prepared.add(header);
        continue;
      }
      if (!credential.allowMergeFieldsInHeaders()) {
        return rejected(
            Diagnosis.of(
                MERGE_FIELDS_NOT_ALLOWED,
                "field",
                mergeField.get(),
                "location",
                "headers",
                "credential",
                credential.name()));
      }
      MergeResult result = MergeFields.resolve(header.value(), values, MergeFields.Location.HEADER);
      if (result instanceof MergeResult.Rejected rejected) {
        return rejected(rejected.diagnosis());
      }
      prepared.add(new Headers.Header(header.name(), ((MergeResult.Resolved) result).value()));
    }

    if (generatedHeader.isPresent()) {
      Headers.Header header = generatedHeader.get();
      if (MergeFields.hasControlCharacter(header.value())) {
        // never echo the value: it is the credential's secret
        return rejected(
            invalid(
                "the generated " + header.name() + " header",
                "the credential's secret contains a line break or another control character"));
      }
      prepared.add(header);
    }
    return new HeaderOutcome.Prepared(new Headers(prepared));
  }

  private static Set<String> ignoringCase(String... names) {
    Set<String> set = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    set.addAll(List.of(names));
    return Collections.unmodifiableSet(set);
  }

  private static Set<String> orderedSet(String... values) {
    return Collections.unmodifiableSet(new LinkedHashSet<>(List.of(values)));
  }

  /** Caller text for a message: control and non-ASCII characters escaped, long text shortened. */
  private static String printable(String text) {
    StringBuilder out = new StringBuilder();
    text.chars()
        .limit(100)
        .forEach(
            c -> {
              if (c < 0x20 || c > 0x7e) {
                out.append(String.format(Locale.ROOT, "\\u%04x", c));
              } else {
                out.append((char) c);
              }
            });
    return text.length() > 100 ? out + "…" : out.toString();
  }

  private static String lineBreakProblem() {
    return "its value contains a line break or another control character";
  }

  private static Diagnosis invalid(String field, String problem) {
    return Diagnosis.of(INVALID_VALUE, "field", field, "problem", problem);
  }

  private static HeaderOutcome rejected(Diagnosis diagnosis) {
    return new HeaderOutcome.Rejected(diagnosis);
  }
}
