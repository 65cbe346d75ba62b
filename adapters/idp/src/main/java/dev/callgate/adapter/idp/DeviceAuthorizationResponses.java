package dev.callgate.adapter.idp;

import dev.callgate.core.credential.Secret;
import dev.callgate.core.port.DeviceAuthorizationOutcome;
import dev.callgate.core.port.GrantOutcome;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A device authorization endpoint's answer (RFC 8628 §3.2) as an outcome: the codes, or the OAuth
 * error or failure the token endpoint's rules make of anything else. Google's {@code
 * verification_url} is read where {@code verification_uri} is missing.
 */
final class DeviceAuthorizationResponses {

  private DeviceAuthorizationResponses() {}

  static DeviceAuthorizationOutcome toOutcome(
      URI endpoint, int status, String contentType, String retryAfter, Buffer body, Instant now) {
    if (status < 200 || status >= 300) {
      return new DeviceAuthorizationOutcome.NotIssued(
          TokenResponseMapper.toGrantOutcome(status, contentType, retryAfter, body, now));
    }
    Optional<JsonObject> json = TokenResponseMapper.jsonObject(body);
    if (json.isEmpty()) {
      return invalid(endpoint, status, "not a JSON object");
    }
    JsonObject answer = json.get();
    Optional<String> deviceCode = text(answer, "device_code");
    Optional<String> userCode = text(answer, "user_code");
    Optional<URI> verificationUri =
        text(answer, "verification_uri")
            .or(() -> text(answer, "verification_url"))
            .flatMap(DeviceAuthorizationResponses::absolute);
    Optional<Duration> expiresIn = TokenResponseMapper.seconds(answer.getValue("expires_in"));
    if (deviceCode.isEmpty()
        || userCode.isEmpty()
        || verificationUri.isEmpty()
        || expiresIn.isEmpty()) {
      return invalid(
          endpoint,
          status,
          "it lacks one of device_code, user_code, an absolute verification_uri and expires_in");
    }
    return new DeviceAuthorizationOutcome.Issued(
        Secret.of(deviceCode.get()),
        userCode.get(),
        verificationUri.get(),
        text(answer, "verification_uri_complete").flatMap(DeviceAuthorizationResponses::absolute),
        expiresIn.get(),
        TokenResponseMapper.seconds(answer.getValue("interval")));
  }

  private static DeviceAuthorizationOutcome invalid(URI endpoint, int status, String what) {
    return new DeviceAuthorizationOutcome.NotIssued(
        new GrantOutcome.Failed(
            GrantOutcome.Failure.INVALID_RESPONSE,
            "the device authorization endpoint "
                + endpoint
                + " answered HTTP "
                + status
                + ", but "
                + what,
            Optional.of(status),
            Optional.empty()));
  }

  private static Optional<String> text(JsonObject json, String field) {
    Object value = json.getValue(field);
    return value instanceof String text && !text.isBlank() ? Optional.of(text) : Optional.empty();
  }

  private static Optional<URI> absolute(String value) {
    try {
      URI uri = new URI(value);
      return uri.isAbsolute() && uri.getHost() != null ? Optional.of(uri) : Optional.empty();
    } catch (URISyntaxException e) {
      return Optional.empty();
    }
  }
}
