package dev.callgate.core.refresh;

import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.diagnosis.DiagnosisCode;
import dev.callgate.core.token.RefreshBudget;
import dev.callgate.core.token.TokenRecord;
import dev.callgate.core.token.TokenSet;
import dev.callgate.core.token.TokenState;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * The decision taken before every refresh: may Callgate call the identity provider for this token
 * now, and if not, which diagnosis stands and until when. A pure function of the record, the grant
 * the credential uses, why the refresh was asked for and the time, so that every rule can be read
 * in one table:
 *
 * <ul>
 *   <li>a token without a usable grant is refused with the diagnosis that explains it — except a
 *       first grant without a person, a person's refresh of a refused client, and a person's
 *       re-grant without a person;
 *   <li>an authorization without a refresh token cannot be refreshed: once its access token has
 *       expired the grant has ended;
 *   <li>after a passing failure Callgate waits for the back-off, unless a person asks, or a callout
 *       whose access token has expired comes after the {@linkplain RefreshPolicy#probeFloor probe
 *       floor} (recovery follows the provider, not the back-off clock);
 *   <li>a token owner's request moments after a successful refresh is answered by it, without a
 *       call;
 *   <li>attempts per hour are bounded per {@linkplain RefreshBudget budget} — the schedule's, after
 *       a target's 401, an admin's, a token owner's — so that none can starve another, but the
 *       bound never makes Callgate miss the last chance before the refresh token expires.
 * </ul>
 */
public final class RefreshGate {
  private RefreshGate() {}

  /** Why a call is made, for tests and logs. */
  public enum Reason {
    /** The token is due, and nothing holds it back. */
    DUE,
    /** The first token of a grant without a person. */
    FIRST_GRANT,
    /** A person asked, and a person's request passes where the schedule would not. */
    PERSON_ASKED,
    /** A callout whose access token has expired tries despite the back-off. */
    PROBE,
    /** The hourly bound is reached, but the refresh token expires unless this one succeeds. */
    LAST_CHANCE
  }

  /** What the gate decided. */
  public sealed interface Decision {
    <R> R fold(
        Function<Call, R> call,
        Function<Wait, R> wait,
        Function<Refuse, R> refuse,
        Function<GrantEnded, R> ended,
        Function<Fresh, R> fresh);

    /** Call the provider. */
    record Call(Reason reason) implements Decision {
      public Call {
        Objects.requireNonNull(reason, "reason");
      }

      @Override
      public <R> R fold(
          Function<Call, R> call,
          Function<Wait, R> wait,
          Function<Refuse, R> refuse,
          Function<GrantEnded, R> ended,
          Function<Fresh, R> fresh) {
        return call.apply(this);
      }
    }

    /** Not now: {@code diagnosis} stands until {@code until}. */
    record Wait(Diagnosis diagnosis, Instant until) implements Decision {
      public Wait {
        Objects.requireNonNull(diagnosis, "diagnosis");
        Objects.requireNonNull(until, "until");
      }

      @Override
      public <R> R fold(
          Function<Call, R> call,
          Function<Wait, R> wait,
          Function<Refuse, R> refuse,
          Function<GrantEnded, R> ended,
          Function<Fresh, R> fresh) {
        return wait.apply(this);
      }
    }

    /** Not without a person: {@code diagnosis} says what to do. */
    record Refuse(Diagnosis diagnosis) implements Decision {
      public Refuse {
        Objects.requireNonNull(diagnosis, "diagnosis");
      }

      @Override
      public <R> R fold(
          Function<Call, R> call,
          Function<Wait, R> wait,
          Function<Refuse, R> refuse,
          Function<GrantEnded, R> ended,
          Function<Fresh, R> fresh) {
        return refuse.apply(this);
      }
    }

    /** The grant has ended by what Callgate knows; the record must say so from now on. */
    record GrantEnded(Diagnosis diagnosis) implements Decision {
      public GrantEnded {
        Objects.requireNonNull(diagnosis, "diagnosis");
      }

