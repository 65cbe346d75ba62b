package dev.callgate.core.event;

import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.diagnosis.DiagnosisCode;
import dev.callgate.core.token.FailureStreak;
import dev.callgate.core.token.RefreshTokenExpiry;
import dev.callgate.core.token.TokenRecord;
import dev.callgate.core.token.TokenSet;
import dev.callgate.core.token.TokenState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a token write means to a person, as events: one total function of the record read, the
 * record to store and why it is written ({@link TokenChange}). It is applied on every round of a
 * compare-and-set, so a round that loses carries no event and the one that wins carries exactly
 * those of its own change. Bookkeeping writes carry none; a state entered again (a revoked token
 * revoked, a lost grant refused) is not announced twice; and "expiry ahead" is announced when it
 * becomes true, not on every write while it stays so.
 */
public final class LifecycleEvents {
  private LifecycleEvents() {}

  /**
   * The events of the write from {@code read} to {@code toStore}, at {@code at} by {@code
   * instance}.
   */
  public static List<Event> of(
      TokenRecord read, TokenRecord toStore, TokenChange change, Instant at, String instance) {
    Factory events = new Factory(toStore, at, instance);
    List<Event> out = new ArrayList<>();
    switch (change.kind()) {
      case BOOKKEEPING -> {
        return List.of();
      }
      case AUTHORIZED -> out.add(events.of(EventType.AUTHORIZATION_COMPLETED, none(), Map.of()));
      case AUTHORIZATION_FAILED ->
          out.add(events.of(EventType.AUTHORIZATION_FAILED, last(toStore), Map.of()));
      case REFRESHED -> {
        String trigger = change.trigger().orElseThrow().wireName();
        out.add(events.of(EventType.TOKEN_REFRESHED, none(), Map.of("trigger", trigger)));
        TokenState beganIn = change.refreshBeganIn().orElseThrow();
        if (beganIn == TokenState.REFRESH_FAILED || beganIn == TokenState.CLIENT_REJECTED) {
          Map<String, String> details = streak(read.failures());
          details.put("trigger", trigger);
          details.put("recoveredFrom", beganIn.name());
          first(read).ifPresent(d -> details.put("previousDiagnosis", d.code().name()));
          out.add(events.of(EventType.GRANT_RECOVERED, none(), details));
        }
      }
      case REFRESH_DEFERRED -> {
        Map<String, String> details = streak(toStore.failures());
        toStore.nextAttemptAt().ifPresent(next -> details.put("nextAttemptAt", next.toString()));
        out.add(events.of(EventType.REFRESH_DEFERRED, first(toStore), details));
      }
      case GRANT_REFUSED, REFRESH_TOKEN_ENDED -> {
        if (entered(read, toStore, TokenState.NEEDS_AUTHORIZATION)) {
          Map<String, String> details = streak(read.failures());
          details.put(
              "cause",
              change.kind() == TokenChange.Kind.GRANT_REFUSED ? "refused" : "refresh_token_ended");
          out.add(events.of(EventType.GRANT_LOST, first(toStore), details));
        }
      }
      case CLIENT_REFUSED -> {
        if (entered(read, toStore, TokenState.CLIENT_REJECTED)) {
          out.add(events.of(EventType.CLIENT_REJECTED, first(toStore), streak(read.failures())));
        }
      }
      case REVOKED -> {
        if (entered(read, toStore, TokenState.REVOKED)) {
          out.add(events.of(EventType.GRANT_REVOKED, first(toStore), Map.of()));
        }
      }
      case PROVIDER_CHANGED -> {
        if (read.state() == TokenState.CLIENT_REJECTED
            && toStore.state() != TokenState.CLIENT_REJECTED) {
          Map<String, String> details = new LinkedHashMap<>();
          first(read).ifPresent(d -> details.put("previousDiagnosis", d.code().name()));
          out.add(events.of(EventType.PROVIDER_REARMED, none(), details));
        }
      }
    }
    Optional<ExpiryAhead> ahead = ExpiryAhead.of(toStore);
    if (ahead.isPresent()
        && !ahead.map(ExpiryAhead::fact).equals(ExpiryAhead.of(read).map(ExpiryAhead::fact))) {
      out.add(events.of(EventType.EXPIRY_AHEAD, ahead.get().diagnosis(), ahead.get().details()));
    }
    return List.copyOf(out);
  }

