package dev.callgate.core.callout;

import java.util.Objects;
import java.util.Optional;

/**
 * A callout as it stands before its body is read: the method, the raw path below the credential's
 * URL (still percent-encoded, as received), the raw query and the caller's headers. Everything that
 * can refuse a callout without its body is decided on this, so a refused caller's body is never
 * read.
 */
public record CalloutHead(
    String method, String rawPath, Optional<String> rawQuery, Headers headers) {

  public CalloutHead {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(rawPath, "rawPath");
    Objects.requireNonNull(rawQuery, "rawQuery");
    Objects.requireNonNull(headers, "headers");
  }

  /** The whole request, once its body is there. */
  public CalloutRequest with(Body body) {
    return new CalloutRequest(method, rawPath, rawQuery, headers, body);
  }
}
