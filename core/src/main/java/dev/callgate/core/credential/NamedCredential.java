package dev.callgate.core.credential;

import java.net.URI;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A named credential: callers address a third-party API by this name, and Callgate sends their
 * calls to {@code url} with the {@link Authentication} applied. Whether Callgate writes the {@code
 * Authorization} header itself, whether callers may use merge fields such as {@code
 * {!$Credential.OAuthToken}}, which API-key subjects may call it (an empty set: admins only), and
 * whether its refresh token is kept alive while nobody calls, are all set here. Build it from input
 * with {@link CredentialDraft#validate()}.
 */
public record NamedCredential(
    String name,
    URI url,
    Authentication authentication,
    PrincipalType principal,
    boolean generateAuthorizationHeader,
    boolean allowMergeFieldsInHeaders,
    boolean allowMergeFieldsInBody,
    Set<String> allowedCallers,
    boolean keepAlive,
    Optional<String> testPath) {

  public NamedCredential {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(authentication, "authentication");
    Objects.requireNonNull(principal, "principal");
    allowedCallers = Set.copyOf(allowedCallers);
  }

  public Protocol protocol() {
    return authentication.protocol();
  }

  /** Whether {@code subject} is listed; admins may call any credential, which the caller checks. */
  public boolean allowsCaller(String subject) {
    return allowedCallers.contains(subject);
  }
}
