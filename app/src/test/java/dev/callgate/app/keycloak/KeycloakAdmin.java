package dev.callgate.app.keycloak;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Keycloak's admin REST API as the tests need it: realms made and dropped per test, sessions ended
 * and listed, a client's secret changed, the event log read. Authenticates as the master realm's
 * bootstrap administrator through {@code admin-cli}, and takes a new token shortly before the old
 * one expires or when the server, restarted, refuses it. Failures throw with Keycloak's answer.
 */
public final class KeycloakAdmin {

  private static final Duration TOKEN_MARGIN = Duration.ofSeconds(10);

  private final URI baseUrl;
  private final String username;
  private final String password;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private String token;
  private Instant tokenRenewal = Instant.MIN;

  KeycloakAdmin(URI baseUrl, String username, String password) {
    this.baseUrl = baseUrl;
    this.username = username;
    this.password = password;
  }

  /** Creates the realm {@code spec} describes, with the users and client of the imported one. */
  public void createRealm(RealmSpec spec) {
    createRealm(spec.json());
  }

  /** Creates the realm of {@code representation} as it is, e.g. one made from a spec's JSON. */
  public void createRealm(JsonObject representation) {
    send("POST", "/admin/realms", representation);
  }

  public void deleteRealm(String realm) {
    send("DELETE", realmPath(realm), null);
  }

  /** The realm representation, lifetimes and event settings included. */
  public JsonObject realm(String realm) {
    return new JsonObject(send("GET", realmPath(realm), null));
  }

  /** Changes the fields of the realm that {@code partial} names; the others stay. */
  public void updateRealm(String realm, JsonObject partial) {
    send("PUT", realmPath(realm), partial);
  }

  public String userId(String realm, String username) {
    JsonArray users =
        new JsonArray(
            send("GET", realmPath(realm) + "/users?exact=true&username=" + encode(username), null));
    if (users.isEmpty()) {
      throw new IllegalArgumentException("no user " + username + " in realm " + realm);
    }
    return users.getJsonObject(0).getString("id");
  }

  /**
   * Ends all of the user's online sessions. Keycloak also sets the user's not-before to now, so
   * that refresh tokens issued in an earlier second, offline ones included, become stale, while the
   * offline sessions themselves stay listed.
   */
  public void logout(String realm, String username) {
    send("POST", userPath(realm, username) + "/logout", null);
  }

  /** The user's online sessions, each with {@code id}, {@code start}, {@code clients}… */
  public List<JsonObject> userSessions(String realm, String username) {
    return list(send("GET", userPath(realm, username) + "/sessions", null));
  }

  /** The user's offline sessions with the client {@code clientId}. */
  public List<JsonObject> offlineSessions(String realm, String username, String clientId) {
    return list(
        send(
            "GET",
            userPath(realm, username) + "/offline-sessions/" + clientUuid(realm, clientId),
            null));
  }

  /** Ends one session by its id (a token's {@code sid}); {@code offline} picks which kind. */
  public void deleteSession(String realm, String sessionId, boolean offline) {
    send(
        "DELETE",
        realmPath(realm) + "/sessions/" + encode(sessionId) + "?isOffline=" + offline,
        null);
  }

  /** Withdraws the user's grant to the client: ends its offline sessions with that client. */
  public void revokeConsent(String realm, String username, String clientId) {
    send("DELETE", userPath(realm, username) + "/consents/" + encode(clientId), null);
  }

  /** The client representation of {@code clientId}. */
  public JsonObject client(String realm, String clientId) {
    return new JsonObject(send("GET", clientPath(realm, clientId), null));
  }

  /** Changes the fields of the client that {@code partial} names, e.g. {@code consentRequired}. */
  public void updateClient(String realm, String clientId, JsonObject partial) {
    // Keycloak's PUT takes the whole representation: fields left out would be reset
    JsonObject client = client(realm, clientId).mergeIn(partial);
    send("PUT", clientPath(realm, clientId), client);
  }

  /** Sets the confidential client's secret to {@code newSecret}; the old one stops working. */
  public void clientSecret(String realm, String clientId, String newSecret) {
    updateClient(realm, clientId, new JsonObject().put("secret", newSecret));
  }

  /**
   * The realm's stored user events of the given types (all types when none), newest first, as
   * Keycloak lists them: {@code type}, {@code clientId}, {@code userId}, {@code sessionId}, {@code
   * error}, {@code details}…
   */
  public List<JsonObject> events(String realm, String... types) {
    StringBuilder path = new StringBuilder(realmPath(realm)).append("/events?max=1000");
    for (String type : types) {
      path.append("&type=").append(encode(type));
    }
    return list(send("GET", path.toString(), null));
  }

  /** The realm's admin events, newest first. */
  public List<JsonObject> adminEvents(String realm) {
    return list(send("GET", realmPath(realm) + "/admin-events?max=1000", null));
  }

  private String userPath(String realm, String username) {
    return realmPath(realm) + "/users/" + userId(realm, username);
  }

  private String clientPath(String realm, String clientId) {
    return realmPath(realm) + "/clients/" + clientUuid(realm, clientId);
  }

  private String clientUuid(String realm, String clientId) {
    JsonArray clients =
        new JsonArray(
            send("GET", realmPath(realm) + "/clients?clientId=" + encode(clientId), null));
    if (clients.isEmpty()) {
      throw new IllegalArgumentException("no client " + clientId + " in realm " + realm);
    }
    return clients.getJsonObject(0).getString("id");
  }

  private static String realmPath(String realm) {
    return "/admin/realms/" + encode(realm);
  }

  private String send(String method, String path, JsonObject body) {
    HttpResponse<String> response = exchange(method, path, body);
    if (response.statusCode() == 401) {
      // a token of the server before a restart, or one that expired in between
      tokenRenewal = Instant.MIN;
      response = exchange(method, path, body);
    }
    if (response.statusCode() / 100 != 2) {
      throw new IllegalStateException(
          method + " " + path + " answered " + response.statusCode() + ": " + response.body());
    }
    return response.body();
  }

  private HttpResponse<String> exchange(String method, String path, JsonObject body) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(baseUrl + path))
            .timeout(Duration.ofSeconds(60))
            .header("Authorization", "Bearer " + token())
            .header("Accept", "application/json");
    if (body == null) {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      request
          .header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(body.encode()));
    }
    return call(request.build());
  }

  private synchronized String token() {
    if (Instant.now().isBefore(tokenRenewal)) {
      return token;
    }
    String form =
        "grant_type=password&client_id=admin-cli&username="
            + encode(username)
            + "&password="
            + encode(password);
    HttpResponse<String> response =
        call(
            HttpRequest.newBuilder(
                    URI.create(baseUrl + "/realms/master/protocol/openid-connect/token"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form))
                .build());
    if (response.statusCode() != 200) {
      throw new IllegalStateException(
          "no admin token from Keycloak: " + response.statusCode() + " " + response.body());
    }
    JsonObject answer = new JsonObject(response.body());
    token = answer.getString("access_token");
    tokenRenewal = Instant.now().plusSeconds(answer.getLong("expires_in", 60L)).minus(TOKEN_MARGIN);
    return token;
  }

  private HttpResponse<String> call(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(request.method() + " " + request.uri(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: " + request.method() + " " + request.uri(), e);
    }
  }

  private static List<JsonObject> list(String body) {
    List<JsonObject> list = new ArrayList<>();
    new JsonArray(body).forEach(element -> list.add((JsonObject) element));
    return list;
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
