package dev.callgate.core.credential;

import java.util.Optional;

/**
 * Whether a client's private key can sign its {@code private_key_jwt} assertions with the algorithm
 * asked for (or the key's default): the adapter that signs them reads the key (a PKCS#8 PEM or a
 * JWK) and answers with the problem in words, which never quote the key.
 */
@FunctionalInterface
public interface ClientKeyRule {

  /** The problem with {@code privateKey} and {@code algorithm}, or empty when it can sign. */
  Optional<String> problem(Secret privateKey, Optional<String> algorithm);

  /** Accepts every key: for drafts checked again where the key is read. */
  static ClientKeyRule unchecked() {
    return (privateKey, algorithm) -> Optional.empty();
  }
}
