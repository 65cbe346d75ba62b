package dev.callgate.adapter.http;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/**
 * The log events of this JVM while it is open, as logback's appenders receive them — after the
 * turbo filters and at the levels configured — besides wherever the configuration sends them.
 */
public final class CapturedLog implements AutoCloseable {
  private final List<ILoggingEvent> events = new CopyOnWriteArrayList<>();
  private final Logger root =
      ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(Logger.ROOT_LOGGER_NAME);
  private final AppenderBase<ILoggingEvent> appender =
      new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent event) {
          event.prepareForDeferredProcessing();
          events.add(event);
        }
      };

  public CapturedLog() {
    appender.setContext(root.getLoggerContext());
    appender.setName("captured-" + System.identityHashCode(this));
    appender.start();
    root.addAppender(appender);
  }

  public List<ILoggingEvent> events() {
    return List.copyOf(events);
  }

  /** Each event as one text: level, logger, message, key-values and stack trace. */
  public String text() {
    StringBuilder text = new StringBuilder();
    for (ILoggingEvent event : events) {
      text.append(event.getLevel())
          .append(' ')
          .append(event.getLoggerName())
          .append(": ")
          .append(event.getFormattedMessage());
      if (event.getKeyValuePairs() != null) {
        event.getKeyValuePairs().forEach(pair -> text.append(' ').append(pair));
      }
      if (event.getThrowableProxy() != null) {
        text.append('\n').append(ThrowableProxyUtil.asString(event.getThrowableProxy()));
      }
      text.append('\n');
    }
    return text.toString();
  }

  @Override
  public void close() {
    root.detachAppender(appender);
    appender.stop();
  }
}
