package dev.callgate.core.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.callgate.core.credential.Secret;
import dev.callgate.core.port.SecretCipher.Ciphertext;
import org.junit.jupiter.api.Test;

class AesGcmTestCipherTest {

  private final AesGcmTestCipher cipher = new AesGcmTestCipher("k1");

  @Test
  void decryptWhenEncryptedThenReturnsTheSecret() {
    Ciphertext ciphertext = cipher.encrypt(Secret.of("rt-ünïcode-1"));

    assertThat(ciphertext.keyId()).isEqualTo("k1");
    assertThat(cipher.decrypt(ciphertext).reveal()).isEqualTo("rt-ünïcode-1");
  }

  @Test
  void encryptWhenTheSameSecretTwiceThenCiphertextsDiffer() {
    assertThat(cipher.encrypt(Secret.of("s")).bytes())
        .isNotEqualTo(cipher.encrypt(Secret.of("s")).bytes());
  }

  @Test
  void decryptWhenABitIsFlippedThenThrows() {
    Ciphertext ciphertext = cipher.encrypt(Secret.of("secret-value"));
    byte[] bytes = ciphertext.bytes().clone();
    bytes[bytes.length - 1] ^= 1;

    assertThatThrownBy(() -> cipher.decrypt(new Ciphertext("k1", bytes)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageNotContaining("secret-value");
  }

  @Test
  void decryptWhenKeysRotatedThenOldCiphertextsStillDecrypt() {
    Ciphertext old = cipher.encrypt(Secret.of("old"));

    cipher.rotateTo("k2");
    Ciphertext current = cipher.encrypt(Secret.of("new"));

    assertThat(current.keyId()).isEqualTo("k2");
    assertThat(cipher.decrypt(old).reveal()).isEqualTo("old");
    assertThat(cipher.decrypt(current).reveal()).isEqualTo("new");
    cipher.forget("k1");
    assertThatThrownBy(() -> cipher.decrypt(old)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void decryptWhenTheKeyIdIsSwappedThenThrows() {
    cipher.rotateTo("k2");
    Ciphertext ciphertext = cipher.encrypt(Secret.of("s"));

    assertThatThrownBy(() -> cipher.decrypt(new Ciphertext("k1", ciphertext.bytes())))
        .isInstanceOf(IllegalStateException.class);
  }
}
