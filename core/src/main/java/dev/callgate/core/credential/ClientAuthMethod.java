package dev.callgate.core.credential;

import java.util.Arrays;
import java.util.Optional;

/** How the client authenticates at the token endpoint (RFC 6749 §2.3, OIDC Core §9). */
public enum ClientAuthMethod {
  /** HTTP Basic with the client id and secret; the RFC's default. */
  CLIENT_SECRET_BASIC("client_secret_basic"),
  /** Client id and secret in the form body. */
  CLIENT_SECRET_POST("client_secret_post"),
  /** A public client: client id only, protected by PKCE. */
  NONE("none");

  private final String wireName;

  ClientAuthMethod(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }

  public static Optional<ClientAuthMethod> fromWireName(String name) {
    return Arrays.stream(values()).filter(m -> m.wireName.equals(name)).findFirst();
  }
}
