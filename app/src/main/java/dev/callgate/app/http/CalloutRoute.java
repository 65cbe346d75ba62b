package dev.callgate.app.http;

import static dev.callgate.core.diagnosis.DiagnosisCode.METHOD_NOT_ALLOWED;
import static dev.callgate.core.diagnosis.DiagnosisCode.ROUTE_NOT_FOUND;
import static dev.callgate.core.diagnosis.DiagnosisCode.SECRET_ECHOED;

import dev.callgate.core.callout.Body;
import dev.callgate.core.callout.CalloutHead;
import dev.callgate.core.callout.CalloutResponse;
import dev.callgate.core.callout.HeaderRules;
import dev.callgate.core.callout.Headers;
import dev.callgate.core.diagnosis.DiagnosedFailure;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.service.CalloutResult;
import dev.callgate.core.service.Callouts;
import dev.callgate.core.service.PreparedCallout;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ANY /v1/callout/{name}/{path…}}: asks {@link Callouts} to prepare the callout from the
 * request's head, reads the body only as the prepared callout says (and not at all when it is
 * refused), and relays the target's answer — status, headers and body, less the headers Callgate
 * never relays. Callgate's own refusals are problem documents with the {@code Callgate-Error}
 * header; a fresh token rejected by the target is relayed with that header too, so the caller can
 * tell the two apart.
 */
public final class CalloutRoute {
  static final String PREFIX = "/v1/callout/";
  private static final Logger LOG = LoggerFactory.getLogger(CalloutRoute.class);

  private final Callouts callouts;
  private final CalloutBodies bodies;
  private final CalloutObserver observer;
  private final EchoObserver echoes;

  /** Told of every callout's result and how long Callgate took to answer (for metrics). */
  @FunctionalInterface
  public interface CalloutObserver {
    void observe(String credential, CalloutResult result, Duration took);
  }

  /** Told of every answer withheld or cut because it echoed a secret: in its headers or body. */
  @FunctionalInterface
  public interface EchoObserver {
    void blocked(String where);
  }

  public CalloutRoute(
      Callouts callouts, CalloutBodies bodies, CalloutObserver observer, EchoObserver echoes) {
    this.callouts = callouts;
    this.bodies = bodies;
    this.observer = observer;
    this.echoes = echoes;
  }

  void mount(Router router) {
    router.route("/v1/callout/*").handler(this::handle);
  }

  /** The credential's name and the raw path after it, from a callout's raw request path. */
  private record Address(String name, String rawPath) {
    /**
     * Only a raw path that starts with the prefix itself names a callout: the router matched the
     * normalized path, and {@code /v1/x/../callout/…} must not select a credential from its raw
     * text.
     */
    static Optional<Address> of(String raw) {
      if (raw == null || !raw.startsWith(PREFIX)) {
        return Optional.empty();
      }
      String rest = raw.substring(PREFIX.length());
      int slash = rest.indexOf('/');
      String name = slash < 0 ? rest : rest.substring(0, slash);
      if (name.isEmpty()) {
        return Optional.empty();
      }
      // keep the slash after the name: core strips exactly one, so "name//host" stays an empty
      // segment
      return Optional.of(new Address(name, slash < 0 ? "" : rest.substring(slash)));
    }
  }

