package dev.callgate.app.http;

import static dev.callgate.core.diagnosis.DiagnosisCode.MALFORMED_REQUEST;
import static dev.callgate.core.diagnosis.DiagnosisCode.REQUEST_HEADERS_TOO_LARGE;
import static dev.callgate.core.diagnosis.DiagnosisCode.REQUEST_URI_TOO_LONG;

import dev.callgate.core.diagnosis.Diagnosis;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.impl.ConnectionBase;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * Callgate's HTTP server with its {@link InboundLimits}: a slow or idle client cannot hold a
 * connection, a flood of connections beyond the limit is closed on arrival, a request Netty cannot
 * read is answered with a problem document like every other error, and HTTP/2 over cleartext is not
 * offered (an {@code Upgrade: h2c} is ignored, the request answered over HTTP/1.1).
 */
public final class InboundServer {
  private static final Logger LOG = Logger.getLogger(InboundServer.class.getName());

  private InboundServer() {}

  public static HttpServer create(
      Vertx vertx, InboundLimits limits, Handler<HttpServerRequest> requests) {
    HttpServerOptions options =
        new HttpServerOptions()
            .setHttp2ClearTextEnabled(false)
            .setIdleTimeout((int) limits.idleTimeout().toMillis())
            .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
            .setMaxInitialLineLength(limits.maxRequestLine())
            .setMaxHeaderSize(limits.maxHeaderSize());
    AtomicInteger open = new AtomicInteger();
    return vertx
        .createHttpServer(options)
        .connectionHandler(connection -> watch(connection, limits, open))
        .invalidRequestHandler(request -> invalid(request, limits))
        .requestHandler(requests);
  }

  /** As Vert.x's default handler of requests Netty could not decode, but with a problem. */
  private static void invalid(HttpServerRequest request, InboundLimits limits) {
    Throwable cause = request.decoderResult().cause();
    Diagnosis diagnosis;
    if (cause instanceof TooLongHttpLineException) {
      diagnosis = Diagnosis.of(REQUEST_URI_TOO_LONG, "limit", limits.maxRequestLine());
    } else if (cause instanceof TooLongHttpHeaderException) {
      diagnosis = Diagnosis.of(REQUEST_HEADERS_TOO_LARGE, "limit", limits.maxHeaderSize());
    } else if (cause instanceof UnsupportedVersion unsupported) {
      diagnosis = Diagnosis.of(MALFORMED_REQUEST, "reason", unsupported.getMessage());
    } else {
      diagnosis =
          Diagnosis.of(MALFORMED_REQUEST, "reason", "the request line or a header is not HTTP");
    }
    // the rest of the connection's bytes cannot be trusted to start a request
    request.response().putHeader("Connection", "close");
    Problems.send(request.response(), diagnosis);
    request.connection().close();
  }

  /** A request in a version other than HTTP/1.0 and HTTP/1.1 (HTTP/2 included: no h2c). */
  private static final class UnsupportedVersion extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UnsupportedVersion(HttpVersion version) {
      super(
          "the protocol version '"
              + version.text().replaceAll("[^\\x21-\\x7e]", "?")
              + "' is not HTTP/1.1 or HTTP/1.0",
          null,
          false,
          false);
    }
  }

  private static void watch(HttpConnection connection, InboundLimits limits, AtomicInteger open) {
    if (open.incrementAndGet() > limits.maxConnections()) {
      open.decrementAndGet();
      connection.close();
      return;
    }
    connection.closeHandler(v -> open.decrementAndGet());
    if (!(connection instanceof ConnectionBase base)) {
      return;
    }
    Channel channel = base.channel();
    ChannelPipeline pipeline = channel.pipeline();
    if (pipeline.get("httpDecoder") == null) {
      return;
    }
    ReadDeadlines deadlines = new ReadDeadlines(limits.headerTimeout(), limits.bodyTimeout());
    pipeline.addBefore("httpDecoder", "callgate-bytes", deadlines.bytes());
    pipeline.addAfter("httpDecoder", "callgate-messages", deadlines);
    deadlines.awaitHead(pipeline.context("callgate-messages"));
  }

  /**
   * The header and body deadlines of one HTTP/1.1 connection. Between requests it waits for a first
   * byte (the idle timeout governs); from that byte the head must be complete within the header
   * timeout; then, while Callgate reads the body, no pause between its bytes may exceed the body
   * timeout. A deadline that passes while Callgate itself has stopped reading (a paused body, a
   * request in progress) is moved on, not enforced: the wait is Callgate's, not the client's.
   */
  private static final class ReadDeadlines extends ChannelInboundHandlerAdapter {
    private enum Reading {
      NOTHING,
      HEAD,
      BODY
    }

    private final long headerMillis;
    private final long bodyMillis;
    private Reading reading = Reading.NOTHING;
    private ScheduledFuture<?> deadline;

    ReadDeadlines(Duration header, Duration body) {
      this.headerMillis = header.toMillis();
      this.bodyMillis = body.toMillis();
    }

    ChannelInboundHandlerAdapter bytes() {
      return new ChannelInboundHandlerAdapter() {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
          if (reading == Reading.NOTHING) {
            awaitHead(ctx);
          }
          ctx.fireChannelRead(msg);
        }
      };
    }

    void awaitHead(ChannelHandlerContext ctx) {
      reading = Reading.HEAD;
      arm(ctx, headerMillis, "header");
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof HttpRequest request) {
        HttpVersion version = request.protocolVersion();
        if (version.majorVersion() != 1 || version.minorVersion() > 1) {
          // Vert.x would answer a bare 501; as a decoding failure it reaches the invalid-request
          // handler and is answered with a problem
          request.setDecoderResult(DecoderResult.failure(new UnsupportedVersion(version)));
        }
        reading = Reading.BODY;
        arm(ctx, bodyMillis, "body");
      }
      if (msg instanceof LastHttpContent) {
        reading = Reading.NOTHING;
        cancel();
      } else if (msg instanceof HttpContent) {
        arm(ctx, bodyMillis, "body");
      }
      ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      cancel();
      super.channelInactive(ctx);
    }

    private void arm(ChannelHandlerContext ctx, long millis, String what) {
      cancel();
      deadline =
          ctx.executor()
              .schedule(
                  () -> {
                    if (!ctx.channel().config().isAutoRead()) {
                      arm(ctx, millis, what);
                      return;
                    }
                    LOG.fine(() -> "closing a connection whose request " + what + " was too slow");
                    ctx.close();
                  },
                  millis,
                  TimeUnit.MILLISECONDS);
    }

    private void cancel() {
      if (deadline != null) {
        deadline.cancel(false);
        deadline = null;
      }
    }
  }
}
