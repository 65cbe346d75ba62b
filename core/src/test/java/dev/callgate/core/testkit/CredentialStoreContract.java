package dev.callgate.core.testkit;

import static dev.callgate.core.testkit.Concurrently.join;
import static dev.callgate.core.testkit.Concurrently.race;
import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.core.callout.RefreshRuleDraft;
import dev.callgate.core.callout.RefreshRules;
import dev.callgate.core.credential.AuthProvider;
import dev.callgate.core.credential.Authentication;
import dev.callgate.core.credential.AwsRole;
import dev.callgate.core.credential.ClientAuthMethod;
import dev.callgate.core.credential.NamedCredential;
import dev.callgate.core.credential.PrincipalType;
import dev.callgate.core.credential.ProviderTemplate;
import dev.callgate.core.credential.ProviderTemplates;
import dev.callgate.core.credential.Secret;
import dev.callgate.core.credential.TlsSettings;
import dev.callgate.core.credential.TokenPlacement;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.port.CredentialSaveOutcome;
import dev.callgate.core.port.CredentialStore;
import dev.callgate.core.port.ProviderDeletionOutcome;
import dev.callgate.core.port.TokenStore;
import dev.callgate.core.token.TokenKey;
import dev.callgate.core.token.TokenRecord;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link CredentialStore} must do: an adapter's test extends this class and returns an
 * empty store from {@link #createStore()}. Every field round-trips, secrets included (an adapter
 * encrypts them, and must decrypt them to the same value); saving replaces by name. When the
 * adapter keeps tokens beside credentials, {@link #tokenStoreOf(CredentialStore)} lets the contract
 * check that deleting a credential deletes its tokens.
 */
public abstract class CredentialStoreContract {

  protected CredentialStore store;

  /** A new, empty store. Called before each test. */
  protected abstract CredentialStore createStore();

  /** The token store that shares {@code credentials}' state, if any. */
  protected Optional<TokenStore> tokenStoreOf(CredentialStore credentials) {
    return Optional.empty();
  }

  protected void closeStore(CredentialStore closing) {}

  @BeforeEach
  void createTheStore() {
    store = createStore();
  }

  @AfterEach
  void closeTheStore() {
    closeStore(store);
  }

  // ---- providers ----

  @Test
  void findProviderWhenSavedWithEveryFieldThenReturnsItUnchanged() {
    AuthProvider provider = explicitProvider("wso2");

    join(store.saveProvider(provider));

    AuthProvider found = join(store.findProvider("wso2")).get();
    assertThat(found).isEqualTo(provider);
    assertThat(found.clientSecret().get().reveal()).isEqualTo("client-secret-wso2");
  }

  @Test
  void findProviderWhenSavedWithOptionalFieldsEmptyThenReturnsThemEmpty() {
    AuthProvider provider = issuerProvider("keycloak");

    join(store.saveProvider(provider));

    assertThat(join(store.findProvider("keycloak"))).contains(provider);
  }

  @Test
  void findProviderWhenUnknownThenEmpty() {
    assertThat(join(store.findProvider("none"))).isEmpty();
  }

  @Test
  void saveProviderWhenNameExistsThenReplacesIt() {
    join(store.saveProvider(explicitProvider("idp")));
    AuthProvider replacement = issuerProvider("idp");

    join(store.saveProvider(replacement));

    assertThat(join(store.findProvider("idp"))).contains(replacement);
    assertThat(join(store.listProviders())).containsExactly(replacement);
  }

  @Test
  void listProvidersWhenSeveralSavedThenReturnsAll() {
    AuthProvider a = explicitProvider("a");
    AuthProvider b = issuerProvider("b");
    join(store.saveProvider(b));
    join(store.saveProvider(a));

    assertThat(join(store.listProviders())).containsExactlyInAnyOrder(a, b);
  }

  @Test
  void deleteProviderWhenItExistsThenDeletedAndGone() {
    join(store.saveProvider(explicitProvider("idp")));

    assertThat(join(store.deleteProvider("idp"))).isEqualTo(ProviderDeletionOutcome.DELETED);
    assertThat(join(store.findProvider("idp"))).isEmpty();
    assertThat(join(store.deleteProvider("idp"))).isEqualTo(ProviderDeletionOutcome.NOT_FOUND);
  }

  // ---- a provider in use ----

  @Test
  void deleteProviderWhenACredentialUsesItThenInUseAndKept() {
    join(store.saveProvider(explicitProvider("idp")));
    join(
        store.saveCredential(
            credential("crm", new Authentication.ClientCredentials("idp"), PrincipalType.NAMED)));

    assertThat(join(store.deleteProvider("idp"))).isEqualTo(ProviderDeletionOutcome.IN_USE);
    assertThat(join(store.findProvider("idp"))).isPresent();
  }

  @Test
  void deleteProviderWhenItsLastCredentialWasDeletedOrMovedThenDeleted() {
    join(store.saveProvider(explicitProvider("idp")));
    join(store.saveProvider(explicitProvider("other")));
    join(
        store.saveCredential(
            credential("crm", new Authentication.ClientCredentials("idp"), PrincipalType.NAMED)));
    join(
        store.saveCredential(
            credential("erp", new Authentication.ClientCredentials("idp"), PrincipalType.NAMED)));

    join(store.deleteCredential("crm"));
    join(
        store.saveCredential(
            credential("erp", new Authentication.ClientCredentials("other"), PrincipalType.NAMED)));

    assertThat(join(store.deleteProvider("idp"))).isEqualTo(ProviderDeletionOutcome.DELETED);
    assertThat(join(store.deleteProvider("other"))).isEqualTo(ProviderDeletionOutcome.IN_USE);
  }

  @Test
  void saveCredentialWhenItsProviderDoesNotExistThenProviderMissingAndNothingStored() {
    NamedCredential orphan =
        credential("crm", new Authentication.AuthorizationCode("gone"), PrincipalType.PER_USER);

    assertThat(join(store.saveCredential(orphan)))
        .isEqualTo(CredentialSaveOutcome.PROVIDER_MISSING);
    assertThat(join(store.findCredential("crm"))).isEmpty();
  }

  @Test
  void saveCredentialWhenReplacingOneToNameAMissingProviderThenProviderMissingAndOldKept() {
    join(store.saveProvider(explicitProvider("idp")));
    NamedCredential original =
        credential("crm", new Authentication.ClientCredentials("idp"), PrincipalType.NAMED);
    join(store.saveCredential(original));

    assertThat(
            join(
                store.saveCredential(
                    credential(
                        "crm", new Authentication.ClientCredentials("gone"), PrincipalType.NAMED))))
        .isEqualTo(CredentialSaveOutcome.PROVIDER_MISSING);
    assertThat(join(store.findCredential("crm"))).contains(original);
  }

  /**
   * Deleting a provider while a credential naming it is saved: whichever the store orders first
   * wins and the other is refused, so a credential never points at a deleted provider.
   */
  @Test
  void deleteProviderWhenACredentialNamingItIsSavedAtTheSameTimeThenNeverLeavesItDangling() {
    for (int round = 0; round < 40; round++) {
      String provider = "idp" + round;
      String name = "crm" + round;
      join(store.saveProvider(explicitProvider(provider)));
      NamedCredential credential =
          credential(name, new Authentication.ClientCredentials(provider), PrincipalType.NAMED);

      List<Object> outcomes =
          race(
              2,
              racer ->
                  racer == 0
                      ? join(store.saveCredential(credential))
                      : join(store.deleteProvider(provider)));

      boolean providerLeft = join(store.findProvider(provider)).isPresent();
      boolean credentialLeft = join(store.findCredential(name)).isPresent();
      String seen = "round " + round + ": " + outcomes;
      if (outcomes.get(0) == CredentialSaveOutcome.SAVED) {
        assertThat(outcomes.get(1)).as(seen).isEqualTo(ProviderDeletionOutcome.IN_USE);
        assertThat(providerLeft).as(seen).isTrue();
        assertThat(credentialLeft).as(seen).isTrue();
      } else {
        assertThat(outcomes)
            .as(seen)
            .containsExactly(
                CredentialSaveOutcome.PROVIDER_MISSING, ProviderDeletionOutcome.DELETED);
        assertThat(providerLeft).as(seen).isFalse();
        assertThat(credentialLeft).as(seen).isFalse();
      }
    }
  }

  // ---- credentials ----

  @Test
  void findCredentialWhenEachAuthenticationVariantIsSavedThenReturnsItUnchanged() {
    join(store.saveProvider(explicitProvider("idp")));
    List<NamedCredential> credentials =
        List.of(
            credential("code", new Authentication.AuthorizationCode("idp"), PrincipalType.PER_USER),
            credential("client", new Authentication.ClientCredentials("idp"), PrincipalType.NAMED),
            credential(
                "jwt",
                new Authentication.JwtBearer(
                    "idp",
                    "callgate",
                    "integration@example.com",
                    Optional.of("https://idp.test/token"),
                    Secret.of("-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n")),
                PrincipalType.NAMED),
            credential(
                "jwtnoaudience",
                new Authentication.JwtBearer(
                    "idp", "callgate", "someone", Optional.empty(), Secret.of("pem")),
                PrincipalType.NAMED),
            credential(
                "basic",
                new Authentication.Basic("svc-user", Secret.of("pa:ss wörd")),
                PrincipalType.NAMED),
            credential(
                "apikey",
                new Authentication.ApiKey("X-API-Key", Secret.of("key-123")),
                PrincipalType.NAMED),
            credential("open", new Authentication.None(), PrincipalType.NAMED));

    credentials.forEach(c -> join(store.saveCredential(c)));

    for (NamedCredential credential : credentials) {
      assertThat(join(store.findCredential(credential.name()))).contains(credential);
    }
    Authentication.Basic basic =
        (Authentication.Basic) join(store.findCredential("basic")).get().authentication();
    assertThat(basic.password().reveal()).isEqualTo("pa:ss wörd");
  }

  @Test
  void findCredentialWhenAwsKeysWithAndWithoutARoleAreSavedThenReturnsThemUnchanged() {
    List<NamedCredential> credentials =
        List.of(
            credential(
                "awsstatic",
                new Authentication.AwsSigV4(
                    "AKIAIOSFODNN7EXAMPLE",
                    Secret.of("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
                    Optional.empty(),
                    "eu-west-1",
                    "s3",
                    Optional.empty()),
                PrincipalType.NAMED),
            credential(
                "awsrole",
                new Authentication.AwsSigV4(
                    "ASIAIOSFODNN7EXAMPLE",
                    Secret.of("temporary-secret-key"),
                    Optional.of(Secret.of("FwoGZXIvYXdzEJr-session-token")),
                    "us-east-1",
                    "execute-api",
                    Optional.of(
                        new AwsRole(
                            "arn:aws:iam::123456789012:role/reader",
                            "callgate",
                            Optional.of("external-42"),
                            Duration.ofMinutes(90),
                            Optional.of(URI.create("https://sts.us-east-1.amazonaws.com"))))),
                PrincipalType.NAMED));

    credentials.forEach(c -> join(store.saveCredential(c)));

    for (NamedCredential credential : credentials) {
      assertThat(join(store.findCredential(credential.name()))).contains(credential);
    }
    Authentication.AwsSigV4 role =
        (Authentication.AwsSigV4) join(store.findCredential("awsrole")).get().authentication();
    assertThat(role.sessionToken().orElseThrow().reveal())
        .isEqualTo("FwoGZXIvYXdzEJr-session-token");
  }

  @Test
  void findCredentialWhenFlagsAndOptionalFieldsVaryThenReturnsThemUnchanged() {
    NamedCredential allOn =
        new NamedCredential(
            "allon",
            URI.create("https://api.example.com/v2/base"),
            new Authentication.ApiKey("X-Key", Secret.of("k")),
            PrincipalType.NAMED,
            true,
            true,
            true,
            Set.of("svc-a", "svc-b"),
            true,
            Optional.of("/health"),
            Set.of("GET", "PROPFIND"),
            List.of(
                URI.create("https://app.example.com/connected"),
                URI.create("http://localhost:3000/")),
            Optional.of("Acme Reports <beta>"));
    NamedCredential allOff =
        new NamedCredential(
            "alloff",
            URI.create("http://localhost:8081"),
            new Authentication.None(),
            PrincipalType.NAMED,
            false,
            false,
            false,
            Set.of(),
            false,
            Optional.empty());

    join(store.saveCredential(allOn));
    join(store.saveCredential(allOff));

    assertThat(join(store.findCredential("allon"))).contains(allOn);
    assertThat(join(store.findCredential("alloff"))).contains(allOff);
  }

  @Test
  void findCredentialWhenItHasRefreshRulesThenReturnsThemUnchanged() {
    join(store.saveProvider(explicitProvider("idp")));
    List<Diagnosis> problems = new ArrayList<>();
    RefreshRules rules =
        RefreshRuleDraft.validateAll(
            List.of(
                new RefreshRuleDraft(
                    List.of("500", "5xx", "502-504"),
                    "<faultcode>[^<]*INVALID_SESSION_ID</faultcode>",
                    null,
                    null),
                new RefreshRuleDraft(List.of("403"), null, "X-Error", "(?i)token expired")),
            problems);
    assertThat(problems).isEmpty();
    NamedCredential soap =
        new NamedCredential(
            "soap",
            URI.create("https://api.example.com/services"),
            new Authentication.AuthorizationCode("idp"),
            PrincipalType.NAMED,
            true,
            false,
            false,
            Set.of(),
            true,
            Optional.empty(),
            Set.of("GET", "POST"),
            List.of(),
            Optional.empty(),
            rules,
            TokenPlacement.BEARER,
            TlsSettings.NONE);

    join(store.saveCredential(soap));

    assertThat(join(store.findCredential("soap"))).contains(soap);
  }

  @Test
  void findCredentialWhenTheTokenIsPlacedOtherThanAsBearerThenReturnsThePlacementUnchanged() {
    join(store.saveProvider(explicitProvider("idp")));
    List<NamedCredential> placed = new ArrayList<>();
    for (TokenPlacement placement :
        List.of(
            TokenPlacement.BEARER,
            new TokenPlacement.InHeader("X-Auth-Token", "Token "),
            new TokenPlacement.InHeader("X-Key", ""),
            new TokenPlacement.InQuery("access_token"))) {
      placed.add(
          new NamedCredential(
              "placed" + placed.size(),
              URI.create("https://api.example.com/v2"),
              new Authentication.ClientCredentials("idp"),
              PrincipalType.NAMED,
              true,
              false,
              false,
              Set.of(),
              true,
              Optional.empty(),
              Set.of("GET"),
              List.of(),
              Optional.empty(),
              RefreshRules.NONE,
              placement,
              TlsSettings.NONE));
    }

    placed.forEach(credential -> join(store.saveCredential(credential)));

    for (NamedCredential credential : placed) {
      assertThat(join(store.findCredential(credential.name()))).contains(credential);
    }
  }

  @Test
  void findCredentialWhenItExchangesTokensThenReturnsTheExchangeSettingsUnchanged() {
    join(store.saveProvider(explicitProvider("idp")));
    List<NamedCredential> exchanging = new ArrayList<>();
    for (Authentication.TokenExchange settings :
        List.of(
            new Authentication.TokenExchange(
                "idp",
                Optional.empty(),
                List.of(),
                List.of(),
                Optional.empty(),
                Authentication.TokenExchange.ACCESS_TOKEN_TYPE),
            new Authentication.TokenExchange(
                "idp",
                Optional.of("frontend"),
                List.of("orders-api", "billing"),
                List.of(URI.create("https://orders.example.com/api")),
                Optional.of("urn:ietf:params:oauth:token-type:access_token"),
                "urn:ietf:params:oauth:token-type:jwt"))) {
      exchanging.add(
          new NamedCredential(
              "exchange" + exchanging.size(),
              URI.create("https://orders.example.com/api"),
              settings,
              PrincipalType.NAMED,
              true,
              false,
              false,
              Set.of("web"),
              true,
              Optional.empty(),
              Set.of("GET"),
              List.of(),
              Optional.empty(),
              RefreshRules.NONE,
              TokenPlacement.BEARER,
              TlsSettings.NONE));
    }

    exchanging.forEach(credential -> join(store.saveCredential(credential)));

    for (NamedCredential credential : exchanging) {
      assertThat(join(store.findCredential(credential.name()))).contains(credential);
    }
  }

  @Test
  void findCredentialWhenUnknownThenEmpty() {
    assertThat(join(store.findCredential("none"))).isEmpty();
  }

  @Test
  void saveCredentialWhenNameExistsThenReplacesIt() {
    join(store.saveCredential(credential("crm", new Authentication.None(), PrincipalType.NAMED)));
    NamedCredential replacement =
        credential(
            "crm", new Authentication.Basic("u", Secret.of("new-password")), PrincipalType.NAMED);

    join(store.saveCredential(replacement));

    assertThat(join(store.findCredential("crm"))).contains(replacement);
    assertThat(join(store.listCredentials())).containsExactly(replacement);
  }

  @Test
  void listCredentialsWhenSeveralSavedThenReturnsAll() {
    NamedCredential a = credential("a", new Authentication.None(), PrincipalType.NAMED);
    NamedCredential b =
        credential(
            "b", new Authentication.ApiKey("X-API-Key", Secret.of("k")), PrincipalType.NAMED);
    join(store.saveCredential(b));
    join(store.saveCredential(a));

    assertThat(join(store.listCredentials())).containsExactlyInAnyOrder(a, b);
  }

  @Test
  void deleteCredentialWhenItExistsThenTrueAndGone() {
    join(store.saveCredential(credential("crm", new Authentication.None(), PrincipalType.NAMED)));

    assertThat(join(store.deleteCredential("crm"))).isTrue();
    assertThat(join(store.findCredential("crm"))).isEmpty();
    assertThat(join(store.deleteCredential("crm"))).isFalse();
  }

  @Test
  void deleteCredentialWhenItHasTokensThenTheyGoWithIt() {
    Optional<TokenStore> tokens = tokenStoreOf(store);
    org.junit.jupiter.api.Assumptions.assumeTrue(
        tokens.isPresent(), "the store keeps no tokens beside credentials");
    join(store.saveProvider(explicitProvider("idp")));
    join(
        store.saveCredential(
            credential(
                "crm", new Authentication.AuthorizationCode("idp"), PrincipalType.PER_USER)));
    join(
        store.saveCredential(
            credential(
                "erp", new Authentication.AuthorizationCode("idp"), PrincipalType.PER_USER)));
    join(tokens.get().compareAndSet(TokenRecord.unauthorized(TokenKey.perUser("crm", "alice"))));
    join(tokens.get().compareAndSet(TokenRecord.unauthorized(TokenKey.perUser("erp", "alice"))));

    join(store.deleteCredential("crm"));

    assertThat(join(tokens.get().findByCredential("crm"))).isEmpty();
    assertThat(join(tokens.get().findByCredential("erp"))).hasSize(1);
  }

  // ---- building blocks ----

  protected static AuthProvider explicitProvider(String name) {
    return new AuthProvider(
        name,
        Optional.empty(),
        Optional.of(URI.create("https://idp.example.com/oauth2/authorize")),
        Optional.of(URI.create("https://idp.example.com/oauth2/token")),
        Optional.of(URI.create("https://idp.example.com/oauth2/revoke")),
        "client-" + name,
        Optional.of(Secret.of("client-secret-" + name)),
        ClientAuthMethod.CLIENT_SECRET_POST,
        List.of("openid", "offline_access", "api:read"),
        Optional.of(Duration.ofHours(24)),
        Map.of("resource", "https://api.example.com/", "audience", "crm"),
        Optional.of(Duration.ofHours(8)),
        Optional.of(
            new ProviderTemplate.Use(
                ProviderTemplates.named("okta").orElseThrow(),
                Map.of("domain", "idp.example.com"))),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        TlsSettings.NONE,
        Optional.of(URI.create("https://idp.example.com/oauth2/device")));
  }

  protected static AuthProvider issuerProvider(String name) {
    return new AuthProvider(
        name,
        Optional.of(URI.create("https://login.example.com/realms/" + name)),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        "public-client",
        Optional.empty(),
        ClientAuthMethod.NONE,
        List.of(),
        Optional.empty());
  }

  protected static NamedCredential credential(
      String name, Authentication authentication, PrincipalType principal) {
    return new NamedCredential(
        name,
        URI.create("https://api.example.com/" + name),
        authentication,
        principal,
        true,
        false,
        false,
        Set.of("svc-" + name),
        true,
        Optional.of("/ping"));
  }
}
