package dev.callgate.adapter.idp;

import dev.callgate.core.credential.AuthProvider;
import dev.callgate.core.credential.ClientAuthMethod;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.client.HttpRequest;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** How the client proves itself at the token and revocation endpoints (RFC 6749 §2.3). */
final class ClientAuthentication {

  private ClientAuthentication() {}

  static void apply(AuthProvider provider, HttpRequest<Buffer> request, MultiMap form) {
    ClientAuthMethod method =
        provider.clientSecret().isPresent() ? provider.clientAuthMethod() : ClientAuthMethod.NONE;
    switch (method) {
      case CLIENT_SECRET_BASIC ->
          request.putHeader(
              HttpHeaders.AUTHORIZATION.toString(),
              basic(provider.clientId(), provider.clientSecret().orElseThrow().reveal()));
      case CLIENT_SECRET_POST -> {
        form.set("client_id", provider.clientId());
        form.set("client_secret", provider.clientSecret().orElseThrow().reveal());
      }
      case NONE -> form.set("client_id", provider.clientId());
    }
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
