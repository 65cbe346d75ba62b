package dev.callgate.core.credential;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.diagnosis.DiagnosisCode;
import dev.callgate.core.diagnosis.Validated;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class ProviderTemplatesTest {

  private static Validated<AuthProvider> draft(
      String template, Map<String, String> parameters, String issuer, List<String> scopes) {
    return draft(template, parameters, issuer, scopes, null);
  }

  private static Validated<AuthProvider> draft(
      String template,
      Map<String, String> parameters,
      String issuer,
      List<String> scopes,
      String accessTokenLifetime) {
    return new AuthProviderDraft(
            "crm",
            issuer,
            null,
            null,
            null,
            "callgate",
            "client-s3cret",
            null,
            scopes,
            null,
            null,
            template,
            parameters,
            accessTokenLifetime,
            null,
            null,
            null,
            null,
            null,
            null,
            null)
        .validate();
  }

  private static AuthProvider valid(Validated<AuthProvider> result) {
    assertThat(result.problems()).isEmpty();
    return ((Validated.Valid<AuthProvider>) result).value();
  }

  private static Map<String, String> examples(ProviderTemplate template) {
    return template.parameters().stream()
        .collect(
            Collectors.toMap(
                ProviderTemplate.Parameter::name,
                ProviderTemplate.Parameter::example,
                (a, b) -> a,
                LinkedHashMap::new));
  }

  static Stream<ProviderTemplate> templates() {
    return ProviderTemplates.all().stream();
  }

  @Test
  void allWhenListedThenHasTheNineProductsInOrderWithUniqueNames() {
    assertThat(ProviderTemplates.all())
        .extracting(ProviderTemplate::name)
        .containsExactly(
            "salesforce", "google", "entra", "github", "slack", "okta", "auth0", "keycloak", "wso2")
        .doesNotHaveDuplicates();
  }

  @ParameterizedTest
  @MethodSource("templates")
  void validateWhenEachTemplateGetsItsExampleParametersThenGivesAProviderWithNoPlaceholderLeft(
      ProviderTemplate template) {
    AuthProvider provider = valid(draft(template.name(), examples(template), null, null));

    assertThat(provider.template()).map(ProviderTemplate.Use::template).contains(template);
    assertThat(provider.template().get().parameters()).isEqualTo(examples(template));
    assertThat(provider.issuer().isPresent() || provider.tokenEndpoint().isPresent()).isTrue();
    Stream.of(
            provider.issuer(),
            provider.authorizationEndpoint(),
            provider.tokenEndpoint(),
            provider.revocationEndpoint())
        .flatMap(Optional::stream)
        .forEach(
            uri -> {
              assertThat(uri.toString()).doesNotContain("{").doesNotContain("}");
              assertThat(uri.getScheme()).isEqualTo("https");
            });
    assertThat(provider.scopes()).isEqualTo(template.scopes());
    assertThat(provider.refreshTokenLifetime()).isEqualTo(template.refreshTokenLifetime());
    assertThat(provider.accessTokenLifetime()).isEqualTo(template.accessTokenLifetime());
    assertThat(provider.authorizationParameters()).isEqualTo(template.authorizationParameters());
    assertThat(provider.clientAuthMethod())
        .isEqualTo(template.clientAuthMethod().orElse(ClientAuthMethod.CLIENT_SECRET_BASIC));
  }

  @ParameterizedTest
  @MethodSource("templates")
  void validateWhenEachTemplateMissesEveryParameterThenNamesEachWithItsExample(
      ProviderTemplate template) {
    Validated<AuthProvider> result = draft(template.name(), null, null, null);

    if (template.parameters().isEmpty()) {
      assertThat(result.problems()).isEmpty();
      return;
    }
    assertThat(result.problems()).hasSameSizeAs(template.parameters());
    for (ProviderTemplate.Parameter parameter : template.parameters()) {
      assertThat(result.problems())
          .anySatisfy(
              problem -> {
                assertThat(problem.code()).isEqualTo(DiagnosisCode.INVALID_VALUE);
                assertThat(problem.facts())
                    .containsEntry("field", "templateParameters." + parameter.name());
                assertThat(problem.facts().get("problem"))
                    .contains("template '" + template.name() + "' needs it")
                    .contains(parameter.example());
              });
    }
  }

  @ParameterizedTest
  @MethodSource("templates")
  void validateWhenEachTemplateGetsAnUnknownParameterThenRefusesItNamingTheKnownOnes(
      ProviderTemplate template) {
    Map<String, String> parameters = new LinkedHashMap<>(examples(template));
    parameters.put("colour", "blue");

    List<Diagnosis> problems = draft(template.name(), parameters, null, null).problems();

    assertThat(problems).hasSize(1);
    assertThat(problems.get(0).facts()).containsEntry("field", "templateParameters.colour");
    assertThat(problems.get(0).facts().get("problem"))
        .contains(template.parameters().isEmpty() ? "takes no parameters" : "takes only");
  }

  @Test
  void validateWhenATemplateProviderHasTokenRequestParametersAndASigningKeyThenKeepsThem() {
    AuthProvider provider =
        valid(
            new AuthProviderDraft(
                    "sso",
                    null,
                    null,
                    null,
                    null,
                    "callgate",
                    null,
                    "private_key_jwt",
                    null,
                    null,
                    Map.of("resource", "https://api.example.com/"),
                    "keycloak",
                    Map.of("baseUrl", "https://sso.example.com", "realm", "acme"),
                    null,
                    "-----BEGIN PRIVATE KEY-----",
                    "key-1",
                    "ES256",
                    null,
                    null,
                    null,
                    null)
                .validate());

    assertThat(provider.issuer()).contains(URI.create("https://sso.example.com/realms/acme"));
    assertThat(provider.tokenRequestParameters())
        .containsExactly(Map.entry("resource", "https://api.example.com/"));
    assertThat(provider.clientAuthMethod()).isEqualTo(ClientAuthMethod.PRIVATE_KEY_JWT);
    assertThat(provider.clientPrivateKey()).contains(Secret.of("-----BEGIN PRIVATE KEY-----"));
    assertThat(provider.clientKeyId()).contains("key-1");
    assertThat(provider.clientAssertionAlgorithm()).contains("ES256");
  }

  @Test
  void validateWhenKeycloakTemplateThenIssuerIsBaseUrlRealmsRealmWithoutADoubleSlash() {
    AuthProvider provider =
        valid(
            draft(
                "keycloak",
                Map.of("baseUrl", "https://sso.example.com/auth/", "realm", "acme"),
                null,
                null));

    assertThat(provider.issuer()).contains(URI.create("https://sso.example.com/auth/realms/acme"));
    assertThat(provider.scopes()).containsExactly("openid", "offline_access");
  }

  @Test
  void validateWhenOktaAuth0EntraAndWso2ThenExpandTheirOwnPatterns() {
    assertThat(valid(draft("okta", Map.of("domain", "dev-1.okta.com"), null, null)).issuer())
        .contains(URI.create("https://dev-1.okta.com/oauth2/default"));
    assertThat(valid(draft("auth0", Map.of("domain", "acme.eu.auth0.com"), null, null)).issuer())
        .contains(URI.create("https://acme.eu.auth0.com/"));
    AuthProvider entra = valid(draft("entra", Map.of("tenant", "organizations"), null, null));
    assertThat(entra.issuer()).isEmpty();
    assertThat(entra.tokenEndpoint())
        .contains(URI.create("https://login.microsoftonline.com/organizations/oauth2/v2.0/token"));
    assertThat(entra.refreshTokenLifetime()).contains(Duration.ofDays(90));
    assertThat(
            valid(draft("wso2", Map.of("baseUrl", "https://is.example.com:9443"), null, null))
                .issuer())
        .contains(URI.create("https://is.example.com:9443/oauth2/token"));
    assertThat(
            valid(draft("salesforce", Map.of("domain", "acme.my.salesforce.com"), null, null))
                .accessTokenLifetime())
        .contains(Duration.ofHours(2));
  }

  @Test
  void validateWhenGoogleTemplateThenAsksForOfflineAccessThroughAuthorizationParameters() {
    AuthProvider google = valid(draft("google", null, null, null));

    assertThat(google.issuer()).contains(URI.create("https://accounts.google.com"));
    assertThat(google.authorizationParameters())
        .containsExactlyInAnyOrderEntriesOf(Map.of("access_type", "offline", "prompt", "consent"));
  }

  @Test
  void validateWhenGithubOrSlackThenAssumeAYearForTokensThatStateNoLifetime() {
    assertThat(valid(draft("github", null, null, null)).accessTokenLifetime())
        .contains(Duration.ofDays(365));
    assertThat(valid(draft("slack", null, null, null)).accessTokenLifetime())
        .contains(Duration.ofDays(365));
    assertThat(valid(draft("github", null, null, null)).clientAuthMethod())
        .isEqualTo(ClientAuthMethod.CLIENT_SECRET_POST);
  }

  @Test
  void validateWhenExplicitFieldsAreGivenThenTheyWinOverTheTemplate() {
    AuthProvider provider =
        valid(
            draft(
                "keycloak",
                Map.of("baseUrl", "https://sso.example.com", "realm", "acme"),
                "https://other.example.com/realms/x",
                List.of("openid"),
                "PT5M"));

    assertThat(provider.issuer()).contains(URI.create("https://other.example.com/realms/x"));
    assertThat(provider.scopes()).containsExactly("openid");
    assertThat(provider.accessTokenLifetime()).contains(Duration.ofMinutes(5));
    assertThat(provider.template()).isPresent();
  }

  @ParameterizedTest
  @CsvSource({
    "keycloak, baseUrl, ftp://sso.example.com, an http(s) URL",
    "keycloak, baseUrl, https://sso.example.com?x=1, an http(s) URL",
    "okta, domain, https://dev-1.okta.com, a host name",
    "okta, domain, dev-1.okta.com/evil, a host name",
    "entra, tenant, a/b, one path segment",
    "entra, tenant, .., one path segment",
  })
  void validateWhenAParameterBreaksItsKindThenSaysWhichRuleWithTheExample(
      String template, String parameter, String value, String rule) {
    Map<String, String> parameters =
        new LinkedHashMap<>(examples(ProviderTemplates.named(template).orElseThrow()));
    parameters.put(parameter, value);

    List<Diagnosis> problems = draft(template, parameters, null, null).problems();

    assertThat(problems).hasSize(1);
    assertThat(problems.get(0).facts()).containsEntry("field", "templateParameters." + parameter);
    assertThat(problems.get(0).facts().get("problem")).contains("'" + value + "'").contains(rule);
  }

  @Test
  void validateWhenTheTemplateIsUnknownThenListsTheKnownOnes() {
    List<Diagnosis> problems = draft("ping", null, null, null).problems();

    assertThat(problems).hasSize(1);
    assertThat(problems.get(0).facts()).containsEntry("field", "template");
    assertThat(problems.get(0).facts().get("problem"))
        .contains("'ping' is not a template")
        .contains("keycloak")
        .contains("wso2");
  }

  @Test
  void validateWhenTemplateParametersComeWithoutATemplateThenRefused() {
    List<Diagnosis> problems =
        draft(null, Map.of("realm", "acme"), "https://idp.example.com", null).problems();

    assertThat(problems).hasSize(1);
    assertThat(problems.get(0).facts()).containsEntry("field", "templateParameters");
  }

  @ParameterizedTest
  @CsvSource({"PT0S", "-PT1H", "one hour"})
  void validateWhenAccessTokenLifetimeIsNotAPositiveDurationThenRefused(String lifetime) {
    List<Diagnosis> problems =
        draft(null, null, "https://idp.example.com", null, lifetime).problems();

    assertThat(problems).hasSize(1);
    assertThat(problems.get(0).facts()).containsEntry("field", "accessTokenLifetime");
    assertThat(problems.get(0).facts().get("problem"))
        .contains("'" + lifetime + "' is not a positive ISO-8601 duration");
  }

  @Test
  void validateWhenAccessTokenLifetimeIsGivenWithoutTemplateThenKept() {
    AuthProvider provider = valid(draft(null, null, "https://idp.example.com", null, "PT8H"));

    assertThat(provider.accessTokenLifetime()).contains(Duration.ofHours(8));
    assertThat(provider.template()).isEmpty();
    assertThat(provider.authorizationParameters()).isEmpty();
  }

  @Test
  void constructorWhenAPatternUsesAnUndeclaredParameterThenRefused() {
    assertThatIllegalArgumentException()
        .isThrownBy(
            () ->
                new ProviderTemplate(
                    "x",
                    "X",
                    List.of(),
                    Optional.of("https://{host}"),
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    List.of(),
                    Map.of(),
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    ""))
        .withMessageContaining("{host}");
  }
}
