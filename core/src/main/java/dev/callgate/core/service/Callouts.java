package dev.callgate.core.service;

import static dev.callgate.core.diagnosis.DiagnosisCode.CREDENTIAL_NOT_FOUND;
import static dev.callgate.core.diagnosis.DiagnosisCode.REQUEST_TOO_LARGE;
import static dev.callgate.core.diagnosis.DiagnosisCode.SECRET_ECHOED;
import static dev.callgate.core.diagnosis.DiagnosisCode.STORE_UNAVAILABLE;
import static dev.callgate.core.diagnosis.DiagnosisCode.TARGET_CONNECTION_LIMIT_REACHED;
import static dev.callgate.core.diagnosis.DiagnosisCode.TARGET_UNREACHABLE;
import static dev.callgate.core.diagnosis.DiagnosisCode.TLS_BOUND_TOKEN_REJECTED;
import static dev.callgate.core.diagnosis.DiagnosisCode.TOKEN_EXCHANGE_SUBJECT_TOKEN_MISSING;
import static dev.callgate.core.diagnosis.DiagnosisCode.TOKEN_REJECTED_AFTER_REFRESH;

import dev.callgate.core.callout.AuthorizationHeaders;
import dev.callgate.core.callout.Body;
import dev.callgate.core.callout.BodyMode;
import dev.callgate.core.callout.BodyOutcome;
import dev.callgate.core.callout.CalloutHead;
import dev.callgate.core.callout.CalloutRequest;
import dev.callgate.core.callout.CalloutResponse;
import dev.callgate.core.callout.EchoGuard;
import dev.callgate.core.callout.HeaderOutcome;
import dev.callgate.core.callout.HeaderRules;
import dev.callgate.core.callout.Headers;
import dev.callgate.core.callout.MergeFieldValues;
import dev.callgate.core.callout.MergeFields;
import dev.callgate.core.callout.OutboundRequest;
import dev.callgate.core.callout.TargetUrl;
import dev.callgate.core.callout.TargetUrlOutcome;
import dev.callgate.core.callout.UnauthorizedResponseClassifier;
import dev.callgate.core.credential.Authentication;
import dev.callgate.core.credential.NamedCredential;
import dev.callgate.core.credential.PrincipalType;
import dev.callgate.core.credential.Secret;
import dev.callgate.core.credential.TlsSettings;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.event.TokenChange;
import dev.callgate.core.port.CalloutTransport;
import dev.callgate.core.port.Clock;
import dev.callgate.core.port.CredentialStore;
import dev.callgate.core.port.RequestSigner;
import dev.callgate.core.port.StoreUnavailableException;
import dev.callgate.core.port.TokenStore;
import dev.callgate.core.refresh.Freshness;
import dev.callgate.core.refresh.RefreshPolicy;
import dev.callgate.core.refresh.RefreshTrigger;
import dev.callgate.core.token.TokenKey;
import dev.callgate.core.token.TokenRecord;
import dev.callgate.core.token.TokenSet;
import dev.callgate.core.token.TokenState;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Sends a caller's request to a named credential's API with the credential applied, in two steps so
 * that no body is read for a callout that is refused anyway: {@link #prepare} resolves the
 * credential and checks the caller, the method, the headers and the path (kept below the
 * credential's URL) and says how the body is to be read; {@link #send} then applies the header
 * rules (and refuses a caller's own authorization header where Callgate generates one), picks a
 * usable token — serving a still-valid one while it is refreshed in the background, and waiting
 * only when it is about to expire — and, when the target answers an expired-token 401 or an answer
 * one of the credential's {@code refreshOn} rules names, refreshes once and retries once. A fresh
 * token that is rejected too is reported as {@code TOKEN_REJECTED_AFTER_REFRESH}, never retried
 * again.
 */
public final class Callouts {
  private static final System.Logger LOG = System.getLogger(Callouts.class.getName());

  private final CredentialStore credentials;
  private final TokenStore tokens;
  private final Refresher refresher;
  private final CalloutTransport transport;
  private final Clock clock;
  private final RefreshPlanner planner;
  private final TokenUpdates updates;
  private final long bufferedBodyLimit;
  private final RefreshRuleObserver ruleObserver;
  private final RequestSigner signer;
  private final CallerTokenExchanges callerExchanges;

  private static final String SUBJECT_TOKEN_HEADER =
      Authentication.TokenExchange.SUBJECT_TOKEN_HEADER;

  /** What a body that merge fields are resolved in may hold, unless configured otherwise. */
  public static final long DEFAULT_BUFFERED_BODY_LIMIT = 1024 * 1024;

  /** Tokens this process is marking as used, with the issue time of the set being marked. */
  private final ConcurrentHashMap<TokenKey, Instant> marking = new ConcurrentHashMap<>();

  public Callouts(
      CredentialStore credentials,
      TokenStore tokens,
      Refresher refresher,
      CalloutTransport transport,
      Clock clock,
      RefreshPolicy policy) {
    this(credentials, tokens, refresher, transport, clock, policy, DEFAULT_BUFFERED_BODY_LIMIT);
  }

  /** {@code bufferedBodyLimit}: the most a body that merge fields are resolved in may hold. */
  public Callouts(
      CredentialStore credentials,
      TokenStore tokens,
      Refresher refresher,
      CalloutTransport transport,
      Clock clock,
      RefreshPolicy policy,
      long bufferedBodyLimit) {
    this(
        credentials,
        tokens,
        refresher,
        transport,
        clock,
        policy,
        bufferedBodyLimit,
        RefreshRuleObserver.NONE,
        RequestSigner.NONE);
  }

  /**
   * {@code ruleObserver} is told each time a {@code refreshOn} rule fires; {@code signer} signs the
   * callouts of {@code aws_sigv4} credentials as they are sent.
   */
  public Callouts(
      CredentialStore credentials,
      TokenStore tokens,
      Refresher refresher,
      CalloutTransport transport,
      Clock clock,
      RefreshPolicy policy,
      long bufferedBodyLimit,
      RefreshRuleObserver ruleObserver,
      RequestSigner signer) {
    this.signer = signer;
    this.ruleObserver = ruleObserver;
    this.bufferedBodyLimit = bufferedBodyLimit;
    this.credentials = credentials;
    this.tokens = tokens;
    this.refresher = refresher;
    this.transport = transport;
    this.clock = clock;
    this.planner = new RefreshPlanner(policy);
    // only bookkeeping (a token's first use): the refresher's source names this instance
    this.updates = new TokenUpdates(tokens, refresher.events());
    this.callerExchanges =
        new CallerTokenExchanges(
            credentials,
            refresher.identityProvider(),
            clock,
            policy,
            CallerTokenExchanges.DEFAULT_CAPACITY);
  }

  /**
   * The first step, before any body is read: the credential (read once for the whole callout),
   * whether the caller may use it, whether the method is allowed, whether the headers are
   * acceptable, whether the path stays below the credential's URL, and how the body is to be read —
   * streamed, or into memory up to the limit when merge fields are resolved in it, refusing at once
   * a body that declares more. The stage fails only for defects; an unavailable store is {@code
   * STORE_UNAVAILABLE}.
   */
  public CompletionStage<PreparationOutcome> prepare(
      Caller caller, String credentialName, CalloutHead head) {
    return credentials
        .findCredential(credentialName)
        .thenApply(found -> prepare(caller, credentialName, head, found))
        .exceptionallyCompose(
            failure -> storeUnavailable(failure, PreparationOutcome.Rejected::new));
  }

  private PreparationOutcome prepare(
      Caller caller, String credentialName, CalloutHead head, Optional<NamedCredential> found) {
    if (found.isEmpty()) {
      return new PreparationOutcome.Rejected(
          Diagnosis.of(CREDENTIAL_NOT_FOUND, "credential", credentialName));
    }
    NamedCredential credential = found.get();
    Optional<Diagnosis> refusal =
        caller
            .refusedBy(credential)
            .or(() -> HeaderRules.methodRefused(credential, head.method()))
            .or(() -> HeaderRules.invalidField(head.headers()));
    if (refusal.isPresent()) {
      return new PreparationOutcome.Rejected(refusal.get());
    }
    if (credential.authentication() instanceof Authentication.TokenExchange exchange
        && exchange.subjectFromCaller()
        && head.headers().first(SUBJECT_TOKEN_HEADER).filter(t -> !t.isBlank()).isEmpty()) {
      return new PreparationOutcome.Rejected(
          Diagnosis.of(
              TOKEN_EXCHANGE_SUBJECT_TOKEN_MISSING,
              "credential",
              credential.name(),
              "header",
              SUBJECT_TOKEN_HEADER));
    }
    TargetUrlOutcome target = TargetUrl.resolve(credential.url(), head.rawPath(), head.rawQuery());
    if (target instanceof TargetUrlOutcome.Rejected rejected) {
      return new PreparationOutcome.Rejected(rejected.diagnosis());
    }
    BodyMode bodyMode =
        credential.allowMergeFieldsInBody()
            ? new BodyMode.Buffered(bufferedBodyLimit)
            : BodyMode.STREAMED;
    if (bodyMode instanceof BodyMode.Buffered buffered
        && declaredLength(head.headers()).orElse(0) > buffered.limit()) {
      return new PreparationOutcome.Rejected(
          Diagnosis.of(REQUEST_TOO_LARGE, "limit", buffered.limit()));
    }
    URI uri = ((TargetUrlOutcome.Resolved) target).uri();
    Optional<Diagnosis> conflict = TargetUrl.tokenParameterConflict(credential, uri);
    if (conflict.isPresent()) {
      return new PreparationOutcome.Rejected(conflict.get());
    }
    return new PreparationOutcome.Prepared(
        new PreparedCallout(caller, credential, head, uri, bodyMode));
  }

  /** The body's declared length; none when it is chunked (RFC 9112 §6.3 lets chunked win). */
  private static OptionalLong declaredLength(Headers headers) {
    if (headers.contains("Transfer-Encoding")) {
      return OptionalLong.empty();
    }
    try {
      return headers
          .first("Content-Length")
          .map(value -> OptionalLong.of(Long.parseLong(value.trim())))
          .orElse(OptionalLong.empty());
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  /**
   * The second step: sends a prepared callout with its body, read as {@link
   * PreparedCallout#bodyMode()} says. The stage fails only for defects; an unavailable store is
   * {@code STORE_UNAVAILABLE}, like every other expected failure a {@link CalloutResult.Refused}.
   */
  public CompletionStage<CalloutResult> send(PreparedCallout callout, Body body) {
    NamedCredential credential = callout.credential;
    if (callout.bodyMode() instanceof BodyMode.Buffered buffered
        && body.length().orElse(Long.MAX_VALUE) > buffered.limit()) {
      return refused(Diagnosis.of(REQUEST_TOO_LARGE, "limit", buffered.limit()));
    }
    CalloutRequest request = callout.head.with(body);
    CompletionStage<CalloutResult> result =
        targetTls(credential)
            .thenCompose(
                tls -> {
                  if (!credential.protocol().usesTokens()) {
                    return attempt(credential, tls, callout.target, request, Optional.empty())
                        .thenApply(attempt -> attempt.toResult(false));
                  }
                  if (credential.authentication() instanceof Authentication.TokenExchange exchange
                      && exchange.subjectFromCaller()) {
                    return withExchangedToken(
                        credential,
                        tls,
                        exchange,
                        Secret.of(callout.head.headers().first(SUBJECT_TOKEN_HEADER).orElseThrow()),
                        callout.target,
                        request);
                  }
                  TokenKey key =
                      credential.principal() == PrincipalType.NAMED
                          ? TokenKey.named(credential.name())
                          : TokenKey.perUser(credential.name(), callout.caller.subject());
                  return withToken(credential, tls, key, callout.target, request);
                });
    return result.exceptionallyCompose(
        failure -> storeUnavailable(failure, CalloutResult.Refused::new));
  }

  /**
   * {@code TOKEN_REJECTED_AFTER_REFRESH}, or, when a client certificate was presented, the
   * diagnosis that names it: a certificate-bound token (RFC 8705 §3) shown with another certificate
   * is rejected however often it is refreshed.
   */
  private static Diagnosis rejectedAfterRefresh(
      NamedCredential credential, TlsSettings tls, String status) {
    if (!tls.hasClientCertificate()) {
      return Diagnosis.of(TOKEN_REJECTED_AFTER_REFRESH, "status", status);
    }
    return Diagnosis.of(
        TLS_BOUND_TOKEN_REJECTED,
        "status",
        status,
        "certificate",
        tls.clientCertificateSubject(),
        "source",
        credential.tls().hasClientCertificate()
            ? "the credential's own"
            : "its provider's, the credential having none");
  }

  /**
   * The TLS of the connection to the target: the credential's own; for an OAuth credential without
   * a client certificate of its own whose provider has one, the provider's certificate with the
   * credential's trust. A target that checks certificate-bound access tokens (RFC 8705 §3) must be
   * shown the certificate the token was issued to, and a server that asks for no client certificate
   * is never sent one, so presenting it whenever the provider has one is safe. Only such
   * credentials look their provider up (in the store's cache); all others go straight on.
   */
  private CompletionStage<TlsSettings> targetTls(NamedCredential credential) {
    Optional<String> provider = credential.authentication().providerName();
    if (credential.tls().hasClientCertificate() || provider.isEmpty()) {
      return CompletableFuture.completedStage(credential.tls());
    }
    return credentials
        .findProvider(provider.get())
        .thenApply(
            found ->
                found
                    .map(p -> credential.tls().orClientCertificateOf(p.tls()))
                    .orElse(credential.tls()));
  }

  /** Both steps at once, for a request whose body is already in hand. */
  public CompletionStage<CalloutResult> send(
      Caller caller, String credentialName, CalloutRequest request) {
    return prepare(caller, credentialName, request.head())
        .thenCompose(
            outcome ->
                outcome.fold(
                    prepared -> send(prepared, request.body()), diagnosis -> refused(diagnosis)));
  }

  private CompletionStage<CalloutResult> withToken(
      NamedCredential credential, TlsSettings tls, TokenKey key, URI uri, CalloutRequest request) {
    return usableToken(credential, key)
        .thenCompose(
            usable -> {
              if (usable instanceof Usable.No no) {
                return refused(no.diagnosis());
              }
              TokenRecord record = ((Usable.Yes) usable).record();
              markUsed(credential, record);
              // the one refresh after a rejection counts against the budget of such refreshes
              return sendRenewingOnce(
                  credential,
                  tls,
                  uri,
                  request,
                  record.tokens(),
                  () ->
                      refresher
                          .refresh(
                              record.key(),
                              RefreshTrigger.ON_401,
                              record.tokens().map(TokenSet::accessToken))
                          .thenApply(
                              outcome ->
                                  outcome.fold(
                                      refreshed -> Renewal.of(refreshed.record().tokens()),
                                      refusal -> Renewal.refused(refusal.diagnosis()),
                                      deferred -> Renewal.refused(deferred.diagnosis()))));
            });
  }

  /**
   * A callout of a credential that exchanges the caller's subject token: the exchanged token
   * (cached while it is fresh), and after an expired-token 401 or a {@code refreshOn} answer one
   * new exchange and one retry.
   */
  private CompletionStage<CalloutResult> withExchangedToken(
      NamedCredential credential,
      TlsSettings tls,
      Authentication.TokenExchange exchange,
      Secret subjectToken,
      URI uri,
      CalloutRequest request) {
    return callerExchanges
        .token(credential.name(), exchange, subjectToken, Optional.empty())
        .thenCompose(
            first -> {
              if (first.tokens().isEmpty()) {
                return refused(first.refusal().orElseThrow());
              }
              TokenSet used = first.tokens().get();
              return sendRenewingOnce(
                  credential,
                  tls,
                  uri,
                  request,
                  Optional.of(used),
                  () ->
                      callerExchanges
                          .token(
                              credential.name(),
                              exchange,
                              subjectToken,
                              Optional.of(used.accessToken()))
                          .thenApply(
                              again ->
                                  again.tokens().isPresent()
                                      ? Renewal.of(again.tokens())
                                      : Renewal.refused(again.refusal().orElseThrow())));
            });
  }

  /**
   * Sends with {@code tokens}; after an expired-token 401 or an answer a {@code refreshOn} rule
   * names, renews the token once and retries once.
   */
  private CompletionStage<CalloutResult> sendRenewingOnce(
      NamedCredential credential,
      TlsSettings tls,
      URI uri,
      CalloutRequest request,
      Optional<TokenSet> tokens,
      Supplier<CompletionStage<Renewal>> renew) {
    return attempt(credential, tls, uri, request, tokens)
        .thenCompose(
            first -> {
              if (!(first instanceof Attempt.Answered answered)) {
                return CompletableFuture.completedStage(first.toResult(false));
              }
              if (UnauthorizedResponseClassifier.classify(answered.response()).verdict()
                  == UnauthorizedResponseClassifier.Verdict.EXPIRED_TOKEN) {
                return renewAndRetry(credential, tls, uri, request, answered, renew);
              }
              return credential
                  .refreshOn()
                  .match(answered.response())
                  .fold(
                      matched -> {
                        ruleObserver.fired(credential.name(), matched);
                        return renewAndRetry(credential, tls, uri, request, answered, renew);
                      },
                      none -> CompletableFuture.completedStage(first.toResult(false)));
            });
  }

  /** The one renewal and the one retry after a stale-token answer. */
  private CompletionStage<CalloutResult> renewAndRetry(
      NamedCredential credential,
      TlsSettings tls,
      URI uri,
      CalloutRequest request,
      Attempt.Answered rejected,
      Supplier<CompletionStage<Renewal>> renew) {
    return renew
        .get()
        .thenCompose(
            renewal ->
                renewal.refusal().isPresent()
                    ? dropped(rejected, renewal.refusal().get())
                    : retry(credential, tls, uri, request, rejected, renewal.tokens()));
  }

  /** A renewed token, or why there is none. */
  private record Renewal(Optional<TokenSet> tokens, Optional<Diagnosis> refusal) {
    static Renewal of(Optional<TokenSet> tokens) {
      return new Renewal(tokens, Optional.empty());
    }

    static Renewal refused(Diagnosis diagnosis) {
      return new Renewal(Optional.empty(), Optional.of(diagnosis));
    }
  }

  /** Refuses the callout; the stale answer is not relayed, so a streamed body of it is let go. */
  private static CompletionStage<CalloutResult> dropped(
      Attempt.Answered stale, Diagnosis diagnosis) {
    discard(stale.response());
    return refused(diagnosis);
  }

  private static void discard(CalloutResponse response) {
    if (response.body() instanceof Body.Streamed streamed) {
      streamed.content().discard();
    }
  }

  private CompletionStage<CalloutResult> retry(
      NamedCredential credential,
      TlsSettings tls,
      URI uri,
      CalloutRequest request,
      Attempt.Answered rejected,
      Optional<TokenSet> fresh) {
    if (!request.body().isReplayable()) {
      // a streamed body is gone: relay the 401; the caller's retry finds the new token
      return CompletableFuture.completedStage(rejected.toResult(false));
    }
    discard(rejected.response());
    return attempt(credential, tls, uri, request, fresh)
        .thenApply(
            retry -> {
              if (!(retry instanceof Attempt.Answered answered)) {
                return retry.toResult(true);
              }
              Optional<String> stillStale = stillStale(credential, answered.response());
              if (stillStale.isEmpty()) {
                return retry.toResult(true);
              }
              EchoGuard both = rejected.guard().and(answered.guard());
              return screened(
                  answered.response(),
                  both,
                  response ->
                      new CalloutResult.RejectedAfterRefresh(
                          response, rejectedAfterRefresh(credential, tls, stillStale.get())));
            });
  }

  /**
   * Whether the retry's answer still calls the fresh token stale, in the words of the diagnosis's
   * {@code status}: any 401, or an answer a {@code refreshOn} rule names (with the rule).
   */
  private static Optional<String> stillStale(NamedCredential credential, CalloutResponse answer) {
    if (answer.status() == 401) {
      return Optional.of("401");
    }
    return credential
        .refreshOn()
        .match(answer)
        .fold(
            matched ->
                Optional.of(
                    answer.status() + ", which " + matched.describe() + " names a stale token,"),
            none -> Optional.empty());
  }

  /** A token the callout may use now, refreshing first only when it is about to expire. */
  private CompletionStage<Usable> usableToken(NamedCredential credential, TokenKey key) {
    return tokens
        .find(key)
        .thenCompose(
            found -> {
              TokenRecord record = found.orElseGet(() -> TokenRecord.unauthorized(key));
              // a refused client keeps its grant: its access token serves while it is valid
              if (record.tokens().isEmpty() || !record.state().keepsGrant()) {
                // client credentials and JWT bearer get their first token here, without a person
                return refresher
                    .refresh(key, RefreshTrigger.ON_DEMAND, Optional.empty())
                    .thenApply(outcome -> usable(outcome, Optional.empty()));
              }
              TokenSet current = record.tokens().get();
              Instant now = clock.now();
              Freshness freshness = planner.policy().freshness(current, now);
              return switch (freshness) {
                case FRESH -> CompletableFuture.completedStage(new Usable.Yes(record));
                case REFRESH_DUE -> {
                  refresher
                      .refresh(key, RefreshTrigger.PROACTIVE, Optional.of(current.accessToken()))
                      .whenComplete(
                          (outcome, failure) ->
                              logBackgroundFailure("refreshing ahead", key, failure));
                  yield CompletableFuture.completedStage(new Usable.Yes(record));
                }
                case MUST_REFRESH ->
                    refresher
                        .refresh(key, RefreshTrigger.ON_DEMAND, Optional.of(current.accessToken()))
                        .thenApply(outcome -> usable(outcome, Optional.of(record)));
              };
            });
  }

  private Usable usable(RefreshOutcome outcome, Optional<TokenRecord> current) {
    return outcome.fold(
        refreshed -> new Usable.Yes(refreshed.record()),
        rejected ->
            current
                    .filter(r -> r.state() == TokenState.CLIENT_REJECTED)
                    .flatMap(TokenRecord::tokens)
                    .filter(t -> !t.isAccessTokenExpiredAt(clock.now()))
                    .isPresent()
                ? new Usable.Yes(current.get())
                : new Usable.No(rejected.diagnosis()),
        deferred -> {
          // a refresh that may pass failed: a token that has not expired yet is still worth sending
          boolean stillValid =
              current
                  .flatMap(TokenRecord::tokens)
                  .map(t -> !t.isAccessTokenExpiredAt(clock.now()))
                  .orElse(false);
          return stillValid ? new Usable.Yes(current.get()) : new Usable.No(deferred.diagnosis());
        });
  }

  /**
   * Records the first use of a token set, so that the schedule refreshes tokens people use
   * proactively (and leaves idle ones to keep-alive). One write per token set, not per callout: the
   * first of many concurrent callouts in this process writes, and a record some other instance has
   * marked meanwhile is left as it is. Best effort, since the next callout marks it again.
   */
  private void markUsed(NamedCredential credential, TokenRecord record) {
    if (record.usedSinceIssued()) {
      return;
    }
    Instant issuedAt = record.tokens().map(TokenSet::issuedAt).orElse(Instant.MAX);
    if (marking.putIfAbsent(record.key(), issuedAt) != null) {
      return;
    }
    Instant now = clock.now();
    updates
        .update(
            record.key(),
            TokenChange.BOOKKEEPING,
            latest ->
                latest.usedSinceIssued() ? latest : latest.usedAt(now, planner.planFor(credential)))
        .whenComplete(
            (stored, failure) -> {
              marking.remove(record.key(), issuedAt);
              logBackgroundFailure("marking as used", record.key(), failure);
            });
  }

  /** Prepares the outbound request with the given tokens and sends it. */
  private CompletionStage<Attempt> attempt(
      NamedCredential credential,
      TlsSettings tls,
      URI uri,
      CalloutRequest request,
      Optional<TokenSet> tokenSet) {
    MergeFieldValues values = MergeFieldValues.of(credential.authentication(), tokenSet);
    Optional<Headers.Header> generated =
        credential.generateAuthorizationHeader()
            ? AuthorizationHeaders.generate(
                credential.authentication(), tokenSet, credential.tokenPlacement())
            : Optional.empty();
    URI target =
        credential.generateAuthorizationHeader()
            ? withTokenInQuery(credential, uri, tokenSet)
            : uri;
    HeaderOutcome headers = HeaderRules.prepare(credential, request.headers(), generated, values);
    EchoGuard guard = HeaderRules.echoGuard(credential, generated, values);
    if (headers instanceof HeaderOutcome.Rejected rejected) {
      return CompletableFuture.completedStage(new Attempt.Blocked(rejected.diagnosis()));
    }
    BodyOutcome body =
        MergeFields.resolveBody(request.body(), values, credential.allowMergeFieldsInBody());
    if (body instanceof BodyOutcome.Rejected rejected) {
      return CompletableFuture.completedStage(new Attempt.Blocked(rejected.diagnosis()));
    }
    OutboundRequest outbound =
        new OutboundRequest(
            request.method(),
            target,
            ((HeaderOutcome.Prepared) headers).headers(),
            ((BodyOutcome.Resolved) body).body(),
            credential.name(),
            tls);
    return signed(credential, outbound)
        .thenCompose(
            signing ->
                signing.fold(
                    signed -> send(credential, uri, signed, guard),
                    refusal -> CompletableFuture.completedStage(new Attempt.Blocked(refusal))));
  }

  /**
   * The request as it is sent: signed last, over its final method, URL and headers, when the
   * credential signs its callouts ({@code aws_sigv4}); as it is otherwise.
   */
  private CompletionStage<RequestSigner.SigningOutcome> signed(
      NamedCredential credential, OutboundRequest outbound) {
    if (credential.authentication() instanceof Authentication.AwsSigV4 aws) {
      return signer.sign(outbound, aws);
    }
    return CompletableFuture.completedStage(new RequestSigner.Signed(outbound, List.of()));
  }

  private CompletionStage<Attempt> send(
      NamedCredential credential, URI uri, RequestSigner.Signed signed, EchoGuard headerGuard) {
    // temporary keys from STS are secrets as much as the credential's own
    EchoGuard guard =
        signed.secrets().isEmpty()
            ? headerGuard
            : headerGuard.and(EchoGuard.of(signed.secrets().stream().map(Secret::reveal).toList()));
    return transport
        .send(signed.request())
        .thenApply(
            outcome -> {
              if (outcome instanceof CalloutTransport.Sent sent) {
                return new Attempt.Answered(sent.response(), guard);
              }
              if (outcome instanceof CalloutTransport.ConnectionLimitReached limit) {
                return new Attempt.Blocked(
                    Diagnosis.of(
                        TARGET_CONNECTION_LIMIT_REACHED,
                        "credential",
                        credential.name(),
                        "target",
                        origin(uri),
                        "maxConnections",
                        String.valueOf(limit.maxConnections()),
                        "maxWaiting",
                        String.valueOf(limit.maxWaiting())));
              }
              if (outcome instanceof CalloutTransport.Refused refused) {
                return new Attempt.Blocked(refused.diagnosis());
              }
              CalloutTransport.Unreachable unreachable = (CalloutTransport.Unreachable) outcome;
              return new Attempt.Blocked(
                  Diagnosis.of(
                      TARGET_UNREACHABLE, "target", origin(uri), "reason", unreachable.reason()));
            });
  }

  /** The target URL with the access token in its query, where the credential places it there. */
  private static URI withTokenInQuery(
      NamedCredential credential, URI uri, Optional<TokenSet> tokenSet) {
    return credential
        .tokenPlacement()
        .fold(
            bearer -> uri,
            header -> uri,
            query ->
                tokenSet
                    .map(
                        set ->
                            TargetUrl.withQueryParameter(
                                uri, query.name(), set.accessToken().reveal()))
                    .orElse(uri));
  }

  private static String origin(URI uri) {
    return uri.getScheme() + "://" + uri.getRawAuthority();
  }

  /**
   * Work a callout does not wait for may fail; the store being down is already told by readiness
   * and the schedule's log, so it is not told again here at every callout.
   */
  private static void logBackgroundFailure(String work, TokenKey key, Throwable failure) {
    if (failure == null) {
      return;
    }
    Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
    LOG.log(
        cause instanceof StoreUnavailableException
            ? System.Logger.Level.DEBUG
            : System.Logger.Level.WARNING,
        "{0} token {1} failed: {2}",
        work,
        key,
        cause.getClass().getSimpleName() + ": " + cause.getMessage());
  }

  private static <T> CompletionStage<T> storeUnavailable(
      Throwable failure, Function<Diagnosis, T> refusal) {
    Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
    if (cause instanceof StoreUnavailableException unavailable) {
      return CompletableFuture.completedStage(
          refusal.apply(Diagnosis.of(STORE_UNAVAILABLE, "reason", unavailable.getMessage())));
    }
    return CompletableFuture.failedStage(cause);
  }

  /**
   * The target's answer, unless it repeats a secret Callgate injected: in a header, or in a body
   * held in memory — then nothing of it is relayed and its connection is not reused. A streamed
   * body is checked as it is relayed, with the guard the result carries.
   */
  private static CalloutResult screened(
      CalloutResponse response, EchoGuard guard, Function<CalloutResponse, CalloutResult> relay) {
    Optional<String> where =
        guard.echoedIn(response.headers()).isPresent()
            ? Optional.of("headers")
            : guard.echoedIn(response.body()) ? Optional.of("body") : Optional.empty();
    if (where.isEmpty()) {
      return relay.apply(response);
    }
    if (response.body() instanceof Body.Streamed streamed) {
      streamed.content().discard();
    }
    return new CalloutResult.Refused(Diagnosis.of(SECRET_ECHOED, "where", where.get()));
  }

  private static CompletionStage<CalloutResult> refused(Diagnosis diagnosis) {
    return CompletableFuture.completedStage(new CalloutResult.Refused(diagnosis));
  }

  /** Whether a token can be used, and if not, why. */
  private sealed interface Usable {
    record Yes(TokenRecord record) implements Usable {}

    record No(Diagnosis diagnosis) implements Usable {}
  }

  /** One send: the target's answer, or why nothing (usable) reached it. */
  private sealed interface Attempt {
    CalloutResult toResult(boolean afterRefresh);

    record Answered(CalloutResponse response, EchoGuard guard) implements Attempt {
      @Override
      public CalloutResult toResult(boolean afterRefresh) {
        return screened(
            response, guard, answer -> new CalloutResult.Relayed(answer, afterRefresh, guard));
      }
    }

    record Blocked(Diagnosis diagnosis) implements Attempt {
      @Override
      public CalloutResult toResult(boolean afterRefresh) {
        return new CalloutResult.Refused(diagnosis);
      }
    }
  }
}
