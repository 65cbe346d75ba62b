package dev.callgate.app.http;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Core's stages as Vert.x futures whose callbacks run on a request's context. On the callout path
 * most stages are complete before the route sees them — the credential and the API key come from a
 * cache, a fresh token needs no refresh — and the route is already on that context: such a stage is
 * taken as it is, with no promise and no dependent stage set up to carry its value across. Any
 * other goes through {@code Future.fromCompletionStage(stage, context)}.
 */
final class ContextFutures {

  private ContextFutures() {}

  static <T> Future<T> of(CompletionStage<T> stage, Context context) {
    if (Vertx.currentContext() == context) {
      CompletableFuture<T> future;
      try {
        future = stage.toCompletableFuture();
      } catch (UnsupportedOperationException e) {
        // a stage that will not say whether it is done
        return Future.fromCompletionStage(stage, context);
      }
      if (future.isDone() && !future.isCompletedExceptionally()) {
        return Future.succeededFuture(future.join());
      }
    }
    return Future.fromCompletionStage(stage, context);
  }
}
