package dev.callgate.app.http;

import dev.callgate.core.port.CredentialStore;
import dev.callgate.core.port.TokenStore;
import dev.callgate.core.service.ApiKeys;
import dev.callgate.core.service.Authorizations;
import dev.callgate.core.service.Callouts;
import dev.callgate.core.service.Credentials;
import dev.callgate.core.service.Providers;
import dev.callgate.core.service.Refresher;
import dev.callgate.core.service.Revocations;
import dev.callgate.core.service.TokenStatuses;
import java.util.Objects;

/** The use cases and stores the HTTP API is a front for. */
public record ApiServices(
    ApiKeys apiKeys,
    CredentialStore credentials,
    TokenStore tokens,
    Callouts callouts,
    Authorizations authorizations,
    Refresher refresher,
    Providers providers,
    Credentials namedCredentials,
    Revocations revocations,
    TokenStatuses statuses) {
  public ApiServices {
    Objects.requireNonNull(apiKeys, "apiKeys");
    Objects.requireNonNull(credentials, "credentials");
    Objects.requireNonNull(tokens, "tokens");
    Objects.requireNonNull(callouts, "callouts");
    Objects.requireNonNull(authorizations, "authorizations");
    Objects.requireNonNull(refresher, "refresher");
    Objects.requireNonNull(providers, "providers");
    Objects.requireNonNull(namedCredentials, "namedCredentials");
    Objects.requireNonNull(revocations, "revocations");
    Objects.requireNonNull(statuses, "statuses");
  }
}
