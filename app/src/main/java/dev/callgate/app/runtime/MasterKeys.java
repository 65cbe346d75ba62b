package dev.callgate.app.runtime;

import dev.callgate.adapter.sql.AesGcmSecretCipher;
import dev.callgate.core.credential.Secret;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The master key that seals secrets at rest: from {@code CALLGATE_MASTER_KEY}, or (embedded store
 * only) generated once into {@code <data dir>/master.key}, readable by its owner alone. Its key id
 * is derived from the key, so a new key is recognised as one. Previous keys ({@code
 * CALLGATE_MASTER_KEY_PREVIOUS}) still open what they sealed, so a key can be rotated: secrets
 * found under them are sealed again under the current key.
 */
public final class MasterKeys {
  static final String FILE = "master.key";

  private MasterKeys() {}

  public static AesGcmSecretCipher cipher(Optional<Secret> configured, Path dataDir)
      throws IOException {
    return cipher(configured, List.of(), dataDir);
  }

  /**
   * The cipher sealing under the current key and opening under it and every one of {@code
   * previous}.
   */
  public static AesGcmSecretCipher cipher(
      Optional<Secret> configured, List<Secret> previous, Path dataDir) throws IOException {
    String key = configured.isPresent() ? configured.get().reveal() : fromFile(dataDir);
    String id = keyId(key);
    Map<String, String> keys = new HashMap<>();
    for (Secret old : previous) {
      keys.put(keyId(old.reveal()), old.reveal().trim());
    }
    keys.put(id, key);
    return AesGcmSecretCipher.of(id, keys);
  }

  private static String fromFile(Path dataDir) throws IOException {
    Path file = dataDir.resolve(FILE);
    if (!Files.exists(file)) {
      try {
        Files.createFile(
            file,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, AesGcmSecretCipher.generateKey() + "\n", StandardCharsets.US_ASCII);
      } catch (FileAlreadyExistsException raced) {
        // another start created it first: use that one
      }
    }
    return Files.readString(file, StandardCharsets.US_ASCII).trim();
  }

  static String keyId(String key) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(key.trim().getBytes(StandardCharsets.US_ASCII));
      return "k-" + HexFormat.of().formatHex(digest, 0, 4);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
