package dev.callgate.core.testkit;

import dev.callgate.core.credential.Secret;
import dev.callgate.core.port.SecretCipher;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * A {@link SecretCipher} with JCA's AES/GCM/NoPadding under random 256-bit keys held in memory: a
 * fresh 12-byte IV per encryption, the key id and the secret's place bound as associated data,
 * ciphertext bytes laid out as IV followed by ciphertext and tag. {@link #rotateTo(String)} adds a
 * key and encrypts with it from then on while older keys still decrypt; {@link #forget(String)}
 * drops one, to test an unknown key. Thread-safe.
 */
public final class AesGcmTestCipher implements SecretCipher {

  private static final int IV_BYTES = 12;
  private static final int TAG_BITS = 128;

  private final SecureRandom random = new SecureRandom();
  private final ConcurrentMap<String, SecretKey> keys = new ConcurrentHashMap<>();
  private volatile String currentKeyId;

  /** One key, with the id {@code "k1"}. */
  public AesGcmTestCipher() {
    this("k1");
  }

  public AesGcmTestCipher(String keyId) {
    rotateTo(keyId);
  }

  /** Adds a new random key under {@code keyId} (if not known yet) and makes it current. */
  public AesGcmTestCipher rotateTo(String keyId) {
    Objects.requireNonNull(keyId, "keyId");
    keys.computeIfAbsent(keyId, id -> newKey());
    currentKeyId = keyId;
    return this;
  }

  /** Drops a key: what it encrypted can no longer be decrypted. */
  public void forget(String keyId) {
    if (keyId.equals(currentKeyId)) {
      throw new IllegalArgumentException("the current key cannot be forgotten");
    }
    keys.remove(keyId);
  }

  @Override
  public String currentKeyId() {
    return currentKeyId;
  }

  @Override
  public Ciphertext encrypt(Secret secret, Place place) {
    String keyId = currentKeyId;
    byte[] iv = new byte[IV_BYTES];
    random.nextBytes(iv);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, keys.get(keyId), new GCMParameterSpec(TAG_BITS, iv));
      cipher.updateAAD(place.associatedData(keyId));
      byte[] sealed = cipher.doFinal(secret.reveal().getBytes(StandardCharsets.UTF_8));
      return new Ciphertext(
          keyId, ByteBuffer.allocate(iv.length + sealed.length).put(iv).put(sealed).array());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM encryption failed", e);
    }
  }

  @Override
  public Secret decrypt(Ciphertext ciphertext, Place place) {
    return open(ciphertext, place.associatedData(ciphertext.keyId()));
  }

  @Override
  public Secret decryptUnbound(Ciphertext ciphertext) {
    return open(ciphertext, ciphertext.keyId().getBytes(StandardCharsets.UTF_8));
  }

  private Secret open(Ciphertext ciphertext, byte[] associatedData) {
    SecretKey key = keys.get(ciphertext.keyId());
    if (key == null) {
      throw new IllegalStateException("unknown key id '" + ciphertext.keyId() + "'");
    }
    byte[] bytes = ciphertext.bytes();
    if (bytes.length < IV_BYTES + TAG_BITS / 8) {
      throw new IllegalStateException("ciphertext too short");
    }
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(
          Cipher.DECRYPT_MODE,
          key,
          new GCMParameterSpec(TAG_BITS, Arrays.copyOfRange(bytes, 0, IV_BYTES)));
      cipher.updateAAD(associatedData);
      byte[] plain = cipher.doFinal(bytes, IV_BYTES, bytes.length - IV_BYTES);
      return Secret.of(new String(plain, StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      // no cause: it would say nothing useful, and the message must not hint at the plaintext
      throw new IllegalStateException(
          "ciphertext under key '" + ciphertext.keyId() + "' was tampered with or corrupted");
    }
  }

  private static SecretKey newKey() {
    try {
      KeyGenerator generator = KeyGenerator.getInstance("AES");
      generator.init(256);
      return generator.generateKey();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-256 is not available", e);
    }
  }
}
