package dev.callgate.core.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.core.callout.RefreshRuleDraft;
import dev.callgate.core.credential.AuthProvider;
import dev.callgate.core.credential.AuthProviderDraft;
import dev.callgate.core.credential.CredentialDraft;
import dev.callgate.core.credential.NamedCredential;
import dev.callgate.core.credential.TokenExchangeDraft;
import dev.callgate.core.diagnosis.Validated;
import dev.callgate.core.event.Actor;
import dev.callgate.core.event.Event;
import dev.callgate.core.event.EventSource;
import dev.callgate.core.event.EventType;
import dev.callgate.core.port.CredentialSaveOutcome;
import dev.callgate.core.refresh.RefreshPolicy;
import dev.callgate.core.testkit.InMemoryCredentialStore;
import dev.callgate.core.testkit.InMemoryEventLog;
import dev.callgate.core.testkit.InMemoryIdentityProvider;
import dev.callgate.core.testkit.InMemoryPendingAuthorizationStore;
import dev.callgate.core.testkit.InMemoryTokenStore;
import dev.callgate.core.testkit.ManualClock;
import dev.callgate.core.testkit.ScriptedTarget;
import dev.callgate.core.token.TokenKey;
import dev.callgate.core.token.TokenRecord;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/** The use cases wired over the in-memory ports, as the service wires them over the adapters. */
final class ServiceFixture {
  private final java.util.Map<String, String> cookies =
      new java.util.concurrent.ConcurrentHashMap<>();

  static final URI REDIRECT_URI = URI.create("https://callgate.test/v1/oauth/callback");
  static final Caller ADMIN = new Caller("admin", "key-admin", Set.of(Caller.Role.ADMIN));

  /** The request id the fixture's actors act in. */
  static final String REQUEST_ID = "req-1";

  /** The admin acting in {@link #REQUEST_ID}. */
  static final Actor ADMIN_ACTOR = ADMIN.actor(REQUEST_ID);

  final ManualClock clock = new ManualClock();
  final InMemoryEventLog events = new InMemoryEventLog();
  final InMemoryTokenStore tokens = new InMemoryTokenStore(events);
  final InMemoryCredentialStore credentials = new InMemoryCredentialStore(tokens);
  final InMemoryPendingAuthorizationStore pending = new InMemoryPendingAuthorizationStore(events);
  final InMemoryIdentityProvider idp = new InMemoryIdentityProvider(clock);
  final ScriptedTarget target = new ScriptedTarget();
  final RefreshPolicy policy =
      new RefreshPolicy(RefreshPolicy.Settings.defaults(), new SplittableRandom(7));
  final Refresher refresher;
  final Callouts callouts;
  final Authorizations authorizations;
  final RefreshSchedule schedule;
  final Providers providers;
  final Credentials credentialUseCases;
  final Revocations revocations;
  final TokenStatuses statuses;
  final ManualRefreshes manualRefreshes;
  final ConnectionTests connectionTests;

  ServiceFixture() {
    this("instance-1");
  }

  ServiceFixture(String instanceId) {
    EventSource source = new EventSource(instanceId, clock);
    refresher =
        new Refresher(
            credentials, tokens, idp, clock, policy, Refresher.Settings.defaults(instanceId));
    callouts = new Callouts(credentials, tokens, refresher, target, clock, policy);
    authorizations =
        new Authorizations(
            credentials,
            tokens,
            pending,
            idp,
            source,
            new SplittableRandom(11),
            policy,
            new Authorizations.Settings(REDIRECT_URI, Duration.ofMinutes(10)),
            events);
    schedule =
        new RefreshSchedule(
            credentials,
            tokens,
            refresher,
            clock,
            policy,
            new RefreshSchedule.Settings(instanceId, 100, Duration.ofSeconds(30)));
    providers = new Providers(credentials, tokens, idp, source, new SplittableRandom(13), policy);
    revocations =
        new Revocations(
            credentials,
            tokens,
            idp,
            clock,
            policy,
            Refresher.Settings.defaults(instanceId),
            events);
    credentialUseCases = new Credentials(credentials, providers, revocations, source);
    statuses = new TokenStatuses(credentials, tokens, clock);
    manualRefreshes = new ManualRefreshes(credentials, refresher, statuses, clock, events);
    connectionTests = new ConnectionTests(credentials, callouts, clock);
  }

