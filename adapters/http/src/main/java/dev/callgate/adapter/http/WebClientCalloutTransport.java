package dev.callgate.adapter.http;

import dev.callgate.core.callout.Body;
import dev.callgate.core.callout.CalloutResponse;
import dev.callgate.core.callout.HeaderRules;
import dev.callgate.core.callout.Headers;
import dev.callgate.core.callout.OutboundRequest;
import dev.callgate.core.port.CalloutTransport;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * The callout transport. It keeps the name of the Vert.x web client it was planned on, but it sits
 * on the core {@link HttpClient} underneath: the web client either buffers a response body or pipes
 * it into a write stream that must exist before the response does ({@code BodyCodec.pipe}), while
 * Callgate has to look at the status first (a 401 or 403 body is read for the classifier, any other
 * is relayed) and then hand the body over as a paused {@code ReadStream} the HTTP API pipes into
 * its own response. {@code HttpClientResponse} is exactly that stream. Each request is an {@link
 * UpstreamExchange}, which decides whether its connection may go back to the pool.
 */
final class WebClientCalloutTransport implements CalloutTransport {

  /** What the unauthorized-response classifier reads at most; error bodies are small. */
  static final int MAX_BUFFERED_BODY_BYTES = 64 * 1024;

  /**
   * An answer that declares at most this many bytes is read whole and handed over in memory: the
   * caller gets it with one write, not through a pipe set up for a few bytes, and the echo guard
   * checks it whole before anything of it is relayed.
   */
  static final int SMALL_ANSWER_BYTES = 16 * 1024;

  private final Function<OutboundRequest, HttpClient> clients;
  private final Vertx vertx;
  private final CalloutTransportOptions options;
  private final OutboundGuard guard;

  /**
   * {@code clients} gives each credential a client of its own, and so pools of its own: one
   * credential's load cannot take the connections another's callouts need, and a connection never
   * carries two credentials' requests (nor two client certificates').
   */
  WebClientCalloutTransport(
      Vertx vertx,
      Function<OutboundRequest, HttpClient> clients,
      CalloutTransportOptions options,
      OutboundGuard guard) {
    this.vertx = vertx;
    this.clients = clients;
    this.options = options;
    this.guard = guard;
  }

  @Override
  public CompletionStage<TransportOutcome> send(OutboundRequest request) {
    if (request.body() instanceof Body.Streamed streamed
        && !(streamed.content() instanceof VertxStreamedContent)) {
      throw new IllegalArgumentException(
          "a streamed request body must be a VertxStreamedContent, was "
              + streamed.content().getClass().getName());
    }
    Promise<TransportOutcome> outcome = Promise.promise();
    if (Vertx.currentContext() == null) {
      // a caller on no Vert.x thread: the exchange runs on a context of its own, so the answer's
      // head reaches relay() — which pauses its body — before any chunk or its end can be
      // delivered; registered from a foreign thread, relay() could run after the end and lose it
      vertx.getOrCreateContext().runOnContext(v -> exchange(request, outcome));
    } else {
      exchange(request, outcome);
    }
    return outcome.future().toCompletionStage();
  }

  private void exchange(OutboundRequest request, Promise<TransportOutcome> outcome) {
    RequestOptions requestOptions =
        target(new RequestOptions(), request.uri())
            .setMethod(HttpMethod.valueOf(request.method()))
            .setFollowRedirects(false)
            .setConnectTimeout(options.connectTimeout().toMillis())
            .setIdleTimeout(options.responseTimeout().toMillis());
    // core's header rules removed these already; a transport still never forwards them
    List<String> connection = request.headers().all("Connection");
    for (Headers.Header header : request.headers().fields()) {
      if (HeaderRules.sentToTarget(header.name(), connection)) {
        requestOptions.addHeader(header.name(), header.value());
      }
    }
    Body body = request.body();
    guard
        .destination(request.uri())
        // the checked address, never a second lookup; the URI still names the host for Host and SNI
        .compose(
            destination ->
                clients.apply(request).request(requestOptions.setServer(destination.server())))
        .onComplete(
            connected -> {
              if (connected.failed()) {
                outcome.complete(
                    connected.cause() instanceof OutboundAddressRefusedException refused
                        ? new CalloutTransport.Refused(refused.diagnosis())
                        : connected.cause() instanceof ConnectionPoolTooBusyException
                            ? new ConnectionLimitReached(
                                options.maxPoolSize(), options.maxWaitQueueSize())
                            : UnreachableReasons.whileConnecting(
                                connected.cause(), options, request.tls().hasClientCertificate()));
                return;
              }
              UpstreamExchange exchange = new UpstreamExchange(connected.result());
              exchange
                  .send(body)
                  .onComplete(
                      answered -> {
                        if (answered.failed()) {
                          outcome.complete(
                              exchange.requestBodyFailed()
                                  ? UnreachableReasons.requestBodyBrokeOff()
                                  : UnreachableReasons.whileExchanging(
                                      answered.cause(),
                                      options,
                                      request.tls().hasClientCertificate()));
                        } else {
                          relay(request.method(), answered.result(), exchange, outcome);
                        }
                      });
            });
  }

