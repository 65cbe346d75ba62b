package dev.callgate.adapter.http;

import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.outbound.OutboundAddressPolicy;

/** The outbound address policy refused a connection; nothing was sent. */
public final class OutboundAddressRefusedException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final transient OutboundAddressPolicy.Verdict.Refused verdict;

  OutboundAddressRefusedException(OutboundAddressPolicy.Verdict.Refused verdict) {
    super(verdict.diagnosis().message(), null, false, false);
    this.verdict = verdict;
  }

  public Diagnosis diagnosis() {
    return verdict.diagnosis();
  }
}
