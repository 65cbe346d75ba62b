package dev.callgate.app.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.jul.LevelChangePropagator;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.ContextInitializer;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import dev.callgate.app.config.Configuration;

/**
 * Callgate's log, configured in code: one JSON object per line on stdout (logback's {@code
 * JsonEncoder}: time, level, thread, logger, key-values, formatted message, throwable), at the
 * level of {@code CALLGATE_LOG_LEVEL} (default {@code INFO}), with {@code java.util.logging} kept
 * at the same levels so that a record nobody would see is never built. Logback finds it as a
 * service before it looks for XML: reading an XML configuration loads the JDK's XML parser and
 * logback's configuration model, a tenth of the service's start. An XML configuration given on
 * purpose ({@code -Dlogback.configurationFile}, or a {@code logback-test.xml} or {@code
 * logback.xml} on the class path, as the tests have) is read instead.
 */
public final class JsonLogConfigurator extends ContextAwareBase implements Configurator {

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (System.getProperty(ContextInitializer.CONFIG_FILE_PROPERTY) != null
        || onClassPath(ContextInitializer.TEST_AUTOCONFIG_FILE)
        || onClassPath(ContextInitializer.AUTOCONFIG_FILE)) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    configure(context, System.getenv(Configuration.LOG_LEVEL));
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  /** Configures {@code context}; {@code level} as {@code CALLGATE_LOG_LEVEL} names it, or null. */
  static void configure(LoggerContext context, String level) {
    LevelChangePropagator julLevels = new LevelChangePropagator();
    julLevels.setContext(context);
    julLevels.setResetJUL(true);
    context.addListener(julLevels);
    julLevels.start();

    JsonEncoder encoder = new JsonEncoder();
    encoder.setContext(context);
    encoder.setWithSequenceNumber(false);
    encoder.setWithNanoseconds(false);
    encoder.setWithContext(false);
    encoder.setWithMessage(false);
    encoder.setWithArguments(false);
    encoder.setWithFormattedMessage(true);
    encoder.start();

    ConsoleAppender<ILoggingEvent> stdout = new ConsoleAppender<>();
    stdout.setContext(context);
    stdout.setName("STDOUT");
    stdout.setEncoder(encoder);
    stdout.start();

    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.toLevel(level, Level.INFO));
    root.addAppender(stdout);
  }

  private static boolean onClassPath(String resource) {
    return JsonLogConfigurator.class.getClassLoader().getResource(resource) != null;
  }
}
