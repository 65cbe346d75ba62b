package dev.callgate.core.credential;

import java.net.URI;
import java.util.List;
import java.util.Objects;
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

  /**
   * OAuth 2.0 token exchange (RFC 8693): the provider's client trades a subject token for one meant
   * for the target. The subject token is the current access token of the credential {@code
   * subjectCredential} names, or, when it names none, the one the caller sends in {@link
   * #SUBJECT_TOKEN_HEADER}. {@code audience} and {@code resource} (RFC 8707) say whom the issued
   * token is for (each sent once per value), {@code requestedTokenType} what kind of token to issue
   * (the provider's choice when empty), {@code subjectTokenType} what the subject token is.
   */
  record TokenExchange(
      String provider,
      Optional<String> subjectCredential,
      List<String> audience,
      List<URI> resource,
      Optional<String> requestedTokenType,
      String subjectTokenType)
      implements Authentication {

    /** The caller's header that carries the subject token; Callgate never forwards it. */
    public static final String SUBJECT_TOKEN_HEADER = "Callgate-Subject-Token";

    /** RFC 8693 §3: an OAuth 2.0 access token, the default subject. */
    public static final String ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";

    public TokenExchange {
      Objects.requireNonNull(provider, "provider");
      Objects.requireNonNull(subjectCredential, "subjectCredential");
      audience = List.copyOf(audience);
      resource = List.copyOf(resource);
      Objects.requireNonNull(requestedTokenType, "requestedTokenType");
      Objects.requireNonNull(subjectTokenType, "subjectTokenType");
    }

    @Override
    public Protocol protocol() {
      return Protocol.OAUTH2_TOKEN_EXCHANGE;
    }

    @Override
    public Optional<String> providerName() {
      return Optional.of(provider);
    }

    /** Whether each callout brings its own subject token, so no token is stored. */
    public boolean subjectFromCaller() {
      return subjectCredential.isEmpty();
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
