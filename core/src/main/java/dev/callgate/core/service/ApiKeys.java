package dev.callgate.core.service;

import static dev.callgate.core.diagnosis.DiagnosisCode.API_KEY_NOT_FOUND;
import static dev.callgate.core.diagnosis.DiagnosisCode.INVALID_VALUE;

import dev.callgate.core.credential.Secret;
import dev.callgate.core.credential.SubjectRule;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.diagnosis.DiagnosisCode;
import dev.callgate.core.event.Actor;
import dev.callgate.core.event.Event;
import dev.callgate.core.event.EventSource;
import dev.callgate.core.event.EventType;
import dev.callgate.core.port.ApiKeyStore;
import dev.callgate.core.port.Clock;
import dev.callgate.core.port.StoredApiKey;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;

/**
 * Callgate's API keys: {@code cg.<id>.<secret>}, with a public id to find the key by and 256 random
 * bits of secret. Only a SHA-256 hash of the key is stored; the key is shown once, on creation. A
 * bootstrap admin key may also come from configuration: its hash is stored like any key's, under an
 * id derived from it, so the API lists it and revokes it at once, and a revoked one stays revoked.
 * A key's subject is what audit and {@code allowedCallers} name, so it is checked: 1 to 128
 * letters, digits and {@code . _ - @ : +}, not a name reserved for Callgate's own actors, with at
 * least one role.
 */
public final class ApiKeys {
  private static final String PREFIX = "cg.";
  private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

  /** A new key: the stored form and the key itself, which exists nowhere else. */
  public record Created(StoredApiKey stored, Secret key) {}

  /**
   * Issue a key acting as {@code subject} with the roles named {@code roleNames} ({@code admin},
   * {@code caller}; absent: {@code caller}), as the admin {@code actor} asks for one.
   */
  public record IssueApiKey(
      Optional<String> subject, Optional<List<String>> roleNames, Actor actor) {
    public IssueApiKey {
      Objects.requireNonNull(subject, "subject");
      Objects.requireNonNull(roleNames, "roleNames");
      Objects.requireNonNull(actor, "actor");
      roleNames = roleNames.map(List::copyOf);
    }
  }

  /** Delete the key {@code id}, as the admin {@code actor} asks. */
  public record DeleteApiKey(String id, Actor actor) {
    public DeleteApiKey {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(actor, "actor");
    }
  }

  /** What issuing came to: the new key, shown this once, or every problem of the request. */
  public sealed interface IssueOutcome {
    <R> R fold(BiFunction<ApiKeySummary, Secret, R> issued, Function<List<Diagnosis>, R> rejected);

    record Issued(ApiKeySummary summary, Secret key) implements IssueOutcome {
      @Override
      public <R> R fold(
          BiFunction<ApiKeySummary, Secret, R> issued, Function<List<Diagnosis>, R> rejected) {
        return issued.apply(summary, key);
      }
    }

    record Rejected(List<Diagnosis> problems) implements IssueOutcome {
      public Rejected {
        problems = List.copyOf(problems);
      }

      @Override
      public <R> R fold(
          BiFunction<ApiKeySummary, Secret, R> issued, Function<List<Diagnosis>, R> rejected) {
        return rejected.apply(problems);
      }
    }
  }

  private final ApiKeyStore store;
  private final EventSource events;
  private final Clock clock;
  private final RandomGenerator random;
  // the configured admin key's hash, not the key: authenticate compares every presented key's
  // hash with it
  private final Optional<byte[]> configuredAdminHash;

  /**
   * {@code random} must be cryptographically strong ({@code SecureRandom}); {@code events} dates
   * keys and audit events.
   */
  public ApiKeys(
      ApiKeyStore store,
      EventSource events,
      RandomGenerator random,
      Optional<Secret> configuredAdminKey) {
    this.store = store;
    this.events = events;
    this.clock = events.clock();
    this.random = random;
    this.configuredAdminHash = configuredAdminKey.map(ApiKeys::hash);
  }

  /** The subject of the configured admin key, which no other key may take. */
  public static final String ADMIN_SUBJECT = "admin";

  /** Subjects that name Callgate's own actors in audit and logs; no key may act as them. */
  public static final Set<String> RESERVED_SUBJECTS =
      Set.of(ADMIN_SUBJECT, "callgate", "system", "anonymous", "unknown");

  static final int MAX_SUBJECT_LENGTH = SubjectRule.MAX_LENGTH;

  /** The ids of keys that came from configuration start with this; random ids are hex only. */
  static final String CONFIGURED_ID_PREFIX = "configured-";

