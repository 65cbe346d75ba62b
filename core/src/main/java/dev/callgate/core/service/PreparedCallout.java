package dev.callgate.core.service;

import dev.callgate.core.callout.BodyMode;
import dev.callgate.core.callout.CalloutHead;
import dev.callgate.core.credential.NamedCredential;
import java.net.URI;
import java.util.Objects;

/**
 * A callout that passed every check that needs no body — the caller may use the credential, the
 * method is allowed, the headers are acceptable, the path stays below the credential's URL, a
 * declared body is within the limit — with the credential as it was read for these checks (it is
 * read once per callout) and the way its body is to be read. Hand it to {@link Callouts#send} with
 * the body.
 */
public final class PreparedCallout {
  final Caller caller;
  final NamedCredential credential;
  final CalloutHead head;
  final URI target;
  private final BodyMode bodyMode;

  PreparedCallout(
      Caller caller, NamedCredential credential, CalloutHead head, URI target, BodyMode bodyMode) {
    this.caller = Objects.requireNonNull(caller, "caller");
    this.credential = Objects.requireNonNull(credential, "credential");
    this.head = Objects.requireNonNull(head, "head");
    this.target = Objects.requireNonNull(target, "target");
    this.bodyMode = Objects.requireNonNull(bodyMode, "bodyMode");
  }

  public BodyMode bodyMode() {
    return bodyMode;
  }

  @Override
  public String toString() {
    return "PreparedCallout[" + credential.name() + " " + head.method() + " " + bodyMode + "]";
  }
}