  /** An OIDC provider asking for {@code scopes}, optionally with a configured refresh lifetime. */
  AuthProvider provider(List<String> scopes, String refreshTokenLifetime) {
    return provider(scopes, refreshTokenLifetime, null, null);
  }

  /**
   * An OIDC provider at the in-memory issuer made from {@code template} (whose issuer it
   * overrides), optionally assuming {@code accessTokenLifetime}.
   */
  AuthProvider provider(
      List<String> scopes,
      String refreshTokenLifetime,
      String template,
      String accessTokenLifetime) {
    AuthProvider provider =
        valid(
            new AuthProviderDraft(
                "idp",
                InMemoryIdentityProvider.ISSUER,
                null,
                null,
                null,
                "callgate-client",
                "client-secret",
                null,
                scopes,
                refreshTokenLifetime,
                null,
                template,
                null,
                accessTokenLifetime,
                null,
                null,
                null,
                null,
                null,
                null,
                null));
    join(credentials.saveProvider(provider));
    return provider;
  }

  /** The provider {@link #provider(List, String)} saved. */
  AuthProvider provider() {
    return join(credentials.findProvider("idp")).orElseThrow();
  }

  NamedCredential credential(CredentialDraft draft) {
    NamedCredential credential = valid(draft);
    if (join(credentials.saveCredential(credential)) != CredentialSaveOutcome.SAVED) {
      throw new AssertionError("save the provider of '" + credential.name() + "' first");
    }
    return credential;
  }

  /** An authorization-code credential for {@code https://api.test/v1}, named principal. */
  static CredentialDraft authorizationCode(String name) {
    return draft(name, "oauth2_authorization_code", "named", true, false, List.of("app"), true);
  }

  static CredentialDraft draft(
      String name,
      String protocol,
      String principal,
      boolean generate,
      boolean mergeInHeaders,
      List<String> callers,
      boolean keepAlive) {
    return new CredentialDraft(
        name,
        "https://api.test/v1",
        protocol,
        principal,
        "idp",
        generate,
        mergeInHeaders,
        false,
        callers,
        keepAlive,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null);
  }

  /**
   * A named credential callable by {@code app}, as {@link #draft} makes it, with a password,
   * refresh rules and token-exchange settings (each may be null).
   */
  static CredentialDraft namedDraft(
      String name,
      String protocol,
      String password,
      List<RefreshRuleDraft> refreshOn,
      TokenExchangeDraft tokenExchange) {
    CredentialDraft d = draft(name, protocol, "named", true, false, List.of("app"), true);
    return new CredentialDraft(
        d.name(),
        d.url(),
        d.protocol(),
        d.principal(),
        d.provider(),
        d.generateAuthorizationHeader(),
        d.allowMergeFieldsInHeaders(),
        d.allowMergeFieldsInBody(),
        d.allowedCallers(),
        d.keepAlive(),
        d.testPath(),
        d.username(),
        password,
        d.apiKeyHeader(),
        d.apiKey(),
        d.jwtIssuer(),
        d.jwtSubject(),
        d.jwtAudience(),
        d.jwtSigningKey(),
        d.allowedMethods(),
        d.allowedReturnUrls(),
        d.applicationName(),
        refreshOn,
        d.tokenPlacement(),
        d.aws(),
        tokenExchange,
        null,
        null,
        null);
  }

  /** Starts the flow for {@code caller}'s own token (or the named one), in {@link #REQUEST_ID}. */
  CompletionStage<AuthorizationStart> start(Caller caller, String credentialName) {
    return start(caller, credentialName, java.util.Optional.empty());
  }