  /** Every reason a key for {@code subject} with {@code roles} cannot be created. */
  public static List<Diagnosis> problems(String subject, Set<Caller.Role> roles) {
    List<Diagnosis> problems = new ArrayList<>();
    Optional<String> malformed = SubjectRule.problem(subject);
    if (malformed.isPresent()) {
      problems.add(subjectProblem(malformed.get()));
    } else if (RESERVED_SUBJECTS.contains(subject.toLowerCase(Locale.ROOT))) {
      problems.add(
          subjectProblem(
              "'"
                  + subject
                  + "' is reserved for Callgate's own actors (audit could not tell them apart)"));
    }
    if (roles.isEmpty()) {
      problems.add(
          Diagnosis.of(
              DiagnosisCode.INVALID_VALUE,
              "field",
              "roles",
              "problem",
              "a key needs at least one role (admin or caller)"));
    }
    return problems;
  }

  private static Diagnosis subjectProblem(String problem) {
    return Diagnosis.of(DiagnosisCode.INVALID_VALUE, "field", "subject", "problem", problem);
  }

  /**
   * Creates a key; {@code subject} and {@code roles} must pass {@link #problems(String, Set)} (else
   * {@link IllegalArgumentException}).
   */
  public CompletionStage<Created> create(String subject, Set<Caller.Role> roles) {
    List<Diagnosis> problems = problems(subject, roles);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(problems.get(0).message());
    }
    return createUnchecked(subject, roles, Optional.empty());
  }

  /**
   * Creates a key; {@code actor}, where an admin asked for it, is named by the audit event written
   * with it (a key made at start-up has none).
   */
  private CompletionStage<Created> createUnchecked(
      String subject, Set<Caller.Role> roles, Optional<Actor> actor) {
    byte[] idBytes = new byte[8];
    random.nextBytes(idBytes);
    byte[] secretBytes = new byte[32];
    random.nextBytes(secretBytes);
    String id = HexFormat.of().formatHex(idBytes);
    Secret key = Secret.of(PREFIX + id + "." + BASE64URL.encodeToString(secretBytes));
    Set<String> roleNames =
        roles.stream().map(r -> r.name().toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
    StoredApiKey stored = new StoredApiKey(id, subject, roleNames, hash(key), clock.now());
    List<Event> audit =
        actor
            .map(
                by ->
                    List.of(
                        audited(
                            EventType.AUDIT_KEY_CREATED,
                            by,
                            stored,
                            Map.of("roles", String.join(",", new TreeSet<>(roleNames))))))
            .orElse(List.of());
    return store.save(stored, audit).thenApply(saved -> new Created(stored, key));
  }

  /**
   * The audit event of {@code actor}'s action on {@code key}: its id and subject, never a secret.
   */
  private Event audited(
      EventType type, Actor actor, StoredApiKey key, Map<String, String> moreDetails) {
    Map<String, String> details = new LinkedHashMap<>();
    details.put("keyId", key.id());
    details.put("subject", key.subject());
    details.putAll(moreDetails);
    return events.audit(type, actor, Optional.empty(), Optional.empty(), details);
  }

  /**
   * At start. With a configured admin key: stores it (unless it was revoked) and removes a key
   * configured earlier and no longer. Without: creates an admin key when there is no key at all,
   * and returns it (to be printed once).
   */
  public CompletionStage<Optional<Created>> bootstrap() {
    Optional<StoredApiKey> configured = configuredAdminHash.map(this::configured);
    return store
        .list()
        .thenCompose(
            keys -> {
              CompletionStage<Boolean> done = CompletableFuture.completedStage(true);
              for (StoredApiKey key : keys) {
                boolean stale =
                    key.id().startsWith(CONFIGURED_ID_PREFIX)
                        && configured.map(c -> !c.id().equals(key.id())).orElse(true);
                if (stale) {
                  done = done.thenCompose(v -> store.delete(key.id()));
                }
              }
              if (configured.isPresent()) {
                return done.thenCompose(v -> store.saveUnlessRevoked(configured.get()))
                    .thenApply(saved -> Optional.<Created>empty());
              }
              boolean none = keys.stream().allMatch(k -> k.id().startsWith(CONFIGURED_ID_PREFIX));
              return done.thenCompose(
                  v ->
                      none
                          ? createUnchecked(
                                  ADMIN_SUBJECT, Set.of(Caller.Role.ADMIN), Optional.empty())
                              .thenApply(Optional::of)
                          : CompletableFuture.completedStage(Optional.<Created>empty()));
            });
  }

  private StoredApiKey configured(byte[] hash) {
    return new StoredApiKey(configuredId(hash), ADMIN_SUBJECT, Set.of("admin"), hash, clock.now());
  }

  private static String configuredId(byte[] hash) {
    return CONFIGURED_ID_PREFIX + HexFormat.of().formatHex(hash, 0, 4);
  }

  /** The caller a presented key stands for, if it is a valid key that was not revoked. */
  public CompletionStage<Optional<Caller>> authenticate(Secret presented) {
    byte[] presentedHash = hash(presented);
    if (configuredAdminHash.isPresent()
        && MessageDigest.isEqual(configuredAdminHash.get(), presentedHash)) {
      return find(configuredId(presentedHash), presentedHash);
    }
    String value = presented.reveal();
    if (!value.startsWith(PREFIX) || value.indexOf('.', PREFIX.length()) < 0) {
      return CompletableFuture.completedStage(Optional.empty());
    }
    return find(
        value.substring(PREFIX.length(), value.indexOf('.', PREFIX.length())), presentedHash);
  }

  private CompletionStage<Optional<Caller>> find(String id, byte[] presentedHash) {
    return store
        .find(id)
        .thenApply(
            found ->
                found
                    .filter(key -> MessageDigest.isEqual(key.hash(), presentedHash))
                    .map(ApiKeys::caller));
  }

  /** The caller the key {@code id} stands for, while the key exists. */
  public CompletionStage<Optional<Caller>> callerOf(String id) {
    return store.find(id).thenApply(found -> found.map(ApiKeys::caller));
  }

  /** Issues a key as {@code command} asks, unless its subject or a role name is wrong. */
  public CompletionStage<IssueOutcome> issue(IssueApiKey command) {
    List<Diagnosis> problems = new ArrayList<>();
    Set<Caller.Role> roles = EnumSet.noneOf(Caller.Role.class);
    for (String role : command.roleNames().orElse(List.of("caller"))) {
      Optional<Caller.Role> named =
          Arrays.stream(Caller.Role.values())
              .filter(r -> r.name().equalsIgnoreCase(role))
              .findFirst();
      named.ifPresentOrElse(
          roles::add,
          () ->
              problems.add(
                  Diagnosis.of(
                      INVALID_VALUE,
                      "field",
                      "roles",
                      "problem",
                      "'" + role + "' is not admin, caller or metrics")));
    }
    boolean rolesNamed = problems.isEmpty();
    // an unknown role name is its own problem; "no role at all" would only repeat it
    problems(command.subject().orElse(null), roles).stream()
        .filter(problem -> rolesNamed || !"roles".equals(problem.facts().get("field")))
        .forEach(problems::add);
    if (!problems.isEmpty()) {
      return CompletableFuture.completedStage(new IssueOutcome.Rejected(problems));
    }
    return createUnchecked(command.subject().orElseThrow(), roles, Optional.of(command.actor()))
        .thenApply(
            created -> new IssueOutcome.Issued(ApiKeySummary.of(created.stored()), created.key()));
  }

  /**
   * Deletes the key {@code command} names, with the audit event naming it and its subject; empty
   * when done, else why not (there is no such key).
   */
  public CompletionStage<Optional<Diagnosis>> delete(DeleteApiKey command) {
    String id = command.id();
    Optional<Diagnosis> notFound = Optional.of(Diagnosis.of(API_KEY_NOT_FOUND, "id", id));
    return store
        .find(id)
        .thenCompose(
            found ->
                found.isEmpty()
                    ? CompletableFuture.completedStage(notFound)
                    : store
                        .delete(
                            id,
                            List.of(
                                audited(
                                    EventType.AUDIT_KEY_DELETED,
                                    command.actor(),
                                    found.get(),
                                    Map.of())))
                        .thenApply(deleted -> deleted ? Optional.<Diagnosis>empty() : notFound));
  }

  public CompletionStage<List<ApiKeySummary>> list() {
    return store.list().thenApply(keys -> keys.stream().map(ApiKeySummary::of).toList());
  }

  static Caller caller(StoredApiKey key) {
    // every authenticated request makes one: a loop into an EnumSet, not a stream into a HashSet
    Set<Caller.Role> roles = EnumSet.noneOf(Caller.Role.class);
    for (String role : key.roles()) {
      roles.add(Caller.Role.valueOf(role.toUpperCase(Locale.ROOT)));
    }
    return new Caller(key.subject(), key.id(), roles);
  }

  // one digest per thread, as every request hashes the key it presents: getInstance searches the
  // security providers each time, and a digest holds state, so threads cannot share one
  private static final ThreadLocal<MessageDigest> SHA_256 =
      ThreadLocal.withInitial(
          () -> {
            try {
              return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
              throw new IllegalStateException("every Java platform has SHA-256", e);
            }
          });

  static byte[] hash(Secret key) {
    // digest() resets it for the next key
    return SHA_256.get().digest(key.reveal().getBytes(StandardCharsets.UTF_8));
  }
}
