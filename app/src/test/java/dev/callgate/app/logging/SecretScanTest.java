package dev.callgate.app.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The secret scan finds what it must, names it without showing it, and overlooks nothing. */
class SecretScanTest {
  @TempDir Path root;

  private void secrets(String module, String... whatAndValue) throws IOException {
    Path dir = Files.createDirectories(root.resolve(module).resolve("target/test-secrets"));
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < whatAndValue.length; i += 2) {
      text.append(whatAndValue[i])
          .append('\t')
          .append(
              Base64.getEncoder()
                  .encodeToString(whatAndValue[i + 1].getBytes(StandardCharsets.UTF_8)))
          .append('\n');
    }
    Files.writeString(dir.resolve("surefire-1-1.txt"), text);
  }

  private Path log(String module, String name, String... lines) throws IOException {
    Path dir = Files.createDirectories(root.resolve(module).resolve("target/test-logs"));
    return Files.write(dir.resolve(name), java.util.List.of(lines));
  }

  @Test
  void scanWhenALogLineOfAnotherModuleHoldsASecretThenNamesFileLineAndHashNotTheValue()
      throws IOException {
    secrets("app", "node-oidc-provider client secret", "client-secret-0123456789");
    Path file =
        log(
            "adapters/idp",
            "surefire-1.jsonl",
            "{\"level\":\"INFO\",\"formattedMessage\":\"fine\"}",
            "{\"level\":\"WARN\",\"formattedMessage\":\"sent client-secret-0123456789\"}");

    SecretScan.Result result = SecretScan.of(root);

    assertThat(result.lines()).isEqualTo(2);
    assertThat(result.secrets()).isEqualTo(1);
    assertThat(result.leaks())
        .singleElement()
        .satisfies(
            leak -> {
              assertThat(leak.file()).isEqualTo(file);
              assertThat(leak.line()).isEqualTo(2);
              assertThat(leak.what()).isEqualTo("node-oidc-provider client secret");
              assertThat(leak.toString())
                  .contains(SecretScan.hash("client-secret-0123456789"))
                  .doesNotContain("client-secret-0123456789");
            });
  }

  @Test
  void scanWhenTheEncoderEscapedTheSecretThenStillFindsIt() throws IOException {
    secrets("app", "an API key", "key/with/slashes+and=");
    log("app", "surefire-1.jsonl", "{\"formattedMessage\":\"key\\/with\\/slashes+and=\"}");

    assertThat(SecretScan.of(root).leaks()).hasSize(1);
  }

  @Test
  void scanWhenTheServiceConsoleHoldsASecretThenFindsIt() throws IOException {
    secrets("app", "test admin key", "admin-key-0123456789abcdef");
    log("app", "callgate-under-test-1-1.log", "plain text admin-key-0123456789abcdef here");

    assertThat(SecretScan.of(root).leaks()).hasSize(1);
  }

  @Test
  void scanWhenASecretIsShorterThanEightCharactersThenItIsNotSearchedFor() throws IOException {
    secrets("app", "short", "abc1234", "long", "a-long-secret-value");
    log("app", "surefire-1.jsonl", "{\"formattedMessage\":\"abc1234 is everywhere\"}");

    SecretScan.Result result = SecretScan.of(root);

    assertThat(result.secrets()).isEqualTo(1);
    assertThat(result.leaks()).isEmpty();
  }
}
