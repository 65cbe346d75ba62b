package dev.callgate.core.port;

import dev.callgate.core.credential.AuthProvider;
import dev.callgate.core.credential.Authentication;
import dev.callgate.core.credential.ClientKeyRule;
import dev.callgate.core.credential.Secret;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The authorization server, as the domain needs it. Expected failures (an OAuth error, an
 * unreachable or misbehaving provider) are {@link GrantOutcome} values, never failed stages; the
 * adapter caches discovery. The authorization URL itself is built by the domain from {@link
 * #discover(AuthProvider)}'s endpoint.
 */
public interface IdentityProvider {

  /**
   * Discovery (for an issuer) or the provider's explicit endpoints. Fails the stage with {@link
   * IdentityProviderException} when discovery yields nothing usable.
   */
  CompletionStage<ProviderMetadata> discover(AuthProvider provider);

  /** Authorization code grant (RFC 6749 §4.1.3) with the PKCE verifier (RFC 7636 §4.5). */
  CompletionStage<GrantOutcome> exchangeCode(
      AuthProvider provider, String code, Secret codeVerifier, URI redirectUri);

  /** Refresh token grant (RFC 6749 §6). */
  CompletionStage<GrantOutcome> refresh(AuthProvider provider, Secret refreshToken);

  /** Client credentials grant (RFC 6749 §4.4) for the provider's scopes. */
  CompletionStage<GrantOutcome> clientCredentials(AuthProvider provider);

  /** JWT bearer grant (RFC 7523 §2.1): the adapter signs the assertion described by {@code jwt}. */
  CompletionStage<GrantOutcome> jwtBearer(
      AuthProvider provider, Authentication.JwtBearer jwt, String subject, List<String> scopes);

  /** Token exchange grant (RFC 8693 §2.1) with the client's authentication and the request. */
  CompletionStage<GrantOutcome> tokenExchange(AuthProvider provider, TokenExchangeRequest request);

  /**
   * Token revocation (RFC 7009) with {@code token_type_hint}; every expected failure, and a
   * provider without a revocation endpoint, is an outcome.
   */
  CompletionStage<RevocationOutcome> revoke(
      AuthProvider provider, Secret token, String tokenTypeHint);

  /**
   * Whether a client's private key can sign its {@code private_key_jwt} assertions here: the rule a
   * provider is validated with when it is saved, so that a key this adapter cannot read is refused
   * then, not at the first grant.
   */
  ClientKeyRule clientKeyRule();

  /**
   * Device authorization request (RFC 8628 §3.1) for {@code scopes}, at the endpoint {@link
   * #discover} names; ask only a provider whose metadata names one (the stage fails otherwise).
   */
  CompletionStage<DeviceAuthorizationOutcome> requestDeviceAuthorization(
      AuthProvider provider, List<String> scopes);

  /**
   * One device access token request (RFC 8628 §3.4); {@code authorization_pending}, {@code
   * slow_down}, {@code access_denied} and {@code expired_token} come back as {@code Refused}.
   */
  CompletionStage<GrantOutcome> pollDeviceCode(AuthProvider provider, Secret deviceCode);
}
