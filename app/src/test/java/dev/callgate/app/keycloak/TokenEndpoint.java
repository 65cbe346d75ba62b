package dev.callgate.app.keycloak;

import io.vertx.core.json.DecodeException;
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
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A confidential client's side of a Keycloak realm's token and revocation endpoints, with {@code
 * client_secret_basic}: what the tests use to check what Keycloak itself answers, independently of
 * Callgate's own identity-provider adapter. Every call returns the status and the JSON body as they
 * came, errors included.
 */
public final class TokenEndpoint {

  /** Status and body of one answer; the body is empty when Keycloak sent none. */
  public record Answer(int status, JsonObject body) {

    public String error() {
      return body.getString("error");
    }

    public String errorDescription() {
      return body.getString("error_description");
    }

    public String accessToken() {
      return body.getString("access_token");
    }

    public String refreshToken() {
      return body.getString("refresh_token");
    }

    public String idToken() {
      return body.getString("id_token");
    }

    /** Seconds; Keycloak sends 0 for a refresh token without expiry (offline, unlimited). */
    public Integer refreshExpiresIn() {
      return body.getInteger("refresh_expires_in");
    }
  }

  private final URI tokenUri;
  private final URI revocationUri;
  private final String authorization;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  public TokenEndpoint(URI issuer, String clientId, String clientSecret) {
    this.tokenUri = URI.create(issuer + "/protocol/openid-connect/token");
    this.revocationUri = URI.create(issuer + "/protocol/openid-connect/revoke");
    // RFC 6749 2.3.1: id and secret are form-encoded before they are joined
    this.authorization =
        "Basic "
            + Base64.getEncoder()
                .encodeToString(
                    (encode(clientId) + ":" + encode(clientSecret))
                        .getBytes(StandardCharsets.UTF_8));
  }

  public Answer exchange(String code, URI redirectUri) {
    return post(
        tokenUri,
        form("grant_type", "authorization_code", "code", code, "redirect_uri", redirectUri));
  }

  public Answer refresh(String refreshToken) {
    return post(tokenUri, form("grant_type", "refresh_token", "refresh_token", refreshToken));
  }

  /** The client-credentials grant; {@code scope} may be null. */
  public Answer clientCredentials(String scope) {
    Map<String, Object> form = form("grant_type", "client_credentials");
    if (scope != null) {
      form.put("scope", scope);
    }
    return post(tokenUri, form);
  }

  /** The resource owner password grant (the client needs Direct access grants). */
  public Answer password(String username, String password) {
    return post(
        tokenUri,
        form(
            "grant_type",
            "password",
            "username",
            username,
            "password",
            password,
            "scope",
            "openid"));
  }

  /** RFC 7009 revocation; {@code tokenTypeHint} may be null. */
  public Answer revoke(String token, String tokenTypeHint) {
    Map<String, Object> form = form("token", token);
    if (tokenTypeHint != null) {
      form.put("token_type_hint", tokenTypeHint);
    }
    return post(revocationUri, form);
  }

  /** The payload of a JWT, unverified: for looking at what Keycloak put in its tokens. */
  public static JsonObject claims(String jwt) {
    String[] parts = jwt.split("\\.");
    if (parts.length != 3) {
      throw new IllegalArgumentException("not a signed JWT: " + parts.length + " parts");
    }
    return new JsonObject(
        new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
  }

  private Answer post(URI uri, Map<String, Object> form) {
    String body =
        form.entrySet().stream()
            .map(e -> encode(e.getKey()) + "=" + encode(String.valueOf(e.getValue())))
            .collect(Collectors.joining("&"));
    HttpRequest request =
        HttpRequest.newBuilder(uri)
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", authorization)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Accept", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      return new Answer(response.statusCode(), json(response.body()));
    } catch (IOException e) {
      throw new UncheckedIOException("POST " + uri, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: POST " + uri, e);
    }
  }

  private static JsonObject json(String body) {
    if (body == null || body.isBlank()) {
      return new JsonObject();
    }
    try {
      return new JsonObject(body);
    } catch (DecodeException e) {
      throw new IllegalStateException("not a JSON object from Keycloak: " + body, e);
    }
  }

  private static Map<String, Object> form(Object... pairs) {
    Map<String, Object> form = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      form.put((String) pairs[i], pairs[i + 1]);
    }
    return form;
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
