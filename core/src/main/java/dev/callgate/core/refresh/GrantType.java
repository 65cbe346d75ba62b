package dev.callgate.core.refresh;

import dev.callgate.core.credential.Protocol;
import java.util.Optional;

/**
 * The token-endpoint grant a refresh uses: the refresh token of an authorization (RFC 6749 §6), or
 * a grant Callgate makes without a person — client credentials (§4.4) or a JWT bearer assertion
 * (RFC 7523), or a token exchange (RFC 8693). Without a person, every refusal is a fault of the
 * configuration, never of a grant a person could renew.
 */
public enum GrantType {
  REFRESH_TOKEN("refresh_token"),
  CLIENT_CREDENTIALS("client_credentials"),
  JWT_BEARER("urn:ietf:params:oauth:grant-type:jwt-bearer"),
  TOKEN_EXCHANGE("urn:ietf:params:oauth:grant-type:token-exchange");

  private final String wireName;

  GrantType(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }

  /** The grant a credential of {@code protocol} refreshes with; empty where tokens are not used. */
  public static Optional<GrantType> of(Protocol protocol) {
    return switch (protocol) {
      case OAUTH2_AUTHORIZATION_CODE -> Optional.of(REFRESH_TOKEN);
      case OAUTH2_CLIENT_CREDENTIALS -> Optional.of(CLIENT_CREDENTIALS);
      case OAUTH2_JWT_BEARER -> Optional.of(JWT_BEARER);
      case BASIC, API_KEY, NONE, AWS_SIGV4 -> Optional.empty();
      case OAUTH2_TOKEN_EXCHANGE -> Optional.of(TOKEN_EXCHANGE);
    };
  }

  public boolean withoutPerson() {
    return switch (this) {
      case REFRESH_TOKEN -> false;
      case CLIENT_CREDENTIALS, JWT_BEARER, TOKEN_EXCHANGE -> true;
    };
  }
}
