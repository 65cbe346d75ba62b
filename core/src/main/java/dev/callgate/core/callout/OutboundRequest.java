package dev.callgate.core.callout;

import dev.callgate.core.credential.TlsSettings;
import java.net.URI;
import java.util.Objects;

/**
 * What Callgate sends to the target: absolute URL, the headers after the rules, the body, and the
 * credential it is sent for — the transport keeps each credential's connections apart from every
 * other's, so one credential's load cannot starve another's callouts, and no connection ever
 * carries two credentials' requests. {@code tls} is the client certificate to present and the
 * authorities to trust besides the JVM's; connections made with one set of settings never carry a
 * request made with another.
 */
public record OutboundRequest(
    String method, URI uri, Headers headers, Body body, String credential, TlsSettings tls) {
  public OutboundRequest {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(headers, "headers");
    Objects.requireNonNull(body, "body");
    Objects.requireNonNull(credential, "credential");
    Objects.requireNonNull(tls, "tls");
  }

  /** A request that belongs to no credential in particular (tests, tools). */
  public OutboundRequest(String method, URI uri, Headers headers, Body body) {
    this(method, uri, headers, body, "", TlsSettings.NONE);
  }

  public OutboundRequest withHeaders(Headers next) {
    return new OutboundRequest(method, uri, next, body, credential, tls);
  }
}
