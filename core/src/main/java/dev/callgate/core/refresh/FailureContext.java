package dev.callgate.core.refresh;

import dev.callgate.core.credential.ClientAuthMethod;
import dev.callgate.core.token.RefreshStart;
import dev.callgate.core.token.TokenRecord;
import dev.callgate.core.token.TokenSet;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The facts around a failed refresh that {@link RefreshPolicy#classify} needs to explain it: which
 * credential, provider and client (and how the client authenticates), the grant used, whether the
 * credential keeps its refresh token alive, the token record as it stood when the refresh began
 * (its tokens with the refresh token's expiry, its streak of earlier passing failures, its
 * warnings), the current time, when the next attempt will be made if the failure may pass, and an
 * earlier refresh that never recorded its result (whose lost answer may have rotated the refresh
 * token).
 */
public record FailureContext(
    String credentialName,
    String providerName,
    String clientId,
    ClientAuthMethod clientAuthMethod,
    GrantType grant,
    boolean keepAlive,
    TokenRecord record,
    Instant now,
    Instant nextAttemptAt,
    Optional<RefreshStart> interruptedRefresh) {

  public FailureContext {
    Objects.requireNonNull(credentialName, "credentialName");
    Objects.requireNonNull(providerName, "providerName");
    Objects.requireNonNull(clientId, "clientId");
    Objects.requireNonNull(clientAuthMethod, "clientAuthMethod");
    Objects.requireNonNull(grant, "grant");
    Objects.requireNonNull(record, "record");
    Objects.requireNonNull(now, "now");
    Objects.requireNonNull(nextAttemptAt, "nextAttemptAt");
    Objects.requireNonNull(interruptedRefresh, "interruptedRefresh");
  }

  public Optional<TokenSet> tokens() {
    return record.tokens();
  }

  /** When the refresh token was last used: when the set holding it was issued. */
  public Optional<Instant> refreshTokenLastUsedAt() {
    return record.tokens().map(TokenSet::issuedAt);
  }
}
