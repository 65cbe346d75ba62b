package dev.callgate.core.credential;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.diagnosis.DiagnosisCode;
import dev.callgate.core.diagnosis.Validated;
import dev.callgate.core.testkit.TestPki;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TlsSettingsDraftTest {

  private static TestPki pki;
  private static TestPki.Issued client;
  private static TestPki.Issued other;

  @BeforeAll
  static void certificates() {
    pki = TestPki.create("Callgate Test CA");
    client = pki.client("callgate-client");
    other = pki.selfSigned("someone-else");
  }

  @Test
  void validateWhenCertificateAndItsKeyThenSettingsPresentThem() {
    List<Diagnosis> problems = new ArrayList<>();

    TlsSettings tls =
        new TlsSettingsDraft(client.chain(), client.privateKey(), pki.caCertificate())
            .validate(problems);

    assertThat(problems).isEmpty();
    assertThat(tls.hasClientCertificate()).isTrue();
    assertThat(tls.clientKey().orElseThrow().reveal()).isEqualTo(client.privateKey().strip());
    assertThat(tls.trustedCertificates()).isPresent();
  }

  @Test
  void validateWhenKeyIsAnotherCertificatesThenInvalidValueNamingTheKeyAndTheCertificate() {
    List<Diagnosis> problems = new ArrayList<>();

    new TlsSettingsDraft(client.certificate(), other.privateKey(), null).validate(problems);

    assertThat(problems).singleElement().satisfies(p -> invalid(p, "tlsClientKey"));
    assertThat(problems.get(0).message())
        .contains("not the key of the client certificate")
        .contains("CN=callgate-client")
        .contains("valid from")
        .doesNotContain("PRIVATE KEY");
  }

  @Test
  void validateWhenCertificateDoesNotParseThenInvalidValueNamingIt() {
    List<Diagnosis> problems = new ArrayList<>();

    new TlsSettingsDraft(
            "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----",
            client.privateKey(),
            null)
        .validate(problems);

    assertThat(problems).singleElement().satisfies(p -> invalid(p, "tlsClientCertificate"));
  }

  @Test
  void validateWhenKeyIsPkcs1ThenInvalidValueSayingHowToConvert() {
    List<Diagnosis> problems = new ArrayList<>();

    new TlsSettingsDraft(
            client.certificate(),
            "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----",
            null)
        .validate(problems);

    assertThat(problems).singleElement().satisfies(p -> invalid(p, "tlsClientKey"));
    assertThat(problems.get(0).message()).contains("openssl pkcs8 -topk8 -nocrypt");
  }

  @Test
  void validateWhenCertificateWithoutKeyThenKeyIsMissing() {
    List<Diagnosis> problems = new ArrayList<>();

    new TlsSettingsDraft(client.certificate(), null, null).validate(problems);

    assertThat(problems).singleElement().satisfies(p -> invalid(p, "tlsClientKey"));
  }

  @Test
  void validateWhenTrustedCertificatesAreNotPemThenInvalidValueNamingThem() {
    List<Diagnosis> problems = new ArrayList<>();

    new TlsSettingsDraft(null, null, "a CA").validate(problems);

    assertThat(problems).singleElement().satisfies(p -> invalid(p, "tlsTrustedCertificates"));
  }

  @Test
  void providerWhenTlsClientAuthWithoutCertificateThenInvalidValueAndWithOneConfidential() {
    Validated<AuthProvider> without = provider("tls_client_auth", null, null);
    Validated<AuthProvider> with =
        provider("self_signed_tls_client_auth", other.certificate(), other.privateKey());

    assertThat(without.problems())
        .singleElement()
        .satisfies(p -> invalid(p, "tlsClientCertificate"));
    assertThat(with.problems()).isEmpty();
    AuthProvider provider = ((Validated.Valid<AuthProvider>) with).value();
    assertThat(provider.clientAuthMethod()).isEqualTo(ClientAuthMethod.SELF_SIGNED_TLS_CLIENT_AUTH);
    assertThat(provider.isConfidential()).isTrue();
    assertThat(provider.tls().clientCertificate()).isPresent();
  }

  @Test
  void orClientCertificateOfWhenOwnCertificateMissingThenTakesTheOtherKeepingOwnTrust() {
    TlsSettings own = new TlsSettings(Optional.empty(), Optional.empty(), Optional.of("trust"));
    TlsSettings provider =
        new TlsSettings(
            Optional.of(client.certificate()),
            Optional.of(Secret.of(client.privateKey())),
            Optional.of("provider trust"));

    TlsSettings target = own.orClientCertificateOf(provider);

    assertThat(target.clientCertificate()).isEqualTo(provider.clientCertificate());
    assertThat(target.trustedCertificates()).contains("trust");
    assertThat(target.fingerprint()).isNotEqualTo(own.fingerprint());
  }

  private static Validated<AuthProvider> provider(String method, String certificate, String key) {
    return new AuthProviderDraft(
            "mtls",
            null,
            null,
            "https://idp.example.com/token",
            null,
            "callgate",
            null,
            method,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            certificate,
            key,
            null,
            null)
        .validate();
  }

  private static void invalid(Diagnosis problem, String field) {
    assertThat(problem.code()).isEqualTo(DiagnosisCode.INVALID_VALUE);
    assertThat(problem.facts()).containsEntry("field", field);
  }
}
