package dev.callgate.core.token;

import java.time.Instant;
import java.util.Optional;

/**
 * When the schedule should next refresh a token, as the refresh policy and the credential's
 * settings decide. Every transition of a {@link TokenRecord} takes one, so no writer can change a
 * record and leave its next refresh behind.
 */
@FunctionalInterface
public interface RefreshPlan {
  Optional<Instant> nextRefreshAt(TokenRecord record);
}
