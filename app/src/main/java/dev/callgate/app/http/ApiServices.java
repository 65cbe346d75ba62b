package dev.callgate.app.http;

import dev.callgate.core.port.CredentialStore;
import dev.callgate.core.port.TokenStore;
import dev.callgate.core.service.ApiKeys;
import dev.callgate.core.service.Authorizations;
import dev.callgate.core.service.Callouts;
import dev.callgate.core.service.Refresher;
import java.util.Objects;

/** The use cases and stores the HTTP API is a front for. */
public record ApiServices(
    ApiKeys apiKeys,
    CredentialStore credentials,
    TokenStore tokens,
    Callouts callouts,
    Authorizations authorizations,
    Refresher refresher) {
  public ApiServices {
    Objects.requireNonNull(apiKeys, "apiKeys");
    Objects.requireNonNull(credentials, "credentials");
    Objects.requireNonNull(tokens, "tokens");
    Objects.requireNonNull(callouts, "callouts");
    Objects.requireNonNull(authorizations, "authorizations");
    Objects.requireNonNull(refresher, "refresher");
  }
}
