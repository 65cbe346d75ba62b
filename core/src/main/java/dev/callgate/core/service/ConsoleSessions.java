package dev.callgate.core.service;

import static dev.callgate.core.diagnosis.DiagnosisCode.CSRF_TOKEN_INVALID;
import static dev.callgate.core.diagnosis.DiagnosisCode.FORBIDDEN;
import static dev.callgate.core.diagnosis.DiagnosisCode.UNAUTHENTICATED;

import dev.callgate.core.credential.Secret;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.event.Actor;
import dev.callgate.core.event.Event;
import dev.callgate.core.event.EventSource;
import dev.callgate.core.event.EventType;
import dev.callgate.core.port.Clock;
import dev.callgate.core.port.ConsoleSessionStore;
import dev.callgate.core.port.StoredConsoleSession;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * The console's sign-in: an admin API key, presented once, opens a session that a browser holds as
 * a random 256-bit secret (in a cookie), so the key itself stays out of the browser. Only the
 * secret's SHA-256 is stored. A session stands for its key — same subject, id and roles, so audit
 * names the key — until it expires, its browser signs out, or the key is deleted. Changes made with
 * a session must carry its CSRF token, which is derived from the secret (SHA-256 over a fixed label
 * and the secret): a page that cannot read the cookie cannot compute it, and nothing more is
 * stored.
 */
public final class ConsoleSessions {
  /** How long a session lasts unless configured otherwise. */
  public static final Duration DEFAULT_LIFETIME = Duration.ofHours(8);

  /**
   * How long a session lasts from its sign-in, and whether only https may carry its cookie (when
   * Callgate's public URL is https).
   */
  public record Settings(Duration lifetime, boolean httpsOnly) {
    public Settings {
      Objects.requireNonNull(lifetime, "lifetime");
      if (lifetime.isNegative() || lifetime.isZero()) {
        throw new IllegalArgumentException("a session's lifetime must be longer than zero");
      }
    }
  }

  private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();
  // sets the CSRF token apart from the stored hash of the same secret
  private static final byte[] CSRF_LABEL =
      "callgate console csrf token\0".getBytes(StandardCharsets.US_ASCII);

  /**
   * A signed-in console: the caller its key stands for, until when it lasts, and the CSRF token its
   * changes must carry.
   */
  public record ConsoleSession(Caller caller, Instant expiresAt, Secret csrfToken) {
    public ConsoleSession {
      Objects.requireNonNull(caller, "caller");
      Objects.requireNonNull(expiresAt, "expiresAt");
      Objects.requireNonNull(csrfToken, "csrfToken");
    }

    /**
     * Why a change sent with this session and the CSRF token {@code presented} is refused, if it
     * is: the token is missing or is not this session's (compared in constant time).
     */
    public Optional<Diagnosis> csrfProblem(Optional<String> presented) {
      if (presented.isEmpty() || presented.get().isEmpty()) {
        return Optional.of(
            Diagnosis.of(
                CSRF_TOKEN_INVALID,
                "reason",
                "is signed in with a console session cookie but carries no X-CSRF-Token header"));
      }
      if (csrfToken.equals(Secret.of(presented.get()))) {
        return Optional.empty();
      }
      return Optional.of(
          Diagnosis.of(
              CSRF_TOKEN_INVALID,
              "reason",
              "is signed in with a console session cookie but its X-CSRF-Token header does not"
                  + " match the session's token"));
    }
  }

  /** What signing in came to: a session and the secret its browser keeps, or why not. */
  public sealed interface SignInOutcome {
    <R> R fold(BiFunction<Secret, ConsoleSession, R> signedIn, Function<Diagnosis, R> rejected);

    /** Signed in: {@code secret} goes into the browser's cookie and nowhere else. */
    record SignedIn(Secret secret, ConsoleSession session) implements SignInOutcome {
      @Override
      public <R> R fold(
          BiFunction<Secret, ConsoleSession, R> signedIn, Function<Diagnosis, R> rejected) {
        return signedIn.apply(secret, session);
      }
    }

    /**
     * Refused: the key is unknown ({@code UNAUTHENTICATED}) or not an admin's ({@code FORBIDDEN}).
     */
    record Rejected(Diagnosis diagnosis) implements SignInOutcome {
      @Override
      public <R> R fold(
          BiFunction<Secret, ConsoleSession, R> signedIn, Function<Diagnosis, R> rejected) {
        return rejected.apply(diagnosis);
      }
    }
  }

  private final ConsoleSessionStore store;
  private final ApiKeys keys;
  private final EventSource events;
  private final Clock clock;
  private final RandomGenerator random;
  private final Settings settings;
  private final Duration lifetime;

