package dev.callgate.core.credential;

import java.util.Arrays;
import java.util.Optional;

/**
 * How the client authenticates at the token and revocation endpoints (RFC 6749 §2.3, OpenID Connect
 * Core §9, RFC 7523 §2.2, RFC 8705 §2).
 */
public enum ClientAuthMethod {
  /** HTTP Basic with the client id and secret; the RFC's default. */
  CLIENT_SECRET_BASIC("client_secret_basic"),
  /** Client id and secret in the form body. */
  CLIENT_SECRET_POST("client_secret_post"),
  /** A public client: client id only, protected by PKCE. */
  NONE("none"),
  /** A JWT signed with the client's private key (RSA or EC), its public key registered. */
  PRIVATE_KEY_JWT("private_key_jwt"),
  /** A JWT signed HS256 (or HS384, HS512) with the client secret, which is never sent. */
  CLIENT_SECRET_JWT("client_secret_jwt"),
  /**
   * RFC 8705 §2.1: the client id in the form, proved by a client certificate from a certificate
   * authority the server trusts, its subject registered.
   */
  TLS_CLIENT_AUTH("tls_client_auth"),
  /** RFC 8705 §2.2: the client id in the form, proved by a self-signed certificate registered. */
  SELF_SIGNED_TLS_CLIENT_AUTH("self_signed_tls_client_auth");

  private final String wireName;

  ClientAuthMethod(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }

  /**
   * What of a provider proves the client with this method, in words for a remedy: the fields to
   * check against the client registered at the identity provider.
   */
  public String whatProvesTheClient() {
    return switch (this) {
      case CLIENT_SECRET_BASIC, CLIENT_SECRET_POST ->
          "clientSecret and clientAuthMethod (" + wireName + ")";
      case NONE -> "clientAuthMethod (none: a public client, which the provider may not allow)";
      case PRIVATE_KEY_JWT ->
          "clientPrivateKey (the identity provider must hold its public key, as a JWKS or"
              + " certificate of the client), clientKeyId and clientAssertionAlgorithm";
      case CLIENT_SECRET_JWT ->
          "clientSecret (the key of the client_secret_jwt assertion) and"
              + " clientAssertionAlgorithm";
      case TLS_CLIENT_AUTH ->
          "tlsClientCertificate and tlsClientKey (the identity provider must trust the"
              + " certificate's issuer and have its subject registered for the client)";
      case SELF_SIGNED_TLS_CLIENT_AUTH ->
          "tlsClientCertificate and tlsClientKey (the identity provider must hold the certificate"
              + " in the client's registered JWKS)";
    };
  }

  public static Optional<ClientAuthMethod> fromWireName(String name) {
    return Arrays.stream(values()).filter(m -> m.wireName.equals(name)).findFirst();
  }
}
