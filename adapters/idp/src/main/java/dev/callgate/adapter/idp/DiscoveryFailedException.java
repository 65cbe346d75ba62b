package dev.callgate.adapter.idp;

import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.port.GrantOutcome;
import dev.callgate.core.port.IdentityProviderException;
import java.util.Optional;

/**
 * Discovery failed; besides the diagnosis for {@code discover}, it keeps the failure as a grant
 * outcome, since a grant that cannot find its token endpoint is a failed grant, not a failed stage.
 * A provider whose configuration or metadata breaks a rule is {@link GrantOutcome.Misconfigured},
 * never a failure that may pass.
 */
final class DiscoveryFailedException extends IdentityProviderException {
  private static final long serialVersionUID = 1L;
  private final transient GrantOutcome outcome;

  DiscoveryFailedException(
      Diagnosis diagnosis, GrantOutcome.Failure failure, String reason, Optional<Integer> status) {
    super(diagnosis);
    this.outcome =
        new GrantOutcome.Failed(failure, "discovery failed: " + reason, status, Optional.empty());
  }

  private DiscoveryFailedException(Diagnosis diagnosis) {
    super(diagnosis);
    this.outcome = new GrantOutcome.Misconfigured(diagnosis);
  }

  static DiscoveryFailedException misconfigured(Diagnosis diagnosis) {
    return new DiscoveryFailedException(diagnosis);
  }

  GrantOutcome asGrantOutcome() {
    return outcome;
  }

  /**
   * The failure kind when discovery failed for a reason that may pass; empty when misconfigured.
   */
  Optional<GrantOutcome.Failure> failure() {
    return outcome instanceof GrantOutcome.Failed failed
        ? Optional.of(failed.failure())
        : Optional.empty();
  }

  Optional<Integer> httpStatus() {
    return outcome instanceof GrantOutcome.Failed failed ? failed.httpStatus() : Optional.empty();
  }
}
