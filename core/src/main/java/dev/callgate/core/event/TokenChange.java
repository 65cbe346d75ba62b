package dev.callgate.core.event;

import dev.callgate.core.refresh.RefreshTrigger;
import dev.callgate.core.token.TokenState;
import java.util.Objects;
import java.util.Optional;

/**
 * Why a token record is written: the {@link Kind} of change, and for a refresh what asked for it
 * and the state the refresh began in (a refresh that began after failures is a recovery). With the
 * record read and the record to store, it is everything {@link LifecycleEvents} needs to say what
 * the write means to a person.
 */
public record TokenChange(
    Kind kind, Optional<RefreshTrigger> trigger, Optional<TokenState> refreshBeganIn) {

  /** What happened to the token. */
  public enum Kind {
    /** A person completed the authorization flow. */
    AUTHORIZED,
    /** An authorization flow for the token failed. */
    AUTHORIZATION_FAILED,
    /** The identity provider issued new tokens. */
    REFRESHED,
    /** A refresh failed for a reason that may pass; it is retried later. */
    REFRESH_DEFERRED,
    /** The identity provider refused the grant for good. */
    GRANT_REFUSED,
    /** The identity provider refused Callgate's client. */
    CLIENT_REFUSED,
    /** The grant ended by what Callgate knows: its refresh token expired, or none was issued. */
    REFRESH_TOKEN_ENDED,
    /** Callgate revoked the grant. */
    REVOKED,
    /** The provider's (or the credential's) configuration changed. */
    PROVIDER_CHANGED,
    /**
     * Callgate's own bookkeeping (a use, a new schedule, a refresh that began, a note beside the
     * diagnoses): nothing a person needs to hear about.
     */
    BOOKKEEPING
  }

  public TokenChange {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(trigger, "trigger");
    Objects.requireNonNull(refreshBeganIn, "refreshBeganIn");
    if ((kind == Kind.REFRESHED) != trigger.isPresent()
        || trigger.isPresent() != refreshBeganIn.isPresent()) {
      throw new IllegalArgumentException(
          "a refresh, and only a refresh, has a trigger and a start");
    }
  }

  public static final TokenChange AUTHORIZED = of(Kind.AUTHORIZED);
  public static final TokenChange AUTHORIZATION_FAILED = of(Kind.AUTHORIZATION_FAILED);
  public static final TokenChange REFRESH_DEFERRED = of(Kind.REFRESH_DEFERRED);
  public static final TokenChange GRANT_REFUSED = of(Kind.GRANT_REFUSED);
  public static final TokenChange CLIENT_REFUSED = of(Kind.CLIENT_REFUSED);
  public static final TokenChange REFRESH_TOKEN_ENDED = of(Kind.REFRESH_TOKEN_ENDED);
  public static final TokenChange REVOKED = of(Kind.REVOKED);
  public static final TokenChange PROVIDER_CHANGED = of(Kind.PROVIDER_CHANGED);
  public static final TokenChange BOOKKEEPING = of(Kind.BOOKKEEPING);

  /** New tokens from a refresh that {@code trigger} asked for, begun in state {@code beganIn}. */
  public static TokenChange refreshed(RefreshTrigger trigger, TokenState beganIn) {
    return new TokenChange(Kind.REFRESHED, Optional.of(trigger), Optional.of(beganIn));
  }

  private static TokenChange of(Kind kind) {
    return new TokenChange(kind, Optional.empty(), Optional.empty());
  }
}
