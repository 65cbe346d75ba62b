package dev.callgate.app.http;

import static dev.callgate.core.diagnosis.DiagnosisCode.MALFORMED_REQUEST;
import static dev.callgate.core.diagnosis.DiagnosisCode.REQUEST_HEADERS_TOO_LARGE;
import static dev.callgate.core.diagnosis.DiagnosisCode.REQUEST_URI_TOO_LONG;
import static java.util.concurrent.TimeUnit.MILLISECONDS;

import dev.callgate.core.callout.HeaderRules;
import dev.callgate.core.diagnosis.Diagnosis;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.impl.ConnectionBase;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Callgate's HTTP server with its {@link InboundLimits}: a slow or idle client cannot hold a
 * connection, a flood of connections beyond the limit is closed on arrival, a request Netty cannot
 * read is answered with a problem document like every other error, so is a request whose head could
 * be read in two ways (smuggling: see {@link HeaderRules#ambiguousRequest}), and HTTP/2 over
 * cleartext is not offered (an {@code Upgrade: h2c} is ignored, the request answered over
 * HTTP/1.1).
 *
 * <p>It is one Vert.x server per event loop, all on one port: Vert.x binds the port once and hands
 * each new connection to the next loop's server, so every core serves requests. The connection
 * limit counts the connections of all of them.
 */
public final class InboundServer {
  private static final Logger LOG = LoggerFactory.getLogger(InboundServer.class);

  private final Vertx vertx;
  private final String deployment;
  private final List<HttpServer> servers;

  private InboundServer(Vertx vertx, String deployment, List<HttpServer> servers) {
    this.vertx = vertx;
    this.deployment = deployment;
    this.servers = servers;
  }

  /**
   * Listens on {@code port} ({@code 0}: one the system chooses) with {@code eventLoops} servers,
   * each on an event loop of its own and answering with a handler {@code requests} makes for it;
   * {@code open} counts the connections open over all of them (the limit and the metrics read it).
   */
  public static Future<InboundServer> listen(
      Vertx vertx,
      int eventLoops,
      InboundLimits limits,
      AtomicInteger open,
      Supplier<Handler<HttpServerRequest>> requests,
      int port,
      String host) {
    // port 0 would give each server a port of its own; a negative one, Vert.x's "any port, shared",
    // gives them all the one the first server is given
    int shared = port == 0 ? -1 : port;
    Queue<HttpServer> servers = new ConcurrentLinkedQueue<>();
    Supplier<Deployable> server =
        () ->
            context ->
                create(vertx, limits, open, requests.get())
                    .listen(shared, host)
                    .onSuccess(servers::add);
    return vertx
        .deployVerticle(server, new DeploymentOptions().setInstances(eventLoops))
        .map(id -> new InboundServer(vertx, id, List.copyOf(servers)));
  }

  /** The port all the servers listen on. */
  public int port() {
    return servers.get(0).actualPort();
  }

  /** Closes every server, and the connections they hold. */
  public Future<Void> close() {
    // each closed by itself: the last to close gives the port back before its close completes,
    // which undeploying them alone does not wait for
    return Future.all(servers.stream().map(HttpServer::close).toList())
        .compose(closed -> vertx.undeploy(deployment));
  }

  private static HttpServer create(
      Vertx vertx, InboundLimits limits, AtomicInteger open, Handler<HttpServerRequest> requests) {
    HttpServerOptions options =
        new HttpServerOptions()
            .setHttp2ClearTextEnabled(false)
            .setIdleTimeout((int) limits.idleTimeout().toMillis())
            .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
            .setMaxInitialLineLength(limits.maxRequestLine())
            .setMaxHeaderSize(limits.maxHeaderSize());
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
    } else if (cause instanceof Refused refused) {
      diagnosis = refused.diagnosis;
    } else {
      diagnosis =
          Diagnosis.of(MALFORMED_REQUEST, "reason", "the request line or a header is not HTTP");
    }
    // the rest of the connection's bytes cannot be trusted to start a request
    request.response().putHeader("Connection", "close");
    Problems.send(request.response(), diagnosis);
    request.connection().close();
  }

  /**
   * A request Callgate refuses as it is decoded: one in a version other than HTTP/1.0 and HTTP/1.1
   * (HTTP/2 included: no h2c), or one whose head is ambiguous.
   */
  private static final class Refused extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient Diagnosis diagnosis;

    Refused(Diagnosis diagnosis) {
      super(diagnosis.code().name(), null, false, false);
      this.diagnosis = diagnosis;
    }

    static Refused version(HttpVersion version) {
      return new Refused(
          Diagnosis.of(
              MALFORMED_REQUEST,
              "reason",
              "the protocol version, read as '"
                  + version.text().replaceAll("[^\\x21-\\x7e]", "?")
                  + "', is not written HTTP/1.1 or HTTP/1.0"));
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
    ReadDeadlines deadlines =
        new ReadDeadlines(
            limits.headerTimeout(),
            limits.bodyTimeout(),
            new ReceivedHead(limits.maxRequestLine() + limits.maxHeaderSize() + 4));
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
   *
   * <p>A connection Callgate closes while the client may still be sending (a request it could not
   * decode, a body it refused to read) is closed lingering, as nginx does: the answer goes out,
   * then a FIN, and what the client still sends is read and dropped until it closes its side or
   * {@link #LINGER_MILLIS} pass. Closed at once, a socket with unread bytes is reset by the kernel,
   * and the reset can destroy the answer before the client has read it (with Netty's epoll
   * transport it always did for an over-long request line).
   */
  private static final class ReadDeadlines extends ChannelDuplexHandler {
    private enum Reading {
      NOTHING,
      HEAD,
      BODY
    }

    private final long headerMillis;
    private final long bodyMillis;
    private final ReceivedHead head;

    /** How long a closing connection drains what the client still sends. */
    static final long LINGER_MILLIS = 2_000;

    private Reading reading = Reading.NOTHING;
    private boolean undecodable;
    private boolean lingering;
    private ChannelPromise closing;
    private ScheduledFuture<?> deadline;

    ReadDeadlines(Duration header, Duration body, ReceivedHead head) {
      this.headerMillis = header.toMillis();
      this.bodyMillis = body.toMillis();
      this.head = head;
    }

    ChannelInboundHandlerAdapter bytes() {
      return new ChannelInboundHandlerAdapter() {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
          if (lingering) {
            ReferenceCountUtil.release(msg);
            return;
          }
          if (reading == Reading.NOTHING) {
            awaitHead(ctx);
          }
          if (msg instanceof ByteBuf bytes) {
            head.read(bytes);
          }
          ctx.fireChannelRead(msg);
        }
      };
    }

    void awaitHead(ChannelHandlerContext ctx) {
      reading = Reading.HEAD;
      head.expectRequest();
      arm(ctx, headerMillis, "header");
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof HttpRequest request) {
        HttpVersion version = request.protocolVersion();
        // Netty reads 'http/1.1' as a version of its own, which Vert.x answers with a bare 501; as
        // a decoding failure it reaches the invalid-request handler and is answered with a problem
        if (version != HttpVersion.HTTP_1_1 && version != HttpVersion.HTTP_1_0) {
          request.setDecoderResult(DecoderResult.failure(Refused.version(version)));
          // the answer is written in the request's version: an HTTP/2 preface gets HTTP/1.1
          request.setProtocolVersion(HttpVersion.HTTP_1_1);
        } else if (request.decoderResult().isSuccess() && head.complete()) {
          HeaderRules.ambiguousRequest(head.fields(), head.firstLineFolded())
              .ifPresent(
                  diagnosis ->
                      request.setDecoderResult(DecoderResult.failure(new Refused(diagnosis))));
        }
        // the decoder drops the rest of the connection's bytes, unread by anyone
        undecodable |= request.decoderResult().isFailure();
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
      if (closing != null) {
        // the client closed its side while the connection lingered
        closing.trySuccess();
      }
      super.channelInactive(ctx);
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
      if (lingering) {
        // Vert.x closes again once the answer is written: the lingering close stands
        ctx.channel().closeFuture().addListener(closed -> promise.trySuccess());
        return;
      }
      boolean clientMaySend = undecodable || reading != Reading.NOTHING;
      if (!clientMaySend
          || !(ctx.channel() instanceof DuplexChannel duplex)
          || !duplex.isActive()
          || duplex.isInputShutdown()) {
        ctx.close(promise);
        return;
      }
      lingering = true;
      closing = promise;
      cancel();
      // the empty write completes after every write before it: the FIN follows the answer
      ctx.writeAndFlush(Unpooled.EMPTY_BUFFER)
          .addListener(
              written ->
                  duplex
                      .shutdownOutput()
                      .addListener(
                          shut -> {
                            duplex.config().setAutoRead(true);
                            duplex.read();
                          }));
      deadline = ctx.executor().schedule(() -> ctx.close(promise), LINGER_MILLIS, MILLISECONDS);
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
                    LOG.atDebug()
                        .setMessage("closing a connection whose request {} was too slow")
                        .addArgument(what)
                        .addKeyValue("event", "connection.too-slow")
                        .log();
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
