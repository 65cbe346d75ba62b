package dev.callgate.core.credential;

import dev.callgate.core.callout.HeaderRules;
import dev.callgate.core.callout.RefreshRules;
import java.net.URI;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A named credential: callers address a third-party API by this name, and Callgate sends their
 * calls to {@code url} with the {@link Authentication} applied. Whether Callgate writes the {@code
 * Authorization} header itself, whether callers may use merge fields such as {@code
 * {!$Credential.OAuthToken}}, which API-key subjects may call it (an empty set: admins only), and
 * whether its refresh token is kept alive while nobody calls, are all set here. Build it from input
 * with {@link CredentialDraft#validate()}. {@code allowedMethods} lists the request methods callers
 * may send through it (upper case; never TRACE or CONNECT, see {@link HeaderRules}). {@code
 * allowedReturnUrls} lists where a browser may be sent back to once it has authorized the
 * credential ({@link ReturnUrlRule}), and {@code applicationName} what an end user is told asks for
 * access (the credential's name when empty). {@code refreshOn} lists the answers besides an
 * expired-token 401 that mean its token is stale ({@link RefreshRules}). {@code tokenPlacement}
 * says where an OAuth credential's access token goes ({@link TokenPlacement}). {@code tls} is the
 * TLS of its connections to the target: a client certificate to present (RFC 8705 mutual TLS) and
 * authorities to trust besides the JVM's.
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
    Optional<String> testPath,
    Set<String> allowedMethods,
    List<URI> allowedReturnUrls,
    Optional<String> applicationName,
    RefreshRules refreshOn,
    TokenPlacement tokenPlacement,
    TlsSettings tls) {

  public NamedCredential {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(authentication, "authentication");
    Objects.requireNonNull(principal, "principal");
    allowedCallers = callers(allowedCallers);
    allowedMethods = Set.copyOf(allowedMethods);
    if (allowedMethods.stream().anyMatch(HeaderRules.NEVER_ALLOWED_METHODS::contains)) {
      throw new IllegalArgumentException("TRACE and CONNECT are never allowed");
    }
    allowedReturnUrls = List.copyOf(allowedReturnUrls);
    Objects.requireNonNull(applicationName, "applicationName");
    Objects.requireNonNull(refreshOn, "refreshOn");
    Objects.requireNonNull(tokenPlacement, "tokenPlacement");
    Objects.requireNonNull(tls, "tls");
  }

  /**
   * A credential without {@code refreshOn} rules (only expired-token 401s bring a refresh) that
   * sends its access token as {@code Authorization: Bearer}.
   */
  public NamedCredential(
      String name,
      URI url,
      Authentication authentication,
      PrincipalType principal,
      boolean generateAuthorizationHeader,
      boolean allowMergeFieldsInHeaders,
      boolean allowMergeFieldsInBody,
      Set<String> allowedCallers,
      boolean keepAlive,
      Optional<String> testPath,
      Set<String> allowedMethods,
      List<URI> allowedReturnUrls,
      Optional<String> applicationName) {
    this(
        name,
        url,
        authentication,
        principal,
        generateAuthorizationHeader,
        allowMergeFieldsInHeaders,
        allowMergeFieldsInBody,
        allowedCallers,
        keepAlive,
        testPath,
        allowedMethods,
        allowedReturnUrls,
        applicationName,
        RefreshRules.NONE,
        TokenPlacement.BEARER,
        TlsSettings.NONE);
  }

  /**
   * Not {@link Set#copyOf}: its table probes linearly, and the hashes of short subjects crowd into
   * a narrow range (10,000 subjects of three letters or digits share 3,307 hash codes), so copying
   * and searching 10,000 of them took quadratic time. {@link HashSet} bins colliding strings in
   * trees.
   */
  private static Set<String> callers(Set<String> listed) {
    Set<String> copy = new HashSet<>(listed);
    if (copy.contains(null)) {
      throw new NullPointerException("allowedCallers holds null");
    }
    return Collections.unmodifiableSet(copy);
  }

  /**
   * A credential that allows the {@link HeaderRules#DEFAULT_ALLOWED_METHODS default methods}, with
   * no return URLs and no application name of its own.
   */
  public NamedCredential(
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
    this(
        name,
        url,
        authentication,
        principal,
        generateAuthorizationHeader,
        allowMergeFieldsInHeaders,
        allowMergeFieldsInBody,
        allowedCallers,
        keepAlive,
        testPath,
        HeaderRules.DEFAULT_ALLOWED_METHODS,
        List.of(),
        Optional.empty());
  }

  /** Whether callers may send {@code method} (upper case, as on the wire) through it. */
  public boolean allowsMethod(String method) {
    return allowedMethods.contains(method);
  }

  /** What an end user is told asks for access: the application name, or else the name. */
  public String displayedApplicationName() {
    return applicationName.orElse(name);
  }

  public Protocol protocol() {
    return authentication.protocol();
  }

  /** Whether {@code subject} is listed; admins may call any credential, which the caller checks. */
  public boolean allowsCaller(String subject) {
    return allowedCallers.contains(subject);
  }
}