      @Override
      public <R> R fold(
          Function<Call, R> call,
          Function<Wait, R> wait,
          Function<Refuse, R> refuse,
          Function<GrantEnded, R> ended,
          Function<Fresh, R> fresh) {
        return ended.apply(this);
      }
    }

    /** The token was refreshed moments ago: the owner who asks gets it, without a call. */
    record Fresh(Instant refreshedAt) implements Decision {
      public Fresh {
        Objects.requireNonNull(refreshedAt, "refreshedAt");
      }

      @Override
      public <R> R fold(
          Function<Call, R> call,
          Function<Wait, R> wait,
          Function<Refuse, R> refuse,
          Function<GrantEnded, R> ended,
          Function<Fresh, R> fresh) {
        return fresh.apply(this);
      }
    }
  }

  /**
   * The decision for a refresh of {@code record}, by {@code grant}, asked for by {@code trigger}.
   */
  public static Decision decide(
      TokenRecord record,
      GrantType grant,
      RefreshTrigger trigger,
      Instant now,
      RefreshPolicy policy) {
    Optional<Decision> refusal = refusedByState(record, grant, trigger);
    if (refusal.isPresent()) {
      return refusal.get();
    }
    if (grant == GrantType.REFRESH_TOKEN
        && record.tokens().flatMap(TokenSet::refreshToken).isEmpty()) {
      Diagnosis diagnosis = noRefreshToken(record);
      boolean expired = record.tokens().map(t -> t.isAccessTokenExpiredAt(now)).orElse(true);
      return expired ? new Decision.GrantEnded(diagnosis) : new Decision.Refuse(diagnosis);
    }
    Reason reason = reasonToCall(record, grant, trigger);
    Optional<Instant> backoffUntil = record.nextAttemptAt().filter(now::isBefore);
    if (backoffUntil.isPresent() && !trigger.skipsBackoff()) {
      if (mayProbe(record, trigger, now, policy)) {
        return new Decision.Call(Reason.PROBE);
      }
      return new Decision.Wait(
          standingOr(record, "backing off after a failed refresh", backoffUntil.get()),
          backoffUntil.get());
    }
    Optional<Instant> recentRefresh = recentlyRefreshed(record, trigger, now, policy);
    if (recentRefresh.isPresent()) {
      return new Decision.Fresh(recentRefresh.get());
    }
    RefreshBudget budget = trigger.budget();
    if (!policy.attemptAllowed(record.attempts(), budget, now)) {
      if (trigger.personAsked()) {
        Instant until = policy.attemptsResetAt(record.attempts());
        return new Decision.Wait(
            Diagnosis.of(
                DiagnosisCode.REFRESH_RATE_LIMITED,
                "credential",
                record.key().credentialName(),
                "askedBy",
                budget == RefreshBudget.ADMIN ? "admins" : "the token's owner",
                "maxAttempts",
                policy.settings().maxAttemptsPerHour(),
                "window",
                policy.settings().attemptWindow().toMinutes() + " minutes",
                "nextAllowedAt",
                RefreshPolicy.format(until)),
            until);
      }
      Optional<Instant> lastChance = record.tokens().flatMap(policy::lastChanceAt);
      Optional<Instant> expiry = record.tokens().flatMap(TokenSet::refreshTokenExpiresAt);
      boolean atLastChance =
          lastChance.filter(at -> !now.isBefore(at)).isPresent()
              && expiry.filter(now::isBefore).isPresent()
              && record.failures().lastAt().filter(at -> !at.isBefore(lastChance.get())).isEmpty();
      if (atLastChance) {
        return new Decision.Call(Reason.LAST_CHANCE);
      }
      Instant reset = policy.attemptsResetAt(record.attempts());
      Instant until = lastChance.filter(now::isBefore).filter(reset::isAfter).orElse(reset);
      return new Decision.Wait(
          transientDiagnosis(
              record,
              policy.settings().maxAttemptsPerHour()
                  + " refresh attempts "
                  + (budget == RefreshBudget.AFTER_REJECTION ? "after a target's 401 " : "")
                  + "within the hour, the most Callgate makes for one token",
              until),
          until);
    }
    return new Decision.Call(reason);
  }

