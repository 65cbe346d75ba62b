package dev.callgate.core.callout;

import dev.callgate.core.credential.Authentication;
import dev.callgate.core.credential.Secret;
import dev.callgate.core.token.TokenSet;
import java.util.Objects;
import java.util.Optional;

/**
 * The values a credential offers to merge fields such as {@code {!$Credential.OAuthToken}}: the
 * current access token of an OAuth credential, the user name and password of a basic credential,
 * the key of an API-key credential. A field whose value is absent cannot be used with this
 * credential; {@link MergeFields} says so with a diagnosis.
 */
public record MergeFieldValues(
    Optional<Secret> oauthToken,
    Optional<String> userName,
    Optional<Secret> password,
    Optional<Secret> apiKey) {

  public MergeFieldValues {
    Objects.requireNonNull(oauthToken, "oauthToken");
    Objects.requireNonNull(userName, "userName");
    Objects.requireNonNull(password, "password");
    Objects.requireNonNull(apiKey, "apiKey");
  }

  /** No value at all: every merge field is rejected. */
  public static MergeFieldValues none() {
    return new MergeFieldValues(
        Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
  }

  /**
   * What {@code authentication} offers; {@code tokens} is the current token set of an OAuth
   * credential (absent before the first authorization).
   */
  public static MergeFieldValues of(Authentication authentication, Optional<TokenSet> tokens) {
    Objects.requireNonNull(tokens, "tokens");
    return switch (authentication.protocol()) {
      case OAUTH2_AUTHORIZATION_CODE,
          OAUTH2_CLIENT_CREDENTIALS,
          OAUTH2_JWT_BEARER,
          OAUTH2_TOKEN_EXCHANGE ->
          new MergeFieldValues(
              tokens.map(TokenSet::accessToken),
              Optional.empty(),
              Optional.empty(),
              Optional.empty());
      case BASIC -> {
        Authentication.Basic basic = (Authentication.Basic) authentication;
        yield new MergeFieldValues(
            Optional.empty(),
            Optional.of(basic.username()),
            Optional.of(basic.password()),
            Optional.empty());
      }
      case API_KEY ->
          new MergeFieldValues(
              Optional.empty(),
              Optional.empty(),
              Optional.empty(),
              Optional.of(((Authentication.ApiKey) authentication).key()));
      // a signature is made per request, over the request: no merge field can carry it
      case NONE, AWS_SIGV4 -> none();
    };
  }
}
