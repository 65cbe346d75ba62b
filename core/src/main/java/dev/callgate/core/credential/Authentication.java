package dev.callgate.core.credential;

import java.util.Optional;

/**
 * How a named credential proves itself to its target, one variant per {@link Protocol}, each
 * holding exactly what that protocol needs. OAuth variants name their {@link AuthProvider}; the
 * static ones hold their secrets.
 */
public sealed interface Authentication {

  Protocol protocol();

  /** The auth provider's name, for the OAuth protocols. */
  default Optional<String> providerName() {
    return Optional.empty();
  }

  /** OAuth 2.0 authorization code grant with PKCE (RFC 6749 §4.1, RFC 7636). */
  record AuthorizationCode(String provider) implements Authentication {
    @Override
    public Protocol protocol() {
      return Protocol.OAUTH2_AUTHORIZATION_CODE;
    }

    @Override
    public Optional<String> providerName() {
      return Optional.of(provider);
    }
  }

  /** OAuth 2.0 client credentials grant (RFC 6749 §4.4): the client is the principal. */
  record ClientCredentials(String provider) implements Authentication {
    @Override
    public Protocol protocol() {
      return Protocol.OAUTH2_CLIENT_CREDENTIALS;
    }

    @Override
    public Optional<String> providerName() {
      return Optional.of(provider);
    }
  }

  /**
   * JWT bearer grant (RFC 7523 §2.1): Callgate signs an assertion with {@code signingKey} (a PKCS#8
   * PEM RSA key) for {@code subject}, issued by {@code issuer}, for {@code audience} (the token
   * endpoint when absent).
   */
  record JwtBearer(
      String provider, String issuer, String subject, Optional<String> audience, Secret signingKey)
      implements Authentication {
    @Override
    public Protocol protocol() {
      return Protocol.OAUTH2_JWT_BEARER;
    }

    @Override
    public Optional<String> providerName() {
      return Optional.of(provider);
    }
  }

  /** HTTP Basic (RFC 7617). */
  record Basic(String username, Secret password) implements Authentication {
    @Override
    public Protocol protocol() {
      return Protocol.BASIC;
    }
  }

  /** A static API key sent in a header of the target's choosing. */
  record ApiKey(String headerName, Secret key) implements Authentication {
    @Override
    public Protocol protocol() {
      return Protocol.API_KEY;
    }
  }

  /** No authentication: Callgate only applies its callout rules (allowed callers, path bounds). */
  record None() implements Authentication {
    @Override
    public Protocol protocol() {
      return Protocol.NONE;
    }
  }

  /**
   * AWS Signature Version 4: every callout is signed for {@code region} and {@code service} with
   * the access key (and the session token of temporary keys), or, with a {@code role}, with the
   * temporary keys STS AssumeRole gives those keys for the role.
   */
  record AwsSigV4(
      String accessKeyId,
      Secret secretAccessKey,
      Optional<Secret> sessionToken,
      String region,
      String service,
      Optional<AwsRole> role)
      implements Authentication {
    @Override
    public Protocol protocol() {
      return Protocol.AWS_SIGV4;
    }
  }
}