  private void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    long started = System.nanoTime();
    // the raw path, still percent-encoded: core decides what may reach the target
    Optional<Address> address = Address.of(request.path());
    if (address.isEmpty()) {
      refuse(
          ctx,
          Diagnosis.of(
              ROUTE_NOT_FOUND,
              "method",
              request.method().name(),
              "path",
              shortened(request.path())),
          Optional.empty());
      return;
    }
    String name = address.get().name();
    CalloutHead head =
        new CalloutHead(
            request.method().name(),
            address.get().rawPath(),
            Optional.ofNullable(request.query()),
            headers(request));
    ContextFutures.of(
            callouts.prepare(Http.caller(ctx), name, head), ctx.vertx().getOrCreateContext())
        .onSuccess(
            outcome ->
                outcome.fold(
                    prepared -> {
                      send(ctx, name, prepared, started);
                      return null;
                    },
                    diagnosis -> {
                      relay(ctx, name, new CalloutResult.Refused(diagnosis), took(started));
                      return null;
                    }))
        .onFailure(failure -> Http.fail(ctx, failure));
  }

  private void send(RoutingContext ctx, String name, PreparedCallout prepared, long started) {
    bodies
        .fromRequest(ctx.request(), prepared.bodyMode())
        .compose(
            body ->
                ContextFutures.of(callouts.send(prepared, body), ctx.vertx().getOrCreateContext()))
        .onSuccess(
            result -> {
              try {
                relay(ctx, name, result, took(started));
              } catch (RuntimeException e) {
                Http.fail(ctx, e);
              }
            })
        .onFailure(
            failure -> {
              // a body over the limit, or a store that failed while the body was read
              if (failure instanceof DiagnosedFailure diagnosed) {
                relay(ctx, name, new CalloutResult.Refused(diagnosed.diagnosis()), took(started));
              } else {
                Http.fail(ctx, failure);
              }
            });
  }

  private static String shortened(String path) {
    String text = path == null ? "" : path;
    return text.length() > 200 ? text.substring(0, 200) + "…" : text;
  }

  private static Duration took(long started) {
    return Duration.ofNanos(System.nanoTime() - started);
  }

  private void relay(RoutingContext ctx, String name, CalloutResult result, Duration took) {
    observer.observe(name, result, took);
    HttpServerResponse response = ctx.response();
    if (result instanceof CalloutResult.Refused refused) {
      if (refused.diagnosis().code() == SECRET_ECHOED) {
        echoes.blocked(refused.diagnosis().fact("where"));
      }
      refuse(ctx, refused.diagnosis(), Optional.of(name));
      return;
    }
    CalloutResponse answer;
    Body body;
    if (result instanceof CalloutResult.RejectedAfterRefresh rejected) {
      answer = rejected.response();
      body = answer.body();
      response.putHeader(Problems.ERROR_HEADER, rejected.diagnosis().code().name());
      LOG.atWarn()
          .setMessage("the target of credential {} refused its token after a refresh: {}")
          .addArgument(name)
          .addArgument(rejected.diagnosis().message())
          .addKeyValue("event", "callout.rejected-after-refresh")
          .addKeyValue("code", rejected.diagnosis().code().name())
          .addKeyValue("credential", name)
          .addKeyValue("status", answer.status())
          .addKeyValue("requestId", Http.requestId(ctx))
          .log();
    } else {
      CalloutResult.Relayed relayed = (CalloutResult.Relayed) result;
      answer = relayed.response();
      body =
          bodies.guarded(
              answer.body(),
              relayed.echoGuard(),
              () -> {
                echoes.blocked("body");
                LOG.atWarn()
                    .setMessage(
                        "the answer of credential {}'s target repeated its secret; the answer to"
                            + " the caller was cut")
                    .addArgument(name)
                    .addKeyValue("event", "callout.secret-echo.cut")
                    .addKeyValue("code", SECRET_ECHOED.name())
                    .addKeyValue("credential", name)
                    .addKeyValue("requestId", Http.requestId(ctx))
                    .log();
                // a reset, not an end: the caller must see a broken answer, never a complete one
                response.reset();
              });
    }
    response.setStatusCode(answer.status());
    List<String> connection = answer.headers().all("Connection");
    for (Headers.Header header : answer.headers().fields()) {
      if (HeaderRules.relayedToCaller(header.name(), connection)) {
        response.headers().add(header.name(), header.value());
      }
    }
    answer
        .body()
        .length()
        .ifPresent(
            length -> {
              if (!(answer.body() instanceof Body.Streamed)) {
                response.putHeader("Content-Length", String.valueOf(length));
              }
            });
    bodies.toResponse(body, response).onFailure(failure -> response.reset());
  }

  /**
   * Answers Callgate's refusal. A body the caller is still sending is not read: the connection
   * cannot carry another request after it, so it is closed once the answer is out.
   */
  private static void refuse(RoutingContext ctx, Diagnosis diagnosis, Optional<String> credential) {
    HttpServerRequest request = ctx.request();
    HttpServerResponse response = ctx.response();
    if (response.ended()) {
      return;
    }
    if (diagnosis.code() == METHOD_NOT_ALLOWED) {
      response.putHeader("Allow", diagnosis.fact("allowed"));
    }
    boolean bodyUnread = hasBody(request) && !request.isEnded();
    if (bodyUnread) {
      response.putHeader("Connection", "close");
    } else if (!request.isEnded()) {
      // an HTTP/2 request refuses a second resume once it has ended
      request.resume();
    }
    Problems.send(response, List.of(diagnosis), credential)
        .onComplete(
            sent -> {
              if (bodyUnread) {
                request.connection().close();
              }
            });
  }

  private static boolean hasBody(HttpServerRequest request) {
    String length = request.getHeader("Content-Length");
    return request.getHeader("Transfer-Encoding") != null
        || (length != null && !length.trim().equals("0"));
  }

  private static Headers headers(HttpServerRequest request) {
    List<Headers.Header> fields = new ArrayList<>();
    for (Map.Entry<String, String> header : request.headers()) {
      fields.add(new Headers.Header(header.getKey(), header.getValue()));
    }
    return new Headers(fields);
  }
}
