package dev.callgate.core.service;

import dev.callgate.core.port.PendingAuthorization;
import dev.callgate.core.token.TokenKey;
import java.net.URI;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What an authorization asked for, whichever flow it took (a browser's redirect, a device's user
 * code): for which token, the scopes requested, whether an admin allowed the grant to pass to
 * another account at the provider, and where a browser goes once it is done.
 */
record AuthorizationGrant(
    TokenKey tokenKey,
    List<String> requestedScopes,
    boolean identityChangeAllowed,
    Optional<URI> returnUrl) {

  AuthorizationGrant {
    Objects.requireNonNull(tokenKey, "tokenKey");
    requestedScopes = List.copyOf(requestedScopes);
    Objects.requireNonNull(returnUrl, "returnUrl");
  }

  static AuthorizationGrant of(PendingAuthorization flow) {
    return new AuthorizationGrant(
        flow.tokenKey(), flow.requestedScopes(), flow.identityChangeAllowed(), flow.returnUrl());
  }
}
