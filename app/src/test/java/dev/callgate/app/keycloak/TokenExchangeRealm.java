package dev.callgate.app.keycloak;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * A realm for Keycloak's standard token exchange (RFC 8693, "V2"): the imported realm's users and
 * its {@code callgate} client, which may exchange tokens ({@code standard.token.exchange.enabled})
 * and may ask for the audience {@link #TARGET_CLIENT} (an Audience mapper makes it available); a
 * {@link #SUBJECT_CLIENT} whose users' tokens name {@code callgate} in their audience, as Keycloak
 * demands of a subject token; and the {@link #TARGET_CLIENT}, the API the exchanged tokens are for,
 * which introspects them.
 */
public final class TokenExchangeRealm {
  /** The client a user signs in to first; its access tokens are the subject tokens. */
  public static final String SUBJECT_CLIENT = "frontend";

  public static final String SUBJECT_CLIENT_SECRET = "frontend-client-secret";

  /** The API's client: the audience of the exchanged tokens, and the one that introspects them. */
  public static final String TARGET_CLIENT = "orders-api";

  public static final String TARGET_CLIENT_SECRET = "orders-api-client-secret";

  private TokenExchangeRealm() {}

  /** Creates the realm named after {@code prefix} on {@code keycloak}; returns its name. */
  public static String create(Keycloak keycloak, String prefix) {
    RealmSpec spec = RealmSpec.unique(prefix);
    JsonObject realm = spec.json();
    JsonArray clients = realm.getJsonArray("clients");
    JsonObject callgate = clients.getJsonObject(0);
    callgate
        .put("attributes", new JsonObject().put("standard.token.exchange.enabled", "true"))
        .put("protocolMappers", new JsonArray().add(audienceMapper(TARGET_CLIENT)));
    clients
        .add(
            new JsonObject()
                .put("clientId", SUBJECT_CLIENT)
                .put("enabled", true)
                .put("protocol", "openid-connect")
                .put("publicClient", false)
                .put("clientAuthenticatorType", "client-secret")
                .put("secret", SUBJECT_CLIENT_SECRET)
                .put("standardFlowEnabled", true)
                .put("directAccessGrantsEnabled", true)
                .put("serviceAccountsEnabled", false)
                .put("redirectUris", new JsonArray().add("http://127.0.0.1/*"))
                .put("defaultClientScopes", callgate.getJsonArray("defaultClientScopes").copy())
                .put("optionalClientScopes", callgate.getJsonArray("optionalClientScopes").copy())
                .put("protocolMappers", new JsonArray().add(audienceMapper(Keycloak.CLIENT_ID))))
        .add(
            new JsonObject()
                .put("clientId", TARGET_CLIENT)
                .put("enabled", true)
                .put("protocol", "openid-connect")
                .put("publicClient", false)
                .put("clientAuthenticatorType", "client-secret")
                .put("secret", TARGET_CLIENT_SECRET)
                .put("standardFlowEnabled", false)
                .put("directAccessGrantsEnabled", false)
                .put("serviceAccountsEnabled", false)
                .put("redirectUris", new JsonArray(List.of())));
    keycloak.admin().createRealm(realm);
    return spec.name();
  }

  /** Adds {@code clientId} to the audience of the access tokens of the client that has it. */
  private static JsonObject audienceMapper(String clientId) {
    return new JsonObject()
        .put("name", "audience " + clientId)
        .put("protocol", "openid-connect")
        .put("protocolMapper", "oidc-audience-mapper")
        .put(
            "config",
            new JsonObject()
                .put("included.client.audience", clientId)
                .put("access.token.claim", "true")
                .put("id.token.claim", "false")
                .put("introspection.token.claim", "true"));
  }
}