  /** Starts the flow for {@code user}'s token (empty: the caller's own), in {@link #REQUEST_ID}. */
  CompletionStage<AuthorizationStart> start(
      Caller caller, String credentialName, java.util.Optional<String> user) {
    return start(caller, credentialName, user, false);
  }

  /** As above; {@code allowIdentityChange} as an admin's start request carries it. */
  CompletionStage<AuthorizationStart> start(
      Caller caller,
      String credentialName,
      java.util.Optional<String> user,
      boolean allowIdentityChange) {
    return authorizations.start(
        caller, credentialName, user, allowIdentityChange, caller.actor(REQUEST_ID));
  }

  /** Runs the authorization-code flow for {@code caller}, as a person in a browser would. */
  TokenRecord authorize(String credentialName, Caller caller) {
    return authorize(credentialName, caller, caller.subject());
  }

  /** Runs the flow for {@code caller}, signing in at the provider as {@code providerSubject}. */
  TokenRecord authorize(String credentialName, Caller caller, String providerSubject) {
    return authorize(credentialName, caller, providerSubject, false);
  }

  /** As above; {@code allowIdentityChange} as an admin's start request carries it. */
  TokenRecord authorize(
      String credentialName, Caller caller, String providerSubject, boolean allowIdentityChange) {
    AuthorizationStart start =
        join(
            authorizations.start(
                caller,
                credentialName,
                java.util.Optional.empty(),
                allowIdentityChange,
                caller.actor(REQUEST_ID)));
    assertThat(start).isInstanceOf(AuthorizationStart.Started.class);
    URI url = browse(((AuthorizationStart.Started) start).authorizationUrl());
    InMemoryIdentityProvider.Approval approval = idp.approve(url, providerSubject);
    AuthorizationCompletion done = join(authorizations.complete(callback(approval)));
    assertThat(done).isInstanceOf(AuthorizationCompletion.Authorized.class);
    return ((AuthorizationCompletion.Authorized) done).record();
  }

  /**
   * A browser opening Callgate's authorization page {@code page}: the provider URL it is sent on
   * to, with the flow-binding cookie kept for {@link #callback}.
   */
  URI browse(URI page) {
    String flow = page.getRawQuery().substring("flow=".length());
    AuthorizationOpening opening =
        join(authorizations.open(URLDecoder.decode(flow, StandardCharsets.UTF_8)));
    assertThat(opening).isInstanceOf(AuthorizationOpening.Opened.class);
    AuthorizationOpening.Opened opened = (AuthorizationOpening.Opened) opening;
    cookies.put(opened.binding().cookieName(), opened.binding().secret().reveal());
    return opened.providerUrl();
  }

  /** The provider's redirect back with {@code approval}, in the browser that opened the flow. */
  AuthorizationCallback callback(InMemoryIdentityProvider.Approval approval) {
    return AuthorizationCallback.withCode(
        approval.state(),
        approval.code(),
        cookies.getOrDefault(BrowserBinding.cookieName(approval.state()), "no-cookie"));
  }

  /** The flow-binding cookie the browser holds for the flow of {@code state}, if any. */
  java.util.Optional<String> cookie(String state) {
    return java.util.Optional.ofNullable(cookies.get(BrowserBinding.cookieName(state)));
  }

  /** The events recorded so far of {@code type}, oldest first. */
  List<Event> events(EventType type) {
    return events.all().stream().filter(e -> e.type() == type).toList();
  }

  TokenRecord stored(TokenKey key) {
    return tokens.stored(key).orElseThrow();
  }

  static <T> T valid(Object draft) {
    Validated<?> validated =
        draft instanceof CredentialDraft c ? c.validate() : ((AuthProviderDraft) draft).validate();
    assertThat(validated.problems()).isEmpty();
    @SuppressWarnings("unchecked")
    T value = (T) ((Validated.Valid<?>) validated).value();
    return value;
  }

  static <T> T join(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("stage did not complete normally", e);
    }
  }
}
