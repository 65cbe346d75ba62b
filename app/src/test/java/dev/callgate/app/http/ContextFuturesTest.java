package dev.callgate.app.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ContextFuturesTest {
  private static Vertx vertx;

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void closeVertx() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** Runs {@code check} on a context of its own and returns what it says. */
  private static <T> T onContext(java.util.function.Function<Context, T> check) throws Exception {
    Context context = vertx.getOrCreateContext();
    CompletableFuture<T> result = new CompletableFuture<>();
    context.runOnContext(v -> result.complete(check.apply(context)));
    return result.get(10, TimeUnit.SECONDS);
  }

  @Test
  void ofWhenTheStageIsCompleteAndTheCallerIsOnItsContextThenTheFutureHoldsItsValue()
      throws Exception {
    Future<String> future =
        onContext(context -> ContextFutures.of(CompletableFuture.completedStage("ok"), context));

    assertThat(future.succeeded()).isTrue();
    assertThat(future.result()).isEqualTo("ok");
  }

  @Test
  void ofWhenTheStageCompletesLaterThenItsValueArrivesOnTheContext() throws Exception {
    CompletableFuture<String> later = new CompletableFuture<>();
    CompletableFuture<Boolean> onItsContext = new CompletableFuture<>();
    Context context =
        onContext(
            c -> {
              ContextFutures.of(later, c)
                  .onSuccess(value -> onItsContext.complete(Vertx.currentContext() == c));
              return c;
            });

    new Thread(() -> later.complete("late")).start();

    assertThat(onItsContext.get(10, TimeUnit.SECONDS)).isTrue();
    assertThat(context).isNotNull();
  }

  @Test
  void ofWhenTheStageFailedThenTheFutureFailsWithItsCause() throws Exception {
    IllegalStateException defect = new IllegalStateException("defect");
    CompletableFuture<Throwable> failure = new CompletableFuture<>();
    onContext(
        context ->
            ContextFutures.of(
                    CompletableFuture.<String>failedStage(defect).thenApply(v -> v), context)
                .onFailure(failure::complete));

    Throwable cause = failure.get(10, TimeUnit.SECONDS);
    assertThat(cause.getCause() == null ? cause : cause.getCause()).isSameAs(defect);
  }

  @Test
  void ofWhenTheCallerIsOnAnotherThreadThenTheValueStillArrivesOnTheContext() throws Exception {
    Context context = vertx.getOrCreateContext();
    CompletableFuture<Boolean> onItsContext = new CompletableFuture<>();

    ContextFutures.of(CompletableFuture.completedStage("ok"), context)
        .onSuccess(value -> onItsContext.complete(Vertx.currentContext() == context));

    assertThat(onItsContext.get(10, TimeUnit.SECONDS)).isTrue();
  }
}
