package dev.callgate.core.credential;

import dev.callgate.core.credential.ProviderTemplate.Parameter;
import dev.callgate.core.credential.ProviderTemplate.ParameterKind;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The identity providers Callgate knows how to reach from a few parameters, one {@link
 * ProviderTemplate} each, in the order the API lists them. A provider names one by {@code template}
 * and gives its {@code templateParameters}; the fields it states itself win.
 */
public final class ProviderTemplates {
  private static final Parameter DOMAIN_SALESFORCE =
      new Parameter(
          "domain",
          ParameterKind.HOST,
          "the org's My Domain host, or login.salesforce.com (test.salesforce.com for a sandbox)",
          "acme.my.salesforce.com");

  private static final List<ProviderTemplate> ALL =
      List.of(
          new ProviderTemplate(
              "salesforce",
              "Salesforce",
              List.of(DOMAIN_SALESFORCE),
              Optional.of("https://{domain}"),
              Optional.empty(),
              Optional.empty(),
              Optional.empty(),
              List.of("api", "refresh_token"),
              Map.of(),
              Optional.empty(),
              Optional.of(Duration.ofHours(2)),
              Optional.empty(),
              "Salesforce sends no expires_in: the session timeout (2 hours by default) is assumed;"
                  + " the scope refresh_token asks for a refresh token"),
          new ProviderTemplate(
              "google",
              "Google",
              List.of(),
              Optional.of("https://accounts.google.com"),
              Optional.empty(),
              Optional.empty(),
              Optional.empty(),
              List.of("openid", "email"),
              Map.of("access_type", "offline", "prompt", "consent"),
              Optional.empty(),
              Optional.empty(),
              Optional.empty(),
              "access_type=offline and prompt=consent ask for a refresh token at every consent;"
                  + " add the scopes of the Google APIs you call"),
          new ProviderTemplate(
              "entra",
              "Microsoft Entra ID",
              List.of(
                  new Parameter(
                      "tenant",
                      ParameterKind.PATH_SEGMENT,
                      "the directory (tenant) id or domain, or organizations, common or consumers",
                      "contoso.onmicrosoft.com")),
              Optional.empty(),
              Optional.of("https://login.microsoftonline.com/{tenant}/oauth2/v2.0/authorize"),
              Optional.of("https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token"),
              Optional.empty(),
              List.of("openid", "offline_access", "https://graph.microsoft.com/User.Read"),
              Map.of(),
              Optional.empty(),
              Optional.empty(),
              Optional.of(Duration.ofDays(90)),
              "explicit endpoints, since the multi-tenant discovery documents name no fixed issuer;"
                  + " refresh tokens end after 90 days unused"),
          new ProviderTemplate(
              "github",
              "GitHub",
              List.of(),
              Optional.empty(),
              Optional.of("https://github.com/login/oauth/authorize"),
              Optional.of("https://github.com/login/oauth/access_token"),
              Optional.empty(),
              List.of("read:user"),
              Map.of(),
              Optional.of(ClientAuthMethod.CLIENT_SECRET_POST),
              Optional.of(Duration.ofDays(365)),
              Optional.empty(),
              "an OAuth app's tokens send no expires_in and do not expire (GitHub revokes one"
                  + " unused for a year); a GitHub App's expiring user tokens state their lifetimes"),
          new ProviderTemplate(
              "slack",
              "Slack",
              List.of(),
              Optional.empty(),
              Optional.of("https://slack.com/oauth/v2/authorize"),
              Optional.of("https://slack.com/api/oauth.v2.access"),
              Optional.empty(),
              List.of(),
              Map.of(),
              Optional.of(ClientAuthMethod.CLIENT_SECRET_POST),
              Optional.of(Duration.ofDays(365)),
              Optional.empty(),
              "classic tokens send no expires_in and do not expire; with token rotation on, Slack"
                  + " states a 12-hour lifetime and sends refresh tokens"),
          new ProviderTemplate(
              "okta",
              "Okta",
              List.of(
                  new Parameter(
                      "domain",
                      ParameterKind.HOST,
                      "the Okta org's host, or its custom domain",
                      "dev-123456.okta.com")),
              Optional.of("https://{domain}/oauth2/default"),
              Optional.empty(),
              Optional.empty(),
              Optional.empty(),
              List.of("openid", "offline_access"),
              Map.of(),
              Optional.empty(),
              Optional.empty(),
              Optional.of(Duration.ofDays(7)),
              "the default authorization server; its default policy ends a refresh token unused"
                  + " for 7 days"),
          new ProviderTemplate(
              "auth0",
              "Auth0",
              List.of(
                  new Parameter(
                      "domain",
                      ParameterKind.HOST,
                      "the tenant's domain, or its custom domain",
                      "acme.eu.auth0.com")),
              Optional.of("https://{domain}/"),
              Optional.empty(),
              Optional.empty(),
              Optional.empty(),
              List.of("openid", "offline_access"),
              Map.of(),
              Optional.empty(),
              Optional.empty(),
              Optional.empty(),
              "offline_access returns a refresh token when the API allows offline access"),
          new ProviderTemplate(
              "keycloak",
              "Keycloak",
              List.of(
                  new Parameter(
                      "baseUrl",
                      ParameterKind.URL,
                      "the server's URL, with its context path if it has one",
                      "https://sso.example.com"),
                  new Parameter("realm", ParameterKind.PATH_SEGMENT, "the realm's name", "acme")),
              Optional.of("{baseUrl}/realms/{realm}"),
              Optional.empty(),
              Optional.empty(),
              Optional.empty(),
              List.of("openid", "offline_access"),
              Map.of(),
              Optional.empty(),
              Optional.empty(),
              Optional.empty(),
              "offline_access asks for an offline token, which outlives the browser session"),
          new ProviderTemplate(
              "wso2",
              "WSO2 Identity Server",
              List.of(
                  new Parameter(
                      "baseUrl",
                      ParameterKind.URL,
                      "the server's URL, with /t/{tenant-domain} for a tenant other than the"
                          + " super tenant",
                      "https://is.example.com:9443")),
              Optional.of("{baseUrl}/oauth2/token"),
              Optional.empty(),
              Optional.empty(),
              Optional.empty(),
              List.of("openid"),
              Map.of(),
              Optional.empty(),
              Optional.empty(),
              Optional.of(Duration.ofDays(1)),
              "refresh tokens come with the authorization code grant and live 24 hours by"
                  + " default, which WSO2 does not state"));

  private ProviderTemplates() {}

  /** Every template, in the order the API lists them. */
  public static List<ProviderTemplate> all() {
    return ALL;
  }

  /** The template called {@code name}. */
  public static Optional<ProviderTemplate> named(String name) {
    return ALL.stream().filter(t -> t.name().equals(name)).findFirst();
  }

  /** The names of every template, comma-separated, for messages. */
  static String names() {
    return String.join(", ", ALL.stream().map(ProviderTemplate::name).toList());
  }
}
