package dev.callgate.core.callout;

import java.util.Objects;
import java.util.Optional;

/**
 * A call as a caller sent it to {@code /v1/callout/{credential}/{path…}}: the method, the raw path
 * below the credential's URL (still percent-encoded, as received), the raw query, the caller's
 * headers and the body.
 */
public record CalloutRequest(
    String method, String rawPath, Optional<String> rawQuery, Headers headers, Body body) {

  public CalloutRequest {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(rawPath, "rawPath");
    Objects.requireNonNull(rawQuery, "rawQuery");
    Objects.requireNonNull(headers, "headers");
    Objects.requireNonNull(body, "body");
  }

  /** The request without its body. */
  public CalloutHead head() {
    return new CalloutHead(method, rawPath, rawQuery, headers);
  }
}
