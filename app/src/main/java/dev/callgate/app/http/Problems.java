package dev.callgate.app.http;

import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.diagnosis.DiagnosisCode;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Callgate's own errors as RFC 9457 problem documents: {@code type}, {@code title}, {@code status},
 * {@code detail} (the diagnosis message), {@code code}, {@code remedy} and the diagnosis facts,
 * with the {@code Callgate-Error} header so a caller tells Callgate's errors from the target's.
 * Each problem sent is one log line: a server-side failure (5xx) at WARN, a caller's mistake (4xx)
 * at DEBUG.
 */
public final class Problems {
  private static final Logger LOG = LoggerFactory.getLogger("callgate.problems");
  public static final String CONTENT_TYPE = "application/problem+json";
  public static final String ERROR_HEADER = "Callgate-Error";

  private Problems() {}

  /** The HTTP status a diagnosis is answered with when it ends a request. */
  public static int status(DiagnosisCode code) {
    return switch (code) {
      case CREDENTIAL_NOT_FOUND,
          PROVIDER_NOT_FOUND,
          API_KEY_NOT_FOUND,
          WEBHOOK_NOT_FOUND,
          ROUTE_NOT_FOUND,
          CONNECT_LINK_UNKNOWN ->
          404;
      case CONNECT_LINK_EXPIRED, CONNECT_LINK_USED -> 410;
      case UNAUTHENTICATED -> 401;
      case CALLER_NOT_ALLOWED, FORBIDDEN, CSRF_TOKEN_INVALID, AUTHORIZATION_BROWSER_MISMATCH -> 403;
      case NOT_AUTHORIZED_YET,
          NO_REFRESH_TOKEN_ISSUED,
          REFRESH_TOKEN_EXPIRED,
          REFRESH_TOKEN_REVOKED,
          REFRESH_TOKEN_EXPIRED_OR_REVOKED,
          GRANT_LOST_DURING_OUTAGE,
          REFRESH_RESULT_LOST,
          REFRESH_TOKEN_EXPIRING,
          REFRESH_TOKEN_LIFETIME_ASSUMED,
          GRANT_REVOKED,
          GRANT_MAY_LIVE_ON,
          FLOW_NOT_SUPPORTED,
          CONNECT_LINK_NOT_SUPPORTED,
          ALREADY_EXISTS,
          PROVIDER_IN_USE,
          PROVIDER_IDENTITY_CHANGED,
          DEVICE_AUTHORIZATION_NOT_SUPPORTED,
          DEVICE_AUTHORIZATION_DENIED,
          DEVICE_CODE_EXPIRED ->
          409;
      case AUTHORIZATION_HEADER_CONFLICT,
          TOKEN_PARAMETER_CONFLICT,
          MERGE_FIELDS_NOT_ALLOWED,
          MERGE_FIELD_UNKNOWN,
          MERGE_FIELD_VALUE_INVALID,
          TARGET_PATH_REJECTED,
          AUTHORIZATION_STATE_INVALID,
          AUTHORIZATION_DENIED,
          // the code came in the browser's request: forged, replayed or expired, it is that
          // request's fault, not a failure of the provider's (a client or scope problem has its own
          // code)
          AUTHORIZATION_CODE_REJECTED,
          INVALID_NAME,
          INVALID_URL,
          RETURN_URL_NOT_ALLOWED,
          UNKNOWN_PROTOCOL,
          SECRET_MISSING,
          INVALID_VALUE,
          MALFORMED_REQUEST,
          AMBIGUOUS_REQUEST,
          INVALID_CONFIGURATION ->
          400;
      case REQUEST_TOO_LARGE -> 413;
      case METHOD_NOT_ALLOWED -> 405;
      case REQUEST_URI_TOO_LONG -> 414;
      case UNSUPPORTED_MEDIA_TYPE -> 415;
      case REFRESH_RATE_LIMITED -> 429;
      case REQUEST_HEADERS_TOO_LARGE -> 431;
      case CLIENT_AUTH_FAILED,
          GRANT_TYPE_NOT_ALLOWED,
          JWT_ASSERTION_REJECTED,
          SCOPE_REJECTED,
          TOKEN_REJECTED_AFTER_REFRESH,
          TLS_BOUND_TOKEN_REJECTED,
          TARGET_UNREACHABLE,
          SECRET_ECHOED,
          IDP_RESPONSE_INVALID,
          PROVIDER_METADATA_INVALID,
          OUTBOUND_ADDRESS_REFUSED,
          AWS_ROLE_DENIED,
          AWS_SIGNATURE_REJECTED ->
          502;
      case REFRESH_FAILED_TRANSIENT,
          IDP_UNAVAILABLE,
          AWS_STS_UNAVAILABLE,
          STORE_UNAVAILABLE,
          TARGET_CONNECTION_LIMIT_REACHED ->
          503;
      case INTERNAL_ERROR -> 500;
      case TOKEN_EXCHANGE_SUBJECT_TOKEN_MISSING -> 400;
      case TOKEN_EXCHANGE_SUBJECT_TOKEN_REJECTED -> 403;
      case TOKEN_EXCHANGE_SUBJECT_UNAVAILABLE -> 409;
      case TOKEN_EXCHANGE_NOT_ALLOWED, TOKEN_EXCHANGE_AUDIENCE_REJECTED -> 502;
    };
  }

