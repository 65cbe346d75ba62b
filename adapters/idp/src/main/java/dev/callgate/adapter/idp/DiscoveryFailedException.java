package dev.callgate.adapter.idp;

import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.port.GrantOutcome;
import dev.callgate.core.port.IdentityProviderException;
import java.util.Optional;

/**
 * Discovery failed; besides the diagnosis for {@code discover}, it keeps the failure as a grant
 * outcome, since a grant that cannot find its token endpoint is a failed grant, not a failed stage.
 */
final class DiscoveryFailedException extends IdentityProviderException {
  private static final long serialVersionUID = 1L;
  private final GrantOutcome.Failure failure;
  private final String reason;
  private final Optional<Integer> httpStatus;

  DiscoveryFailedException(
      Diagnosis diagnosis, GrantOutcome.Failure failure, String reason, Optional<Integer> status) {
    super(diagnosis);
    this.failure = failure;
    this.reason = reason;
    this.httpStatus = status;
  }

  GrantOutcome.Failed asGrantOutcome() {
    return new GrantOutcome.Failed(
        failure, "discovery failed: " + reason, httpStatus, Optional.empty());
  }
}
