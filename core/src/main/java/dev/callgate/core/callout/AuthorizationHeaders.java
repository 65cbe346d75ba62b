package dev.callgate.core.callout;

import dev.callgate.core.credential.Authentication;
import dev.callgate.core.credential.TokenPlacement;
import dev.callgate.core.token.TokenSet;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;

/**
 * The header with which Callgate authenticates a callout when the credential generates its
 * authorization header: {@code Authorization: Bearer <access token>} for the OAuth protocols (RFC
 * 6750 §2.1) or where the credential's {@link TokenPlacement} puts the token, {@code Authorization:
 * Basic base64(user:password)} for basic (RFC 7617, UTF-8), the API key in the credential's header
 * for {@code api_key}, and nothing for {@code none} or for an OAuth credential that has no token
 * yet.
 */
public final class AuthorizationHeaders {

  public static final String AUTHORIZATION = "Authorization";

  private AuthorizationHeaders() {}

  /** The header for a credential that sends its access token as {@code Authorization: Bearer}. */
  public static Optional<Headers.Header> generate(
      Authentication authentication, Optional<TokenSet> tokens) {
    return generate(authentication, tokens, TokenPlacement.BEARER);
  }

  /**
   * The header, with an OAuth access token where {@code placement} puts it: none when it goes in
   * the query ({@link TargetUrl#withQueryParameter} adds it there).
   */
  public static Optional<Headers.Header> generate(
      Authentication authentication, Optional<TokenSet> tokens, TokenPlacement placement) {
    Objects.requireNonNull(authentication, "authentication");
    Objects.requireNonNull(tokens, "tokens");
    Objects.requireNonNull(placement, "placement");
    return switch (authentication.protocol()) {
      // Always "Bearer", whatever token_type the provider reported ("bearer", "Bearer", or
      // something else): RFC 6750 bearer usage is what resource servers accept, and schemes
      // such as DPoP (RFC 9449) or MAC need per-request proofs that Callgate does not make.
      case OAUTH2_AUTHORIZATION_CODE,
          OAUTH2_CLIENT_CREDENTIALS,
          OAUTH2_JWT_BEARER,
          OAUTH2_TOKEN_EXCHANGE ->
          tokens.flatMap(
              set ->
                  placement.fold(
                      bearer ->
                          Optional.of(
                              new Headers.Header(
                                  AUTHORIZATION, "Bearer " + set.accessToken().reveal())),
                      header ->
                          Optional.of(
                              new Headers.Header(
                                  header.name(), header.prefix() + set.accessToken().reveal())),
                      query -> Optional.empty()));
      case BASIC -> {
        Authentication.Basic basic = (Authentication.Basic) authentication;
        String userPass = basic.username() + ":" + basic.password().reveal();
        yield Optional.of(
            new Headers.Header(
                AUTHORIZATION,
                "Basic "
                    + Base64.getEncoder()
                        .encodeToString(userPass.getBytes(StandardCharsets.UTF_8))));
      }
      case API_KEY -> {
        Authentication.ApiKey apiKey = (Authentication.ApiKey) authentication;
        yield Optional.of(new Headers.Header(apiKey.headerName(), apiKey.key().reveal()));
      }
      // signed by the RequestSigner over the request as it is sent, after the header rules
      case NONE, AWS_SIGV4 -> Optional.empty();
    };
  }
}
