package dev.callgate.app.hostile;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Everything a service in this JVM writes while it is open: every java.util.logging record (which
 * Vert.x and Callgate log through) that the configured levels let through, with its stack trace,
 * and whatever goes to stdout and stderr — still passed on to where it went before.
 */
final class CapturedOutput implements AutoCloseable {
  private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
  private final StringBuilder logged = new StringBuilder();
  private final PrintStream originalOut = System.out;
  private final PrintStream originalErr = System.err;
  private final Logger root = Logger.getLogger("");
  private final Handler handler =
      new Handler() {
        private final SimpleFormatter formatter = new SimpleFormatter();

        @Override
        public void publish(LogRecord record) {
          StringBuilder line = new StringBuilder(formatter.formatMessage(record));
          if (record.getThrown() != null) {
            StringWriter trace = new StringWriter();
            record.getThrown().printStackTrace(new PrintWriter(trace));
            line.append('\n').append(trace);
          }
          synchronized (logged) {
            logged
                .append(record.getLevel())
                .append(' ')
                .append(record.getLoggerName())
                .append(": ")
                .append(line)
                .append('\n');
          }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  CapturedOutput() {
    // at the levels the service logs at when run as configured: what reaches its log files
    handler.setLevel(Level.ALL);
    root.addHandler(handler);
    System.setOut(new PrintStream(tee(originalOut), true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(tee(originalErr), true, StandardCharsets.UTF_8));
  }

  private OutputStream tee(PrintStream original) {
    return new OutputStream() {
      @Override
      public void write(int b) {
        synchronized (printed) {
          printed.write(b);
        }
        original.write(b);
      }

      @Override
      public void write(byte[] b, int off, int len) {
        synchronized (printed) {
          printed.write(b, off, len);
        }
        original.write(b, off, len);
      }
    };
  }

  /** The log records and printed text so far. */
  String text() {
    String logs;
    synchronized (logged) {
      logs = logged.toString();
    }
    synchronized (printed) {
      return logs + printed.toString(StandardCharsets.UTF_8);
    }
  }

  @Override
  public void close() {
    root.removeHandler(handler);
    System.setOut(originalOut);
    System.setErr(originalErr);
  }
}
