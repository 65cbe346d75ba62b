package dev.callgate.core.service;

import java.util.Objects;
import java.util.Optional;

/**
 * The identity provider's redirect back to Callgate (RFC 6749 §4.1.2): a code and the state, or an
 * error (§4.1.2.1) and the state — and the flow-binding secret the browser's cookie carried, if any
 * ({@link BrowserBinding}).
 */
public record AuthorizationCallback(
    Optional<String> state,
    Optional<String> code,
    Optional<String> error,
    Optional<String> errorDescription,
    Optional<String> browserBinding) {

  public AuthorizationCallback {
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(error, "error");
    Objects.requireNonNull(errorDescription, "errorDescription");
    Objects.requireNonNull(browserBinding, "browserBinding");
  }

  public static AuthorizationCallback withCode(String state, String code, String browserBinding) {
    return new AuthorizationCallback(
        Optional.of(state),
        Optional.of(code),
        Optional.empty(),
        Optional.empty(),
        Optional.of(browserBinding));
  }
}
