package dev.callgate.app.logging;

import java.util.logging.ConsoleHandler;
import java.util.logging.Handler;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Where every log line of the process goes: through SLF4J to logback, which writes one JSON object
 * per line ({@link JsonLogConfigurator}). Vert.x and Netty log through SLF4J once it is chosen, and
 * anything logging through java.util.logging is bridged to it, so no line escapes the format.
 */
public final class Logging {
  /** Vert.x reads this property once, when its logger factory loads. */
  static final String VERTX_LOGGER_FACTORY = "vertx.logger-delegate-factory-class-name";

  private Logging() {}

  /**
   * Routes the libraries' logging into SLF4J. Call it first in {@code main}, before any Vert.x
   * class loads; later calls change nothing. A JVM that chose otherwise (a test run configured by
   * its build) keeps its choice.
   */
  public static synchronized void routeLibraries() {
    if (System.getProperty(VERTX_LOGGER_FACTORY) == null) {
      System.setProperty(VERTX_LOGGER_FACTORY, "io.vertx.core.logging.SLF4JLogDelegateFactory");
    }
    if (!SLF4JBridgeHandler.isInstalled()) {
      // only the console handler goes: it would print the same record again, unformatted; any
      // other handler someone installed on purpose stays
      java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
      for (Handler handler : root.getHandlers()) {
        if (handler instanceof ConsoleHandler) {
          root.removeHandler(handler);
        }
      }
      SLF4JBridgeHandler.install();
    }
  }
}
