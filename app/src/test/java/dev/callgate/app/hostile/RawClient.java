package dev.callgate.app.hostile;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A client that sends exact bytes over a fresh TCP connection — no library in between that would
 * tidy a malformed request — and reads one answer with a read timeout, so a server that never
 * answers fails the test instead of hanging it. It counts the requests it really wrote.
 */
final class RawClient {
  private static final int MAX_ANSWER = 8 * 1024 * 1024;

  private final InetSocketAddress server;
  private final AtomicInteger sent = new AtomicInteger();

  RawClient(InetSocketAddress server) {
    this.server = server;
  }

  /** How the client ends its side once the bytes are written. */
  enum Ending {
    /** Waits for the answer with the connection open. */
    READ_ANSWER,
    /** Closes its sending half (FIN), then reads whatever comes until the server closes. */
    HALF_CLOSE,
    /** Resets the connection (RST) after {@code pause}: the answer, if any, is never read. */
    RESET
  }

  /** How an answer ended. */
  enum Outcome {
    /** A whole answer, by its own framing. */
    COMPLETE,
    /** The connection closed (or was reset) before an answer was whole, or before any byte. */
    CLOSED,
    /** Nothing more came within the read timeout: the server hangs. */
    TIMED_OUT,
    /** The client reset the connection and read nothing. */
    NOT_READ
  }

  /** One header of an answer. */
  record Header(String name, String value) {}

  /** The bytes that came back and what they parse to. */
  record Answer(Outcome outcome, int status, List<Header> headers, byte[] body, byte[] raw) {
    Optional<String> header(String name) {
      return headers.stream()
          .filter(h -> h.name().equalsIgnoreCase(name))
          .map(Header::value)
          .findFirst();
    }

    String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }

    boolean hasStatus() {
      return status > 0;
    }

