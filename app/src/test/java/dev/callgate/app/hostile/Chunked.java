package dev.callgate.app.hostile;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** The chunked transfer coding, read leniently: as much of the data as the bytes hold. */
final class Chunked {
  private Chunked() {}

  /** The data of {@code coded}; a broken or cut-off coding yields the data before the break. */
  static byte[] decode(byte[] coded) {
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    int at = 0;
    while (at < coded.length) {
      int lineEnd = indexOfCrlf(coded, at);
      if (lineEnd < 0) {
        break;
      }
      String sizeLine = new String(coded, at, lineEnd - at, StandardCharsets.ISO_8859_1);
      int semicolon = sizeLine.indexOf(';');
      int size;
      try {
        size =
            Integer.parseInt(
                (semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
      } catch (NumberFormatException e) {
        break;
      }
      if (size <= 0) {
        break;
      }
      int start = lineEnd + 2;
      int end = Math.min(coded.length, start + size);
      data.write(coded, start, end - start);
      at = end + 2;
    }
    return data.toByteArray();
  }

  /** {@code data} as one chunk per {@code size} bytes, then the last chunk. */
  static byte[] encode(byte[] data, int size) {
    ByteArrayOutputStream coded = new ByteArrayOutputStream();
    for (int at = 0; at < data.length; at += size) {
      int n = Math.min(size, data.length - at);
      coded.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
      coded.write(data, at, n);
      coded.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
    }
    coded.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    return coded.toByteArray();
  }

  /** {@code data} as one chunk, without the last chunk: a body still on its way. */
  static byte[] encodeOne(byte[] data) {
    ByteArrayOutputStream coded = new ByteArrayOutputStream();
    coded.writeBytes(
        (Integer.toHexString(data.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
    coded.writeBytes(data);
    coded.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
    return coded.toByteArray();
  }

  static int indexOfCrlf(byte[] bytes, int from) {
    for (int i = from; i + 1 < bytes.length; i++) {
      if (bytes[i] == '\r' && bytes[i + 1] == '\n') {
        return i;
      }
    }
    return -1;
  }
}
