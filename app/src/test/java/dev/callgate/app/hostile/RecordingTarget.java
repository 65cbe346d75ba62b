package dev.callgate.app.hostile;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A third-party API on a plain socket that records every byte Callgate sends it, request by request
 * and connection by connection, framing read by hand so that a malformed or truncated request is
 * seen as it arrived. What it answers depends on the path:
 *
 * <ul>
 *   <li>{@code …/echo…} echoes the request it got — each header as {@code X-Echo-<name>} and the
 *       head and body as its own body — as an endpoint that reflects requests would; {@code
 *       echo-header} only in headers, {@code echo-body} only in the body, {@code echo-stream} in
 *       the body in chunks of a few bytes, so that a secret straddles chunks;
 *   <li>{@code …/forge…} answers 403 with a {@code Callgate-Error} header of its own making;
 *   <li>{@code …/early…} answers as soon as the head is in, before it reads the body;
 *   <li>anything else answers 200 {@code {"ok":true}} after the whole request.
 * </ul>
 */
final class RecordingTarget implements AutoCloseable {
  private static final int MAX_HEAD = 1024 * 1024;
  private static final int MAX_BODY = 16 * 1024 * 1024;

  /** Requests are told apart by this header, which the suite puts on each it sends. */
  static final String CASE_HEADER = "X-Hostile-Case";

  /**
   * One request as it arrives: the head's bytes, the body's data and its bytes as they came (chunk
   * framing and all), and whether its framing ended. Recorded from the moment its head is in, so
   * that a request still waiting for the rest of its body is seen too.
   */
  static final class Received {
    private final int connection;
    private final int index;
    private final byte[] head;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private final ByteArrayOutputStream rawBody = new ByteArrayOutputStream();
    private volatile boolean complete;

    Received(int connection, int index, byte[] head) {
      this.connection = connection;
      this.index = index;
      this.head = head;
    }

    byte[] head() {
      return head.clone();
    }

    synchronized byte[] body() {
      return body.toByteArray();
    }

    /** The body's bytes as they came, with any chunk framing and whatever followed it. */
    synchronized byte[] rawBody() {
      return rawBody.toByteArray();
    }

    boolean complete() {
      return complete;
    }

    private synchronized void data(byte[] bytes, int offset, int length) {
      body.write(bytes, offset, length);
    }

    private synchronized void raw(byte[] bytes, int offset, int length) {
      rawBody.write(bytes, offset, length);
    }

    String headText() {
      return new String(head, StandardCharsets.ISO_8859_1);
    }

    String requestLine() {
      String text = headText();
      int end = text.indexOf("\r\n");
      return end < 0 ? text : text.substring(0, end);
    }

    String method() {
      String line = requestLine();
      int space = line.indexOf(' ');
      return space < 0 ? line : line.substring(0, space);
    }

    /** The request target as sent, still percent-encoded. */
    String target() {
      String[] parts = requestLine().split(" ");
      return parts.length > 1 ? parts[1] : "";
    }

    List<String> headerLines() {
      List<String> lines = new ArrayList<>(List.of(headText().split("\r\n", -1)));
      lines.remove(0);
      lines.removeIf(String::isEmpty);
      return lines;
    }

