package dev.callgate.adapter.sql;

import dev.callgate.core.credential.Secret;
import dev.callgate.core.port.SecretCipher;
import dev.callgate.core.port.SecretCipher.Place;
import java.util.Base64;
import java.util.Optional;

/**
 * A secret in one text column: {@code $2$<key id>:<base64 of IV, ciphertext and tag>}, sealed for
 * its place (table, column, row). The {@code $2$} marker tells it from the unbound form {@code <key
 * id>:<base64>} written before secrets were bound to their place, which only the migration that
 * re-seals them reads.
 */
final class SecretColumns {
  static final String BOUND = "$2$";

  private final SecretCipher cipher;

  SecretColumns(SecretCipher cipher) {
    this.cipher = cipher;
  }

  String seal(Secret secret, Place place) {
    SecretCipher.Ciphertext sealed = cipher.encrypt(secret, place);
    return BOUND + sealed.keyId() + ":" + Base64.getEncoder().encodeToString(sealed.bytes());
  }

  String seal(Optional<Secret> secret, Place place) {
    return secret.map(s -> seal(s, place)).orElse(null);
  }

  Optional<Secret> open(String column, Place place) {
    if (column == null) {
      return Optional.empty();
    }
    if (!column.startsWith(BOUND)) {
      throw new IllegalStateException(
          "the secret in "
              + place
              + " is in the unbound form of an earlier version, which no longer opens: it was"
              + " copied in from an old database or backup (re-enter the secret)");
    }
    return Optional.of(cipher.decrypt(ciphertext(column.substring(BOUND.length())), place));
  }

  /** Opens a secret in the unbound form, for the migration that re-seals it. */
  Secret openUnbound(String column) {
    return cipher.decryptUnbound(ciphertext(column));
  }

  static boolean bound(String column) {
    return column.startsWith(BOUND);
  }

  private static SecretCipher.Ciphertext ciphertext(String keyIdAndBytes) {
    int colon = keyIdAndBytes.indexOf(':');
    if (colon < 0) {
      throw new IllegalStateException("a stored secret has no key id");
    }
    return new SecretCipher.Ciphertext(
        keyIdAndBytes.substring(0, colon),
        Base64.getDecoder().decode(keyIdAndBytes.substring(colon + 1)));
  }

  /** The key id a stored secret is sealed under. */
  static String keyId(String column) {
    String rest = bound(column) ? column.substring(BOUND.length()) : column;
    int colon = rest.indexOf(':');
    return colon < 0 ? "" : rest.substring(0, colon);
  }

  String currentKeyId() {
    return cipher.currentKeyId();
  }
}