  /**
   * The target's host, port, scheme and request target, taken from the URI core resolved — as
   * {@code setAbsoluteURI} would set them, without parsing the URI's text a second time. A host the
   * URI does not read (a numeric form such as {@code 127.1}) goes through {@code setAbsoluteURI}.
   */
  private static RequestOptions target(RequestOptions options, URI uri) {
    boolean tls = "https".equalsIgnoreCase(uri.getScheme());
    if (uri.getHost() == null || !(tls || "http".equalsIgnoreCase(uri.getScheme()))) {
      return options.setAbsoluteURI(uri.toASCIIString());
    }
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    String query = uri.getRawQuery();
    return options
        .setHost(uri.getHost())
        .setPort(uri.getPort() == -1 ? (tls ? 443 : 80) : uri.getPort())
        .setSsl(tls)
        .setURI(query == null ? path : path + "?" + query);
  }

  private static void relay(
      String method,
      HttpClientResponse response,
      UpstreamExchange exchange,
      Promise<TransportOutcome> outcome) {
    // no chunk may arrive before someone reads it: the body waits, paused, for its reader
    response.pause();
    int status = response.statusCode();
    boolean head = method.equalsIgnoreCase("HEAD");
    Headers headers = incomingHeaders(response.headers(), head);
    if (head || status == 204 || status == 304 || status < 200) {
      response.resume();
      outcome.complete(new Sent(new CalloutResponse(status, headers, Body.EMPTY)));
    } else if (status == 401 || status == 403) {
      bufferForClassifier(response, headers, outcome);
    } else {
      OptionalLong length = contentLength(response.headers());
      if (length.isPresent() && length.getAsLong() <= SMALL_ANSWER_BYTES) {
        readWhole(response, headers, outcome);
        return;
      }
      VertxStreamedContent content =
          VertxStreamedContent.of(response, length).onAbandon(exchange::abandon);
      outcome.complete(new Sent(new CalloutResponse(status, headers, new Body.Streamed(content))));
    }
  }

  /**
   * A small answer, whole; one that breaks off is reported as unreadable, nothing of it relayed.
   */
  private static void readWhole(
      HttpClientResponse response, Headers headers, Promise<TransportOutcome> outcome) {
    response
        .body()
        .onComplete(
            read -> {
              if (read.failed()) {
                outcome.complete(UnreachableReasons.whileReadingAnswer(read.cause()));
                return;
              }
              Buffer bytes = read.result();
              outcome.complete(
                  new Sent(
                      new CalloutResponse(
                          response.statusCode(),
                          headers,
                          bytes.length() == 0 ? Body.EMPTY : Body.of(bytes.getBytes()))));
            });
    response.resume();
  }

  /**
   * Reads up to {@link #MAX_BUFFERED_BODY_BYTES} and answers with them; the rest of a larger body
   * is read and dropped, so the connection goes back to the pool instead of being closed.
   */
  private static void bufferForClassifier(
      HttpClientResponse response, Headers headers, Promise<TransportOutcome> outcome) {
    Buffer kept = Buffer.buffer();
    Runnable answer =
        () ->
            outcome.tryComplete(
                new Sent(
                    new CalloutResponse(response.statusCode(), headers, Body.of(kept.getBytes()))));
    response.handler(
        chunk -> {
          int room = MAX_BUFFERED_BODY_BYTES - kept.length();
          if (room > 0) {
            kept.appendBuffer(chunk, 0, Math.min(room, chunk.length()));
            if (kept.length() == MAX_BUFFERED_BODY_BYTES) {
              answer.run();
            }
          }
        });
    response.endHandler(ended -> answer.run());
    response.exceptionHandler(
        failure -> {
          if (!outcome.future().isComplete()) {
            outcome.tryComplete(UnreachableReasons.whileReadingAnswer(failure));
          }
        });
    response.resume();
  }

  /**
   * The target's headers minus hop-by-hop ones; minus {@code Content-Length} too (the body's length
   * says it), except for a HEAD answer, where it describes the resource rather than the empty body.
   */
  static Headers incomingHeaders(MultiMap responseHeaders, boolean head) {
    List<String> connection = responseHeaders.getAll(HttpHeaders.CONNECTION);
    List<Headers.Header> kept = new ArrayList<>();
    for (Map.Entry<String, String> entry : responseHeaders) {
      String name = entry.getKey();
      if (!HeaderRules.isHopByHop(name, connection)
          && (head || !name.equalsIgnoreCase("Content-Length"))) {
        kept.add(new Headers.Header(name, entry.getValue()));
      }
    }
    return new Headers(kept);
  }

  private static OptionalLong contentLength(MultiMap responseHeaders) {
    if (responseHeaders.contains(HttpHeaders.TRANSFER_ENCODING)) {
      return OptionalLong.empty();
    }
    String value = responseHeaders.get(HttpHeaders.CONTENT_LENGTH);
    if (value == null) {
      return OptionalLong.empty();
    }
    try {
      long length = Long.parseLong(value.trim());
      return length >= 0 ? OptionalLong.of(length) : OptionalLong.empty();
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }
}
