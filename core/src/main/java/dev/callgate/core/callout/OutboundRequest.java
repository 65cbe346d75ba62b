package dev.callgate.core.callout;

import java.net.URI;
import java.util.Objects;

/** What Callgate sends to the target: absolute URL, the headers after the rules, the body. */
public record OutboundRequest(String method, URI uri, Headers headers, Body body) {
  public OutboundRequest {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(headers, "headers");
    Objects.requireNonNull(body, "body");
  }

  public OutboundRequest withHeaders(Headers next) {
    return new OutboundRequest(method, uri, next, body);
  }
}
