package dev.callgate.app.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The service's log as the configurator sets it up: JSON lines on stdout, at the chosen level. */
class JsonLogConfiguratorTest {

  @Test
  void configureWhenALineIsLoggedThenStdoutGetsOneJsonObjectWithItsKeyValues() {
    List<String> lines =
        stdoutOf(
            "WARN",
            context -> {
              context
                  .getLogger("dev.callgate.test")
                  .atWarn()
                  .setMessage("token {} failed")
                  .addArgument("crm")
                  .addKeyValue("event", "token.failed")
                  .log();
              context.getLogger("dev.callgate.test").info("below the level");
            });

    assertThat(lines).hasSize(1);
    JsonObject line = new JsonObject(lines.get(0));
    assertThat(line.getString("level")).isEqualTo("WARN");
    assertThat(line.getString("loggerName")).isEqualTo("dev.callgate.test");
    assertThat(line.getString("formattedMessage")).isEqualTo("token crm failed");
    assertThat(line.getJsonArray("kvpList").getJsonObject(0).getString("event"))
        .isEqualTo("token.failed");
    assertThat(line.fieldNames()).doesNotContain("message", "arguments", "context");
  }

  @Test
  void configureWhenNoLevelIsChosenThenInfoAndJavaUtilLoggingFollows() {
    java.util.logging.Logger julRoot = java.util.logging.Logger.getLogger("");
    java.util.logging.Level julLevel = julRoot.getLevel();
    LoggerContext context = new LoggerContext();
    julRoot.setLevel(java.util.logging.Level.ALL);
    try {
      JsonLogConfigurator.configure(context, null);

      assertThat(context.getLogger("any").getEffectiveLevel().levelStr).isEqualTo("INFO");
      assertThat(julRoot.getLevel()).isEqualTo(java.util.logging.Level.INFO);
    } finally {
      context.stop();
      julRoot.setLevel(julLevel);
    }
  }

  @Test
  void configureWhenAnXmlConfigurationIsOnTheClassPathThenLeavesItToLogback() {
    // the tests' class path holds logback-test.xml, as a deployment's own configuration would
    LoggerContext context = new LoggerContext();
    JsonLogConfigurator configurator = new JsonLogConfigurator();
    configurator.setContext(context);

    assertThat(configurator.configure(context))
        .isEqualTo(Configurator.ExecutionStatus.INVOKE_NEXT_IF_ANY);
    assertThat(context.getLogger("any").iteratorForAppenders().hasNext()).isFalse();
  }

  private static List<String> stdoutOf(
      String level, java.util.function.Consumer<LoggerContext> use) {
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    LoggerContext context = new LoggerContext();
    // set by logback's SLF4J provider on the context it makes
    context.setMDCAdapter(new LogbackMDCAdapter());
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      JsonLogConfigurator.configure(context, level);
      use.accept(context);
    } finally {
      context.stop();
      System.setOut(original);
    }
    return captured.toString(StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
  }
}
