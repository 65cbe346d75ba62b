package dev.callgate.core.service;

import static dev.callgate.core.diagnosis.DiagnosisCode.FORBIDDEN;
import static dev.callgate.core.diagnosis.DiagnosisCode.INVALID_VALUE;

import dev.callgate.core.credential.NamedCredential;
import dev.callgate.core.credential.PrincipalType;
import dev.callgate.core.credential.SubjectRule;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.diagnosis.Validated;
import dev.callgate.core.token.TokenKey;
import java.util.List;
import java.util.Optional;

/**
 * Which token a request about a credential means: the credential's one token when it is named, and
 * for a per-user credential the caller's own — or, for an admin only, the user the request names. A
 * caller naming someone else is refused, never silently given its own token.
 */
public final class TokenKeys {
  private TokenKeys() {}

  /** The token {@code caller} means by {@code user} (empty: its own) of {@code credential}. */
  public static Validated<TokenKey> resolve(
      NamedCredential credential, Caller caller, Optional<String> user) {
    if (credential.principal() == PrincipalType.NAMED) {
      if (user.isPresent()) {
        return Validated.invalid(
            List.of(
                Diagnosis.of(
                    INVALID_VALUE,
                    "field",
                    "user",
                    "problem",
                    "credential '"
                        + credential.name()
                        + "' is a named credential: it has one token, not one per user")));
      }
      return Validated.valid(TokenKey.named(credential.name()));
    }
    Optional<String> named = user.filter(u -> !u.isEmpty());
    if (user.isPresent() && named.isEmpty()) {
      return Validated.invalid(
          List.of(Diagnosis.of(INVALID_VALUE, "field", "user", "problem", "it is empty")));
    }
    Optional<String> malformed = named.flatMap(SubjectRule::problem);
    if (malformed.isPresent()) {
      return Validated.invalid(
          List.of(Diagnosis.of(INVALID_VALUE, "field", "user", "problem", malformed.get())));
    }
    String subject = named.orElse(caller.subject());
    if (!subject.equals(caller.subject()) && !caller.isAdmin()) {
      return Validated.invalid(
          List.of(
              Diagnosis.of(
                  FORBIDDEN,
                  "subject",
                  caller.subject(),
                  "action",
                  "act on the token of another user ('" + subject + "')",
                  "role",
                  "admin")));
    }
    return Validated.valid(TokenKey.perUser(credential.name(), subject));
  }
}
