package dev.callgate.core.service;

import static dev.callgate.core.diagnosis.DiagnosisCode.PROVIDER_NOT_FOUND;

import dev.callgate.core.credential.AuthProvider;
import dev.callgate.core.credential.Authentication;
import dev.callgate.core.credential.Secret;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.port.Clock;
import dev.callgate.core.port.CredentialStore;
import dev.callgate.core.port.GrantOutcome;
import dev.callgate.core.port.IdentityProvider;
import dev.callgate.core.port.TokenExchangeRequest;
import dev.callgate.core.refresh.FailureContext;
import dev.callgate.core.refresh.Freshness;
import dev.callgate.core.refresh.GrantType;
import dev.callgate.core.refresh.RefreshPolicy;
import dev.callgate.core.token.TokenKey;
import dev.callgate.core.token.TokenRecord;
import dev.callgate.core.token.TokenSet;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Token exchanges (RFC 8693) of the subject tokens callers send with their callouts. Nothing of
 * them is stored: an issued token is kept in memory, reused until the refresh policy says it must
 * be renewed, under a key made of the credential's name and settings and a SHA-256 hash of the
 * subject token — never the subject token itself. The cache holds at most {@code capacity} tokens
 * and drops the least recently used first; concurrent callouts with one subject token share one
 * exchange. A refused exchange is not cached: the caller's next callout asks again.
 */
final class CallerTokenExchanges {

  /** How many exchanged tokens one process keeps unless configured otherwise. */
  static final int DEFAULT_CAPACITY = 10_000;

  private final CredentialStore credentials;
  private final IdentityProvider identityProvider;
  private final Clock clock;
  private final RefreshPolicy policy;
  private final Map<Key, TokenSet> issued;
  private final SingleFlight<Key, Exchanged> flights = new SingleFlight<>();

  CallerTokenExchanges(
      CredentialStore credentials,
      IdentityProvider identityProvider,
      Clock clock,
      RefreshPolicy policy,
      int capacity) {
    this.credentials = credentials;
    this.identityProvider = identityProvider;
    this.clock = clock;
    this.policy = policy;
    this.issued =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<Key, TokenSet> eldest) {
            return size() > capacity;
          }
        };
  }

  /** One cached token's key: whose settings, and which subject token (hashed). */
  private record Key(String credential, Authentication.TokenExchange settings, String subject) {}

  /** An issued token, or why the exchange gave none. */
  record Exchanged(Optional<TokenSet> tokens, Optional<Diagnosis> refusal) {
    static Exchanged issued(TokenSet tokens) {
      return new Exchanged(Optional.of(tokens), Optional.empty());
    }

    static Exchanged refused(Diagnosis diagnosis) {
      return new Exchanged(Optional.empty(), Optional.of(diagnosis));
    }
  }

  /**
   * A token for {@code subjectToken} under {@code credential}'s {@code settings}: the cached one
   * while it is fresh enough and is not {@code rejected} (the token a target has just refused), or
   * a new exchange.
   */
  CompletionStage<Exchanged> token(
      String credential,
      Authentication.TokenExchange settings,
      Secret subjectToken,
      Optional<Secret> rejected) {
    Key key = new Key(credential, settings, sha256(subjectToken));
    Optional<TokenSet> cached;
    synchronized (issued) {
      cached = Optional.ofNullable(issued.get(key));
      if (cached.isPresent() && !usable(cached.get(), rejected)) {
        issued.remove(key);
        cached = Optional.empty();
      }
    }
    if (cached.isPresent()) {
      return CompletableFuture.completedStage(Exchanged.issued(cached.get()));
    }
    return flights.join(key, () -> exchange(key, subjectToken), outcome -> {}).result();
  }

  private boolean usable(TokenSet tokens, Optional<Secret> rejected) {
    return !rejected.map(tokens.accessToken()::equals).orElse(false)
        && policy.freshness(tokens, clock.now()) != Freshness.MUST_REFRESH;
  }

  private CompletionStage<Exchanged> exchange(Key key, Secret subjectToken) {
    return credentials
        .findProvider(key.settings().provider())
        .thenCompose(
            provider -> {
              if (provider.isEmpty()) {
                return CompletableFuture.completedStage(
                    Exchanged.refused(
                        Diagnosis.of(PROVIDER_NOT_FOUND, "provider", key.settings().provider())));
              }
              return identityProvider
                  .tokenExchange(
                      provider.get(),
                      TokenExchangeRequest.of(
                          key.settings(), subjectToken, provider.get().scopes()))
                  .handle(GrantOutcome::ofCall)
                  .thenApply(outcome -> settle(key, provider.get(), outcome));
            });
  }

  private Exchanged settle(Key key, AuthProvider provider, GrantOutcome outcome) {
    Instant now = clock.now();
    if (outcome instanceof GrantOutcome.Granted granted) {
      TokenSet tokens =
          policy.toTokenSet(
              granted.response(),
              now,
              provider.refreshTokenLifetime(),
              provider.accessTokenLifetime(),
              Optional.empty(),
              provider.scopes());
      synchronized (issued) {
        issued.put(key, tokens);
      }
      return Exchanged.issued(tokens);
    }
    FailureContext context =
        new FailureContext(
            key.credential(),
            provider.name(),
            provider.clientId(),
            provider.clientAuthMethod(),
            GrantType.TOKEN_EXCHANGE,
            false,
            TokenRecord.unauthorized(TokenKey.named(key.credential())),
            now,
            now,
            Optional.empty());
    return Exchanged.refused(policy.classify(outcome, context).diagnosis());
  }

  /** The number of tokens held (for tests). */
  int size() {
    synchronized (issued) {
      return issued.size();
    }
  }

  private static String sha256(Secret subjectToken) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256")
                  .digest(subjectToken.reveal().getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
