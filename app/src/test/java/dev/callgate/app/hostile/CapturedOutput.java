package dev.callgate.app.hostile;

import dev.callgate.adapter.http.CapturedLog;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Everything a service in this JVM writes while it is open: every log event (Callgate's, Vert.x's
 * and Netty's, which all log through SLF4J) that the configured levels let through, with its key
 * values and stack trace, and whatever goes to stdout and stderr — still passed on to where it went
 * before.
 */
final class CapturedOutput implements AutoCloseable {
  private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
  private final CapturedLog logged = new CapturedLog();
  private final PrintStream originalOut = System.out;
  private final PrintStream originalErr = System.err;

  CapturedOutput() {
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

  /** The log events and printed text so far. */
  String text() {
    String logs = logged.text();
    synchronized (printed) {
      return logs + printed.toString(StandardCharsets.UTF_8);
    }
  }

  @Override
  public void close() {
    logged.close();
    System.setOut(originalOut);
    System.setErr(originalErr);
  }
}
