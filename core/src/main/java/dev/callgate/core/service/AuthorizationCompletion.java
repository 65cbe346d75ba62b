package dev.callgate.core.service;

import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.token.TokenRecord;
import java.util.Objects;

/**
 * The end of an authorization-code flow: the stored token (whose diagnoses hold any warning, such
 * as a refresh token that was not issued), or why the flow failed.
 */
public sealed interface AuthorizationCompletion {

  record Authorized(TokenRecord record) implements AuthorizationCompletion {
    public Authorized {
      Objects.requireNonNull(record, "record");
    }
  }

  record Refused(Diagnosis diagnosis) implements AuthorizationCompletion {
    public Refused {
      Objects.requireNonNull(diagnosis, "diagnosis");
    }
  }
}