  /** The diagnosis a token stands under when it cannot be refreshed. */
  public static Diagnosis standing(TokenRecord record) {
    if (!record.diagnoses().isEmpty()) {
      return record.diagnoses().get(0);
    }
    return Diagnosis.of(
        DiagnosisCode.NOT_AUTHORIZED_YET,
        "credential",
        record.key().credentialName(),
        "principal",
        record.key().principalDescription());
  }

  private static Optional<Decision> refusedByState(
      TokenRecord record, GrantType grant, RefreshTrigger trigger) {
    boolean personAsked = trigger.personAsked();
    boolean mayCall =
        switch (record.state()) {
          case ACTIVE, EXPIRING, REFRESHING, REFRESH_FAILED -> true;
          case UNAUTHORIZED -> grant.withoutPerson();
          case CLIENT_REJECTED -> personAsked;
          case NEEDS_AUTHORIZATION, REVOKED -> grant.withoutPerson() && personAsked;
        };
    return mayCall ? Optional.empty() : Optional.of(new Decision.Refuse(standing(record)));
  }

  private static Reason reasonToCall(TokenRecord record, GrantType grant, RefreshTrigger trigger) {
    if (trigger.personAsked()) {
      return Reason.PERSON_ASKED;
    }
    return record.state() == TokenState.UNAUTHORIZED && grant.withoutPerson()
        ? Reason.FIRST_GRANT
        : Reason.DUE;
  }

  /**
   * When an owner's request comes moments after a refresh (or authorization) that succeeded:
   * answered by it, so that pressing "refresh" forty times costs the provider one call.
   */
  private static Optional<Instant> recentlyRefreshed(
      TokenRecord record, RefreshTrigger trigger, Instant now, RefreshPolicy policy) {
    if (!trigger.answeredByARecentRefresh() || record.state() != TokenState.ACTIVE) {
      return Optional.empty();
    }
    return record
        .lastRefreshAt()
        .filter(at -> record.tokens().isPresent())
        .filter(at -> !at.isAfter(now))
        .filter(at -> now.isBefore(at.plus(policy.recentRefreshWindow())));
  }

  private static boolean mayProbe(
      TokenRecord record, RefreshTrigger trigger, Instant now, RefreshPolicy policy) {
    if (trigger != RefreshTrigger.ON_DEMAND) {
      return false;
    }
    boolean accessExpired = record.tokens().map(t -> t.isAccessTokenExpiredAt(now)).orElse(true);
    Optional<Instant> lastFailure = record.failures().lastAt();
    return accessExpired
        && lastFailure
            .filter(at -> !now.isBefore(at.plus(policy.probeFloor(record.failures()))))
            .isPresent();
  }

  private static Diagnosis standingOr(TokenRecord record, String reason, Instant next) {
    return record.diagnoses().isEmpty()
        ? transientDiagnosis(record, reason, next)
        : record.diagnoses().get(0);
  }

  private static Diagnosis transientDiagnosis(TokenRecord record, String reason, Instant next) {
    return RefreshPolicy.refreshFailedTransient(record.key().credentialName(), reason, next);
  }

  /** Why a token without a refresh token cannot be renewed: as recorded, or said afresh. */
  static Diagnosis noRefreshToken(TokenRecord record) {
    return record.diagnoses().stream()
        .filter(d -> d.code() == DiagnosisCode.NO_REFRESH_TOKEN_ISSUED)
        .findFirst()
        .orElseGet(
            () ->
                Diagnosis.of(
                    DiagnosisCode.NO_REFRESH_TOKEN_ISSUED,
                    "accessTokenExpiresAt",
                    record.tokens().map(TokenSet::expiresAt).map(RefreshPolicy::format).orElse("?"),
                    "missingScope",
                    "the scope offline_access, or the provider's own scope for refresh tokens"));
  }
}
