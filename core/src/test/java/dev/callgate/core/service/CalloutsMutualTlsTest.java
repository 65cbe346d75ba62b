package dev.callgate.core.service;

import static dev.callgate.core.service.ServiceFixture.ADMIN;
import static dev.callgate.core.service.ServiceFixture.authorizationCode;
import static dev.callgate.core.service.ServiceFixture.draft;
import static dev.callgate.core.service.ServiceFixture.join;
import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.core.callout.Body;
import dev.callgate.core.callout.CalloutRequest;
import dev.callgate.core.callout.Headers;
import dev.callgate.core.credential.AuthProvider;
import dev.callgate.core.credential.NamedCredential;
import dev.callgate.core.credential.Secret;
import dev.callgate.core.credential.TlsSettings;
import dev.callgate.core.diagnosis.DiagnosisCode;
import dev.callgate.core.testkit.ScriptedTarget;
import dev.callgate.core.testkit.TestPki;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Which client certificate a callout presents to its target: the credential's own, else its
 * provider's (a target checking certificate-bound access tokens must see the certificate the token
 * is bound to), with the credential's trust either way.
 */
class CalloutsMutualTlsTest {

  private static final TlsSettings PROVIDER_TLS =
      new TlsSettings(
          Optional.of("provider certificate"),
          Optional.of(Secret.of("provider key")),
          Optional.of("provider's authorities"));
  private static final TlsSettings CREDENTIAL_TLS =
      new TlsSettings(
          Optional.of("credential certificate"),
          Optional.of(Secret.of("credential key")),
          Optional.of("credential's authorities"));

  private final ServiceFixture f = new ServiceFixture();

  @Test
  void calloutWhenOnlyTheProviderHasACertificateThenTheTargetIsShownTheProviders() {
    authorized(withTls(f.provider(List.of("openid"), null), PROVIDER_TLS), TlsSettings.NONE);

    call();

    TlsSettings sent = f.target.lastRequest().tls();
    assertThat(sent.clientCertificate()).contains("provider certificate");
    assertThat(sent.clientKey()).contains(Secret.of("provider key"));
    // the provider's authorities are for its endpoints, not for the target
    assertThat(sent.trustedCertificates()).isEmpty();
  }

  @Test
  void calloutWhenTheCredentialHasItsOwnCertificateThenItIsShownNotTheProviders() {
    authorized(withTls(f.provider(List.of("openid"), null), PROVIDER_TLS), CREDENTIAL_TLS);

    call();

    assertThat(f.target.lastRequest().tls()).isEqualTo(CREDENTIAL_TLS);
  }

  @Test
  void calloutWhenNeitherHasTlsSettingsThenNoneAreSent() {
    f.provider(List.of("openid"), null);
    authorized(f.provider(), TlsSettings.NONE);

    call();

    assertThat(f.target.lastRequest().tls()).isEqualTo(TlsSettings.NONE);
  }

  @Test
  void calloutWhenCredentialWithoutProviderHasACertificateThenItIsShown() {
    NamedCredential none =
        credentialWithTls(
            ServiceFixture.valid(
                draft("plain", "none", "named", true, false, List.of("app"), true)),
            CREDENTIAL_TLS);
    join(f.credentials.saveCredential(none));
    f.target.respondWith(ScriptedTarget.status(200, Headers.EMPTY, "{}"));

    join(f.callouts.send(ADMIN, "plain", get()));

    assertThat(f.target.lastRequest().tls()).isEqualTo(CREDENTIAL_TLS);
  }

  @Test
  void calloutWhenTargetRejectsEvenAFreshTokenOverTheProvidersCertificateThenDiagnosisNamesIt() {
    TestPki.Issued issued = TestPki.create("Callouts Test CA").client("bound-client");
    TlsSettings providerTls =
        new TlsSettings(
            Optional.of(issued.chain()),
            Optional.of(Secret.of(issued.privateKey())),
            Optional.empty());
    authorized(withTls(f.provider(List.of("openid"), null), providerTls), TlsSettings.NONE);
    f.target.respondWith(
        ScriptedTarget.unauthorized(
            Headers.of("WWW-Authenticate", "Bearer error=\"invalid_token\""), ""));

    CalloutResult result = join(f.callouts.send(ADMIN, "crm", get()));

    assertThat(result)
        .isInstanceOfSatisfying(
            CalloutResult.RejectedAfterRefresh.class,
            rejected -> {
              assertThat(rejected.diagnosis().code())
                  .isEqualTo(DiagnosisCode.TLS_BOUND_TOKEN_REJECTED);
              assertThat(rejected.diagnosis().message())
                  .contains("CN=bound-client", "its provider's");
              assertThat(rejected.diagnosis().remedy()).contains("RFC 8705");
            });
  }

  private void authorized(AuthProvider provider, TlsSettings credentialTls) {
    join(f.credentials.saveProvider(provider));
    NamedCredential credential =
        credentialWithTls(ServiceFixture.valid(authorizationCode("crm")), credentialTls);
    join(f.credentials.saveCredential(credential));
    f.authorize("crm", ADMIN);
    f.target.respondWith(ScriptedTarget.bearerChecked(f.idp::isCurrentAccessToken, "{}"));
  }

  private void call() {
    CalloutResult result = join(f.callouts.send(ADMIN, "crm", get()));
    assertThat(result).isInstanceOf(CalloutResult.Relayed.class);
  }

  private static CalloutRequest get() {
    return new CalloutRequest("GET", "accounts", Optional.empty(), Headers.EMPTY, Body.EMPTY);
  }

  private static AuthProvider withTls(AuthProvider p, TlsSettings tls) {
    return new AuthProvider(
        p.name(),
        p.issuer(),
        p.authorizationEndpoint(),
        p.tokenEndpoint(),
        p.revocationEndpoint(),
        p.clientId(),
        p.clientSecret(),
        p.clientAuthMethod(),
        p.scopes(),
        p.refreshTokenLifetime(),
        p.tokenRequestParameters(),
        p.accessTokenLifetime(),
        p.template(),
        p.clientPrivateKey(),
        p.clientKeyId(),
        p.clientAssertionAlgorithm(),
        tls,
        Optional.empty());
  }

  private static NamedCredential credentialWithTls(NamedCredential c, TlsSettings tls) {
    return new NamedCredential(
        c.name(),
        c.url(),
        c.authentication(),
        c.principal(),
        c.generateAuthorizationHeader(),
        c.allowMergeFieldsInHeaders(),
        c.allowMergeFieldsInBody(),
        c.allowedCallers(),
        c.keepAlive(),
        c.testPath(),
        c.allowedMethods(),
        c.allowedReturnUrls(),
        c.applicationName(),
        c.refreshOn(),
        c.tokenPlacement(),
        tls);
  }
}
