package dev.callgate.core.credential;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** How a named credential authenticates its callouts; the wire names are the API's. */
public enum Protocol {
  OAUTH2_AUTHORIZATION_CODE("oauth2_authorization_code"),
  OAUTH2_CLIENT_CREDENTIALS("oauth2_client_credentials"),
  OAUTH2_JWT_BEARER("oauth2_jwt_bearer"),
  BASIC("basic"),
  API_KEY("api_key"),
  NONE("none"),
  AWS_SIGV4("aws_sigv4"),
  OAUTH2_TOKEN_EXCHANGE("oauth2_token_exchange");

  private final String wireName;

  Protocol(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }

  /** Whether callouts carry an OAuth 2.0 access token obtained from an auth provider. */
  public boolean usesTokens() {
    return switch (this) {
      case OAUTH2_AUTHORIZATION_CODE, OAUTH2_CLIENT_CREDENTIALS, OAUTH2_JWT_BEARER -> true;
      case BASIC, API_KEY, NONE, AWS_SIGV4 -> false;
      case OAUTH2_TOKEN_EXCHANGE -> true;
    };
  }

  public static Optional<Protocol> fromWireName(String name) {
    return Arrays.stream(values()).filter(p -> p.wireName.equals(name)).findFirst();
  }

  public static List<String> wireNames() {
    return Arrays.stream(values()).map(Protocol::wireName).toList();
  }
}
