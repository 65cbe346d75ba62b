package dev.callgate.core.port;

import dev.callgate.core.credential.Secret;
import java.util.Objects;

/**
 * Encryption of secrets at rest (AES-256-GCM under a master key in the adapters). Every ciphertext
 * names the key that made it, so keys can rotate: {@link #currentKeyId()} encrypts, any known key
 * decrypts. Synchronous on purpose: it is CPU work of microseconds, with no I/O.
 */
public interface SecretCipher {

  /** An encrypted secret and the id of the key that encrypted it. */
  record Ciphertext(String keyId, byte[] bytes) {
    public Ciphertext {
      Objects.requireNonNull(keyId, "keyId");
      Objects.requireNonNull(bytes, "bytes");
    }
  }

  Ciphertext encrypt(Secret secret);

  /** Throws {@link IllegalStateException} when the key is unknown or the ciphertext tampered. */
  Secret decrypt(Ciphertext ciphertext);

  String currentKeyId();
}
