package dev.callgate.core.port;

import dev.callgate.core.credential.Secret;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Encryption of secrets at rest (AES-256-GCM under a master key in the adapters). Every ciphertext
 * names the key that made it, so keys can rotate: {@link #currentKeyId()} encrypts, any known key
 * decrypts. A secret is sealed for its {@link Place} — the table, column and row that hold it — so
 * a ciphertext copied into another row or column does not open there. Synchronous on purpose: it is
 * CPU work of microseconds, with no I/O.
 */
public interface SecretCipher {

  /** An encrypted secret and the id of the key that encrypted it. */
  record Ciphertext(String keyId, byte[] bytes) {
    public Ciphertext {
      Objects.requireNonNull(keyId, "keyId");
      Objects.requireNonNull(bytes, "bytes");
    }
  }

  /** Where a sealed secret is kept: its table, its column, and the key of its row. */
  record Place(String table, String column, List<String> row) {
    public Place {
      Objects.requireNonNull(table, "table");
      Objects.requireNonNull(column, "column");
      row = List.copyOf(row);
    }

    public static Place of(String table, String column, String... row) {
      return new Place(table, column, List.of(row));
    }

    /**
     * The AES-GCM associated data that binds a ciphertext under {@code keyId} to this place: every
     * part length-prefixed, so no two places (or key ids) share an encoding.
     */
    public byte[] associatedData(String keyId) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      List<String> parts = new ArrayList<>();
      parts.add("callgate-secret/2");
      parts.add(keyId);
      parts.add(table);
      parts.add(column);
      parts.addAll(row);
      for (String part : parts) {
        byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
        out.writeBytes(ByteBuffer.allocate(4).putInt(bytes.length).array());
        out.writeBytes(bytes);
      }
      return out.toByteArray();
    }

    @Override
    public String toString() {
      return table + "." + column + " of " + String.join("/", row);
    }
  }

  /** Seals {@code secret} so that it opens only at {@code place}. */
  Ciphertext encrypt(Secret secret, Place place);

  /**
   * Opens a secret sealed for {@code place}. Throws {@link IllegalStateException} when the key is
   * unknown, or the ciphertext was sealed for another place or tampered.
   */
  Secret decrypt(Ciphertext ciphertext, Place place);

  /**
   * Opens a secret sealed before secrets were bound to their place; only a migration that re-seals
   * them reads this form. Throws {@link IllegalStateException} like {@link #decrypt(Ciphertext,
   * Place)}.
   */
  Secret decryptUnbound(Ciphertext ciphertext);

  String currentKeyId();
}
