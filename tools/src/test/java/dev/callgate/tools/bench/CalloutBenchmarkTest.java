package dev.callgate.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.core.callout.HeaderOutcome;
import dev.callgate.core.callout.Headers;
import dev.callgate.core.callout.OutboundRequest;
import dev.callgate.core.callout.TargetUrlOutcome;
import dev.callgate.core.service.CalloutResult;
import dev.callgate.core.service.PreparationOutcome;
import java.net.URI;
import java.util.Collection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.openjdk.jmh.infra.Blackhole;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.VerboseMode;

/** Each benchmark answers what a callout should, and JMH's generated harness still runs them. */
class CalloutBenchmarkTest {

  @ParameterizedTest
  @EnumSource(CalloutPath.Kind.class)
  void everyStepWhenRunOnceThenAnswersLikeTheService(CalloutPath.Kind kind) {
    CalloutBenchmark benchmark = new CalloutBenchmark();
    benchmark.credential = kind;
    benchmark.setUp();
    String generatedHeader = kind == CalloutPath.Kind.API_KEY ? "X-API-Key" : "Authorization";

    assertThat(benchmark.authenticate())
        .hasValueSatisfying(caller -> assertThat(caller.subject()).isEqualTo(CalloutPath.CALLER));
    assertThat(benchmark.prepare()).isInstanceOf(PreparationOutcome.Prepared.class);
    assertThat(benchmark.resolveTarget())
        .isEqualTo(
            new TargetUrlOutcome.Resolved(
                URI.create("https://api.example/v1/orders/42?expand=items&limit=10")));
    HeaderOutcome composed = benchmark.composeHeaders(blackhole());
    assertThat(composed).isInstanceOf(HeaderOutcome.Prepared.class);
    assertThat(((HeaderOutcome.Prepared) composed).headers().first(generatedHeader)).isPresent();

    CalloutResult result = benchmark.callout();
    assertThat(result).isInstanceOf(CalloutResult.Relayed.class);
    assertThat(((CalloutResult.Relayed) result).response().status()).isEqualTo(200);
    OutboundRequest sent = benchmark.path.transport.last();
    assertThat(sent.uri().toString())
        .isEqualTo("https://api.example/v1/orders/42?expand=items&limit=10");
    Headers headers = sent.headers();
    assertThat(headers.first(generatedHeader)).isPresent();
    // the caller's own Callgate key never reaches the target
    assertThat(headers.all("Authorization"))
        .noneMatch(value -> value.contains(benchmark.path.presentedKey.reveal()));
    assertThat(headers.first("X-Request-Id")).isPresent();
  }

  @Test
  void harnessWhenEachBenchmarkRunsOnceInProcessThenEveryOneCompletes() throws Exception {
    // JMH refuses to run beside another JMH run on the machine; one call per benchmark measures
    // nothing, so it may
    System.setProperty("jmh.ignoreLock", "true");
    Collection<RunResult> results =
        new Runner(
                new OptionsBuilder()
                    .include(CalloutBenchmark.class.getName())
                    .forks(0)
                    .warmupIterations(0)
                    .measurementIterations(1)
                    .mode(org.openjdk.jmh.annotations.Mode.SingleShotTime)
                    .shouldFailOnError(true)
                    .verbosity(VerboseMode.SILENT)
                    .build())
            .run();

    assertThat(results)
        .extracting(r -> r.getParams().getBenchmark().replaceAll(".*\\.", ""))
        .containsOnly("authenticate", "prepare", "resolveTarget", "composeHeaders", "callout")
        .hasSize(5 * CalloutPath.Kind.values().length);
  }

  /** JMH's sink, outside JMH: it asks for its own acknowledgement to be constructed. */
  private static Blackhole blackhole() {
    return new Blackhole(
        "Today's password is swordfish. I understand instantiating Blackholes directly is"
            + " dangerous.");
  }
}
