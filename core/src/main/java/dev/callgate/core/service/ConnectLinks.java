package dev.callgate.core.service;

import static dev.callgate.core.diagnosis.DiagnosisCode.CONNECT_LINK_EXPIRED;
import static dev.callgate.core.diagnosis.DiagnosisCode.CONNECT_LINK_NOT_SUPPORTED;
import static dev.callgate.core.diagnosis.DiagnosisCode.CONNECT_LINK_UNKNOWN;
import static dev.callgate.core.diagnosis.DiagnosisCode.CONNECT_LINK_USED;
import static dev.callgate.core.diagnosis.DiagnosisCode.CREDENTIAL_NOT_FOUND;
import static dev.callgate.core.diagnosis.DiagnosisCode.FORBIDDEN;
import static dev.callgate.core.diagnosis.DiagnosisCode.INVALID_VALUE;
import static dev.callgate.core.diagnosis.DiagnosisCode.PROVIDER_NOT_FOUND;

import dev.callgate.core.credential.AuthProvider;
import dev.callgate.core.credential.NamedCredential;
import dev.callgate.core.credential.PrincipalType;
import dev.callgate.core.credential.Protocol;
import dev.callgate.core.credential.ReturnUrlRule;
import dev.callgate.core.credential.SubjectRule;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.diagnosis.Validated;
import dev.callgate.core.event.Actor;
import dev.callgate.core.event.Event;
import dev.callgate.core.event.EventSource;
import dev.callgate.core.event.EventType;
import dev.callgate.core.port.Clock;
import dev.callgate.core.port.ConnectLink;
import dev.callgate.core.port.ConnectLinkStore;
import dev.callgate.core.port.CredentialStore;
import dev.callgate.core.port.FlowHash;
import dev.callgate.core.port.IdentityProvider;
import dev.callgate.core.port.ProviderMetadata;
import dev.callgate.core.token.TokenKey;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.random.RandomGenerator;

/**
 * Connect links: an admin makes a single-use link for one end user of a per-user authorization-code
 * credential ({@link #create}); the end user opens it and is told who asks for what ({@link
 * #describe}), then goes on to sign in at the provider ({@link #redeem}), which claims the link —
 * once, whoever else tries at the same moment — and starts and opens the authorization flow for
 * that user through {@link Authorizations}, bound to that browser, returning afterwards to the
 * link's return URL. The link carries 256 random bits; only their hash is stored.
 */
public final class ConnectLinks {

  /** Where links point ({@code <publicUrl>/connect/<token>}) and how long they can be opened. */
  public record Settings(URI publicUrl, Duration lifetime) {
    public Settings {
      Objects.requireNonNull(publicUrl, "publicUrl");
      Objects.requireNonNull(lifetime, "lifetime");
      if (lifetime.isNegative() || lifetime.isZero()) {
        throw new IllegalArgumentException("a connect link must live longer than zero");
      }
    }