    /** The status line and a short head of the body, to say in a failure what came back. */
    String summary() {
      if (!hasStatus()) {
        return outcome + (raw.length == 0 ? ", no bytes" : ", " + raw.length + " unparsed bytes");
      }
      String text = bodyText().replaceAll("\\s+", " ");
      return status
          + " "
          + header("Content-Type").orElse("(no content type)")
          + " "
          + header("Callgate-Error").map(c -> "Callgate-Error: " + c + " ").orElse("")
          + (text.length() > 160 ? text.substring(0, 160) + "…" : text)
          + (outcome == Outcome.COMPLETE ? "" : " [" + outcome + "]");
    }
  }

  int sent() {
    return sent.get();
  }

  /**
   * Writes {@code parts} one after the other with {@code pause} between them (so the server acts on
   * the first before the next arrives), ends as {@code ending} says, and reads the answer.
   */
  Answer exchange(
      List<byte[]> parts, Duration pause, Ending ending, Duration timeout, boolean headRequest) {
    try (Socket socket = new Socket()) {
      socket.connect(server, (int) timeout.toMillis());
      socket.setSoTimeout((int) timeout.toMillis());
      socket.setTcpNoDelay(true);
      OutputStream out = socket.getOutputStream();
      boolean counted = false;
      for (int i = 0; i < parts.size(); i++) {
        if (i > 0) {
          sleep(pause);
        }
        try {
          out.write(parts.get(i));
          out.flush();
        } catch (SocketException closedByServer) {
          // the server may refuse early and close; what it answered is still readable
          break;
        }
        if (!counted) {
          sent.incrementAndGet();
          counted = true;
        }
      }
      switch (ending) {
        case RESET -> {
          sleep(pause);
          socket.setSoLinger(true, 0);
          return new Answer(Outcome.NOT_READ, 0, List.of(), new byte[0], new byte[0]);
        }
        case HALF_CLOSE -> socket.shutdownOutput();
        case READ_ANSWER -> {
          // keep the connection open: the answer must come without the client going away
        }
      }
      return read(new BufferedInputStream(socket.getInputStream()), headRequest);
    } catch (IOException e) {
      throw new UncheckedIOException("could not talk to " + server, e);
    }
  }

  private static Answer read(InputStream in, boolean headRequest) throws IOException {
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    Outcome outcome;
    try {
      outcome = readAnswer(in, raw, headRequest);
    } catch (SocketTimeoutException e) {
      outcome = Outcome.TIMED_OUT;
    } catch (SocketException e) {
      outcome = Outcome.CLOSED;
    }
    return parse(raw.toByteArray(), outcome);
  }

  /** Reads interim (1xx other than 101) answers away, then one answer by its framing. */
  private static Outcome readAnswer(InputStream in, ByteArrayOutputStream raw, boolean head)
      throws IOException {
    while (true) {
      int headEnd = readHead(in, raw);
      if (headEnd < 0) {
        return Outcome.CLOSED;
      }
      Answer parsed = parse(raw.toByteArray(), Outcome.COMPLETE);
      int status = parsed.status();
      if (status >= 100 && status < 200 && status != 101) {
        continue;
      }
      if (head || status == 101 || status == 204 || status == 304) {
        return Outcome.COMPLETE;
      }
      Optional<String> encoding = parsed.header("Transfer-Encoding");
      if (encoding.isPresent() && encoding.get().toLowerCase(Locale.ROOT).contains("chunked")) {
        return readChunked(in, raw);
      }
      Optional<String> length = parsed.header("Content-Length");
      if (length.isPresent()) {
        long declared;
        try {
          declared = Long.parseLong(length.get().trim());
        } catch (NumberFormatException e) {
          return readToEnd(in, raw);
        }
        for (long i = 0; i < declared; i++) {
          if (!copy(in, raw)) {
            return Outcome.CLOSED;
          }
        }
        return Outcome.COMPLETE;
      }
      return readToEnd(in, raw);
    }
  }

  /** Reads up to the blank line after the next head; the index after it, or -1 at the end. */
  private static int readHead(InputStream in, ByteArrayOutputStream raw) throws IOException {
    int last4 = 0;
    int read = 0;
    while (true) {
      int b = in.read();
      if (b < 0 || raw.size() >= MAX_ANSWER) {
        return -1;
      }
      raw.write(b);
      read++;
      last4 = (last4 << 8) | b;
      if (read >= 4 && last4 == 0x0d0a0d0a) {
        return raw.size();
      }
    }
  }

  private static Outcome readChunked(InputStream in, ByteArrayOutputStream raw) throws IOException {
    while (true) {
      String line = readLine(in, raw);
      if (line == null) {
        return Outcome.CLOSED;
      }
      int semicolon = line.indexOf(';');
      long size;
      try {
        size = Long.parseLong((semicolon < 0 ? line : line.substring(0, semicolon)).trim(), 16);
      } catch (NumberFormatException e) {
        return readToEnd(in, raw);
      }
      if (size == 0) {
        while (true) {
          String trailer = readLine(in, raw);
          if (trailer == null) {
            return Outcome.CLOSED;
          }
          if (trailer.isEmpty()) {
            return Outcome.COMPLETE;
          }
        }
      }
      for (long i = 0; i < size + 2; i++) {
        if (!copy(in, raw)) {
          return Outcome.CLOSED;
        }
      }
    }
  }

  private static String readLine(InputStream in, ByteArrayOutputStream raw) throws IOException {
    StringBuilder line = new StringBuilder();
    while (true) {
      int b = in.read();
      if (b < 0) {
        return null;
      }
      raw.write(b);
      if (b == '\n') {
        int end = line.length();
        return end > 0 && line.charAt(end - 1) == '\r'
            ? line.substring(0, end - 1)
            : line.toString();
      }
      line.append((char) b);
    }
  }

  private static Outcome readToEnd(InputStream in, ByteArrayOutputStream raw) throws IOException {
    while (copy(in, raw)) {
      // until the server closes
    }
    return Outcome.COMPLETE;
  }

  private static boolean copy(InputStream in, ByteArrayOutputStream raw) throws IOException {
    if (raw.size() >= MAX_ANSWER) {
      return false;
    }
    int b = in.read();
    if (b < 0) {
      return false;
    }
    raw.write(b);
    return true;
  }

  /** The last answer in {@code raw} (after any interim ones), as far as it parses. */
  static Answer parse(byte[] raw, Outcome outcome) {
    String text = new String(raw, StandardCharsets.ISO_8859_1);
    int from = 0;
    int status = 0;
    List<Header> headers = new ArrayList<>();
    int bodyStart = raw.length;
    while (true) {
      int end = text.indexOf("\r\n\r\n", from);
      if (end < 0 || !text.startsWith("HTTP/", from)) {
        break;
      }
      String[] lines = text.substring(from, end).split("\r\n");
      String[] statusLine = lines[0].split(" ", 3);
      try {
        status = statusLine.length > 1 ? Integer.parseInt(statusLine[1]) : 0;
      } catch (NumberFormatException e) {
        status = 0;
      }
      headers = new ArrayList<>();
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        if (colon > 0) {
          headers.add(
              new Header(
                  lines[i].substring(0, colon).trim(),
                  new String(
                      lines[i].substring(colon + 1).trim().getBytes(StandardCharsets.ISO_8859_1),
                      StandardCharsets.UTF_8)));
        }
      }
      bodyStart = end + 4;
      if (status >= 100 && status < 200 && status != 101) {
        from = bodyStart;
        continue;
      }
      break;
    }
    byte[] body = new byte[0];
    if (bodyStart < raw.length) {
      body = java.util.Arrays.copyOfRange(raw, bodyStart, raw.length);
      boolean chunked =
          headers.stream()
              .anyMatch(
                  h ->
                      h.name().equalsIgnoreCase("Transfer-Encoding")
                          && h.value().toLowerCase(Locale.ROOT).contains("chunked"));
      if (chunked) {
        body = Chunked.decode(body);
      }
    }
    return new Answer(outcome, status, List.copyOf(headers), body, raw);
  }

  private static void sleep(Duration pause) {
    try {
      Thread.sleep(pause.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