  /** {@code random} must be cryptographically strong ({@code SecureRandom}). */
  public ConsoleSessions(
      ConsoleSessionStore store,
      ApiKeys keys,
      EventSource events,
      RandomGenerator random,
      Settings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.lifetime = settings.lifetime();
    this.store = Objects.requireNonNull(store, "store");
    this.keys = Objects.requireNonNull(keys, "keys");
    this.events = Objects.requireNonNull(events, "events");
    this.clock = events.clock();
    this.random = Objects.requireNonNull(random, "random");
  }

  public Settings settings() {
    return settings;
  }

  /**
   * Opens a session for the admin key {@code key}, in the request {@code requestId}, with the audit
   * event naming the key; sessions that have expired are cleared out on the way.
   */
  public CompletionStage<SignInOutcome> signIn(Secret key, String requestId) {
    return keys.authenticate(key)
        .thenCompose(
            found -> {
              if (found.isEmpty()) {
                return CompletableFuture.completedStage(
                    new SignInOutcome.Rejected(
                        Diagnosis.of(
                            UNAUTHENTICATED, "reason", "the key is unknown or was deleted")));
              }
              Caller caller = found.get();
              if (!caller.isAdmin()) {
                return CompletableFuture.completedStage(
                    new SignInOutcome.Rejected(
                        Diagnosis.of(
                            FORBIDDEN,
                            "subject",
                            caller.subject(),
                            "action",
                            "sign in to the console",
                            "role",
                            "admin")));
              }
              return open(caller, requestId);
            });
  }

  private CompletionStage<SignInOutcome> open(Caller caller, String requestId) {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    Secret secret = Secret.of(BASE64URL.encodeToString(bytes));
    // stores keep milliseconds: the session answered now is the one found later
    Instant now = clock.now().truncatedTo(ChronoUnit.MILLIS);
    StoredConsoleSession stored =
        new StoredConsoleSession(
            secretHash(secret), caller.keyId(), caller.subject(), now, now.plus(lifetime));
    Event signedIn =
        audited(
            EventType.AUDIT_CONSOLE_SIGNED_IN,
            caller.actor(requestId),
            Map.of("expiresAt", stored.expiresAt().toString()));
    return store
        .deleteExpired(now)
        .thenCompose(purged -> store.save(stored, List.of(signedIn)))
        .thenApply(
            saved ->
                new SignInOutcome.SignedIn(
                    secret, new ConsoleSession(caller, stored.expiresAt(), csrfToken(secret))));
  }

  /**
   * The session whose browser holds {@code secret}; empty when there is none, it expired, or its
   * key was deleted (an ended session is deleted as it is found).
   */
  public CompletionStage<Optional<ConsoleSession>> find(Secret secret) {
    String hash = secretHash(secret);
    return store
        .find(hash)
        .thenCompose(
            found -> {
              if (found.isEmpty()) {
                return CompletableFuture.completedStage(Optional.<ConsoleSession>empty());
              }
              StoredConsoleSession session = found.get();
              if (session.expiredAt(clock.now())) {
                return ended(hash);
              }
              return keys.callerOf(session.keyId())
                  .thenCompose(
                      caller ->
                          caller.isPresent() && caller.get().isAdmin()
                              ? CompletableFuture.completedStage(
                                  Optional.of(
                                      new ConsoleSession(
                                          caller.get(), session.expiresAt(), csrfToken(secret))))
                              : ended(hash));
            });
  }

  private CompletionStage<Optional<ConsoleSession>> ended(String hash) {
    return store.delete(hash, List.of()).thenApply(deleted -> Optional.empty());
  }

  /**
   * Ends the session whose browser holds {@code secret}, as {@code actor} (its own key) asks, with
   * the audit event; true when there was one to end.
   */
  public CompletionStage<Boolean> signOut(Secret secret, Actor actor) {
    return store.delete(
        secretHash(secret), List.of(audited(EventType.AUDIT_CONSOLE_SIGNED_OUT, actor, Map.of())));
  }

  /** Deletes the sessions that have expired; returns how many went. */
  public CompletionStage<Long> purgeExpired() {
    return store.deleteExpired(clock.now());
  }

  private Event audited(EventType type, Actor actor, Map<String, String> moreDetails) {
    Map<String, String> details = new LinkedHashMap<>();
    details.put("keyId", actor.keyId());
    details.put("subject", actor.subject());
    details.putAll(moreDetails);
    return events.audit(type, actor, Optional.empty(), Optional.empty(), details);
  }

  /** What the store keeps of {@code secret}: its SHA-256, base64url. */
  static String secretHash(Secret secret) {
    return BASE64URL.encodeToString(ApiKeys.hash(secret));
  }

  /** The CSRF token of the session whose secret is {@code secret}. */
  static Secret csrfToken(Secret secret) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      digest.update(CSRF_LABEL);
      digest.update(secret.reveal().getBytes(StandardCharsets.US_ASCII));
      return Secret.of(BASE64URL.encodeToString(digest.digest()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
