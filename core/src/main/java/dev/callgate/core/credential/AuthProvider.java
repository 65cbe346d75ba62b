package dev.callgate.core.credential;

import java.net.URI;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An OAuth 2.0 / OpenID Connect authorization server as one client of it sees it: where it is (an
 * {@code issuer} for discovery, or explicit endpoints), who the client is, which scopes to ask for
 * (in the configured order), and, when the provider does not report it, how long its refresh tokens
 * live, and how long its access tokens live when a token response does not say; {@code
 * tokenRequestParameters} are sent on every token request besides the protocol's own (such as RFC
 * 8707 {@code resource} or an {@code audience}). A client that authenticates with {@code
 * private_key_jwt} has a {@code clientPrivateKey} (PKCS#8 PEM or a JWK), optionally the {@code
 * clientKeyId} its assertions name; {@code clientAssertionAlgorithm} picks the JWS algorithm of
 * {@code private_key_jwt} and {@code client_secret_jwt} assertions, or the key's default. {@code
 * tls} is the TLS of its token, revocation and discovery endpoints (RFC 8705): the client
 * certificate of {@code tls_client_auth} and certificate-bound tokens, and authorities to trust.
 * {@code deviceAuthorizationEndpoint} (RFC 8628 §3.1) names the device authorization endpoint of a
 * provider whose discovery does not. Build it from input with {@link AuthProviderDraft#validate()}.
 */
public record AuthProvider(
    String name,
    Optional<URI> issuer,
    Optional<URI> authorizationEndpoint,
    Optional<URI> tokenEndpoint,
    Optional<URI> revocationEndpoint,
    String clientId,
    Optional<Secret> clientSecret,
    ClientAuthMethod clientAuthMethod,
    List<String> scopes,
    Optional<Duration> refreshTokenLifetime,
    Map<String, String> tokenRequestParameters,
    Optional<Duration> accessTokenLifetime,
    Optional<ProviderTemplate.Use> template,
    Optional<Secret> clientPrivateKey,
    Optional<String> clientKeyId,
    Optional<String> clientAssertionAlgorithm,
    TlsSettings tls,
    Optional<URI> deviceAuthorizationEndpoint) {

  public AuthProvider {
    Objects.requireNonNull(deviceAuthorizationEndpoint, "deviceAuthorizationEndpoint");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(clientPrivateKey, "clientPrivateKey");
    Objects.requireNonNull(clientKeyId, "clientKeyId");
    Objects.requireNonNull(clientAssertionAlgorithm, "clientAssertionAlgorithm");
    Objects.requireNonNull(tls, "tls");
    Objects.requireNonNull(clientId, "clientId");
    Objects.requireNonNull(clientAuthMethod, "clientAuthMethod");
    scopes = List.copyOf(scopes);
    tokenRequestParameters = Collections.unmodifiableMap(new TreeMap<>(tokenRequestParameters));
    if (issuer.isEmpty() && tokenEndpoint.isEmpty()) {
      throw new IllegalArgumentException("a provider needs an issuer or a token endpoint");
    }
  }

  /**
   * A provider made without a template, sending no parameters of its own on token requests,
   * assuming no access-token lifetime of its own, and authenticating with a secret or none (no
   * assertion key).
   */
  public AuthProvider(
      String name,
      Optional<URI> issuer,
      Optional<URI> authorizationEndpoint,
      Optional<URI> tokenEndpoint,
      Optional<URI> revocationEndpoint,
      String clientId,
      Optional<Secret> clientSecret,
      ClientAuthMethod clientAuthMethod,
      List<String> scopes,
      Optional<Duration> refreshTokenLifetime) {
    this(
        name,
        issuer,
        authorizationEndpoint,
        tokenEndpoint,
        revocationEndpoint,
        clientId,
        clientSecret,
        clientAuthMethod,
        scopes,
        refreshTokenLifetime,
        Map.of(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        TlsSettings.NONE,
        Optional.empty());
  }

  /**
   * The parameters its template adds to every authorization request (Google's {@code
   * access_type=offline}); none without a template.
   */
  public Map<String, String> authorizationParameters() {
    return template.map(use -> use.template().authorizationParameters()).orElse(Map.of());
  }

  /**
   * Whether the client proves itself at the token endpoint (a secret or a key it holds), rather
   * than being a public client.
   */
  public boolean isConfidential() {
    return switch (clientAuthMethod) {
      case CLIENT_SECRET_BASIC, CLIENT_SECRET_POST, CLIENT_SECRET_JWT -> clientSecret.isPresent();
      case PRIVATE_KEY_JWT -> clientPrivateKey.isPresent();
      case NONE -> false;
      case TLS_CLIENT_AUTH, SELF_SIGNED_TLS_CLIENT_AUTH -> tls.hasClientCertificate();
    };
  }

  /** Whether the provider is an OpenID Connect issuer, found by discovery. */
  public boolean isOpenIdConnect() {
    return issuer.isPresent();
  }
}
