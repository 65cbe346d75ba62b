package dev.callgate.adapter.idp;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.callgate.core.credential.AuthProvider;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.diagnosis.DiagnosisCode;
import dev.callgate.core.port.IdentityProviderException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;
import java.util.UUID;

/**
 * The client assertion of {@code private_key_jwt} and {@code client_secret_jwt} (RFC 7523 §2.2,
 * OpenID Connect Core §9): issued by the client for itself ({@code iss} = {@code sub} = client id),
 * for the token endpoint ({@code aud}), valid one minute, with a fresh {@code jti} since a provider
 * accepts each assertion once. Signed with nimbus-jose-jwt: the private key's algorithm, or HMAC
 * with the client secret (HS256 unless another is asked for).
 */
final class ClientAssertion {

  /** RFC 7523 §2.2: the {@code client_assertion_type} of a JWT. */
  static final String TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

  static final Duration LIFETIME = Duration.ofSeconds(60);

  private ClientAssertion() {}

  /**
   * Signed with the provider's private key; throws {@link IdentityProviderException} when unusable.
   */
  static String privateKeyJwt(AuthProvider provider, URI tokenEndpoint, Instant now) {
    ClientAssertionKey key;
    try {
      key =
          ClientAssertionKey.read(
              provider.clientPrivateKey().orElseThrow(), provider.clientAssertionAlgorithm());
    } catch (ClientAssertionKey.UnusableKeyException e) {
      throw unusable("clientPrivateKey", e.getMessage());
    }
    return sign(
        provider,
        tokenEndpoint,
        now,
        key.algorithm(),
        provider.clientKeyId().or(key::keyId),
        key.signer());
  }

  /** Signed HMAC with the provider's client secret. */
  static String clientSecretJwt(AuthProvider provider, URI tokenEndpoint, Instant now) {
    JWSAlgorithm algorithm =
        provider.clientAssertionAlgorithm().map(JWSAlgorithm::parse).orElse(JWSAlgorithm.HS256);
    JWSSigner signer;
    try {
      signer =
          new MACSigner(
              provider.clientSecret().orElseThrow().reveal().getBytes(StandardCharsets.UTF_8));
    } catch (JOSEException e) {
      throw unusable("clientSecret", "it is too short to sign " + algorithm.getName());
    }
    return sign(provider, tokenEndpoint, now, algorithm, Optional.empty(), signer);
  }

  private static String sign(
      AuthProvider provider,
      URI tokenEndpoint,
      Instant now,
      JWSAlgorithm algorithm,
      Optional<String> keyId,
      JWSSigner signer) {
    JWSHeader.Builder header = new JWSHeader.Builder(algorithm);
    keyId.ifPresent(header::keyID);
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .issuer(provider.clientId())
            .subject(provider.clientId())
            .audience(tokenEndpoint.toString())
            .jwtID(UUID.randomUUID().toString())
            .issueTime(Date.from(now))
            .expirationTime(Date.from(now.plus(LIFETIME)))
            .build();
    SignedJWT jwt = new SignedJWT(header.build(), claims);
    try {
      jwt.sign(signer);
    } catch (JOSEException e) {
      throw unusable(
          signer instanceof MACSigner ? "clientSecret" : "clientPrivateKey",
          "it cannot sign " + algorithm.getName());
    }
    return jwt.serialize();
  }

  private static IdentityProviderException unusable(String field, String problem) {
    return new IdentityProviderException(
        Diagnosis.of(DiagnosisCode.INVALID_VALUE, "field", field, "problem", problem));
  }
}
