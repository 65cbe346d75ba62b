package dev.callgate.app.cluster;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntFunction;

/**
 * Many callouts at once from one client, each on its own connection up to {@code connections} per
 * instance, so that they really are concurrent at Callgate: what a busy application does.
 */
final class CalloutLoad implements AutoCloseable {

  /** One callout's answer: the status, Callgate's error code if it raised one, and the body. */
  record Result(int status, String error, String body) {
    static Result failed(Throwable failure) {
      return new Result(-1, "no answer: " + failure.getClass().getSimpleName(), "");
    }
  }

  /** "998 × 200, 2 × 401 TOKEN_REJECTED_AFTER_REFRESH": the answers, counted. */
  static String summary(List<Result> results) {
    Map<String, Long> counts = new TreeMap<>();
    for (Result result : results) {
      String answer = result.status() + (result.error().equals("none") ? "" : " " + result.error());
      counts.merge(answer, 1L, Long::sum);
    }
    List<String> parts = new ArrayList<>();
    counts.forEach((answer, count) -> parts.add(count + " × " + answer));
    return String.join(", ", parts);
  }

  private final Vertx vertx = Vertx.vertx();
  private final WebClient client;

  CalloutLoad(int connections) {
    client =
        WebClient.create(
            vertx,
            new WebClientOptions(new HttpClientOptions().setKeepAlive(true))
                .setConnectTimeout(10_000)
                .setIdleTimeout(60),
            new PoolOptions().setHttp1MaxSize(connections));
  }

  /** Sends {@code count} GETs at once, the {@code i}-th to {@code target(i)}; waits for all. */
  List<Result> send(int count, IntFunction<URI> target, String apiKey) {
    List<Future<Result>> answers = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      answers.add(get(target.apply(i), apiKey));
    }
    Future.join(answers).await();
    List<Result> results = new ArrayList<>();
    answers.forEach(answer -> results.add(answer.result()));
    return results;
  }

  Future<Result> get(URI uri, String apiKey) {
    return client
        .getAbs(uri.toString())
        .bearerTokenAuthentication(apiKey)
        .timeout(60_000)
        .send()
        .map(CalloutLoad::result)
        .otherwise(Result::failed);
  }

  private static Result result(HttpResponse<Buffer> response) {
    String error = response.getHeader("Callgate-Error");
    return new Result(
        response.statusCode(),
        error == null ? "none" : error,
        response.body() == null ? "" : response.bodyAsString());
  }

  @Override
  public void close() {
    vertx.close().await();
  }
}
