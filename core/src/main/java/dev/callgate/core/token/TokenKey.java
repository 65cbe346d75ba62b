package dev.callgate.core.token;

import java.util.Objects;

/**
 * Which token: the credential's name and, for a per-user credential, the user's subject (the
 * subject of the caller's API key). A named credential's token has the empty subject.
 */
public record TokenKey(String credentialName, String userSubject) {

  public TokenKey {
    Objects.requireNonNull(credentialName, "credentialName");
    Objects.requireNonNull(userSubject, "userSubject");
  }

  public static TokenKey named(String credentialName) {
    return new TokenKey(credentialName, "");
  }

  public static TokenKey perUser(String credentialName, String userSubject) {
    if (userSubject.isEmpty()) {
      throw new IllegalArgumentException("a per-user token needs a user subject");
    }
    return new TokenKey(credentialName, userSubject);
  }

  public boolean isNamedPrincipal() {
    return userSubject.isEmpty();
  }

  /** Words for messages: "the named principal" or "user 'alice'". */
  public String principalDescription() {
    return isNamedPrincipal() ? "the named principal" : "user '" + userSubject + "'";
  }

  @Override
  public String toString() {
    return isNamedPrincipal() ? credentialName : credentialName + "/" + userSubject;
  }
}
