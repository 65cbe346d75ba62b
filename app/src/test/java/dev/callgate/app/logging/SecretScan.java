package dev.callgate.app.logging;

import dev.callgate.core.testkit.TestSecrets;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Reads every log line the build's tests left under {@code <module>/target/test-logs} and every
 * secret the fixtures listed under {@code <module>/target/test-secrets} ({@link TestSecrets}), and
 * finds each line that holds one of those secrets — as written, or once the line's JSON strings are
 * decoded (the encoder writes {@code /} as {@code \/}). A secret is named by the description its
 * fixture gave and a prefix of its SHA-256, never by its value.
 */
public final class SecretScan {
  /** Deep enough for {@code adapters/<adapter>/target/test-logs}. */
  private static final int MODULE_DEPTH = 4;

  /** One secret found: where, and which secret. */
  public record Leak(Path file, long line, String secretHash, String what) {
    @Override
    public String toString() {
      return file + ":" + line + " holds the secret " + secretHash + " (" + what + ")";
    }
  }

  /** What a scan read and found. */
  public record Result(
      List<Path> logFiles, long lines, int secrets, List<Leak> leaks, List<String> unreadable) {}

  record Secret(String value, String what, String hash) {}

  private final Map<String, List<Secret>> byPrefix = new HashMap<>();
  private int secretCount;

  private SecretScan(Map<String, String> secrets) {
    secrets.forEach(
        (value, what) -> {
          if (value.length() >= TestSecrets.MIN_LENGTH) {
            byPrefix
                .computeIfAbsent(value.substring(0, TestSecrets.MIN_LENGTH), p -> new ArrayList<>())
                .add(new Secret(value, what, hash(value)));
            secretCount++;
          }
        });
  }

  /** Scans the test logs of every module under {@code root} for the secrets listed there. */
  public static Result of(Path root) {
    Map<String, String> secrets = new LinkedHashMap<>();
    for (Path file : files(root, "test-secrets")) {
      for (String line : lines(file)) {
        int tab = line.lastIndexOf('\t');
        if (tab > 0) {
          String value =
              new String(
                  Base64.getDecoder().decode(line.substring(tab + 1)), StandardCharsets.UTF_8);
          secrets.putIfAbsent(value, line.substring(0, tab));
        }
      }
    }
    return new SecretScan(secrets).scan(files(root, "test-logs"));
  }

  private Result scan(List<Path> logFiles) {
    List<Leak> leaks = new ArrayList<>();
    List<String> unreadable = new ArrayList<>();
    long lines = 0;
    for (Path file : logFiles) {
      try (BufferedReader reader = reader(file)) {
        long number = 0;
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
          number++;
          lines++;
          for (Secret secret : found(line)) {
            leaks.add(new Leak(file, number, secret.hash(), secret.what()));
          }
        }
      } catch (IOException e) {
        unreadable.add(file + ": " + e);
      }
    }
    return new Result(logFiles, lines, secretCount, leaks, unreadable);
  }

  /** The secrets in {@code line}, as written or in its decoded JSON strings. */
  List<Secret> found(String line) {
    List<Secret> found = new ArrayList<>(in(line));
    if (line.startsWith("{")) {
      StringBuilder decoded = new StringBuilder();
      try {
        strings(new JsonObject(line), decoded);
      } catch (DecodeException notJson) {
        // a line of a process's console, already searched as written
      }
      in(decoded.toString()).stream().filter(s -> !found.contains(s)).forEach(found::add);
    }
    return found;
  }

  private List<Secret> in(String text) {
    List<Secret> found = new ArrayList<>();
    for (int i = 0; i + TestSecrets.MIN_LENGTH <= text.length(); i++) {
      List<Secret> candidates = byPrefix.get(text.substring(i, i + TestSecrets.MIN_LENGTH));
      if (candidates != null) {
        for (Secret candidate : candidates) {
          if (text.startsWith(candidate.value(), i) && !found.contains(candidate)) {
            found.add(candidate);
          }
        }
      }
    }
    return found;
  }

  private static void strings(Object json, StringBuilder into) {
    if (json instanceof JsonObject object) {
      object.forEach(
          field -> {
            into.append(field.getKey()).append('\n');
            strings(field.getValue(), into);
          });
    } else if (json instanceof JsonArray array) {
      array.forEach(value -> strings(value, into));
    } else if (json != null) {
      into.append(json).append('\n');
    }
  }

  private static List<Path> files(Path root, String directory) {
    try (Stream<Path> paths = Files.walk(root, MODULE_DEPTH)) {
      List<Path> dirs =
          paths
              .filter(Files::isDirectory)
              .filter(p -> p.getFileName().toString().equals(directory))
              .filter(p -> p.getParent().getFileName().toString().equals("target"))
              .toList();
      List<Path> files = new ArrayList<>();
      for (Path dir : dirs) {
        try (Stream<Path> inside = Files.list(dir)) {
          inside.filter(Files::isRegularFile).sorted().forEach(files::add);
        }
      }
      return files;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> lines(Path file) {
    try {
      return Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Lenient: a process's console may hold bytes that are not UTF-8. */
  private static BufferedReader reader(Path file) throws IOException {
    return new BufferedReader(
        new java.io.InputStreamReader(
            Files.newInputStream(file),
            StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE)));
  }

  static String hash(String value) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
      return "sha256:" + HexFormat.of().formatHex(digest).substring(0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
