package dev.callgate.app.http;

import java.time.Duration;
import java.util.Objects;

/**
 * What one inbound HTTP connection may take from Callgate: how long it may stay silent ({@code
 * idleTimeout}), how long it may take to send a complete request head ({@code headerTimeout},
 * counted from its first byte, or from the connection's opening), how long it may pause between
 * bytes of a body Callgate is reading ({@code bodyTimeout}), how many connections may be open at
 * once, and how large a request line and the request's headers may be.
 */
public record InboundLimits(
    Duration idleTimeout,
    Duration headerTimeout,
    Duration bodyTimeout,
    int maxConnections,
    int maxRequestLine,
    int maxHeaderSize) {

  public InboundLimits {
    Objects.requireNonNull(idleTimeout, "idleTimeout");
    Objects.requireNonNull(headerTimeout, "headerTimeout");
    Objects.requireNonNull(bodyTimeout, "bodyTimeout");
  }

  /**
   * A minute of silence outlasts the callout transport's 10 s connect and 30 s response timeouts;
   * 10 s is ample for a request head on any real network; 8 KiB of headers and 4 KiB of request
   * line are what common proxies accept.
   */
  public static InboundLimits defaults() {
    return new InboundLimits(
        Duration.ofSeconds(60), Duration.ofSeconds(10), Duration.ofSeconds(30), 1024, 4096, 8192);
  }
}
