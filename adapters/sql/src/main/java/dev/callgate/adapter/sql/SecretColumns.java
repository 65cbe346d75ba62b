package dev.callgate.adapter.sql;

import dev.callgate.core.credential.Secret;
import dev.callgate.core.port.SecretCipher;
import java.util.Base64;
import java.util.Optional;

/** A secret in one text column: {@code <key id>:<base64 of IV, ciphertext and tag>}. */
final class SecretColumns {
  private final SecretCipher cipher;

  SecretColumns(SecretCipher cipher) {
    this.cipher = cipher;
  }

  String seal(Secret secret) {
    SecretCipher.Ciphertext sealed = cipher.encrypt(secret);
    return sealed.keyId() + ":" + Base64.getEncoder().encodeToString(sealed.bytes());
  }

  String seal(Optional<Secret> secret) {
    return secret.map(this::seal).orElse(null);
  }

  Optional<Secret> open(String column) {
    if (column == null) {
      return Optional.empty();
    }
    int colon = column.indexOf(':');
    if (colon < 0) {
      throw new IllegalStateException("a stored secret has no key id");
    }
    return Optional.of(
        cipher.decrypt(
            new SecretCipher.Ciphertext(
                column.substring(0, colon),
                Base64.getDecoder().decode(column.substring(colon + 1)))));
  }

  /** The key id a stored secret is sealed under. */
  static String keyId(String column) {
    int colon = column.indexOf(':');
    return colon < 0 ? "" : column.substring(0, colon);
  }

  String currentKeyId() {
    return cipher.currentKeyId();
  }
}
