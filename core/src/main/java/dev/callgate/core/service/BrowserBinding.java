package dev.callgate.core.service;

import dev.callgate.core.credential.Secret;
import dev.callgate.core.port.FlowHash;
import java.time.Duration;
import java.util.Objects;

/**
 * The cookie that ties an authorization flow to the browser that opened Callgate's authorization
 * page: its name (one per flow, so that flows in several tabs do not overwrite each other), the
 * single-use secret it holds, the path it is sent to (the callback's), how long it lives (as long
 * as the flow), and whether only https may carry it. The callback is refused without it.
 */
public record BrowserBinding(
    String cookieName, Secret secret, String path, Duration lifetime, boolean secure) {

  private static final String COOKIE_PREFIX = "callgate_flow_";

  public BrowserBinding {
    Objects.requireNonNull(cookieName, "cookieName");
    Objects.requireNonNull(secret, "secret");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(lifetime, "lifetime");
  }

  /**
   * The cookie name of the flow whose state is {@code state}: derived from the state's hash, so the
   * callback finds its cookie from the state it carries.
   */
  public static String cookieName(String state) {
    return COOKIE_PREFIX + FlowHash.of(state).value().substring(0, 16);
  }
}
