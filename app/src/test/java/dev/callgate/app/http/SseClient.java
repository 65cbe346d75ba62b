package dev.callgate.app.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A Server-Sent Events client on a plain socket, so a test decides when it reads (or stops reading)
 * and when it goes away: the answer's head, then the stream's lines as they arrive, de-chunked, and
 * whether the server ended the stream.
 */
public final class SseClient implements AutoCloseable {
  /** Stands in the line queue once the server has ended the stream. */
  public static final String ENDED = "\u0000ended";

  private final Socket socket;
  private final InputStream in;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final String head;
  private Thread reader;

  private SseClient(Socket socket, String head, InputStream in) {
    this.socket = socket;
    this.head = head;
    this.in = in;
  }

  /** Sends {@code GET path} asking for events, with {@code headers}; reads the answer's head. */
  public static SseClient open(int port, String path, Map<String, String> headers) {
    try {
      Socket socket = new Socket("127.0.0.1", port);
      socket.setSoTimeout(10_000);
      StringBuilder request =
          new StringBuilder("GET ")
              .append(path)
              .append(" HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n");
      headers.forEach(
          (name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
      request.append("\r\n");
      OutputStream out = socket.getOutputStream();
      out.write(request.toString().getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = socket.getInputStream();
      return new SseClient(socket, readHead(in), in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String head() {
    return head;
  }

  public int status() {
    return Integer.parseInt(head.split(" ", 3)[1]);
  }

  /** Starts reading the stream into lines (a test that wants a slow client calls it late). */
  public SseClient reading() {
    reader =
        new Thread(
            () -> {
              try {
                socket.setSoTimeout(0);
                ByteArrayOutputStream pending = new ByteArrayOutputStream();
                while (true) {
                  String size = line(in);
                  int length = Integer.parseInt(size.split(";", 2)[0].trim(), 16);
                  if (length == 0) {
                    break;
                  }
                  byte[] chunk = in.readNBytes(length);
                  line(in);
                  for (byte b : chunk) {
                    if (b == '\n') {
                      lines.add(pending.toString(StandardCharsets.UTF_8));
                      pending.reset();
                    } else {
                      pending.write(b);
                    }
                  }
                }
              } catch (IOException | RuntimeException e) {
                // the connection went away: the stream ended
              }
              lines.add(ENDED);
            },
            "sse-client");
    reader.setDaemon(true);
    reader.start();
    return this;
  }

  /** The next line within {@code timeout}, or fails. */
  public String line(Duration timeout) {
    try {
      String line = lines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (line == null) {
        throw new AssertionError("no line within " + timeout);
      }
      return line;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /**
   * The next {@code count} messages carrying an event, each as its lines ({@code id: …}, {@code
   * event: …}, {@code data: …}), skipping comments.
   */
  public List<Map<String, String>> events(int count, Duration timeout) {
    List<Map<String, String>> events = new ArrayList<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    java.util.LinkedHashMap<String, String> fields = new java.util.LinkedHashMap<>();
    while (events.size() < count) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("only " + events.size() + " of " + count + " events came");
      }
      String line = line(Duration.ofNanos(left));
      if (line.equals(ENDED)) {
        throw new AssertionError("the stream ended after " + events.size() + " events");
      }
      if (line.isEmpty()) {
        if (!fields.isEmpty()) {
          events.add(fields);
          fields = new java.util.LinkedHashMap<>();
        }
      } else if (!line.startsWith(":")) {
        String[] field = line.split(": ", 2);
        fields.put(field[0], field.length > 1 ? field[1] : "");
      }
    }
    return events;
  }

  /** Reads lines until one satisfies {@code wanted}; returns it. */
  public String until(java.util.function.Predicate<String> wanted, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("no such line within " + timeout);
      }
      String line = line(Duration.ofNanos(left));
      if (wanted.test(line)) {
        return line;
      }
      if (line.equals(ENDED)) {
        throw new AssertionError("the stream ended first");
      }
    }
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // closing is all that was asked
    }
  }

  private static String readHead(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    String line;
    while (!(line = line(in)).isEmpty()) {
      head.append(line).append('\n');
    }
    return head.toString();
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != -1) {
      if (b == '\n') {
        String text = line.toString(StandardCharsets.UTF_8);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
      }
      line.write(b);
    }
    throw new IOException("the connection closed");
  }
}