    URI link(String token) {
      String base = publicUrl.toString();
      return URI.create(
          (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/connect/" + token);
    }
  }

  /** An admin's request for a link for {@code user}, returning to {@code returnUrl} if given. */
  public record CreateLink(
      Caller caller, String credentialName, String user, Optional<String> returnUrl, Actor actor) {
    public CreateLink {
      Objects.requireNonNull(caller, "caller");
      Objects.requireNonNull(credentialName, "credentialName");
      Objects.requireNonNull(returnUrl, "returnUrl");
      Objects.requireNonNull(actor, "actor");
    }
  }

  private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

  private final CredentialStore credentials;
  private final ConnectLinkStore links;
  private final Authorizations authorizations;
  private final IdentityProvider identityProvider;
  private final EventSource events;
  private final Clock clock;
  private final RandomGenerator random;
  private final Settings settings;

  /** {@code random} must be a cryptographically strong source such as {@code SecureRandom}. */
  public ConnectLinks(
      CredentialStore credentials,
      ConnectLinkStore links,
      Authorizations authorizations,
      IdentityProvider identityProvider,
      EventSource events,
      RandomGenerator random,
      Settings settings) {
    this.credentials = credentials;
    this.links = links;
    this.authorizations = authorizations;
    this.identityProvider = identityProvider;
    this.events = events;
    this.clock = events.clock();
    this.random = random;
    this.settings = settings;
  }

  /**
   * The name of the cookie that confirms the page of link {@code token} was shown in this browser:
   * one per link (derived from its token's hash), so links open in several tabs do not collide.
   */
  public static String confirmationCookieName(String token) {
    return "callgate_connect_" + FlowHash.of(token).value().substring(0, 16);
  }

  /** Whether links are reached over https, so that their cookies may travel on nothing else. */
  public boolean overHttps() {
    return "https".equalsIgnoreCase(settings.publicUrl().getScheme());
  }

  /** Makes a link (admins only), saved with its audit event. */
  public CompletionStage<ConnectLinkCreation> create(CreateLink command) {
    if (!command.caller().isAdmin()) {
      return refusedCreation(
          Diagnosis.of(
              FORBIDDEN,
              "subject",
              command.caller().subject(),
              "action",
              "create connect links",
              "role",
              "admin"));
    }
    Optional<String> badUser =
        command.user() == null || command.user().isEmpty()
            ? Optional.of("it is missing")
            : SubjectRule.problem(command.user());
    if (badUser.isPresent()) {
      return refusedCreation(
          Diagnosis.of(INVALID_VALUE, "field", "user", "problem", badUser.get()));
    }
    return credentials
        .findCredential(command.credentialName())
        .thenCompose(
            found -> {
              if (found.isEmpty()) {
                return refusedCreation(
                    Diagnosis.of(CREDENTIAL_NOT_FOUND, "credential", command.credentialName()));
              }
              NamedCredential credential = found.get();
              Optional<String> unsupported = unsupported(credential);
              if (unsupported.isPresent()) {
                return refusedCreation(
                    Diagnosis.of(
                        CONNECT_LINK_NOT_SUPPORTED,
                        "credential",
                        credential.name(),
                        "reason",
                        unsupported.get()));
              }
              Optional<Validated<URI>> returnUrl =
                  command.returnUrl().map(url -> ReturnUrlRule.check(credential, url, false));
              Optional<Diagnosis> refused =
                  returnUrl.flatMap(checked -> checked.problems().stream().findFirst());
              if (refused.isPresent()) {
                return refusedCreation(refused.get());
              }
              return save(
                  command,
                  credential,
                  returnUrl.map(checked -> checked.fold(url -> url, problems -> null)));
            });
  }

  private CompletionStage<ConnectLinkCreation> save(
      CreateLink command, NamedCredential credential, Optional<URI> returnUrl) {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    String token = BASE64URL.encodeToString(bytes);
    Instant now = clock.now();
    Instant expiresAt = now.plus(settings.lifetime());
    ConnectLink link =
        new ConnectLink(
            FlowHash.of(token),
            TokenKey.perUser(credential.name(), command.user()),
            returnUrl,
            command.actor(),
            now,
            expiresAt,
            Optional.empty());
    Map<String, String> details = new LinkedHashMap<>();
    details.put("expiresAt", expiresAt.toString());
    returnUrl.ifPresent(url -> details.put("returnUrl", url.toString()));
    Event created =
        events.audit(
            EventType.AUDIT_CONNECT_LINK_CREATED,
            command.actor(),
            Optional.of(credential.name()),
            Optional.of(command.user()),
            details);
    return links
        .save(link, List.of(created))
        .thenApply(
            saved ->
                (ConnectLinkCreation)
                    new ConnectLinkCreation.Created(settings.link(token), expiresAt));
  }

  /**
   * What the page of the link {@code token} tells its end user, or why the link cannot be used. It
   * changes nothing: opening the page twice, or a link preview fetching it, spends no link.
   */
  public CompletionStage<ConnectLinkDescription> describe(String token) {
    return usable(token)
        .thenCompose(
            usable ->
                usable.fold(
                    link ->
                        credentials
                            .findCredential(link.tokenKey().credentialName())
                            .thenCompose(credential -> describe(link, credential)),
                    problems ->
                        CompletableFuture.completedStage(
                            new ConnectLinkDescription.Refused(problems.get(0)))));
  }

  private CompletionStage<ConnectLinkDescription> describe(
      ConnectLink link, Optional<NamedCredential> found) {
    String credentialName = link.tokenKey().credentialName();
    Optional<String> providerName = found.flatMap(c -> c.authentication().providerName());
    if (found.isEmpty() || providerName.isEmpty()) {
      return CompletableFuture.completedStage(
          new ConnectLinkDescription.Refused(
              Diagnosis.of(CREDENTIAL_NOT_FOUND, "credential", credentialName)));
    }
    NamedCredential credential = found.get();
    return credentials
        .findProvider(providerName.get())
        .thenCompose(
            provider -> {
              if (provider.isEmpty()) {
                return CompletableFuture.completedStage(
                    new ConnectLinkDescription.Refused(
                        Diagnosis.of(PROVIDER_NOT_FOUND, "provider", providerName.get())));
              }
              return signInOrigin(provider.get())
                  .thenApply(
                      origin ->
                          new ConnectLinkDescription.Described(
                              credential.displayedApplicationName(),
                              credential.name(),
                              apiHost(credential.url()),
                              provider.get().name(),
                              provider.get().scopes(),
                              link.tokenKey().userSubject(),
                              link.expiresAt(),
                              origin));
            });
  }

  /**
   * Claims the link {@code token} and sends its browser to sign in: the flow for the link's user is
   * started (as the admin who made the link, in the request {@code requestId}) and opened for this
   * browser at once, so no one else can complete it. A link is claimed even if the flow then cannot
   * start (the provider is down): its end user asks for a new one.
   */
  public CompletionStage<AuthorizationOpening> redeem(String token, String requestId) {
    return usable(token)
        .thenCompose(
            usable ->
                usable.fold(
                    link -> claim(link, requestId), problems -> refusedOpening(problems.get(0))));
  }

  private CompletionStage<AuthorizationOpening> claim(ConnectLink link, String requestId) {
    Instant now = clock.now();
    TokenKey key = link.tokenKey();
    Event used =
        events.about(
            EventType.CONNECT_LINK_USED,
            key.credentialName(),
            Optional.of(key.userSubject()),
            Optional.empty(),
            Map.of("createdBy", link.createdBy().subject()));
    return links
        .claim(link.tokenHash(), now, List.of(used))
        .thenCompose(
            claimed -> {
              if (claimed.isEmpty()) {
                return refusedOpening(unknown());
              }
              if (claimed.get().alreadyUsed()) {
                return refusedOpening(used(claimed.get().link()));
              }
              Actor creator = link.createdBy();
              return authorizations
                  .start(
                      new Caller(creator.subject(), creator.keyId(), Set.of(Caller.Role.ADMIN)),
                      key.credentialName(),
                      Optional.of(key.userSubject()),
                      false,
                      new Actor(creator.subject(), creator.keyId(), requestId),
                      link.returnUrl().map(URI::toString))
                  .thenCompose(
                      start ->
                          start.fold(
                              started -> authorizations.open(started.flow()),
                              refused -> refusedOpening(refused.diagnosis())));
            });
  }

  /** Removes links that expired or were used longer than a lifetime ago; returns how many. */
  public CompletionStage<Long> purgeSpent() {
    return links.purge(clock.now().minus(settings.lifetime()));
  }

  /** The link {@code token} names, if it is known, unused and not expired. */
  private CompletionStage<Validated<ConnectLink>> usable(String token) {
    if (token == null || token.isEmpty() || token.length() > 128) {
      return CompletableFuture.completedStage(Validated.invalid(List.of(unknown())));
    }
    return links
        .find(FlowHash.of(token))
        .thenApply(
            found -> {
              if (found.isEmpty()) {
                return Validated.invalid(List.of(unknown()));
              }
              ConnectLink link = found.get();
              if (link.usedAt().isPresent()) {
                return Validated.invalid(List.of(used(link)));
              }
              if (link.expiredAt(clock.now())) {
                return Validated.invalid(
                    List.of(
                        Diagnosis.of(
                            CONNECT_LINK_EXPIRED,
                            "expiresAt",
                            link.expiresAt(),
                            "lifetime",
                            settings.lifetime())));
              }
              return Validated.valid(link);
            });
  }

  /** Why a credential can have no connect links, if it cannot. */
  private static Optional<String> unsupported(NamedCredential credential) {
    if (credential.principal() != PrincipalType.PER_USER) {
      return Optional.of(
          "its principal is " + credential.principal().wireName() + ", not per_user");
    }
    if (credential.protocol() != Protocol.OAUTH2_AUTHORIZATION_CODE) {
      return Optional.of(
          "its protocol is "
              + credential.protocol().wireName()
              + ", not oauth2_authorization_code");
    }
    return Optional.empty();
  }

  /** The origin of the provider's sign-in page, which the browser is sent to after the form. */
  private CompletionStage<Optional<URI>> signInOrigin(AuthProvider provider) {
    return identityProvider
        .discover(provider)
        .thenApply(ProviderMetadata::authorizationEndpoint)
        .exceptionally(failure -> Optional.empty())
        .thenApply(
            discovered ->
                discovered
                    .or(provider::authorizationEndpoint)
                    .or(provider::issuer)
                    .map(url -> URI.create(url.getScheme() + "://" + url.getRawAuthority())));
  }

  private static String apiHost(URI url) {
    return url.getPort() == -1 ? url.getHost() : url.getHost() + ":" + url.getPort();
  }

  private static Diagnosis unknown() {
    return Diagnosis.of(CONNECT_LINK_UNKNOWN);
  }

  private static Diagnosis used(ConnectLink link) {
    return Diagnosis.of(
        CONNECT_LINK_USED,
        "usedAt",
        link.usedAt().map(Instant::toString).orElse("an earlier time"));
  }

  private static CompletionStage<ConnectLinkCreation> refusedCreation(Diagnosis diagnosis) {
    return CompletableFuture.completedStage(new ConnectLinkCreation.Refused(diagnosis));
  }

  private static CompletionStage<AuthorizationOpening> refusedOpening(Diagnosis diagnosis) {
    return CompletableFuture.completedStage(new AuthorizationOpening.Refused(diagnosis));
  }
}
