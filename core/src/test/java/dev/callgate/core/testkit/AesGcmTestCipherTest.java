package dev.callgate.core.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.callgate.core.credential.Secret;
import dev.callgate.core.port.SecretCipher.Ciphertext;
import dev.callgate.core.port.SecretCipher.Place;
import org.junit.jupiter.api.Test;

class AesGcmTestCipherTest {

  private static final Place HERE = Place.of("tokens", "access_token", "crm", "alice");
  private final AesGcmTestCipher cipher = new AesGcmTestCipher("k1");

  @Test
  void decryptWhenEncryptedThenReturnsTheSecret() {
    Ciphertext ciphertext = cipher.encrypt(Secret.of("rt-ünïcode-1"), HERE);

    assertThat(ciphertext.keyId()).isEqualTo("k1");
    assertThat(cipher.decrypt(ciphertext, HERE).reveal()).isEqualTo("rt-ünïcode-1");
  }

  @Test
  void encryptWhenTheSameSecretTwiceThenCiphertextsDiffer() {
    assertThat(cipher.encrypt(Secret.of("s"), HERE).bytes())
        .isNotEqualTo(cipher.encrypt(Secret.of("s"), HERE).bytes());
  }

  @Test
  void decryptWhenABitIsFlippedThenThrows() {
    Ciphertext ciphertext = cipher.encrypt(Secret.of("secret-value"), HERE);
    byte[] bytes = ciphertext.bytes().clone();
    bytes[bytes.length - 1] ^= 1;

    assertThatThrownBy(() -> cipher.decrypt(new Ciphertext("k1", bytes), HERE))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageNotContaining("secret-value");
  }

  @Test
  void decryptWhenKeysRotatedThenOldCiphertextsStillDecrypt() {
    Ciphertext old = cipher.encrypt(Secret.of("old"), HERE);

    cipher.rotateTo("k2");
    Ciphertext current = cipher.encrypt(Secret.of("new"), HERE);

    assertThat(current.keyId()).isEqualTo("k2");
    assertThat(cipher.decrypt(old, HERE).reveal()).isEqualTo("old");
    assertThat(cipher.decrypt(current, HERE).reveal()).isEqualTo("new");
    cipher.forget("k1");
    assertThatThrownBy(() -> cipher.decrypt(old, HERE)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void decryptWhenTheKeyIdIsSwappedThenThrows() {
    cipher.rotateTo("k2");
    Ciphertext ciphertext = cipher.encrypt(Secret.of("s"), HERE);

    assertThatThrownBy(() -> cipher.decrypt(new Ciphertext("k1", ciphertext.bytes()), HERE))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void decryptWhenTheCiphertextIsMovedToAnotherRowOrColumnThenThrows() {
    Ciphertext ciphertext = cipher.encrypt(Secret.of("s"), HERE);

    assertThatThrownBy(
            () -> cipher.decrypt(ciphertext, Place.of("tokens", "access_token", "crm", "bob")))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(
            () -> cipher.decrypt(ciphertext, Place.of("tokens", "refresh_token", "crm", "alice")))
        .isInstanceOf(IllegalStateException.class);
    // the parts are length-prefixed: moving a boundary between them is another place
    assertThatThrownBy(
            () -> cipher.decrypt(ciphertext, Place.of("tokens", "access_token", "crma", "lice")))
        .isInstanceOf(IllegalStateException.class);
  }
}
