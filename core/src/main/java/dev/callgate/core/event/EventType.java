package dev.callgate.core.event;

import java.util.Arrays;
import java.util.Optional;

/**
 * What happened, under a stable name that the events API, webhooks and log lines carry. Lifecycle
 * types describe a credential's (or a per-user token's) life; {@code audit.…} types record an
 * admin's action, naming who acted.
 */
public enum EventType {
  AUTHORIZATION_STARTED("authorization.started"),
  AUTHORIZATION_COMPLETED("authorization.completed"),
  AUTHORIZATION_FAILED("authorization.failed"),
  /** New tokens from the provider; the {@code trigger} detail says why the refresh ran. */
  TOKEN_REFRESHED("token.refreshed"),
  /** A refresh failed for a passing reason; it is retried at {@code nextAttemptAt}. */
  REFRESH_DEFERRED("refresh.deferred"),
  /** The grant is gone; a person must authorize again. The diagnosis says why. */
  GRANT_LOST("grant.lost"),
  /** Refreshes work again after they failed. */
  GRANT_RECOVERED("grant.recovered"),
  /** The provider refused Callgate's client; the grant waits for the provider to be fixed. */
  CLIENT_REJECTED("client.rejected"),
  GRANT_REVOKED("grant.revoked"),
  CREDENTIAL_DELETED("credential.deleted"),
  /** A changed provider lets refused clients try again. */
  PROVIDER_REARMED("provider.rearmed"),
  /** The refresh token will expire before the next refresh that can happen. */
  EXPIRY_AHEAD("expiry.ahead"),
  /** An end user opened a connect link and went on to sign in; the link cannot be used again. */
  CONNECT_LINK_USED("connect_link.used"),
  AUDIT_KEY_CREATED("audit.key.created"),
  AUDIT_KEY_DELETED("audit.key.deleted"),
  AUDIT_PROVIDER_SAVED("audit.provider.saved"),
  AUDIT_PROVIDER_DELETED("audit.provider.deleted"),
  AUDIT_CREDENTIAL_SAVED("audit.credential.saved"),
  AUDIT_CREDENTIAL_DELETED("audit.credential.deleted"),
  AUDIT_AUTHORIZATION_STARTED("audit.authorization.started"),
  AUDIT_REVOCATION_REQUESTED("audit.revocation.requested"),
  AUDIT_REFRESH_REQUESTED("audit.refresh.requested"),
  AUDIT_WEBHOOK_CREATED("audit.webhook.created"),
  AUDIT_WEBHOOK_DELETED("audit.webhook.deleted"),
  /** An admin key signed in to the console; the actor is the key. */
  AUDIT_CONSOLE_SIGNED_IN("audit.console.signed_in"),
  /** A console session was ended by its browser. */
  AUDIT_CONSOLE_SIGNED_OUT("audit.console.signed_out"),
  AUDIT_CONNECT_LINK_CREATED("audit.connect_link.created");

  private final String wireName;

  EventType(String wireName) {
    this.wireName = wireName;
  }

  /** The stable name, e.g. {@code grant.lost}. */
  public String wireName() {
    return wireName;
  }

  /** Whether this type records an admin's action rather than a credential's life. */
  public boolean isAudit() {
    return wireName.startsWith("audit.");
  }

  public static Optional<EventType> fromWireName(String name) {
    return Arrays.stream(values()).filter(t -> t.wireName.equals(name)).findFirst();
  }
}
