package dev.callgate.app.http;

import dev.callgate.core.callout.Body;
import dev.callgate.core.callout.CalloutRequest;
import dev.callgate.core.callout.CalloutResponse;
import dev.callgate.core.callout.Headers;
import dev.callgate.core.port.CredentialStore;
import dev.callgate.core.service.CalloutResult;
import dev.callgate.core.service.Callouts;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code ANY /v1/callout/{name}/{path…}}: hands the caller's request to {@link Callouts} and relays
 * the target's answer as is — status, headers and body. Callgate's own refusals are problem
 * documents with the {@code Callgate-Error} header; a fresh token rejected by the target is relayed
 * with that header too, so the caller can tell the two apart.
 */
public final class CalloutRoute {
  static final String PREFIX = "/v1/callout/";

  private final Callouts callouts;
  private final CredentialStore credentials;
  private final CalloutBodies bodies;
  private final CalloutObserver observer;

  /** Told of every callout's result and how long Callgate took to answer (for metrics). */
  @FunctionalInterface
  public interface CalloutObserver {
    void observe(String credential, CalloutResult result, Duration took);
  }

  public CalloutRoute(
      Callouts callouts,
      CredentialStore credentials,
      CalloutBodies bodies,
      CalloutObserver observer) {
    this.callouts = callouts;
    this.credentials = credentials;
    this.bodies = bodies;
    this.observer = observer;
  }

  void mount(Router router) {
    router.route("/v1/callout/*").handler(this::handle);
  }

  private void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    long started = System.nanoTime();
    // the raw path, still percent-encoded: core decides what may reach the target
    String raw = request.path();
    String rest = raw.substring(PREFIX.length());
    int slash = rest.indexOf('/');
    String name = slash < 0 ? rest : rest.substring(0, slash);
    // keep the slash after the name: core strips exactly one, so "name//host" stays an empty
    // segment
    String rawPath = slash < 0 ? "" : rest.substring(slash);
    Optional<String> query = Optional.ofNullable(request.query());
    Headers headers = headers(request);
    // a body that merge fields are resolved in must be read whole; every other body streams
    Future.fromCompletionStage(credentials.findCredential(name), ctx.vertx().getOrCreateContext())
        .compose(
            credential ->
                bodies.fromRequest(
                    request, credential.map(c -> c.allowMergeFieldsInBody()).orElse(false)))
        .compose(
            body ->
                Future.fromCompletionStage(
                    callouts.send(
                        Http.caller(ctx),
                        name,
                        new CalloutRequest(request.method().name(), rawPath, query, headers, body)),
                    ctx.vertx().getOrCreateContext()))
        .onSuccess(
            result -> relay(ctx, name, result, Duration.ofNanos(System.nanoTime() - started)))
        .onFailure(failure -> Http.fail(ctx, failure));
  }

  private void relay(RoutingContext ctx, String name, CalloutResult result, Duration took) {
    observer.observe(name, result, took);
    HttpServerResponse response = ctx.response();
    if (result instanceof CalloutResult.Refused refused) {
      Problems.send(response, refused.diagnosis());
      return;
    }
    CalloutResponse answer;
    if (result instanceof CalloutResult.RejectedAfterRefresh rejected) {
      answer = rejected.response();
      response.putHeader(Problems.ERROR_HEADER, rejected.diagnosis().code().name());
    } else {
      answer = ((CalloutResult.Relayed) result).response();
    }
    response.setStatusCode(answer.status());
    for (Headers.Header header : answer.headers().fields()) {
      if (!header.is("Content-Length")
          && !header.is("Transfer-Encoding")
          && !header.is("Connection")) {
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
    bodies.toResponse(answer.body(), response).onFailure(failure -> response.reset());
  }

  private static Headers headers(HttpServerRequest request) {
    List<Headers.Header> fields = new ArrayList<>();
    for (Map.Entry<String, String> header : request.headers()) {
      fields.add(new Headers.Header(header.getKey(), header.getValue()));
    }
    return new Headers(fields);
  }
}