  public static JsonObject document(List<Diagnosis> diagnoses) {
    Diagnosis first = diagnoses.get(0);
    int status = status(first.code());
    JsonObject problem =
        new JsonObject()
            .put("type", "urn:callgate:diagnosis:" + first.code().name())
            .put("title", title(first.code()))
            .put("status", status)
            .put("detail", first.message())
            .put("code", first.code().name())
            .put("remedy", first.remedy())
            .put("facts", new JsonObject(new LinkedHashMap<>(first.facts())));
    if (diagnoses.size() > 1) {
      JsonArray all = new JsonArray();
      // with its facts, so a form can show each problem beside the field it names
      diagnoses.forEach(
          d ->
              all.add(
                  diagnosisJson(d).put("facts", new JsonObject(new LinkedHashMap<>(d.facts())))));
      problem.put("problems", all);
    }
    return problem;
  }

  public static JsonObject diagnosisJson(Diagnosis diagnosis) {
    return new JsonObject()
        .put("code", diagnosis.code().name())
        .put("message", diagnosis.message())
        .put("remedy", diagnosis.remedy());
  }

  /** Ends the response with the problem for {@code diagnoses} (the first decides the status). */
  public static Future<Void> send(HttpServerResponse response, List<Diagnosis> diagnoses) {
    return send(response, diagnoses, Optional.empty());
  }

  /** As above, for a request that named {@code credential} (which the log line names). */
  public static Future<Void> send(
      HttpServerResponse response, List<Diagnosis> diagnoses, Optional<String> credential) {
    JsonObject problem = document(diagnoses);
    log(response, diagnoses.get(0), problem.getInteger("status"), credential);
    return response
        .setStatusCode(problem.getInteger("status"))
        .putHeader("Content-Type", CONTENT_TYPE)
        .putHeader(ERROR_HEADER, diagnoses.get(0).code().name())
        .end(problem.encode());
  }

  public static Future<Void> send(HttpServerResponse response, Diagnosis diagnosis) {
    return send(response, List.of(diagnosis));
  }

  /**
   * The problem's line, with the request's id as the response carries it. An internal error is not
   * logged here: whoever met it logged it with its cause and the reference the answer holds.
   */
  private static void log(
      HttpServerResponse response, Diagnosis diagnosis, int status, Optional<String> credential) {
    if (diagnosis.code() == DiagnosisCode.INTERNAL_ERROR) {
      return;
    }
    var line =
        LOG.atLevel(status >= 500 ? Level.WARN : Level.DEBUG)
            .setMessage("answered {} {}: {}")
            .addArgument(status)
            .addArgument(diagnosis.code())
            .addArgument(diagnosis::message)
            .addKeyValue("event", "request.refused")
            .addKeyValue("code", diagnosis.code().name())
            .addKeyValue("status", status);
    Optional<String> named = credential.or(() -> Optional.ofNullable(diagnosis.fact("credential")));
    if (named.isPresent()) {
      line = line.addKeyValue("credential", named.get());
    }
    String requestId = response.headers().get(RequestIds.HEADER);
    if (requestId != null) {
      line = line.addKeyValue("requestId", requestId);
    }
    line.log();
  }

  /** {@code REFRESH_TOKEN_EXPIRED} → "Refresh token expired". */
  static String title(DiagnosisCode code) {
    String words = code.name().replace('_', ' ').toLowerCase(Locale.ROOT);
    return Character.toUpperCase(words.charAt(0)) + words.substring(1);
  }
}
