package dev.callgate.adapter.sql;

import dev.callgate.core.credential.Secret;
import dev.callgate.core.port.SecretCipher;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Secrets at rest with AES-256-GCM (JCA): a fresh 96-bit IV per encryption, a 128-bit tag, and the
 * key id with the secret's place (table, column, row) bound as associated data, so a ciphertext
 * cannot be passed off under another key or in another row. One key encrypts; every known key
 * decrypts, so master keys can rotate.
 */
public final class AesGcmSecretCipher implements SecretCipher {
  private static final int IV_BYTES = 12;
  private static final int TAG_BITS = 128;

  private final String currentKeyId;
  private final Map<String, SecretKeySpec> keys;
  private final SecureRandom random = new SecureRandom();

  private AesGcmSecretCipher(String currentKeyId, Map<String, SecretKeySpec> keys) {
    this.currentKeyId = currentKeyId;
    this.keys = keys;
  }

  /**
   * {@code keys} maps key ids to base64 256-bit keys; {@code currentKeyId} names the one that
   * encrypts. Throws {@link IllegalArgumentException} for a key that is not 32 bytes of base64.
   */
  public static AesGcmSecretCipher of(String currentKeyId, Map<String, String> keys) {
    Objects.requireNonNull(currentKeyId, "currentKeyId");
    Map<String, SecretKeySpec> specs = new LinkedHashMap<>();
    keys.forEach(
        (id, base64) -> {
          byte[] key;
          try {
            key = Base64.getDecoder().decode(base64.trim());
          } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("master key '" + id + "' is not base64");
          }
          if (key.length != 32) {
            throw new IllegalArgumentException(
                "master key '" + id + "' has " + key.length + " bytes, not 32");
          }
          specs.put(id, new SecretKeySpec(key, "AES"));
        });
    if (!specs.containsKey(currentKeyId)) {
      throw new IllegalArgumentException("no master key with id '" + currentKeyId + "'");
    }
    return new AesGcmSecretCipher(currentKeyId, Map.copyOf(specs));
  }

  /** A fresh random 256-bit key, base64. */
  public static String generateKey() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return Base64.getEncoder().encodeToString(key);
  }

  @Override
  public String currentKeyId() {
    return currentKeyId;
  }

  @Override
  public Ciphertext encrypt(Secret secret, Place place) {
    byte[] iv = new byte[IV_BYTES];
    random.nextBytes(iv);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, keys.get(currentKeyId), new GCMParameterSpec(TAG_BITS, iv));
      cipher.updateAAD(place.associatedData(currentKeyId));
      byte[] sealed = cipher.doFinal(secret.reveal().getBytes(StandardCharsets.UTF_8));
      return new Ciphertext(
          currentKeyId, ByteBuffer.allocate(iv.length + sealed.length).put(iv).put(sealed).array());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM encryption failed", e);
    }
  }

  @Override
  public Secret decrypt(Ciphertext ciphertext, Place place) {
    return open(
        ciphertext,
        place.associatedData(ciphertext.keyId()),
        "the secret in "
            + place
            + " does not open there: it was sealed for another row or column (copied or moved"
            + " in the database) or altered");
  }

  @Override
  public Secret decryptUnbound(Ciphertext ciphertext) {
    return open(
        ciphertext,
        ciphertext.keyId().getBytes(StandardCharsets.UTF_8),
        "a stored secret failed its integrity check");
  }

  private Secret open(Ciphertext ciphertext, byte[] associatedData, String refusal) {
    SecretKeySpec key = keys.get(ciphertext.keyId());
    if (key == null) {
      throw new IllegalStateException(
          "a secret is encrypted under master key '"
              + ciphertext.keyId()
              + "', which this instance does not have");
    }
    byte[] bytes = ciphertext.bytes();
    if (bytes.length < IV_BYTES + TAG_BITS / 8) {
      throw new IllegalStateException("a stored secret is truncated");
    }
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, bytes, 0, IV_BYTES));
      cipher.updateAAD(associatedData);
      byte[] plain = cipher.doFinal(bytes, IV_BYTES, bytes.length - IV_BYTES);
      return Secret.of(new String(plain, StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(refusal, e);
    }
  }
}
