package dev.callgate.adapter.idp;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.impl.ECDSA;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import dev.callgate.core.credential.ClientKeyRule;
import dev.callgate.core.credential.Secret;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.text.ParseException;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;

/**
 * A client's private key for {@code private_key_jwt} (RFC 7523 §2.2), read from a PKCS#8 PEM by JCA
 * or from a JWK by nimbus-jose-jwt: the signer of its assertions, the JWS algorithm (the one asked
 * for, or RS256 for RSA and the curve's ES algorithm for EC) and the key id the JWK names. A key it
 * cannot read is an {@link UnusableKeyException} whose words never quote the key.
 */
record ClientAssertionKey(JWSSigner signer, JWSAlgorithm algorithm, Optional<String> keyId) {

  private static final Set<JWSAlgorithm> RSA_ALGORITHMS = JWSAlgorithm.Family.RSA;

  /** The key's problem, in words that name no part of it. */
  static final class UnusableKeyException extends Exception {
    UnusableKeyException(String problem) {
      super(problem, null, false, false);
    }
  }

  /** Whether {@code privateKey} can sign with {@code algorithm}, as the API's validation asks. */
  static ClientKeyRule rule() {
    return (privateKey, algorithm) -> {
      try {
        read(privateKey, algorithm);
        return Optional.empty();
      } catch (UnusableKeyException e) {
        return Optional.of(e.getMessage());
      }
    };
  }

  static ClientAssertionKey read(Secret privateKey, Optional<String> algorithmName)
      throws UnusableKeyException {
    String text = privateKey.reveal().strip();
    if (text.startsWith("{")) {
      return fromJwk(text, algorithmName);
    }
    return fromPrivateKey(pkcs8(text), algorithmName, Optional.empty());
  }

  private static ClientAssertionKey fromJwk(String text, Optional<String> algorithmName)
      throws UnusableKeyException {
    JWK jwk;
    try {
      jwk = JWK.parse(text);
    } catch (ParseException e) {
      throw new UnusableKeyException(
          "it is neither a PKCS#8 PEM private key nor one JWK (RSA or EC) with its private part");
    }
    Optional<String> keyId = Optional.ofNullable(jwk.getKeyID());
    try {
      if (jwk instanceof RSAKey rsa && rsa.isPrivate()) {
        return fromPrivateKey(rsa.toPrivateKey(), algorithmName, keyId);
      }
      if (jwk instanceof ECKey ec && ec.isPrivate()) {
        return fromPrivateKey(ec.toECPrivateKey(), algorithmName, keyId);
      }
    } catch (JOSEException e) {
      throw new UnusableKeyException("the JWK's private key cannot be read");
    }
    throw new UnusableKeyException(
        "the JWK is not an RSA or EC private key (a public key or another key type)");
  }

  private static PrivateKey pkcs8(String pem) throws UnusableKeyException {
    if (pem.contains("BEGIN RSA PRIVATE KEY") || pem.contains("BEGIN EC PRIVATE KEY")) {
      throw new UnusableKeyException(
          "it is a PKCS#1 or SEC 1 PEM: convert it to PKCS#8 (openssl pkcs8 -topk8 -nocrypt)");
    }
    if (pem.contains("BEGIN ENCRYPTED PRIVATE KEY")) {
      throw new UnusableKeyException(
          "it is an encrypted PEM: give it unencrypted (openssl pkcs8 -topk8 -nocrypt)");
    }
    String begin = "-----BEGIN PRIVATE KEY-----";
    String end = "-----END PRIVATE KEY-----";
    int from = pem.indexOf(begin);
    int to = pem.indexOf(end);
    if (from < 0 || to < from) {
      throw new UnusableKeyException(
          "it is neither a PKCS#8 PEM private key (-----BEGIN PRIVATE KEY-----) nor a JWK");
    }
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(pem.substring(from + begin.length(), to));
    } catch (IllegalArgumentException e) {
      throw new UnusableKeyException("the PEM's body is not base64");
    }
    for (String type : new String[] {"RSA", "EC"}) {
      try {
        return KeyFactory.getInstance(type).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        // not of this type: try the next
      }
    }
    throw new UnusableKeyException("the PEM holds no RSA or EC private key");
  }

  private static ClientAssertionKey fromPrivateKey(
      PrivateKey key, Optional<String> algorithmName, Optional<String> keyId)
      throws UnusableKeyException {
    try {
      if (key instanceof RSAPrivateKey rsa) {
        JWSAlgorithm algorithm = algorithmName.map(JWSAlgorithm::parse).orElse(JWSAlgorithm.RS256);
        if (!RSA_ALGORITHMS.contains(algorithm)) {
          throw new UnusableKeyException(
              "an RSA key signs with RS256, RS384, RS512, PS256, PS384 or PS512, not '"
                  + algorithm.getName()
                  + "'");
        }
        return new ClientAssertionKey(new RSASSASigner(rsa), algorithm, keyId);
      }
      if (key instanceof ECPrivateKey ec) {
        JWSAlgorithm curveAlgorithm = ECDSA.resolveAlgorithm(ec);
        JWSAlgorithm algorithm = algorithmName.map(JWSAlgorithm::parse).orElse(curveAlgorithm);
        if (!algorithm.equals(curveAlgorithm)) {
          throw new UnusableKeyException(
              "this EC key's curve signs with "
                  + curveAlgorithm.getName()
                  + ", not '"
                  + algorithm.getName()
                  + "'");
        }
        return new ClientAssertionKey(new ECDSASigner(ec), algorithm, keyId);
      }
    } catch (JOSEException e) {
      throw new UnusableKeyException("the key cannot sign JWS assertions");
    }
    throw new UnusableKeyException("the key is neither RSA nor EC");
  }
}
