package dev.callgate.core.callout;

import static dev.callgate.core.diagnosis.DiagnosisCode.AUTHORIZATION_HEADER_CONFLICT;
import static dev.callgate.core.diagnosis.DiagnosisCode.INVALID_VALUE;
import static dev.callgate.core.diagnosis.DiagnosisCode.MERGE_FIELDS_NOT_ALLOWED;

import dev.callgate.core.credential.NamedCredential;
import dev.callgate.core.diagnosis.Diagnosis;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The callout header rules: which of the caller's headers reach the target, under which name, and
 * with which value. Hop-by-hop headers (RFC 9110 §7.6.1), {@code Host} and {@code Content-Length}
 * (the transport sets them) are dropped; the caller's {@code Authorization} carries its Callgate
 * API key and is never forwarded; other {@code Callgate-*} headers are Callgate's; {@code
 * Callgate-Proxy-<Name>} is forwarded as {@code <Name>}. A header that would collide with the
 * authorization header Callgate generates is refused ({@code AUTHORIZATION_HEADER_CONFLICT}) rather
 * than sent as a second credential; merge fields in header values are resolved when the credential
 * allows them and refused otherwise. Finally the generated header is added.
 */
public final class HeaderRules {

  public static final String PROXY_PREFIX = "Callgate-Proxy-";
  private static final String CALLGATE_PREFIX = "callgate-";

  /** RFC 9110 §7.6.1 and the de-facto ones (Keep-Alive, Proxy-Connection). */
  private static final Set<String> HOP_BY_HOP =
      Set.of(
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
  private static final Set<String> TRANSPORT_OWNED = Set.of("host", "content-length");

  private HeaderRules() {}

  /**
   * Whether a credential may name this header for its secret: not a hop-by-hop header, not one the
   * transport sets (Host, Content-Length), not {@code Expect}, not Callgate's own. A secret in any
   * of them would be dropped or would break the request.
   */
  public static boolean credentialMaySet(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return !HOP_BY_HOP.contains(lower)
        && !TRANSPORT_OWNED.contains(lower)
        && !lower.equals("expect")
        && !lower.startsWith(CALLGATE_PREFIX);
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
    Set<String> dropped = droppedNames(callerHeaders);
    Optional<Headers.Header> generatedHeader =
        credential.generateAuthorizationHeader() ? generated : Optional.empty();

    List<Headers.Header> forwarded = new ArrayList<>();
    for (Headers.Header header : callerHeaders.fields()) {
      String lower = Headers.normalize(header.name());
      boolean proxied = lower.startsWith(Headers.normalize(PROXY_PREFIX));
      String name;
      if (proxied) {
        name = header.name().substring(PROXY_PREFIX.length());
        if (name.isEmpty()) {
          return rejected(
              invalid(
                  "header " + header.name(),
                  "it names no header to forward (write " + PROXY_PREFIX + "<Name>)"));
        }
      } else if (lower.startsWith(CALLGATE_PREFIX)
          || lower.equals(Headers.normalize(AuthorizationHeaders.AUTHORIZATION))) {
        continue;
      } else {
        name = header.name();
      }
      if (dropped.contains(Headers.normalize(name))) {
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

  /**
   * The lower-cased names never forwarded under any name: hop-by-hop, transport-owned, and every
   * name the caller's {@code Connection} header lists (RFC 9110 §7.6.1).
   */
  private static Set<String> droppedNames(Headers callerHeaders) {
    Set<String> names = new HashSet<>(HOP_BY_HOP);
    names.addAll(TRANSPORT_OWNED);
    for (String connection : callerHeaders.all("Connection")) {
      for (String option : connection.split(",")) {
        String trimmed = option.trim();
        if (!trimmed.isEmpty()) {
          names.add(trimmed.toLowerCase(Locale.ROOT));
        }
      }
    }
    return names;
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
