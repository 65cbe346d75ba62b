package dev.callgate.tools.bench;

import dev.callgate.core.callout.Body;
import dev.callgate.core.callout.CalloutHead;
import dev.callgate.core.callout.CalloutResponse;
import dev.callgate.core.callout.Headers;
import dev.callgate.core.callout.OutboundRequest;
import dev.callgate.core.credential.AuthProviderDraft;
import dev.callgate.core.credential.CredentialDraft;
import dev.callgate.core.credential.NamedCredential;
import dev.callgate.core.credential.Secret;
import dev.callgate.core.diagnosis.Validated;
import dev.callgate.core.event.EventSource;
import dev.callgate.core.port.CalloutTransport;
import dev.callgate.core.port.CredentialSaveOutcome;
import dev.callgate.core.refresh.RefreshPolicy;
import dev.callgate.core.service.ApiKeys;
import dev.callgate.core.service.Caller;
import dev.callgate.core.service.CalloutResult;
import dev.callgate.core.service.Callouts;
import dev.callgate.core.service.Refresher;
import dev.callgate.core.testkit.InMemoryApiKeyStore;
import dev.callgate.core.testkit.InMemoryCredentialStore;
import dev.callgate.core.testkit.InMemoryEventLog;
import dev.callgate.core.testkit.InMemoryIdentityProvider;
import dev.callgate.core.testkit.InMemoryTokenStore;
import dev.callgate.core.testkit.ManualClock;
import dev.callgate.core.token.TokenKey;
import dev.callgate.core.token.TokenSet;
import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Callgate's callout use cases wired as the service wires them, over core's in-memory stores and a
 * transport that answers at once: everything a callout does inside the process, and nothing that
 * leaves it. The only place the benchmarks build objects, so a change of a constructor is mended
 * here alone. One caller ({@value #CALLER}, authenticated by its API key) calls one credential
 * ({@value #CREDENTIAL}) with the headers a typical HTTP client sends; an OAuth credential's token
 * is fetched once while the path is built, so every measured callout finds it fresh in the store.
 */
public final class CalloutPath {
  static final String CALLER = "app";
  static final String CREDENTIAL = "crm";

  /** The credentials a callout can use, as the benchmarks name them. */
  public enum Kind {
    /** A static key injected as {@code X-API-Key}: no token store on the path. */
    API_KEY,
    /** {@code Authorization: Bearer} with a client-credentials token read from the token store. */
    CLIENT_CREDENTIALS
  }

  final ApiKeys apiKeys;
  final Secret presentedKey;
  final Callouts callouts;
  final CalloutHead head;
  final Body body = Body.EMPTY;
  final NamedCredential credential;
  final Optional<TokenSet> tokens;
  final AnsweringTransport transport = new AnsweringTransport();

  private CalloutPath(Kind kind) {
    ManualClock clock = new ManualClock();
    InMemoryEventLog events = new InMemoryEventLog();
    InMemoryTokenStore tokenStore = new InMemoryTokenStore(events);
    InMemoryCredentialStore credentialStore = new InMemoryCredentialStore(tokenStore);
    RefreshPolicy policy =
        new RefreshPolicy(RefreshPolicy.Settings.defaults(), new SplittableRandom(7));
    Refresher refresher =
        new Refresher(
            credentialStore,
            tokenStore,
            new InMemoryIdentityProvider(clock),
            clock,
            policy,
            Refresher.Settings.defaults("bench"));
    callouts = new Callouts(credentialStore, tokenStore, refresher, transport, clock, policy);
    apiKeys =
        new ApiKeys(
            new InMemoryApiKeyStore(events),
            new EventSource("bench", clock),
            new SecureRandom(),
            Optional.empty());
    presentedKey = join(apiKeys.create(CALLER, Set.of(Caller.Role.CALLER))).key();

    if (kind == Kind.CLIENT_CREDENTIALS) {
      join(credentialStore.saveProvider(valid(provider())));
    }
    credential = valid(credential(kind));
    if (join(credentialStore.saveCredential(credential)) != CredentialSaveOutcome.SAVED) {
      throw new IllegalStateException("credential " + CREDENTIAL + " was not saved");
    }
    head =
        new CalloutHead(
            "GET",
            "orders/42",
            Optional.of("expand=items&limit=10"),
            Headers.of(
                "Host", "callgate.example:8080",
                "User-Agent", "okhttp/4.12.0",
                "Accept", "application/json",
                "Accept-Encoding", "gzip",
                "Authorization", "Bearer " + presentedKey.reveal(),
                "X-Request-Id", "3f1c9a2e-6b1d-4c55-9d0e-2a7b8c4d5e6f"));
    // the first callout of an OAuth credential fetches its token and marks it used
    Caller caller = join(apiKeys.authenticate(presentedKey)).orElseThrow();
    CalloutResult first = join(callouts.send(caller, CREDENTIAL, head.with(body)));
    if (!(first instanceof CalloutResult.Relayed)) {
      throw new IllegalStateException("the first callout was not relayed: " + first);
    }
    tokens =
        kind == Kind.CLIENT_CREDENTIALS
            ? join(tokenStore.find(TokenKey.named(CREDENTIAL))).orElseThrow().tokens()
            : Optional.empty();
  }

  /** The path for {@code kind}, with its first callout done. */
  public static CalloutPath of(Kind kind) {
    return new CalloutPath(kind);
  }

  private static AuthProviderDraft provider() {
    return new AuthProviderDraft(
        "idp",
        InMemoryIdentityProvider.ISSUER,
        null,
        null,
        null,
        "callgate-client",
        "client-secret",
        null,
        List.of("api.read"),
        null);
  }

  private static CredentialDraft credential(Kind kind) {
    boolean apiKey = kind == Kind.API_KEY;
    return new CredentialDraft(
        CREDENTIAL,
        "https://api.example/v1",
        apiKey ? "api_key" : "oauth2_client_credentials",
        "named",
        apiKey ? null : "idp",
        true,
        false,
        false,
        List.of(CALLER),
        true,
        null,
        null,
        null,
        null,
        apiKey ? "k-7d2f4a9c0b1e8f3a6d5c4b2a" : null,
        null,
        null,
        null,
        null);
  }

  private static <T> T valid(Object draft) {
    Validated<?> validated =
        draft instanceof CredentialDraft c ? c.validate() : ((AuthProviderDraft) draft).validate();
    if (!(validated instanceof Validated.Valid<?> valid)) {
      throw new IllegalStateException("invalid draft: " + validated.problems());
    }
    @SuppressWarnings("unchecked")
    T value = (T) valid.value();
    return value;
  }

  /** The value of a stage that the in-memory ports have completed already. */
  static <T> T join(CompletionStage<T> stage) {
    return stage.toCompletableFuture().join();
  }

  /** A target that answers {@code 200 {}} at once, keeping the last request it was sent. */
  static final class AnsweringTransport implements CalloutTransport {
    private static final CompletionStage<TransportOutcome> ANSWER =
        CompletableFuture.completedStage(
            new Sent(
                new CalloutResponse(
                    200,
                    Headers.of("Content-Type", "application/json", "Content-Length", "2"),
                    Body.of("{}"))));

    private OutboundRequest last;

    @Override
    public CompletionStage<TransportOutcome> send(OutboundRequest request) {
      last = request;
      return ANSWER;
    }

    OutboundRequest last() {
      return last;
    }
  }
}