  /**
   * A refresh token with a known expiry that no refresh will move: it reached its absolute lifetime
   * (refreshing does not extend it), or the next attempt after failures comes too late for it.
   * Unknown (assumed) expiries announce nothing: they are a guess, said from the authorization on.
   */
  private record ExpiryAhead(
      Instant refreshTokenExpiresAt, String reason, Optional<Diagnosis> diagnosis) {

    static Optional<ExpiryAhead> of(TokenRecord record) {
      if (!record.state().keepsGrant()) {
        return Optional.empty();
      }
      Optional<RefreshTokenExpiry> known =
          record
              .tokens()
              .filter(TokenSet::hasRefreshToken)
              .flatMap(TokenSet::refreshTokenExpiry)
              .filter(RefreshTokenExpiry::isKnown);
      if (known.isEmpty()) {
        return Optional.empty();
      }
      Instant expiresAt = known.get().at();
      Optional<Diagnosis> absolute =
          record.diagnoses().stream()
              .filter(d -> d.code() == DiagnosisCode.REFRESH_TOKEN_EXPIRING)
              .findFirst();
      if (absolute.isPresent()) {
        return Optional.of(new ExpiryAhead(expiresAt, "absolute_lifetime", absolute));
      }
      if (record.nextAttemptAt().filter(next -> !next.isBefore(expiresAt)).isPresent()) {
        return Optional.of(new ExpiryAhead(expiresAt, "next_attempt_too_late", first(record)));
      }
      return Optional.empty();
    }

    /** What is announced: a new diagnosis of the same fact is not news. */
    String fact() {
      return reason + "@" + refreshTokenExpiresAt;
    }

    Map<String, String> details() {
      Map<String, String> details = new LinkedHashMap<>();
      details.put("refreshTokenExpiresAt", refreshTokenExpiresAt.toString());
      details.put("reason", reason);
      return details;
    }
  }

  /** The events of one write share its token, time and instance. */
  private record Factory(TokenRecord record, Instant at, String instance) {
    Event of(EventType type, Optional<Diagnosis> diagnosis, Map<String, String> details) {
      String user = record.key().userSubject();
      return new Event(
          type,
          at,
          Optional.of(record.key().credentialName()),
          user.isEmpty() ? Optional.empty() : Optional.of(user),
          instance,
          diagnosis,
          Optional.empty(),
          details);
    }
  }

  /** The failures in a row that preceded this write: how many, the first and the last. */
  private static Map<String, String> streak(FailureStreak failures) {
    Map<String, String> details = new LinkedHashMap<>();
    if (!failures.isEmpty()) {
      details.put("attempts", Integer.toString(failures.count()));
      details.put("firstFailureAt", failures.firstAt().orElseThrow().toString());
      details.put("lastFailureAt", failures.lastAt().orElseThrow().toString());
    }
    return details;
  }

  private static boolean entered(TokenRecord read, TokenRecord toStore, TokenState state) {
    return toStore.state() == state && read.state() != state;
  }

  private static Optional<Diagnosis> first(TokenRecord record) {
    return record.diagnoses().stream().findFirst();
  }

  private static Optional<Diagnosis> last(TokenRecord record) {
    List<Diagnosis> diagnoses = record.diagnoses();
    return diagnoses.isEmpty()
        ? Optional.empty()
        : Optional.of(diagnoses.get(diagnoses.size() - 1));
  }

  private static Optional<Diagnosis> none() {
    return Optional.empty();
  }
}
