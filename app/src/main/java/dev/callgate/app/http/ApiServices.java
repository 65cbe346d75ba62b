package dev.callgate.app.http;

import dev.callgate.core.service.ApiKeys;
import dev.callgate.core.service.Authorizations;
import dev.callgate.core.service.Callouts;
import dev.callgate.core.service.ConnectLinks;
import dev.callgate.core.service.ConnectionTests;
import dev.callgate.core.service.ConsoleSessions;
import dev.callgate.core.service.Credentials;
import dev.callgate.core.service.DeviceAuthorizations;
import dev.callgate.core.service.EventFeed;
import dev.callgate.core.service.FleetStatus;
import dev.callgate.core.service.ManualRefreshes;
import dev.callgate.core.service.Providers;
import dev.callgate.core.service.Revocations;
import dev.callgate.core.service.TokenStatuses;
import dev.callgate.core.service.Webhooks;
import java.util.Objects;

/** The use cases the HTTP API is a front for; the routes reach no store but through them. */
public record ApiServices(
    ApiKeys apiKeys,
    Callouts callouts,
    Authorizations authorizations,
    ManualRefreshes manualRefreshes,
    Providers providers,
    Credentials namedCredentials,
    Revocations revocations,
    TokenStatuses statuses,
    ConnectionTests connectionTests,
    EventFeed events,
    FleetStatus fleet,
    LiveEvents liveEvents,
    Webhooks webhooks,
    ConsoleSessions consoleSessions,
    ConnectLinks connectLinks,
    DeviceAuthorizations deviceAuthorizations) {
  public ApiServices {
    Objects.requireNonNull(apiKeys, "apiKeys");
    Objects.requireNonNull(callouts, "callouts");
    Objects.requireNonNull(authorizations, "authorizations");
    Objects.requireNonNull(manualRefreshes, "manualRefreshes");
    Objects.requireNonNull(providers, "providers");
    Objects.requireNonNull(namedCredentials, "namedCredentials");
    Objects.requireNonNull(revocations, "revocations");
    Objects.requireNonNull(statuses, "statuses");
    Objects.requireNonNull(connectionTests, "connectionTests");
    Objects.requireNonNull(events, "events");
    Objects.requireNonNull(fleet, "fleet");
    Objects.requireNonNull(liveEvents, "liveEvents");
    Objects.requireNonNull(webhooks, "webhooks");
    Objects.requireNonNull(consoleSessions, "consoleSessions");
    Objects.requireNonNull(connectLinks, "connectLinks");
    Objects.requireNonNull(deviceAuthorizations, "deviceAuthorizations");
  }
}
