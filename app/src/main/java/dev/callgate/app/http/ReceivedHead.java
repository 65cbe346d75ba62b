package dev.callgate.app.http;

import dev.callgate.core.callout.Headers;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * The header fields of a request as its bytes arrive, before Netty's decoder reads them: the
 * decoder drops Content-Length beside Transfer-Encoding and strips the whitespace of a folded first
 * line, and both are what tells a smuggled request from an honest one. Reads the head only (up to
 * its blank line) and at most {@code limit} bytes of it; past that the decoder refuses the head
 * anyway.
 */
final class ReceivedHead {
  private enum State {
    REQUEST_LINE,
    LINE_START,
    IN_FIELD,
    IN_CONTINUATION,
    DONE
  }

  private final int limit;
  private State state = State.DONE;
  private int scanned;
  private boolean firstLineFolded;
  private final StringBuilder line = new StringBuilder();
  private final List<Headers.Header> fields = new ArrayList<>();

  ReceivedHead(int limit) {
    this.limit = limit;
  }

  /** A new request begins with the next byte. */
  void expectRequest() {
    state = State.REQUEST_LINE;
    scanned = 0;
    firstLineFolded = false;
    line.setLength(0);
    fields.clear();
  }

  /** Reads what {@code bytes} holds of the head, without consuming it. */
  void read(ByteBuf bytes) {
    for (int i = bytes.readerIndex(); i < bytes.writerIndex() && state != State.DONE; i++) {
      if (++scanned > limit) {
        state = State.DONE;
        return;
      }
      step((char) (bytes.getByte(i) & 0xff));
    }
  }

  private void step(char c) {
    switch (state) {
      case REQUEST_LINE -> {
        if (c == '\n') {
          // blank lines before the request line are allowed (RFC 9112 §2.2)
          state = line.toString().isBlank() ? State.REQUEST_LINE : State.LINE_START;
          line.setLength(0);
        } else {
          line.append(c == '\r' ? "" : "x");
        }
      }
      case LINE_START -> {
        if (c == '\n') {
          state = State.DONE;
        } else if (c == '\r') {
          // the CR of the blank line that ends the head
        } else if (c == ' ' || c == '\t') {
          firstLineFolded |= fields.isEmpty();
          state = State.IN_CONTINUATION;
        } else {
          line.setLength(0);
          line.append(c);
          state = State.IN_FIELD;
        }
      }
      case IN_FIELD -> {
        if (c == '\n') {
          field();
          state = State.LINE_START;
        } else if (c != '\r') {
          line.append(c);
        }
      }
      case IN_CONTINUATION -> {
        if (c == '\n') {
          state = State.LINE_START;
        }
      }
      case DONE -> {}
    }
  }

  private void field() {
    int colon = line.indexOf(":");
    String name = colon < 0 ? line.toString() : line.substring(0, colon);
    String value = colon < 0 ? "" : line.substring(colon + 1).trim();
    fields.add(new Headers.Header(name, value));
  }

  /** Whether the whole head was read. */
  boolean complete() {
    return state == State.DONE && scanned <= limit;
  }

  Headers fields() {
    return new Headers(fields);
  }

  boolean firstLineFolded() {
    return firstLineFolded;
  }
}
