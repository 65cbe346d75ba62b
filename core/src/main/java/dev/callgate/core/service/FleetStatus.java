package dev.callgate.core.service;

import static dev.callgate.core.diagnosis.DiagnosisCode.FORBIDDEN;
import static dev.callgate.core.diagnosis.DiagnosisCode.INVALID_VALUE;

import dev.callgate.core.credential.NamedCredential;
import dev.callgate.core.credential.PrincipalType;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.diagnosis.Validated;
import dev.callgate.core.port.CredentialStore;
import dev.callgate.core.port.TokenStore;
import dev.callgate.core.token.TokenKey;
import dev.callgate.core.token.TokenRecord;
import dev.callgate.core.token.TokenState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * The fleet at a glance, for an admin: every credential with the status of each of its tokens — its
 * one token when it is named ({@code UNAUTHORIZED} until someone authorizes it), each user's when
 * it is per-user — as {@link TokenStatuses} tells it, predicted states included. Filtered by state,
 * it answers "what needs a human?" in one call: {@code NEEDS_AUTHORIZATION}, {@code
 * CLIENT_REJECTED} and {@code REFRESH_FAILED} tokens, and the credentials never authorized.
 */
public final class FleetStatus {

  /** A request for the fleet's status: {@code states} are state names (empty: every state). */
  public record ReadFleet(Caller caller, List<String> states) {
    public ReadFleet {
      Objects.requireNonNull(caller, "caller");
      states = List.copyOf(states);
    }
  }

  /**
   * A credential and the status of each of its tokens that the request selects, per-user ones by
   * user. A credential whose protocol uses no tokens (basic, API key, none) has none.
   */
  public record CredentialStatus(NamedCredential credential, List<TokenStatus> tokens) {
    public CredentialStatus {
      Objects.requireNonNull(credential, "credential");
      tokens = List.copyOf(tokens);
    }
  }

  /** The credentials, by name, or why the fleet cannot be read. */
  public sealed interface FleetOutcome {
    <R> R fold(Function<List<CredentialStatus>, R> found, Function<List<Diagnosis>, R> rejected);

    record Found(List<CredentialStatus> credentials) implements FleetOutcome {
      public Found {
        credentials = List.copyOf(credentials);
      }

      @Override
      public <R> R fold(
          Function<List<CredentialStatus>, R> found, Function<List<Diagnosis>, R> rejected) {
        return found.apply(credentials);
      }
    }

    record Rejected(List<Diagnosis> problems) implements FleetOutcome {
      public Rejected {
        problems = List.copyOf(problems);
        if (problems.isEmpty()) {
          throw new IllegalArgumentException("a rejection has at least one problem");
        }
      }

      @Override
      public <R> R fold(
          Function<List<CredentialStatus>, R> found, Function<List<Diagnosis>, R> rejected) {
        return rejected.apply(problems);
      }
    }
  }

  private final CredentialStore credentials;
  private final TokenStore tokens;
  private final TokenStatuses statuses;

  public FleetStatus(CredentialStore credentials, TokenStore tokens, TokenStatuses statuses) {
    this.credentials = credentials;
    this.tokens = tokens;
    this.statuses = statuses;
  }

  /**
   * Every credential with its tokens in one of the requested states; with a state filter, only
   * credentials with at least one such token.
   */
  public CompletionStage<FleetOutcome> read(ReadFleet command) {
    return states(command)
        .fold(
            states -> read(states).thenApply(found -> (FleetOutcome) new FleetOutcome.Found(found)),
            problems ->
                CompletableFuture.completedStage(
                    (FleetOutcome) new FleetOutcome.Rejected(problems)));
  }

  private CompletionStage<List<CredentialStatus>> read(Optional<Set<TokenState>> states) {
    return credentials
        .listCredentials()
        .thenCompose(
            all -> {
              List<NamedCredential> sorted =
                  all.stream().sorted(Comparator.comparing(NamedCredential::name)).toList();
              // each credential's tokens are read at once; the answer keeps the credentials' order
              List<CompletionStage<CredentialStatus>> reads =
                  sorted.stream().map(this::statusOf).toList();
              CompletionStage<List<CredentialStatus>> collected =
                  CompletableFuture.completedStage(new ArrayList<>());
              for (CompletionStage<CredentialStatus> one : reads) {
                collected =
                    collected.thenCombine(
                        one,
                        (list, status) -> {
                          list.add(status);
                          return list;
                        });
              }
              return collected.thenApply(
                  list ->
                      list.stream()
                          .map(status -> selected(status, states))
                          .filter(status -> states.isEmpty() || !status.tokens().isEmpty())
                          .toList());
            });
  }

  private CompletionStage<CredentialStatus> statusOf(NamedCredential credential) {
    if (!credential.protocol().usesTokens()) {
      return CompletableFuture.completedStage(new CredentialStatus(credential, List.of()));
    }
    return tokens
        .findByCredential(credential.name())
        .thenApply(
            records -> {
              List<TokenRecord> shown =
                  records.isEmpty() && credential.principal() == PrincipalType.NAMED
                      ? List.of(TokenRecord.unauthorized(TokenKey.named(credential.name())))
                      : records.stream()
                          .sorted(Comparator.comparing(r -> r.key().userSubject()))
                          .toList();
              return new CredentialStatus(
                  credential, shown.stream().map(r -> statuses.of(credential, r)).toList());
            });
  }

  private static CredentialStatus selected(
      CredentialStatus status, Optional<Set<TokenState>> states) {
    return states
        .map(
            wanted ->
                new CredentialStatus(
                    status.credential(),
                    status.tokens().stream().filter(t -> wanted.contains(t.state())).toList()))
        .orElse(status);
  }

  /** The states asked for (empty: all), each value possibly a comma-separated list. */
  private static Validated<Optional<Set<TokenState>>> states(ReadFleet command) {
    if (!command.caller().isAdmin()) {
      return Validated.invalid(
          List.of(
              Diagnosis.of(
                  FORBIDDEN,
                  "subject",
                  command.caller().subject(),
                  "action",
                  "read the fleet's status",
                  "role",
                  "admin")));
    }
    if (command.states().isEmpty()) {
      return Validated.valid(Optional.empty());
    }
    Set<TokenState> states = EnumSet.noneOf(TokenState.class);
    List<Diagnosis> problems = new ArrayList<>();
    for (String value : command.states()) {
      for (String name : value.split(",", -1)) {
        String wanted = name.trim();
        Arrays.stream(TokenState.values())
            .filter(s -> s.name().equals(wanted))
            .findFirst()
            .ifPresentOrElse(
                states::add,
                () ->
                    problems.add(
                        Diagnosis.of(
                            INVALID_VALUE,
                            "field",
                            "state",
                            "problem",
                            "'"
                                + (wanted.length() > 64 ? wanted.substring(0, 64) + "…" : wanted)
                                + "' is not a token state (one of "
                                + Arrays.toString(TokenState.values())
                                + ")")));
      }
    }
    return problems.isEmpty() ? Validated.valid(Optional.of(states)) : Validated.invalid(problems);
  }
}
