package dev.callgate.adapter.idp;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import dev.callgate.core.credential.Secret;
import dev.callgate.core.port.GrantOutcome;
import dev.callgate.core.port.TokenResponse;
import dev.callgate.core.token.ProviderIdentity;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Optional;

/**
 * Reads a token endpoint's HTTP answer (RFC 6749 §5.1, §5.2) into a {@link GrantOutcome}. Reasons
 * name the status and content type, never the body: a body that is not what it should be may still
 * hold tokens.
 */
final class TokenResponseMapper {

  private static final int MAX_CONTENT_TYPE_IN_REASON = 80;

  private TokenResponseMapper() {}

  static GrantOutcome toGrantOutcome(
      int status, String contentType, String retryAfter, Buffer body, Instant now) {
    if (status == 429) {
      return new GrantOutcome.Failed(
          GrantOutcome.Failure.RATE_LIMITED,
          "the token endpoint answered HTTP 429 (too many requests)",
          Optional.of(status),
          retryAfter(retryAfter, now));
    }
    Optional<JsonObject> json = jsonObject(body);
    if (status >= 200 && status < 300) {
      return json.map(object -> granted(object, status, contentType))
          .orElseGet(() -> invalid(status, contentType, "not a JSON token response"));
    }
    Optional<String> error = json.flatMap(object -> text(object, "error"));
    if (error.isPresent() && status >= 400) {
      return new GrantOutcome.Refused(
          error.get(), json.flatMap(object -> text(object, "error_description")), status);
    }
    if (status >= 500) {
      return new GrantOutcome.Failed(
          GrantOutcome.Failure.SERVER_ERROR,
          "the token endpoint answered HTTP " + status + describe(contentType),
          Optional.of(status),
          retryAfter(retryAfter, now));
    }
    return invalid(status, contentType, "not an OAuth 2.0 error response");
  }

  private static GrantOutcome granted(JsonObject json, int status, String contentType) {
    Optional<String> accessToken = text(json, "access_token");
    if (accessToken.isEmpty()) {
      return invalid(status, contentType, "JSON without access_token");
    }
    Optional<Secret> refreshToken = text(json, "refresh_token").map(Secret::of);
    Optional<JWTClaimsSet> refreshClaims = refreshToken.flatMap(token -> claims(token.reveal()));
    Optional<JWTClaimsSet> idToken = text(json, "id_token").flatMap(TokenResponseMapper::claims);
    return new GrantOutcome.Granted(
        new TokenResponse(
            Secret.of(accessToken.get()),
            // RFC 6749 makes token_type required, yet some providers omit it for bearer tokens.
            text(json, "token_type").orElse("Bearer"),
            seconds(json.getValue("expires_in")),
            refreshToken,
            seconds(json.getValue("refresh_expires_in"))
                .or(() -> seconds(json.getValue("refresh_token_expires_in"))),
            refreshClaims.map(JWTClaimsSet::getExpirationTime).map(Date::toInstant),
            text(json, "scope").map(TokenResponseMapper::scopes),
            identity(idToken, refreshClaims)));
  }

  private static GrantOutcome invalid(int status, String contentType, String what) {
    return new GrantOutcome.Failed(
        GrantOutcome.Failure.INVALID_RESPONSE,
        "the token endpoint answered HTTP " + status + describe(contentType) + ": " + what,
        Optional.of(status),
        Optional.empty());
  }

  private static String describe(String contentType) {
    if (contentType == null || contentType.isBlank()) {
      return " without a content type";
    }
    String shown =
        contentType.length() > MAX_CONTENT_TYPE_IN_REASON
            ? contentType.substring(0, MAX_CONTENT_TYPE_IN_REASON) + "…"
            : contentType;
    return " with content type " + shown;
  }

  /** The body as a JSON object, whatever the content type says (some providers send text/plain). */
  static Optional<JsonObject> jsonObject(Buffer body) {
    if (body == null || body.length() == 0) {
      return Optional.empty();
    }
    String text = body.toString(StandardCharsets.UTF_8).strip();
    if (!text.startsWith("{")) {
      return Optional.empty();
    }
    try {
      return Optional.of(new JsonObject(text));
    } catch (DecodeException e) {
      return Optional.empty();
    }
  }

  private static Optional<String> text(JsonObject json, String field) {
    Object value = json.getValue(field);
    return value instanceof String string && !string.isBlank()
        ? Optional.of(string)
        : Optional.empty();
  }

  /**
   * A lifetime in seconds, as a JSON number or a numeric string. Zero is no lifetime at all
   * (Keycloak's offline tokens say {@code refresh_expires_in: 0}), so it is read as "not said".
   */
  static Optional<Duration> seconds(Object value) {
    long seconds;
    if (value instanceof Number number) {
      seconds = number.longValue();
    } else if (value instanceof String string) {
      try {
        seconds = Long.parseLong(string.strip());
      } catch (NumberFormatException e) {
        return Optional.empty();
      }
    } else {
      return Optional.empty();
    }
    return seconds > 0 ? Optional.of(Duration.ofSeconds(seconds)) : Optional.empty();
  }

  private static List<String> scopes(String scope) {
    return Arrays.stream(scope.split(" ")).filter(s -> !s.isBlank()).toList();
  }

  /**
   * The claims of a token that is a JWT (signed, or not), empty for an opaque token. Signatures are
   * not checked: the claims only hint at a lifetime and an identity, read from an answer that came
   * straight from the token endpoint; the provider remains the judge of its tokens.
   */
  static Optional<JWTClaimsSet> claims(String token) {
    try {
      return Optional.of(JWTParser.parse(token).getJWTClaimsSet());
    } catch (ParseException notAJwt) {
      return Optional.empty();
    }
  }

  /**
   * Whose grant it is: the ID token's subject, user name, e-mail and session, or where there is no
   * ID token, the subject and session a JWT refresh token names (Keycloak's carry both).
   */
  static Optional<ProviderIdentity> identity(
      Optional<JWTClaimsSet> idToken, Optional<JWTClaimsSet> refreshToken) {
    Optional<String> refreshSession = refreshToken.flatMap(c -> claim(c, "sid"));
    if (idToken.isPresent() && idToken.get().getSubject() != null) {
      JWTClaimsSet claims = idToken.get();
      return Optional.of(
          new ProviderIdentity(
              claims.getSubject(),
              claim(claims, "preferred_username"),
              claim(claims, "email"),
              claim(claims, "sid").or(() -> refreshSession)));
    }
    return refreshToken
        .map(JWTClaimsSet::getSubject)
        .map(
            subject ->
                new ProviderIdentity(subject, Optional.empty(), Optional.empty(), refreshSession));
  }

  private static Optional<String> claim(JWTClaimsSet claims, String name) {
    Object value = claims.getClaim(name);
    return value instanceof String text && !text.isBlank() ? Optional.of(text) : Optional.empty();
  }

  /** RFC 9110 §10.2.3: delay-seconds or an HTTP-date. */
  static Optional<Duration> retryAfter(String header, Instant now) {
    if (header == null || header.isBlank()) {
      return Optional.empty();
    }
    String value = header.strip();
    try {
      long seconds = Long.parseLong(value);
      return seconds >= 0 ? Optional.of(Duration.ofSeconds(seconds)) : Optional.empty();
    } catch (NumberFormatException notSeconds) {
      try {
        Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        Duration wait = Duration.between(now, at);
        return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
      } catch (DateTimeParseException notDate) {
        return Optional.empty();
      }
    }
  }
}
