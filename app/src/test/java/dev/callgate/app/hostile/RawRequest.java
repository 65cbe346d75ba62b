package dev.callgate.app.hostile;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One HTTP/1.1 request written byte for byte: the usual head (Host, the caller's key, the case's
 * tag, {@code Connection: close}, the body's length) unless a case leaves a part out, plus header
 * lines exactly as given — CR, LF, NUL and all. Text is written as ISO-8859-1, one byte per char;
 * {@link #utf8} turns text into the chars of its UTF-8 bytes.
 */
final class RawRequest {
  private final String method;
  private final String target;
  private String version = "HTTP/1.1";
  private String host;
  private Optional<String> key = Optional.empty();
  private String tag;
  private final List<String> lines = new ArrayList<>();
  private byte[] body;
  private boolean chunked;
  private boolean connectionClose = true;
  private boolean contentLength = true;

  private RawRequest(String method, String target) {
    this.method = method;
    this.target = target;
  }

  static RawRequest of(String method, String target) {
    return new RawRequest(method, target);
  }

  RawRequest host(String host) {
    this.host = host;
    return this;
  }

  RawRequest noHost() {
    this.host = null;
    return this;
  }

  RawRequest version(String version) {
    this.version = version;
    return this;
  }

  /** As the caller holding {@code key} (none: anonymous). */
  RawRequest as(Optional<String> key) {
    this.key = key;
    return this;
  }

  RawRequest tag(String tag) {
    this.tag = tag;
    return this;
  }

  /** A header line as is, without its CRLF. */
  RawRequest line(String line) {
    lines.add(line);
    return this;
  }

  RawRequest body(String text) {
    return body(text.getBytes(StandardCharsets.UTF_8));
  }

  RawRequest body(byte[] bytes) {
    this.body = bytes;
    return this;
  }

  /** {@code coded} is already chunked: it goes as is, with {@code Transfer-Encoding: chunked}. */
  RawRequest chunked(byte[] coded) {
    this.body = coded;
    this.chunked = true;
    return this;
  }

  RawRequest keepAlive() {
    this.connectionClose = false;
    return this;
  }

  /** No Content-Length from the builder (a case writes its own, or none). */
  RawRequest noContentLength() {
    this.contentLength = false;
    return this;
  }

  boolean isHead() {
    return method.equals("HEAD");
  }

  byte[] head() {
    StringBuilder head = new StringBuilder();
    head.append(method).append(' ').append(target);
    if (!version.isEmpty()) {
      head.append(' ').append(version);
    }
    head.append("\r\n");
    if (host != null) {
      head.append("Host: ").append(host).append("\r\n");
    }
    key.ifPresent(k -> head.append("Authorization: Bearer ").append(k).append("\r\n"));
    if (tag != null) {
      head.append(RecordingTarget.CASE_HEADER).append(": ").append(tag).append("\r\n");
    }
    for (String line : lines) {
      head.append(line).append("\r\n");
    }
    if (chunked) {
      head.append("Transfer-Encoding: chunked\r\n");
    } else if (body != null && contentLength) {
      head.append("Content-Length: ").append(body.length).append("\r\n");
    }
    if (connectionClose) {
      head.append("Connection: close\r\n");
    }
    head.append("\r\n");
    return head.toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  byte[] bytes() {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    all.writeBytes(head());
    if (body != null) {
      all.writeBytes(body);
    }
    return all.toByteArray();
  }

  /** The chars of {@code text}'s UTF-8 bytes, so that it goes out as UTF-8. */
  static String utf8(String text) {
    return new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
  }
}
