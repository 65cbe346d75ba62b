package dev.callgate.tools.bench;

import static dev.callgate.tools.bench.CalloutPath.join;

import dev.callgate.core.callout.AuthorizationHeaders;
import dev.callgate.core.callout.HeaderOutcome;
import dev.callgate.core.callout.HeaderRules;
import dev.callgate.core.callout.Headers;
import dev.callgate.core.callout.MergeFieldValues;
import dev.callgate.core.callout.TargetUrl;
import dev.callgate.core.callout.TargetUrlOutcome;
import dev.callgate.core.service.Caller;
import dev.callgate.core.service.CalloutResult;
import dev.callgate.core.service.PreparationOutcome;
import dev.callgate.core.service.PreparedCallout;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The work of one callout that never leaves the process, step by step and whole: authenticating the
 * caller's API key, preparing the callout (credential read, caller, method, headers and path
 * checked, target URL resolved), resolving the target URL alone, composing the outbound headers
 * (merge-field values, the generated authorization header, the header rules, the echo guard), and
 * the whole callout from the presented key to the relayed answer of a transport that answers at
 * once. Run with {@code -prof gc} for the bytes each allocates.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CalloutBenchmark {

  @Param({"API_KEY", "CLIENT_CREDENTIALS"})
  public CalloutPath.Kind credential;

  CalloutPath path;
  private Caller caller;

  @Setup
  public void setUp() {
    path = CalloutPath.of(credential);
    caller = join(path.apiKeys.authenticate(path.presentedKey)).orElseThrow();
  }

  @Benchmark
  public Optional<Caller> authenticate() {
    return join(path.apiKeys.authenticate(path.presentedKey));
  }

  @Benchmark
  public PreparationOutcome prepare() {
    return join(path.callouts.prepare(caller, CalloutPath.CREDENTIAL, path.head));
  }

  @Benchmark
  public TargetUrlOutcome resolveTarget() {
    return TargetUrl.resolve(path.credential.url(), path.head.rawPath(), path.head.rawQuery());
  }

  /** What a callout does with a usable token before it hands the request to the transport. */
  @Benchmark
  public HeaderOutcome composeHeaders(Blackhole blackhole) {
    MergeFieldValues values = MergeFieldValues.of(path.credential.authentication(), path.tokens);
    Optional<Headers.Header> generated =
        AuthorizationHeaders.generate(path.credential.authentication(), path.tokens);
    blackhole.consume(HeaderRules.echoGuard(path.credential, generated, values));
    return HeaderRules.prepare(path.credential, path.head.headers(), generated, values);
  }

  /** Authenticate, prepare, send: from the presented key to the target's answer, relayed. */
  @Benchmark
  public CalloutResult callout() {
    Caller authenticated = join(path.apiKeys.authenticate(path.presentedKey)).orElseThrow();
    PreparedCallout prepared =
        join(path.callouts.prepare(authenticated, CalloutPath.CREDENTIAL, path.head))
            .fold(
                callout -> callout,
                diagnosis -> {
                  throw new IllegalStateException(diagnosis.message());
                });
    return join(path.callouts.send(prepared, path.body));
  }
}
