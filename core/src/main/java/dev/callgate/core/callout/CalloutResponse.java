package dev.callgate.core.callout;

import java.util.Objects;

/**
 * The target's answer, relayed to the caller as is. Transports buffer the (small) body of a 401 or
 * 403 as {@link Body.Bytes} so the {@link UnauthorizedResponseClassifier} can read it.
 */
public record CalloutResponse(int status, Headers headers, Body body) {
  public CalloutResponse {
    Objects.requireNonNull(headers, "headers");
    Objects.requireNonNull(body, "body");
  }
}
