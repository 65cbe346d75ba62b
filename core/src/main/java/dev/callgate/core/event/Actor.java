package dev.callgate.core.event;

import java.util.Objects;

/**
 * Who acted, for an audit event: the subject and public id of the API key that authenticated the
 * request, and the request's id ({@code X-Request-Id}) so the action can be found in the logs.
 */
public record Actor(String subject, String keyId, String requestId) {
  public Actor {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(keyId, "keyId");
    Objects.requireNonNull(requestId, "requestId");
  }
}
