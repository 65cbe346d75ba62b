package dev.callgate.adapter.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A target on a raw server socket that keeps every byte each connection brings, in order, so a test
 * can see exactly what went over the wire: where one request ends and the next begins, whether a
 * terminating chunk was sent, whether the connection was closed. What it answers is the test's
 * choice: nothing, an early answer at every request head (before the body has come), or a large
 * answer streamed at every request head.
 */
public final class RecordingTarget implements AutoCloseable {

  /** What the target writes back when it has read a request head. */
  private enum Answer {
    /** Never answers: the request's fate is read from the recorded bytes alone. */
    SILENT,
    /** {@code 200 OK} with a two-byte body, as soon as the head has come. */
    EARLY,
    /** {@code 200 OK} with a large body, written as fast as the reader takes it. */
    STREAMED,
    /** {@code 200 OK}, chunked, one chunk, then the connection closed: a broken answer. */
    BROKEN_OFF
  }

  /** One accepted connection: the bytes it brought and whether its peer closed it. */
  public static final class Connection {
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile long bytesAnswered;

    public synchronized byte[] bytes() {
      return received.toByteArray();
    }

    public String text() {
      return new String(bytes(), StandardCharsets.ISO_8859_1);
    }

    /** True once the peer closed or reset the connection (reading ended or writing failed). */
    public boolean awaitClosed(Duration timeout) throws InterruptedException {
      return closed.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public boolean isClosed() {
      return closed.getCount() == 0;
    }

    public long bytesAnswered() {
      return bytesAnswered;
    }

    private synchronized void add(byte[] chunk, int length) {
      received.write(chunk, 0, length);
    }
  }

  private static final byte[] HEAD_END = "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);

  private final ServerSocket server;
  private final Answer answer;
  private final long answerSize;
  private final List<Connection> connections = new CopyOnWriteArrayList<>();
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();

  private RecordingTarget(ServerSocket server, Answer answer, long answerSize) {
    this.server = server;
    this.answer = answer;
    this.answerSize = answerSize;
  }

  /** A target that never answers. */
  public static RecordingTarget silent() throws IOException {
    return start(Answer.SILENT, 0);
  }

  /** A target that answers every request head at once, before its body has come. */
  public static RecordingTarget answeringEarly() throws IOException {
    return start(Answer.EARLY, 0);
  }

  /** A target that answers every request head with {@code size} bytes. */
  public static RecordingTarget streaming(long size) throws IOException {
    return start(Answer.STREAMED, size);
  }

  /** A target that answers chunked and closes the connection after the first chunk. */
  public static RecordingTarget breakingOffItsAnswer() throws IOException {
    return start(Answer.BROKEN_OFF, 0);
  }

  private static RecordingTarget start(Answer answer, long size) throws IOException {
    RecordingTarget target =
        new RecordingTarget(
            new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), answer, size);
    Thread acceptor = new Thread(target::accept, "recording-target-accept");
    acceptor.setDaemon(true);
    acceptor.start();
    return target;
  }

  public int port() {
    return server.getLocalPort();
  }

  public URI uri(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + port() + pathAndQuery);
  }

  public List<Connection> connections() {
    return List.copyOf(connections);
  }

  /** Waits until {@code count} connections have been accepted. */
  public void awaitConnections(int count, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (connections.size() < count) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "expected " + count + " connections within " + timeout + ", got " + connections.size());
      }
      Thread.sleep(10);
    }
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        Connection connection = new Connection();
        sockets.add(socket);
        connections.add(connection);
        Thread reader = new Thread(() -> serve(socket, connection), "recording-target-read");
        reader.setDaemon(true);
        reader.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket socket, Connection connection) {
    byte[] chunk = new byte[8192];
    int matched = 0;
    try (socket) {
      InputStream in = socket.getInputStream();
      OutputStream out = socket.getOutputStream();
      for (int n; (n = in.read(chunk)) >= 0; ) {
        connection.add(chunk, n);
        for (int i = 0; i < n; i++) {
          matched = chunk[i] == HEAD_END[matched] ? matched + 1 : (chunk[i] == '\r' ? 1 : 0);
          if (matched == HEAD_END.length) {
            matched = 0;
            answer(out, connection);
          }
        }
      }
    } catch (IOException e) {
      // a reset connection ends the recording like a closed one
    } finally {
      connection.closed.countDown();
    }
  }

  private void answer(OutputStream out, Connection connection) throws IOException {
    switch (answer) {
      case SILENT -> {}
      case EARLY -> {
        out.write(
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.UTF_8));
        out.flush();
      }
      case STREAMED -> streamAnswer(out, connection, answerSize);
      case BROKEN_OFF -> {
        out.write(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\na\r\n0123456789\r\n"
                .getBytes(StandardCharsets.UTF_8));
        out.flush();
        throw new IOException("the answer breaks off here");
      }
    }
  }

  private static void streamAnswer(OutputStream out, Connection connection, long size)
      throws IOException {
    out.write(
        ("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: "
                + size
                + "\r\n\r\n")
            .getBytes(StandardCharsets.UTF_8));
    byte[] block = new byte[16 * 1024];
    for (int i = 0; i < block.length; i++) {
      block[i] = (byte) ('a' + i % 26);
    }
    long left = size;
    while (left > 0) {
      int length = (int) Math.min(block.length, left);
      out.write(block, 0, length);
      left -= length;
      connection.bytesAnswered += length;
    }
    out.flush();
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket socket : sockets) {
      socket.close();
    }
  }
}
