package dev.callgate.core.service;

import dev.callgate.core.callout.CalloutResponse;
import dev.callgate.core.diagnosis.Diagnosis;
import java.util.Objects;

/**
 * What a callout came to: the target's answer to relay as is, Callgate's own refusal with a
 * diagnosis (nothing, or nothing usable, reached the target), or the target's 401 to a token that
 * had just been refreshed, relayed together with the diagnosis that explains it.
 */
public sealed interface CalloutResult {

  /** {@code afterRefresh}: the first answer was an expired-token 401, this is the retry's. */
  record Relayed(CalloutResponse response, boolean afterRefresh) implements CalloutResult {
    public Relayed {
      Objects.requireNonNull(response, "response");
    }
  }

  record Refused(Diagnosis diagnosis) implements CalloutResult {
    public Refused {
      Objects.requireNonNull(diagnosis, "diagnosis");
    }
  }

  /** The retry with a fresh token was rejected too: {@code TOKEN_REJECTED_AFTER_REFRESH}. */
  record RejectedAfterRefresh(CalloutResponse response, Diagnosis diagnosis)
      implements CalloutResult {
    public RejectedAfterRefresh {
      Objects.requireNonNull(response, "response");
      Objects.requireNonNull(diagnosis, "diagnosis");
    }
  }
}