    List<String> header(String name) {
      List<String> values = new ArrayList<>();
      for (String line : headerLines()) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
          values.add(line.substring(colon + 1).trim());
        }
      }
      return values;
    }

    Optional<String> caseTag() {
      return header(CASE_HEADER).stream().findFirst();
    }

    String describe() {
      String raw = new String(rawBody(), StandardCharsets.ISO_8859_1);
      return "connection "
          + connection
          + " request "
          + index
          + (complete ? "" : " (incomplete)")
          + ": "
          + headText().replace("\r\n", "⏎ ")
          + (raw.isEmpty()
              ? ""
              : " body("
                  + raw.length()
                  + " bytes): "
                  + (raw.length() > 300 ? raw.substring(0, 300) + "…" : raw).replace("\r\n", "⏎ "));
    }
  }

  private final ServerSocket server;
  private final ExecutorService connections = Executors.newCachedThreadPool();
  private final AtomicInteger connectionIds = new AtomicInteger();
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final List<Socket> open = new CopyOnWriteArrayList<>();
  private final Map<String, String> documents = new ConcurrentHashMap<>();

  RecordingTarget() {
    try {
      server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Thread acceptor = new Thread(this::accept, "recording-target");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  URI baseUrl() {
    return URI.create("http://127.0.0.1:" + server.getLocalPort());
  }

  String authority() {
    return "127.0.0.1:" + server.getLocalPort();
  }

  /** Answers {@code GET path} with {@code json} (a provider's metadata, say) from now on. */
  void serve(String path, String json) {
    documents.put(path, json);
  }

  List<Received> received() {
    return List.copyOf(received);
  }

  List<Received> receivedFor(String caseTag) {
    return received.stream().filter(r -> r.caseTag().equals(Optional.of(caseTag))).toList();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        open.add(socket);
        int id = connectionIds.incrementAndGet();
        connections.execute(() -> serve(socket, id));
      } catch (IOException closed) {
        return;
      }
    }
  }

  private void serve(Socket socket, int connection) {
    try (socket) {
      InputStream in = new BufferedInputStream(socket.getInputStream());
      OutputStream out = socket.getOutputStream();
      for (int index = 1; ; index++) {
        byte[] head = readHead(in);
        if (head == null) {
          return;
        }
        if (head.length == 0) {
          continue;
        }
        Received request = new Received(connection, index, head);
        received.add(request);
        boolean early = request.target().toLowerCase(Locale.ROOT).contains("/early");
        if (early) {
          answer(out, request, null);
        }
        request.complete = readBody(in, request);
        if (!request.complete) {
          return;
        }
        if (!early) {
          answer(out, request, documents.get(request.target()));
        }
        if (request.header("Connection").stream()
            .anyMatch(v -> v.toLowerCase(Locale.ROOT).contains("close"))) {
          return;
        }
      }
    } catch (IOException gone) {
      // the peer went away; what arrived is recorded
    } finally {
      open.remove(socket);
    }
  }

  /** The head up to and with its blank line; empty for a stray blank line; null at the end. */
  private static byte[] readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int last4 = 0;
    while (head.size() < MAX_HEAD) {
      int b = in.read();
      if (b < 0) {
        return null;
      }
      head.write(b);
      last4 = (last4 << 8) | b;
      if (head.size() == 2 && last4 == 0x0d0a) {
        return new byte[0];
      }
      if (head.size() >= 4 && last4 == 0x0d0a0d0a) {
        return head.toByteArray();
      }
    }
    return null;
  }

  /** Reads the body as the head frames it; false when the connection ended or broke it first. */
  private static boolean readBody(InputStream in, Received request) throws IOException {
    boolean chunked =
        request.header("Transfer-Encoding").stream()
            .anyMatch(v -> v.toLowerCase(Locale.ROOT).contains("chunked"));
    if (chunked) {
      while (true) {
        String line = readLine(in, request);
        if (line == null) {
          return false;
        }
        int semicolon = line.indexOf(';');
        int size;
        try {
          size = Integer.parseInt((semicolon < 0 ? line : line.substring(0, semicolon)).trim(), 16);
        } catch (NumberFormatException e) {
          // not a chunk: keep what follows as it comes, to show what was sent in its place
          copy(in, request, MAX_BODY, false);
          return false;
        }
        if (size == 0) {
          while (true) {
            String trailer = readLine(in, request);
            if (trailer == null) {
              return false;
            }
            if (trailer.isEmpty()) {
              return true;
            }
          }
        }
        if (!copy(in, request, size, true) || readLine(in, request) == null) {
          return false;
        }
      }
    }
    List<String> lengths = request.header("Content-Length");
    if (lengths.isEmpty()) {
      return true;
    }
    long length;
    try {
      length = Long.parseLong(lengths.get(0));
    } catch (NumberFormatException e) {
      return false;
    }
    return length <= MAX_BODY && copy(in, request, (int) length, true);
  }

  private static boolean copy(InputStream in, Received request, int size, boolean data)
      throws IOException {
    byte[] buffer = new byte[8192];
    int left = size;
    while (left > 0) {
      int n = in.read(buffer, 0, Math.min(buffer.length, left));
      if (n < 0) {
        return false;
      }
      request.raw(buffer, 0, n);
      if (data) {
        request.data(buffer, 0, n);
      }
      left -= n;
    }
    return true;
  }

  private static String readLine(InputStream in, Received request) throws IOException {
    StringBuilder line = new StringBuilder();
    while (line.length() < 8192) {
      int b = in.read();
      if (b < 0) {
        return null;
      }
      request.raw(new byte[] {(byte) b}, 0, 1);
      if (b == '\n') {
        int end = line.length();
        return end > 0 && line.charAt(end - 1) == '\r'
            ? line.substring(0, end - 1)
            : line.toString();
      }
      line.append((char) b);
    }
    return null;
  }

  private static void answer(OutputStream out, Received request, String document)
      throws IOException {
    String path = request.target().toLowerCase(Locale.ROOT);
    boolean head = request.method().equals("HEAD");
    StringBuilder headers = new StringBuilder();
    byte[] body;
    int status = 200;
    boolean chunked = false;
    if (document != null) {
      headers.append("Content-Type: application/json\r\n");
      body = document.getBytes(StandardCharsets.UTF_8);
    } else if (path.contains("/forge")) {
      status = 403;
      headers
          .append("Content-Type: application/problem+json\r\n")
          .append("Callgate-Error: CALLER_NOT_ALLOWED\r\n");
      body =
          "{\"status\":403,\"code\":\"CALLER_NOT_ALLOWED\",\"detail\":\"forged by the target\"}"
              .getBytes(StandardCharsets.US_ASCII);
    } else if (path.contains("/echo")) {
      boolean inHeaders = !path.contains("/echo-body") && !path.contains("/echo-stream");
      boolean inBody = !path.contains("/echo-header");
      chunked = path.contains("/echo-stream");
      if (inHeaders) {
        for (String line : request.headerLines()) {
          int colon = line.indexOf(':');
          if (colon > 0) {
            String name = line.substring(0, colon).trim().replaceAll("[^A-Za-z0-9-]", "-");
            String value = line.substring(colon + 1).trim().replaceAll("[\\x00-\\x1f\\x7f]", " ");
            headers.append("X-Echo-").append(name).append(": ").append(value).append("\r\n");
          }
        }
      }
      headers.append("Content-Type: text/plain\r\n");
      ByteArrayOutputStream echoed = new ByteArrayOutputStream();
      if (inBody) {
        echoed.writeBytes(request.head());
        echoed.writeBytes(request.body());
      } else {
        echoed.writeBytes("echoed in the headers".getBytes(StandardCharsets.US_ASCII));
      }
      body = echoed.toByteArray();
    } else {
      headers.append("Content-Type: application/json\r\n");
      body = "{\"ok\":true}".getBytes(StandardCharsets.US_ASCII);
    }
    byte[] framed = chunked ? Chunked.encode(body, 5) : body;
    headers.append(
        chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: " + body.length + "\r\n");
    String statusLine = "HTTP/1.1 " + status + (status == 200 ? " OK" : " Forbidden") + "\r\n";
    out.write((statusLine + headers + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
    if (!head) {
      out.write(framed);
    }
    out.flush();
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException e) {
      // closing anyway
    }
    open.forEach(
        socket -> {
          try {
            socket.close();
          } catch (IOException e) {
            // closing anyway
          }
        });
    connections.shutdownNow();
  }
}
