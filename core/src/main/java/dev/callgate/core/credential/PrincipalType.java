package dev.callgate.core.credential;

import java.util.Arrays;
import java.util.Optional;

/**
 * Whose identity a credential's tokens carry: one shared {@code named} principal, or each calling
 * user's own ({@code per_user}), keyed by the subject of the caller's API key.
 */
public enum PrincipalType {
  NAMED("named"),
  PER_USER("per_user");

  private final String wireName;

  PrincipalType(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }

  public static Optional<PrincipalType> fromWireName(String name) {
    return Arrays.stream(values()).filter(p -> p.wireName.equals(name)).findFirst();
  }
}
