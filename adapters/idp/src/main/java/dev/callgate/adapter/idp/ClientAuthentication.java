package dev.callgate.adapter.idp;

import dev.callgate.core.credential.AuthProvider;
import dev.callgate.core.credential.ClientAuthMethod;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.client.HttpRequest;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;

/**
 * How the client proves itself at the token and revocation endpoints (RFC 6749 §2.3, RFC 7523
 * §2.2): a header or form fields, made once per request (an assertion is single-use) before the
 * request is sent, so that an unusable key fails the grant, not the connection.
 */
final class ClientAuthentication {

  private final Map<String, String> headers;
  private final Map<String, String> form;

  private ClientAuthentication(Map<String, String> headers, Map<String, String> form) {
    this.headers = headers;
    this.form = form;
  }

  /**
   * The authentication of {@code provider}'s client; an assertion names {@code tokenEndpoint} as
   * its audience (also at the revocation endpoint: the authorization server is who it is for).
   */
  static ClientAuthentication of(AuthProvider provider, URI tokenEndpoint, Instant now) {
    ClientAuthMethod method =
        provider.isConfidential() ? provider.clientAuthMethod() : ClientAuthMethod.NONE;
    String clientId = provider.clientId();
    return switch (method) {
      case CLIENT_SECRET_BASIC ->
          new ClientAuthentication(
              Map.of(
                  HttpHeaders.AUTHORIZATION.toString(),
                  basic(clientId, provider.clientSecret().orElseThrow().reveal())),
              Map.of());
      case CLIENT_SECRET_POST ->
          new ClientAuthentication(
              Map.of(),
              Map.of(
                  "client_id",
                  clientId,
                  "client_secret",
                  provider.clientSecret().orElseThrow().reveal()));
      case PRIVATE_KEY_JWT ->
          assertion(clientId, ClientAssertion.privateKeyJwt(provider, tokenEndpoint, now));
      case CLIENT_SECRET_JWT ->
          assertion(clientId, ClientAssertion.clientSecretJwt(provider, tokenEndpoint, now));
      case NONE -> new ClientAuthentication(Map.of(), Map.of("client_id", clientId));
      // RFC 8705 §2: the client id alone; the certificate of the connection proves the client
      case TLS_CLIENT_AUTH, SELF_SIGNED_TLS_CLIENT_AUTH ->
          new ClientAuthentication(Map.of(), Map.of("client_id", clientId));
    };
  }

  private static ClientAuthentication assertion(String clientId, String assertion) {
    return new ClientAuthentication(
        Map.of(),
        Map.of(
            "client_id",
            clientId,
            "client_assertion_type",
            ClientAssertion.TYPE,
            "client_assertion",
            assertion));
  }

  void apply(HttpRequest<Buffer> request, MultiMap body) {
    headers.forEach(request::putHeader);
    form.forEach(body::set);
  }

  /**
   * RFC 6749 §2.3.1: id and secret are form-urlencoded before they are joined and base64-encoded,
   * so a ':' or a non-ASCII character in either survives (servers decode them the same way).
   */
  static String basic(String clientId, String clientSecret) {
    String pair = formEncode(clientId) + ":" + formEncode(clientSecret);
    return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
  }

  private static String formEncode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
