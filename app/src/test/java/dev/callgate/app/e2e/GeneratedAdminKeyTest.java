package dev.callgate.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.adapter.http.CapturedLog;
import dev.callgate.app.config.Configuration;
import dev.callgate.app.runtime.CallgateService;
import dev.callgate.core.diagnosis.Validated;
import dev.callgate.core.testkit.TestSecrets;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The admin key Callgate generates is shown to the person starting it, and never logged. */
class GeneratedAdminKeyTest {
  private static final Pattern SHOWN =
      Pattern.compile("Generated the admin API key \\(shown once, keep it\\): (\\S+)");

  @Test
  void startWhenNoAdminKeyIsConfiguredThenPrintsTheGeneratedKeyOnceAndLogsOnlyThatItDid()
      throws Exception {
    Path dataDir = Files.createTempDirectory("callgate-generated-key");
    Validated<Configuration> config =
        Configuration.fromEnvironment(
            Map.of(
                Configuration.HTTP_PORT, "0",
                Configuration.PUBLIC_URL, "http://127.0.0.1",
                Configuration.DATA_DIR, dataDir.toString()));
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    String logged;
    try (CapturedLog log = new CapturedLog()) {
      CallgateService service =
          CallgateService.start(
                  ((Validated.Valid<Configuration>) config).value(),
                  new PrintStream(console, true, StandardCharsets.UTF_8))
              .join();
      service.stop();
      assertThat(log.events())
          .anySatisfy(
              event ->
                  assertThat(event.getKeyValuePairs())
                      .anySatisfy(
                          pair -> {
                            assertThat(pair.key).isEqualTo("event");
                            assertThat(pair.value).isEqualTo("admin-key.generated");
                          }));
      logged = log.text();
    }

    Matcher shown = SHOWN.matcher(console.toString(StandardCharsets.UTF_8));
    assertThat(shown.find()).as("the console shows the generated key").isTrue();
    String key = TestSecrets.register("a generated admin key", shown.group(1));
    assertThat(shown.find()).as("shown once").isFalse();
    assertThat(logged).doesNotContain(key);
  }
}
