package dev.callgate.core.service;

import static dev.callgate.core.diagnosis.DiagnosisCode.INVALID_VALUE;

import dev.callgate.core.callout.AwsSignatureRejection;
import dev.callgate.core.callout.Body;
import dev.callgate.core.callout.CalloutRequest;
import dev.callgate.core.callout.Headers;
import dev.callgate.core.credential.NamedCredential;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.port.Clock;
import dev.callgate.core.port.CredentialStore;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Testing a credential's connection: a GET of its test path through the callout rules, as the
 * caller, timed; whatever the target answers is reported, and only a credential that cannot be
 * tested (none, not the caller's, no test path) is refused.
 */
public final class ConnectionTests {

  /** Test {@code credentialName}'s connection as {@code caller}. */
  public record TestConnection(Caller caller, String credentialName) {
    public TestConnection {
      Objects.requireNonNull(caller, "caller");
      Objects.requireNonNull(credentialName, "credentialName");
    }
  }

  /**
   * A test's report: the target's {@code status} if it answered, whether that counts as {@code ok},
   * whether the token was {@code refreshed} on the way, and Callgate's {@code diagnosis} of a
   * failure.
   */
  public record ConnectionReport(
      String credential,
      String path,
      Duration latency,
      OptionalInt status,
      boolean ok,
      boolean refreshed,
      Optional<Diagnosis> diagnosis) {
    public ConnectionReport {
      Objects.requireNonNull(credential, "credential");
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(latency, "latency");
      Objects.requireNonNull(status, "status");
      Objects.requireNonNull(diagnosis, "diagnosis");
    }
  }

  /** The report, or why the connection cannot be tested. */
  public sealed interface TestConnectionOutcome {
    <R> R fold(Function<ConnectionReport, R> tested, Function<Diagnosis, R> rejected);

    record Tested(ConnectionReport report) implements TestConnectionOutcome {
      @Override
      public <R> R fold(Function<ConnectionReport, R> tested, Function<Diagnosis, R> rejected) {
        return tested.apply(report);
      }
    }

    record Rejected(Diagnosis diagnosis) implements TestConnectionOutcome {
      @Override
      public <R> R fold(Function<ConnectionReport, R> tested, Function<Diagnosis, R> rejected) {
        return rejected.apply(diagnosis);
      }
    }
  }

  private final CallerCredentials credentials;
  private final Callouts callouts;
  private final Clock clock;

  public ConnectionTests(CredentialStore credentials, Callouts callouts, Clock clock) {
    this.credentials = new CallerCredentials(credentials);
    this.callouts = callouts;
    this.clock = clock;
  }

  public CompletionStage<TestConnectionOutcome> test(TestConnection command) {
    return credentials
        .usableBy(command.caller(), command.credentialName())
        .thenCompose(
            found ->
                found.fold(
                    credential -> test(credential, command.caller()),
                    diagnosis ->
                        CompletableFuture.completedStage(
                            new TestConnectionOutcome.Rejected(diagnosis))));
  }

  private CompletionStage<TestConnectionOutcome> test(NamedCredential credential, Caller caller) {
    if (credential.testPath().isEmpty()) {
      return CompletableFuture.completedStage(
          new TestConnectionOutcome.Rejected(
              Diagnosis.of(
                  INVALID_VALUE,
                  "field",
                  "testPath",
                  "problem",
                  "credential '"
                      + credential.name()
                      + "' has none; set it with PUT /v1/credentials/"
                      + credential.name())));
    }
    String path = credential.testPath().get();
    String rawPath = path.startsWith("/") ? path.substring(1) : path;
    Optional<String> query = Optional.empty();
    int q = rawPath.indexOf('?');
    if (q >= 0) {
      query = Optional.of(rawPath.substring(q + 1));
      rawPath = rawPath.substring(0, q);
    }
    Instant started = clock.now();
    return callouts
        .send(
            caller,
            credential.name(),
            new CalloutRequest("GET", rawPath, query, Headers.EMPTY, Body.EMPTY))
        .thenApply(
            result -> {
              Duration latency = Duration.between(started, clock.now());
              ConnectionReport report =
                  result.fold(
                      relayed ->
                          new ConnectionReport(
                              credential.name(),
                              path,
                              latency,
                              OptionalInt.of(relayed.response().status()),
                              relayed.response().status() < 400,
                              relayed.afterRefresh(),
                              AwsSignatureRejection.of(credential, relayed.response())),
                      refused ->
                          new ConnectionReport(
                              credential.name(),
                              path,
                              latency,
                              OptionalInt.empty(),
                              false,
                              false,
                              Optional.of(refused.diagnosis())),
                      rejected ->
                          new ConnectionReport(
                              credential.name(),
                              path,
                              latency,
                              OptionalInt.of(rejected.response().status()),
                              false,
                              true,
                              Optional.of(rejected.diagnosis())));
              return new TestConnectionOutcome.Tested(report);
            });
  }
}
