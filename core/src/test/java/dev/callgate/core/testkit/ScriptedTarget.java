package dev.callgate.core.testkit;

import dev.callgate.core.callout.Body;
import dev.callgate.core.callout.CalloutResponse;
import dev.callgate.core.callout.Headers;
import dev.callgate.core.callout.OutboundRequest;
import dev.callgate.core.port.CalloutTransport;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A {@link CalloutTransport} standing for the target API: it records every request it is sent and
 * answers with a settable responder. The static responders cover the usual answers, including
 * {@link #bearerChecked(Predicate, String)}, a target that accepts only the access tokens a
 * predicate accepts (for instance {@code idp::isCurrentAccessToken}) and otherwise answers 401 with
 * {@code WWW-Authenticate: Bearer error="invalid_token"}. Thread-safe.
 */
public final class ScriptedTarget implements CalloutTransport {

  private final List<OutboundRequest> requests = new CopyOnWriteArrayList<>();
  private volatile Function<OutboundRequest, CompletionStage<TransportOutcome>> responder;

  /** A target that answers 200 with an empty body until told otherwise. */
  public ScriptedTarget() {
    respondWith(ok(""));
  }

  public ScriptedTarget(Function<OutboundRequest, TransportOutcome> responder) {
    respondWith(responder);
  }

  @Override
  public CompletionStage<TransportOutcome> send(OutboundRequest request) {
    Objects.requireNonNull(request, "request");
    requests.add(request);
    return responder.apply(request);
  }

  public void respondWith(Function<OutboundRequest, TransportOutcome> next) {
    Objects.requireNonNull(next, "next");
    this.responder = request -> CompletableFuture.completedFuture(next.apply(request));
  }

  /** For answers that come later: a delayed or held response. */
  public void respondLaterWith(Function<OutboundRequest, CompletionStage<TransportOutcome>> next) {
    this.responder = Objects.requireNonNull(next, "next");
  }

  /** Every request sent, in order. */
  public List<OutboundRequest> requests() {
    return List.copyOf(requests);
  }

  public OutboundRequest lastRequest() {
    if (requests.isEmpty()) {
      throw new IllegalStateException("no request was sent");
    }
    return requests.get(requests.size() - 1);
  }

  public int count() {
    return requests.size();
  }

  public void clear() {
    requests.clear();
  }

  public static Function<OutboundRequest, TransportOutcome> ok(String body) {
    return status(200, Headers.of("Content-Type", "application/json"), body);
  }

  /** 401 with {@code WWW-Authenticate: Bearer error="invalid_token"} (RFC 6750 §3.1). */
  public static Function<OutboundRequest, TransportOutcome> unauthorized() {
    return unauthorized(
        Headers.of(
            "WWW-Authenticate",
            "Bearer error=\"invalid_token\", error_description=\"The access token expired\""),
        "");
  }

  /** 401 with the headers and body of a target's dialect (WSO2's JSON, Salesforce's…). */
  public static Function<OutboundRequest, TransportOutcome> unauthorized(
      Headers headers, String body) {
    return status(401, headers, body);
  }

  public static Function<OutboundRequest, TransportOutcome> status(
      int status, Headers headers, String body) {
    Objects.requireNonNull(headers, "headers");
    Objects.requireNonNull(body, "body");
    return request -> new Sent(new CalloutResponse(status, headers, Body.of(body)));
  }

  public static Function<OutboundRequest, TransportOutcome> unreachable(String reason) {
    return request -> new Unreachable(reason, false);
  }

  public static Function<OutboundRequest, TransportOutcome> timedOut() {
    return request -> new Unreachable("timed out", true);
  }

  /**
   * 200 with {@code okBody} when the request's {@code Authorization: Bearer <token>} carries a
   * token that {@code accepts}, else the RFC 6750 expired-token 401.
   */
  public static Function<OutboundRequest, TransportOutcome> bearerChecked(
      Predicate<String> accepts, String okBody) {
    Function<OutboundRequest, TransportOutcome> accepted = ok(okBody);
    Function<OutboundRequest, TransportOutcome> rejected = unauthorized();
    return request -> {
      List<String> authorizations = request.headers().all("Authorization");
      boolean valid =
          authorizations.size() == 1
              && authorizations.get(0).startsWith("Bearer ")
              && accepts.test(authorizations.get(0).substring("Bearer ".length()));
      return valid ? accepted.apply(request) : rejected.apply(request);
    };
  }
}
