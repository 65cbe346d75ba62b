package dev.callgate.core.port;

import java.net.URI;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What an authorization server says about itself (RFC 8414 / OpenID Connect Discovery), or what the
 * provider's explicit endpoints give when it has no discovery document. Empty lists mean "not
 * advertised"; {@code deviceAuthorizationEndpoint} is RFC 8628's {@code
 * device_authorization_endpoint}.
 */
public record ProviderMetadata(
    Optional<String> issuer,
    Optional<URI> authorizationEndpoint,
    URI tokenEndpoint,
    Optional<URI> revocationEndpoint,
    List<String> scopesSupported,
    List<String> grantTypesSupported,
    List<String> codeChallengeMethodsSupported,
    Optional<URI> deviceAuthorizationEndpoint) {

  public ProviderMetadata {
    Objects.requireNonNull(deviceAuthorizationEndpoint, "deviceAuthorizationEndpoint");
    Objects.requireNonNull(tokenEndpoint, "tokenEndpoint");
    scopesSupported = List.copyOf(scopesSupported);
    grantTypesSupported = List.copyOf(grantTypesSupported);
    codeChallengeMethodsSupported = List.copyOf(codeChallengeMethodsSupported);
  }
}
