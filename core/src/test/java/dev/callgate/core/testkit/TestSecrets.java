package dev.callgate.core.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;

/**
 * Every secret a test fixture makes or learns — client secrets, passwords, API keys, master keys,
 * tokens a test target receives — listed for the secret scan, which fails the build when any log
 * line of the suite holds one. Each JVM appends to its own file in {@code target/test-secrets} (the
 * build names the directory): one line per secret, its description and its value in base64, so no
 * value ever breaks the list's lines. A value shorter than {@link #MIN_LENGTH} is listed but not
 * searched for: it would turn up in unrelated text.
 */
public final class TestSecrets {
  /** The shortest secret the scan searches for. */
  public static final int MIN_LENGTH = 8;

  private static final Path FILE =
      Path.of(System.getProperty("callgate.test-secrets", "target/test-secrets"))
          .resolve(
              System.getProperty("callgate.test-jvm", "jvm")
                  + "-"
                  + ProcessHandle.current().pid()
                  + ".txt");

  private static final Set<String> listed = new HashSet<>();

  private TestSecrets() {}

  /** Lists {@code value} (described by {@code what}, never a secret itself) and returns it. */
  public static String register(String what, String value) {
    if (value == null || value.isEmpty()) {
      return value;
    }
    synchronized (listed) {
      if (!listed.add(value)) {
        return value;
      }
      String line =
          what.replaceAll("\\s", " ")
              + "\t"
              + Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8))
              + "\n";
      try {
        Files.createDirectories(FILE.getParent());
        Files.writeString(
            FILE,
            line,
            StandardCharsets.UTF_8,
            StandardOpenOption.CREATE,
            StandardOpenOption.APPEND);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return value;
  }

  /**
   * Lists the credential of an {@code Authorization} header value a test server received: the token
   * after the scheme and, for the basic scheme, the password inside it too.
   */
  public static void registerAuthorization(String what, String authorization) {
    if (authorization == null) {
      return;
    }
    int space = authorization.indexOf(' ');
    if (space < 0) {
      register(what, authorization);
      return;
    }
    String credentials = authorization.substring(space + 1).trim();
    register(what, credentials);
    if (authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
      try {
        String decoded =
            new String(Base64.getDecoder().decode(credentials), StandardCharsets.UTF_8);
        int colon = decoded.indexOf(':');
        if (colon >= 0) {
          register(what + " (basic password)", decoded.substring(colon + 1));
        }
      } catch (IllegalArgumentException notBase64) {
        // a malformed header a hostile test sent on purpose: the token itself is listed
      }
    }
  }
}
