package dev.callgate.core.testkit;

import dev.callgate.core.credential.AuthProvider;
import dev.callgate.core.credential.Authentication;
import dev.callgate.core.credential.ClientKeyRule;
import dev.callgate.core.credential.Secret;
import dev.callgate.core.port.Clock;
import dev.callgate.core.port.DeviceAuthorizationOutcome;
import dev.callgate.core.port.GrantOutcome;
import dev.callgate.core.port.IdentityProvider;
import dev.callgate.core.port.IdentityProviderException;
import dev.callgate.core.port.ProviderMetadata;
import dev.callgate.core.port.RevocationOutcome;
import dev.callgate.core.port.TokenExchangeRequest;
import dev.callgate.core.port.TokenResponse;
import dev.callgate.core.token.ProviderIdentity;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * An authorization server at the level of the domain, for services' tests (the adapters' tests use
 * real servers). It issues distinct tokens ({@code at-1}, {@code rt-1}, {@code code-1}…), keeps
 * what it issued, and refuses as a real server does: an unknown, rotated-away, idle- or
 * absolutely-expired, or revoked refresh token, and a code that is reused, sent with another
 * redirect URI or client, or whose PKCE verifier does not match its S256 challenge, all with {@code
 * invalid_grant} (HTTP 400). Lifetimes, rotation, the offline scope and the granted scopes are
 * configurable; {@link #scriptNext} overrides the next answers, {@link #hold()} keeps
 * token-endpoint answers pending until {@link #release()}, {@link #failRevocations} makes the
 * revocation endpoint fail. Times come from the {@link Clock} given. Thread-safe.
 */
public final class InMemoryIdentityProvider implements IdentityProvider {

  public static final String ISSUER = "https://idp.test";
  public static final URI AUTHORIZATION_ENDPOINT = URI.create("https://idp.test/authorize");
  public static final URI TOKEN_ENDPOINT = URI.create("https://idp.test/token");
  public static final URI REVOCATION_ENDPOINT = URI.create("https://idp.test/revoke");
  public static final URI DEVICE_AUTHORIZATION_ENDPOINT =
      URI.create("https://idp.test/device/auth");
  public static final URI VERIFICATION_URI = URI.create("https://idp.test/device");

  /** How long a device code lives, and the polling interval the provider asks for. */
  public static final Duration DEVICE_CODE_LIFETIME = Duration.ofMinutes(10);

  public static final Duration DEVICE_INTERVAL = Duration.ofSeconds(5);

  /** RFC 6749 §4.1.2 recommends at most ten minutes. */
  public static final Duration CODE_LIFETIME = Duration.ofMinutes(10);

  public static final String NOT_ACTIVE = "Token is not active";
  public static final String EXPIRED = "Refresh token expired";
  public static final String REVOKED = "Token has been revoked";

  private static final Pattern VERIFIER = Pattern.compile("[A-Za-z0-9._~-]{43,128}");

  /** What the authorization endpoint answers, by redirecting to {@code redirectUri}. */
  public sealed interface AuthorizationResponse {
    String state();

    URI redirectUri();

    /** The redirect URI with the response's query parameters, as the browser would follow it. */
    URI callbackUri();
  }

  /** The user approved: a one-time code for the state (RFC 6749 §4.1.2). */
  public record Approval(String code, String state, URI redirectUri)
      implements AuthorizationResponse {
    @Override
    public URI callbackUri() {
      return withQuery(redirectUri, "code", code, "state", state);
    }
  }

  /** The authorization ended with an error (RFC 6749 §4.1.2.1), e.g. {@code access_denied}. */
  public record Denial(String error, String errorDescription, String state, URI redirectUri)
      implements AuthorizationResponse {
    @Override
    public URI callbackUri() {
      return withQuery(
          redirectUri, "error", error, "error_description", errorDescription, "state", state);
    }
  }

  private record AuthorizationCode(
      String clientId,
      URI redirectUri,
      List<String> scopes,
      String codeChallenge,
      String subject,
      Instant issuedAt) {}

  private enum Status {
    ACTIVE,
    ROTATED,
    REVOKED
  }

  /** A refresh token as issued; mutable, guarded by the provider's lock. */
  private static final class RefreshGrant {
    final String clientId;
    final String subject;
    final List<String> scopes;
    final Instant issuedAt;
    final Instant sessionStart;
    Instant lastUsedAt;
    Status status = Status.ACTIVE;

    RefreshGrant(
        String clientId,
        String subject,
        List<String> scopes,
        Instant issuedAt,
        Instant sessionStart) {
      this.clientId = clientId;
      this.subject = subject;
      this.scopes = scopes;
      this.issuedAt = issuedAt;
      this.sessionStart = sessionStart;
      this.lastUsedAt = issuedAt;
    }
  }

  private static final class AccessGrant {
    final String subject;
    final Optional<Instant> expiresAt;
    boolean revoked;

    AccessGrant(String subject, Optional<Instant> expiresAt) {
      this.subject = subject;
      this.expiresAt = expiresAt;
    }
  }

  private record HeldAnswer(CompletableFuture<GrantOutcome> future, GrantOutcome outcome) {}

  private final Clock clock;
  private final Object lock = new Object();
  private volatile ClientKeyRule clientKeyRule = ClientKeyRule.unchecked();

  private Optional<Duration> expiresIn = Optional.of(Duration.ofHours(1));
  private Optional<Duration> refreshTokenIdleLifetime = Optional.empty();
  private Optional<Duration> refreshTokenMaxLifetime = Optional.empty();
  private boolean reportRefreshExpiresIn;
  private boolean rotateRefreshTokens;
  private Optional<String> offlineScope = Optional.empty();
  private Optional<List<String>> grantScopes = Optional.empty();
  private ProviderMetadata metadata = defaultMetadata();
  private Optional<IdentityProviderException> discoveryFailure = Optional.empty();
  private Optional<String> revocationFailure = Optional.empty();

  private final Deque<GrantOutcome> script = new ArrayDeque<>();
  private boolean held;
  private final List<HeldAnswer> heldAnswers = new ArrayList<>();

  private final Map<String, AuthorizationCode> codes = new HashMap<>();
  private final Map<String, RefreshGrant> refreshTokens = new HashMap<>();
  private final Map<String, AccessGrant> accessTokens = new HashMap<>();
  private Optional<String> latestAccessToken = Optional.empty();
  private Map<String, String> lastAuthorizationQuery = Map.of();
  private int codeSequence;
  private int deviceCodeSequence;
  private final Map<String, DeviceCode> deviceCodes = new HashMap<>();
  private final List<Instant> devicePolls = new ArrayList<>();
  private int accessTokenSequence;
  private int refreshTokenSequence;

  private final AtomicInteger discoveries = new AtomicInteger();
  private final AtomicInteger refreshCalls = new AtomicInteger();
  private final AtomicInteger codeExchanges = new AtomicInteger();
  private final AtomicInteger clientCredentialsCalls = new AtomicInteger();
  private final AtomicInteger jwtBearerCalls = new AtomicInteger();
  private final AtomicInteger revocations = new AtomicInteger();
  private final AtomicInteger tokenExchangeCalls = new AtomicInteger();

  public InMemoryIdentityProvider(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Discovery as this provider answers it unless {@link #metadata} says otherwise. */
  public static ProviderMetadata defaultMetadata() {
    return new ProviderMetadata(
        Optional.of(ISSUER),
        Optional.of(AUTHORIZATION_ENDPOINT),
        TOKEN_ENDPOINT,
        Optional.of(REVOCATION_ENDPOINT),
        List.of("openid", "profile", "email", "offline_access"),
        List.of("authorization_code", "refresh_token", "client_credentials"),
        List.of("S256"),
        Optional.of(DEVICE_AUTHORIZATION_ENDPOINT));
  }

  // ---- configuration ----

  /** The {@code expires_in} of access tokens; empty: not reported, and valid until revoked. */
  public InMemoryIdentityProvider expiresIn(Optional<Duration> lifetime) {
    synchronized (lock) {
      this.expiresIn = Objects.requireNonNull(lifetime, "lifetime");
    }
    return this;
  }

  /** How long a refresh token lives after its issue or last use; empty: until revoked. */
  public InMemoryIdentityProvider refreshTokenIdleLifetime(Optional<Duration> lifetime) {
    synchronized (lock) {
      this.refreshTokenIdleLifetime = Objects.requireNonNull(lifetime, "lifetime");
    }
    return this;
  }

  /** How long refresh tokens of one authorization live at most, rotation or not. */
  public InMemoryIdentityProvider refreshTokenMaxLifetime(Optional<Duration> lifetime) {
    synchronized (lock) {
      this.refreshTokenMaxLifetime = Objects.requireNonNull(lifetime, "lifetime");
    }
    return this;
  }

  /** Whether the idle lifetime is sent as {@code refresh_expires_in} (Keycloak does; WSO2 not). */
  public InMemoryIdentityProvider reportRefreshExpiresIn(boolean report) {
    synchronized (lock) {
      this.reportRefreshExpiresIn = report;
    }
    return this;
  }

  /**
   * On: each refresh issues a new refresh token and the used one is refused from then on. Off: the
   * same refresh token comes back and stays valid.
   */
  public InMemoryIdentityProvider rotateRefreshTokens(boolean rotate) {
    synchronized (lock) {
      this.rotateRefreshTokens = rotate;
    }
    return this;
  }

  /** A refresh token is issued only when {@code scope} was requested (e.g. offline_access). */
  public InMemoryIdentityProvider offlineScope(String scope) {
    return offlineScope(Optional.of(scope));
  }

  /** Empty: every authorization code grant gets a refresh token (the default). */
  public InMemoryIdentityProvider offlineScope(Optional<String> scope) {
    synchronized (lock) {
      this.offlineScope = Objects.requireNonNull(scope, "scope");
    }
    return this;
  }

  /** The scopes granted, whatever was requested (a provider that drops or narrows scopes). */
  public InMemoryIdentityProvider grantScopes(List<String> scopes) {
    synchronized (lock) {
      this.grantScopes = Optional.of(List.copyOf(scopes));
    }
    return this;
  }

  /** What {@link #discover} answers from now on. */
  public InMemoryIdentityProvider metadata(ProviderMetadata next) {
    synchronized (lock) {
      this.metadata = Objects.requireNonNull(next, "next");
      this.discoveryFailure = Optional.empty();
    }
    return this;
  }

  /** Makes {@link #discover} fail with {@code failure}, until {@link #metadata} is set. */
  public InMemoryIdentityProvider failDiscovery(IdentityProviderException failure) {
    synchronized (lock) {
      this.discoveryFailure = Optional.of(failure);
    }
    return this;
  }

  /**
   * From now on the revocation endpoint fails for {@code reason} (an error answer, or the provider
   * unreachable) and revokes nothing; empty: it works again.
   */
  public InMemoryIdentityProvider failRevocations(Optional<String> reason) {
    synchronized (lock) {
      this.revocationFailure = Objects.requireNonNull(reason, "reason");
    }
    return this;
  }

  /** The next token-endpoint calls answer these, in order, instead of what they would have. */
  public InMemoryIdentityProvider scriptNext(GrantOutcome... outcomes) {
    synchronized (lock) {
      script.addAll(Arrays.asList(outcomes));
    }
    return this;
  }

  /** Forgets the scripted answers not given yet: the provider answers as configured again. */
  public InMemoryIdentityProvider clearScript() {
    synchronized (lock) {
      script.clear();
    }
    return this;
  }

  /** Token-endpoint answers stay pending from now until {@link #release()}. */
  public void hold() {
    synchronized (lock) {
      held = true;
    }
  }

  /** Delivers every held answer (on this thread) and stops holding. */
  public void release() {
    List<HeldAnswer> due;
    synchronized (lock) {
      held = false;
      due = List.copyOf(heldAnswers);
      heldAnswers.clear();
    }
    due.forEach(answer -> answer.future().complete(answer.outcome()));
  }

  /** How many token-endpoint answers are held. */
  public int heldCalls() {
    synchronized (lock) {
      return heldAnswers.size();
    }
  }

  /** Revokes every refresh and access token issued so far (a user withdrew consent). */
  public void revokeAll() {
    synchronized (lock) {
      refreshTokens.values().forEach(grant -> grant.status = Status.REVOKED);
      accessTokens.values().forEach(grant -> grant.revoked = true);
    }
  }

  // ---- the authorization endpoint ----

  /**
   * The user at the authorization endpoint approves the request that {@code authorizationUrl}
   * carries, as {@code subject}. Throws {@link IllegalStateException} when the request is one a
   * provider would answer with an error (see {@link #authorize}).
   */
  public Approval approve(URI authorizationUrl, String subject) {
    AuthorizationResponse response = authorize(authorizationUrl, subject);
    if (response instanceof Approval approval) {
      return approval;
    }
    Denial denial = (Denial) response;
    throw new IllegalStateException(
        "the authorization request was refused: "
            + denial.error()
            + " ("
            + denial.errorDescription()
            + ")");
  }

  /**
   * The authorization endpoint's answer to {@code authorizationUrl} for {@code subject}: an
   * approval with a new one-time code, or {@code invalid_request} / {@code
   * unsupported_response_type} when the request lacks a parameter or PKCE S256. Throws {@link
   * IllegalArgumentException} when there is nowhere to redirect to (a provider shows an error page
   * then) or the URL is not this provider's authorization endpoint.
   */
  public AuthorizationResponse authorize(URI authorizationUrl, String subject) {
    Objects.requireNonNull(subject, "subject");
    Map<String, String> query = parseQuery(authorizationUrl.getRawQuery());
    synchronized (lock) {
      lastAuthorizationQuery = query;
      URI endpoint =
          metadata
              .authorizationEndpoint()
              .orElseThrow(() -> new IllegalStateException("no authorization endpoint"));
      if (!withoutQuery(authorizationUrl).equals(endpoint)) {
        throw new IllegalArgumentException(
            "not the authorization endpoint " + endpoint + ": " + withoutQuery(authorizationUrl));
      }
      String redirect = query.get("redirect_uri");
      if (redirect == null || !URI.create(redirect).isAbsolute()) {
        throw new IllegalArgumentException("no absolute redirect_uri to answer to");
      }
      URI redirectUri = URI.create(redirect);
      String state = query.get("state");
      if (!"code".equals(query.get("response_type"))) {
        return new Denial(
            "unsupported_response_type", "response_type must be code", state, redirectUri);
      }
      Optional<String> missing =
          List.of("client_id", "state", "code_challenge").stream()
              .filter(name -> query.get(name) == null || query.get(name).isEmpty())
              .findFirst();
      if (missing.isPresent()) {
        return new Denial("invalid_request", "missing " + missing.get(), state, redirectUri);
      }
      if (!"S256".equals(query.get("code_challenge_method"))) {
        return new Denial(
            "invalid_request", "code_challenge_method must be S256", state, redirectUri);
      }
      String code = "code-" + ++codeSequence;
      codes.put(
          code,
          new AuthorizationCode(
              query.get("client_id"),
              redirectUri,
              splitScope(query.get("scope")),
              query.get("code_challenge"),
              subject,
              clock.now()));
      return new Approval(code, state, redirectUri);
    }
  }

  /** The user declined (or the provider refused): {@code error} sent back with the state. */
  public Denial deny(URI authorizationUrl, String error, String errorDescription) {
    Map<String, String> query = parseQuery(authorizationUrl.getRawQuery());
    synchronized (lock) {
      lastAuthorizationQuery = query;
    }
    return new Denial(
        error, errorDescription, query.get("state"), URI.create(query.get("redirect_uri")));
  }

  /** The query parameters of the last authorization URL seen, decoded. */
  public Map<String, String> lastAuthorizationQuery() {
    synchronized (lock) {
      return lastAuthorizationQuery;
    }
  }

  // ---- the port ----

  /** Reads client private keys with {@code rule} (by default, accepts every key). */
  public void clientKeyRule(ClientKeyRule rule) {
    clientKeyRule = rule;
  }

  @Override
  public ClientKeyRule clientKeyRule() {
    return clientKeyRule;
  }

  @Override
  public CompletionStage<ProviderMetadata> discover(AuthProvider provider) {
    discoveries.incrementAndGet();
    synchronized (lock) {
      if (discoveryFailure.isPresent()) {
        return CompletableFuture.failedFuture(discoveryFailure.get());
      }
      return CompletableFuture.completedFuture(metadata);
    }
  }

  @Override
  public CompletionStage<GrantOutcome> exchangeCode(
      AuthProvider provider, String code, Secret codeVerifier, URI redirectUri) {
    codeExchanges.incrementAndGet();
    synchronized (lock) {
      return answer(() -> exchange(provider, code, codeVerifier, redirectUri));
    }
  }

  @Override
  public CompletionStage<GrantOutcome> refresh(AuthProvider provider, Secret refreshToken) {
    refreshCalls.incrementAndGet();
    synchronized (lock) {
      return answer(() -> refreshGrant(provider, refreshToken.reveal()));
    }
  }

  @Override
  public CompletionStage<GrantOutcome> clientCredentials(AuthProvider provider) {
    clientCredentialsCalls.incrementAndGet();
    synchronized (lock) {
      return answer(
          () ->
              grant(
                  provider.clientId(),
                  grantScopes.orElse(provider.scopes()),
                  Optional.empty(),
                  clock.now()));
    }
  }

  @Override
  public CompletionStage<GrantOutcome> jwtBearer(
      AuthProvider provider, Authentication.JwtBearer jwt, String subject, List<String> scopes) {
    jwtBearerCalls.incrementAndGet();
    synchronized (lock) {
      return answer(
          () -> grant(subject, grantScopes.orElse(scopes), Optional.empty(), clock.now()));
    }
  }

  /** A device code as issued: whose approval or denial it waits for, if any came yet. */
  private record DeviceCode(
      String userCode,
      String clientId,
      List<String> scopes,
      Instant issuedAt,
      Optional<String> approvedBy,
      boolean denied) {}

  @Override
  public CompletionStage<DeviceAuthorizationOutcome> requestDeviceAuthorization(
      AuthProvider provider, List<String> scopes) {
    synchronized (lock) {
      if (metadata.deviceAuthorizationEndpoint().isEmpty()
          && provider.deviceAuthorizationEndpoint().isEmpty()) {
        throw new IllegalStateException("the domain asks no provider without the endpoint");
      }
      int n = ++deviceCodeSequence;
      String userCode = "USER-" + n;
      deviceCodes.put(
          "device-" + n,
          new DeviceCode(
              userCode, provider.clientId(), scopes, clock.now(), Optional.empty(), false));
      return CompletableFuture.completedFuture(
          new DeviceAuthorizationOutcome.Issued(
              Secret.of("device-" + n),
              userCode,
              VERIFICATION_URI,
              Optional.of(withQuery(VERIFICATION_URI, "user_code", userCode)),
              DEVICE_CODE_LIFETIME,
              Optional.of(DEVICE_INTERVAL)));
    }
  }

  /** The user with {@code subject} approves (or, with {@code approve} false, denies) the code. */
  public void answerDevice(String userCode, String subject, boolean approve) {
    synchronized (lock) {
      deviceCodes.replaceAll(
          (code, issued) ->
              issued.userCode().equals(userCode)
                  ? new DeviceCode(
                      issued.userCode(),
                      issued.clientId(),
                      issued.scopes(),
                      issued.issuedAt(),
                      approve ? Optional.of(subject) : Optional.empty(),
                      !approve)
                  : issued);
    }
  }

  /** When each device access token request came, in order. */
  public List<Instant> devicePolls() {
    synchronized (lock) {
      return List.copyOf(devicePolls);
    }
  }

  @Override
  public CompletionStage<GrantOutcome> pollDeviceCode(AuthProvider provider, Secret deviceCode) {
    synchronized (lock) {
      devicePolls.add(clock.now());
      return answer(() -> deviceGrant(provider, deviceCode.reveal()));
    }
  }

  private GrantOutcome deviceGrant(AuthProvider provider, String deviceCode) {
    DeviceCode issued = deviceCodes.get(deviceCode);
    Instant now = clock.now();
    if (issued == null || !issued.clientId().equals(provider.clientId())) {
      return invalidGrant("device code not valid");
    }
    if (!now.isBefore(issued.issuedAt().plus(DEVICE_CODE_LIFETIME))) {
      return new GrantOutcome.Refused("expired_token", Optional.of("device code is expired"), 400);
    }
    if (issued.denied()) {
      deviceCodes.remove(deviceCode);
      return new GrantOutcome.Refused(
          "access_denied", Optional.of("End-User aborted interaction"), 400);
    }
    if (issued.approvedBy().isEmpty()) {
      return new GrantOutcome.Refused("authorization_pending", Optional.empty(), 400);
    }
    deviceCodes.remove(deviceCode);
    AuthorizationCode asCode =
        new AuthorizationCode(
            issued.clientId(),
            URI.create("urn:device"),
            issued.scopes(),
            "",
            issued.approvedBy().get(),
            now);
    boolean offline = offlineScope.map(issued.scopes()::contains).orElse(true);
    Optional<String> refreshToken =
        offline ? Optional.of(newRefreshToken(provider, asCode, now)) : Optional.empty();
    return grant(issued.approvedBy().get(), grantScopes.orElse(issued.scopes()), refreshToken, now);
  }

  @Override
  public CompletionStage<GrantOutcome> tokenExchange(
      AuthProvider provider, TokenExchangeRequest request) {
    tokenExchangeCalls.incrementAndGet();
    synchronized (lock) {
      return answer(
          () -> grant(provider.clientId(), request.scopes(), Optional.empty(), clock.now()));
    }
  }

  public int tokenExchangeCalls() {
    return tokenExchangeCalls.get();
  }

  @Override
  public CompletionStage<RevocationOutcome> revoke(
      AuthProvider provider, Secret token, String tokenTypeHint) {
    revocations.incrementAndGet();
    synchronized (lock) {
      if (metadata.revocationEndpoint().isEmpty()) {
        return CompletableFuture.completedFuture(new RevocationOutcome.NotSupported());
      }
      if (revocationFailure.isPresent()) {
        return CompletableFuture.completedFuture(
            new RevocationOutcome.Failed(revocationFailure.get()));
      }
      // RFC 7009 §2.2: an unknown token is not an error
      RefreshGrant refresh = refreshTokens.get(token.reveal());
      if (refresh != null) {
        refresh.status = Status.REVOKED;
      }
      AccessGrant access = accessTokens.get(token.reveal());
      if (access != null) {
        access.revoked = true;
      }
    }
    return CompletableFuture.completedFuture(new RevocationOutcome.Revoked());
  }

  // ---- for assertions ----

  public int discoveries() {
    return discoveries.get();
  }

  public int refreshCalls() {
    return refreshCalls.get();
  }

  public int codeExchanges() {
    return codeExchanges.get();
  }

  public int clientCredentialsCalls() {
    return clientCredentialsCalls.get();
  }

  public int jwtBearerCalls() {
    return jwtBearerCalls.get();
  }

  public int revocations() {
    return revocations.get();
  }

  /** Whether {@code accessToken} is the last one this provider issued. */
  public boolean isCurrentAccessToken(String accessToken) {
    synchronized (lock) {
      return latestAccessToken.filter(accessToken::equals).isPresent();
    }
  }

  /** Whether {@code accessToken} was issued here, is unexpired now and not revoked. */
  public boolean isValidAccessToken(String accessToken) {
    synchronized (lock) {
      AccessGrant grant = accessTokens.get(accessToken);
      return grant != null && isValid(grant, clock.now());
    }
  }

  /** The access tokens issued here that are unexpired now and not revoked. */
  public Set<String> validAccessTokens() {
    synchronized (lock) {
      Instant now = clock.now();
      Set<String> valid = new TreeSet<>();
      accessTokens.forEach(
          (token, grant) -> {
            if (isValid(grant, now)) {
              valid.add(token);
            }
          });
      return valid;
    }
  }

  /** Whose token it is: the approving subject, the client id, or the JWT bearer subject. */
  public Optional<String> subjectOf(String accessToken) {
    synchronized (lock) {
      return Optional.ofNullable(accessTokens.get(accessToken)).map(grant -> grant.subject);
    }
  }

  /** Whether {@code refreshToken} would be accepted now. */
  public boolean isActiveRefreshToken(String refreshToken) {
    synchronized (lock) {
      RefreshGrant grant = refreshTokens.get(refreshToken);
      return grant != null && refusal(grant, clock.now()).isEmpty();
    }
  }

  // ---- the token endpoint, under the lock ----

  private CompletionStage<GrantOutcome> answer(java.util.function.Supplier<GrantOutcome> grant) {
    GrantOutcome scripted = script.poll();
    GrantOutcome outcome = scripted != null ? scripted : grant.get();
    if (held) {
      CompletableFuture<GrantOutcome> future = new CompletableFuture<>();
      heldAnswers.add(new HeldAnswer(future, outcome));
      return future;
    }
    return CompletableFuture.completedFuture(outcome);
  }

  private GrantOutcome exchange(
      AuthProvider provider, String code, Secret codeVerifier, URI redirectUri) {
    // one use only, even a failed one (RFC 6749 §4.1.2)
    AuthorizationCode issued = codes.remove(code);
    Instant now = clock.now();
    if (issued == null) {
      return invalidGrant("Code not valid");
    }
    if (!now.isBefore(issued.issuedAt().plus(CODE_LIFETIME))) {
      return invalidGrant("Code expired");
    }
    if (!issued.redirectUri().equals(redirectUri)) {
      return invalidGrant("Incorrect redirect_uri");
    }
    if (!issued.clientId().equals(provider.clientId())) {
      return invalidGrant("Code was issued to another client");
    }
    if (!VERIFIER.matcher(codeVerifier.reveal()).matches()
        || !s256(codeVerifier.reveal()).equals(issued.codeChallenge())) {
      return invalidGrant("PKCE verification failed: code verifier does not match the challenge");
    }
    boolean offline = offlineScope.map(issued.scopes()::contains).orElse(true);
    Optional<String> refreshToken =
        offline ? Optional.of(newRefreshToken(provider, issued, now)) : Optional.empty();
    return grant(issued.subject(), grantScopes.orElse(issued.scopes()), refreshToken, now);
  }

  private String newRefreshToken(AuthProvider provider, AuthorizationCode issued, Instant now) {
    String token = "rt-" + ++refreshTokenSequence;
    refreshTokens.put(
        token,
        new RefreshGrant(
            provider.clientId(), issued.subject(), grantScopes.orElse(issued.scopes()), now, now));
    return token;
  }

  private GrantOutcome refreshGrant(AuthProvider provider, String refreshToken) {
    Instant now = clock.now();
    RefreshGrant used = refreshTokens.get(refreshToken);
    if (used == null) {
      return invalidGrant(NOT_ACTIVE);
    }
    Optional<String> refused = refusal(used, now);
    if (refused.isPresent()) {
      return invalidGrant(refused.get());
    }
    if (!used.clientId.equals(provider.clientId())) {
      return invalidGrant("Token was not issued to this client");
    }
    String next = refreshToken;
    if (rotateRefreshTokens) {
      used.status = Status.ROTATED;
      next = "rt-" + ++refreshTokenSequence;
      refreshTokens.put(
          next, new RefreshGrant(used.clientId, used.subject, used.scopes, now, used.sessionStart));
    } else {
      used.lastUsedAt = now;
    }
    return grant(used.subject, used.scopes, Optional.of(next), now);
  }

  private Optional<String> refusal(RefreshGrant grant, Instant now) {
    return switch (grant.status) {
      case ROTATED -> Optional.of(NOT_ACTIVE);
      case REVOKED -> Optional.of(REVOKED);
      case ACTIVE -> {
        boolean idle =
            refreshTokenIdleLifetime
                .filter(lifetime -> !now.isBefore(grant.lastUsedAt.plus(lifetime)))
                .isPresent();
        boolean old =
            refreshTokenMaxLifetime
                .filter(lifetime -> !now.isBefore(grant.sessionStart.plus(lifetime)))
                .isPresent();
        yield idle || old ? Optional.of(EXPIRED) : Optional.empty();
      }
    };
  }

  private GrantOutcome grant(
      String subject, List<String> scopes, Optional<String> refreshToken, Instant now) {
    String accessToken = "at-" + ++accessTokenSequence;
    accessTokens.put(accessToken, new AccessGrant(subject, expiresIn.map(now::plus)));
    latestAccessToken = Optional.of(accessToken);
    Optional<Duration> refreshExpiresIn =
        refreshToken.isPresent() && reportRefreshExpiresIn
            ? refreshTokenIdleLifetime
            : Optional.empty();
    return new GrantOutcome.Granted(
        new TokenResponse(
            Secret.of(accessToken),
            "Bearer",
            expiresIn,
            refreshToken.map(Secret::of),
            refreshExpiresIn,
            Optional.empty(),
            Optional.of(scopes),
            Optional.of(
                new ProviderIdentity(
                    subject, Optional.empty(), Optional.empty(), Optional.empty()))));
  }

  private static boolean isValid(AccessGrant grant, Instant now) {
    return !grant.revoked && grant.expiresAt.map(now::isBefore).orElse(true);
  }

  private static GrantOutcome invalidGrant(String description) {
    return new GrantOutcome.Refused("invalid_grant", Optional.of(description), 400);
  }

  /** RFC 7636 §4.2: BASE64URL-ENCODE(SHA256(ASCII(code_verifier))), without padding. */
  static String s256(String verifier) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  private static List<String> splitScope(String scope) {
    if (scope == null || scope.isBlank()) {
      return List.of();
    }
    return List.of(scope.trim().split(" +"));
  }

  private static Map<String, String> parseQuery(String rawQuery) {
    Map<String, String> query = new LinkedHashMap<>();
    if (rawQuery != null && !rawQuery.isEmpty()) {
      for (String pair : rawQuery.split("&")) {
        int equals = pair.indexOf('=');
        String name = equals < 0 ? pair : pair.substring(0, equals);
        String value = equals < 0 ? "" : pair.substring(equals + 1);
        // RFC 6749 §3.1: parameters must not repeat; the first one counts here
        query.putIfAbsent(
            URLDecoder.decode(name, StandardCharsets.UTF_8),
            URLDecoder.decode(value, StandardCharsets.UTF_8));
      }
    }
    return Map.copyOf(query);
  }

  private static URI withoutQuery(URI uri) {
    return URI.create(uri.getScheme() + "://" + uri.getRawAuthority() + uri.getRawPath());
  }

  private static URI withQuery(URI base, String... namesAndValues) {
    StringBuilder query = new StringBuilder();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      if (namesAndValues[i + 1] == null) {
        continue;
      }
      query
          .append(query.length() == 0 ? "" : "&")
          .append(namesAndValues[i])
          .append('=')
          .append(URLEncoder.encode(namesAndValues[i + 1], StandardCharsets.UTF_8));
    }
    String separator = base.getRawQuery() == null ? "?" : "&";
    return URI.create(base + separator + query);
  }
}
