package dev.callgate.core.token;

import java.util.Objects;
import java.util.Optional;

/**
 * Whose grant a token is at the identity provider, as its tokens say: the subject ({@code sub}),
 * the user name and e-mail address where the ID token carries them, and the provider's session
 * ({@code sid}) where a token names it. Two grants of one session may be one grant at the provider,
 * so revoking one would end the other.
 */
public record ProviderIdentity(
    String subject,
    Optional<String> preferredUsername,
    Optional<String> email,
    Optional<String> sessionId) {

  public ProviderIdentity {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(preferredUsername, "preferredUsername");
    Objects.requireNonNull(email, "email");
    Objects.requireNonNull(sessionId, "sessionId");
  }

  /** "carol (carol@example.com, sub 3f2…)": who, for people. */
  public String describe() {
    String name = preferredUsername.or(() -> email).orElse(subject);
    StringBuilder text = new StringBuilder(name);
    if (email.isPresent() && !email.get().equals(name)) {
      text.append(" (").append(email.get()).append(", sub ").append(subject).append(')');
    } else if (!subject.equals(name)) {
      text.append(" (sub ").append(subject).append(')');
    }
    return text.toString();
  }

  /**
   * Whether the grant behind this identity is certainly another than the one behind {@code other}:
   * another subject, or another session of the provider. Empty when the tokens do not say.
   */
  public Optional<Boolean> differentGrantFrom(ProviderIdentity other) {
    if (!subject.equals(other.subject)) {
      return Optional.of(true);
    }
    if (sessionId.isPresent() && other.sessionId.isPresent()) {
      return Optional.of(!sessionId.get().equals(other.sessionId.get()));
    }
    return Optional.empty();
  }
}
