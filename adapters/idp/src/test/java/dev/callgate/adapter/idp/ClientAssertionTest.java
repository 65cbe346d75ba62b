package dev.callgate.adapter.idp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.callgate.core.credential.AuthProvider;
import dev.callgate.core.credential.ClientAuthMethod;
import dev.callgate.core.credential.Secret;
import dev.callgate.core.credential.TlsSettings;
import dev.callgate.core.diagnosis.DiagnosisCode;
import dev.callgate.core.port.IdentityProviderException;
import java.net.URI;
import java.security.KeyPair;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ClientAssertionTest {

  private static final URI TOKEN_ENDPOINT = URI.create("https://idp.example/oauth2/token");
  private static final Instant NOW = Instant.parse("2030-01-01T10:00:00Z");
  private static final String SECRET = "a-client-secret-of-at-least-thirty-two-bytes";

  private static AuthProvider provider(
      ClientAuthMethod method, String secret, String privateKey, String keyId, String algorithm) {
    return new AuthProvider(
        "idp",
        Optional.of(URI.create("https://idp.example")),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        "callgate-client",
        Optional.ofNullable(secret).map(Secret::of),
        method,
        List.of(),
        Optional.empty(),
        Map.of(),
        Optional.empty(),
        Optional.empty(),
        Optional.ofNullable(privateKey).map(Secret::of),
        Optional.ofNullable(keyId),
        Optional.ofNullable(algorithm),
        TlsSettings.NONE,
        Optional.empty());
  }

  private static SignedJWT verified(String assertion, JWSVerifier verifier) throws Exception {
    SignedJWT jwt = SignedJWT.parse(assertion);
    assertThat(jwt.verify(verifier)).as("signature").isTrue();
    return jwt;
  }

  private static void assertClaimsOfTheClientForTheTokenEndpoint(JWTClaimsSet claims) {
    assertThat(claims.getIssuer()).isEqualTo("callgate-client");
    assertThat(claims.getSubject()).isEqualTo("callgate-client");
    assertThat(claims.getAudience()).containsExactly(TOKEN_ENDPOINT.toString());
    assertThat(claims.getIssueTime()).isEqualTo(Date.from(NOW));
    assertThat(claims.getExpirationTime()).isEqualTo(Date.from(NOW.plus(Duration.ofSeconds(60))));
    assertThat(claims.getJWTID()).isNotBlank();
  }

  @Test
  void privateKeyJwtWhenTheKeyIsAPkcs8RsaPemThenRs256ForTheTokenEndpointVerifiedByThePublicKey()
      throws Exception {
    KeyPair keys = TestSupport.rsaKeyPair();
    AuthProvider provider =
        provider(
            ClientAuthMethod.PRIVATE_KEY_JWT,
            null,
            TestSupport.privateKeyPem(keys),
            "callgate-2030",
            null);

    SignedJWT jwt =
        verified(
            ClientAssertion.privateKeyJwt(provider, TOKEN_ENDPOINT, NOW),
            new RSASSAVerifier((RSAPublicKey) keys.getPublic()));

    assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.RS256);
    assertThat(jwt.getHeader().getKeyID()).isEqualTo("callgate-2030");
    assertClaimsOfTheClientForTheTokenEndpoint(jwt.getJWTClaimsSet());
  }

  @Test
  void privateKeyJwtWhenSignedTwiceThenEachAssertionHasItsOwnJti() {
    AuthProvider provider =
        provider(
            ClientAuthMethod.PRIVATE_KEY_JWT,
            null,
            TestSupport.privateKeyPem(TestSupport.rsaKeyPair()),
            null,
            null);

    String first = ClientAssertion.privateKeyJwt(provider, TOKEN_ENDPOINT, NOW);
    String second = ClientAssertion.privateKeyJwt(provider, TOKEN_ENDPOINT, NOW);

    assertThat(jti(first)).isNotEqualTo(jti(second));
  }

  private static String jti(String assertion) {
    try {
      return SignedJWT.parse(assertion).getJWTClaimsSet().getJWTID();
    } catch (java.text.ParseException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void privateKeyJwtWhenTheKeyIsAnEcJwkThenEs256WithTheJwksKeyId() throws Exception {
    ECKey jwk = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
    AuthProvider provider =
        provider(ClientAuthMethod.PRIVATE_KEY_JWT, null, jwk.toJSONString(), null, null);

    SignedJWT jwt =
        verified(
            ClientAssertion.privateKeyJwt(provider, TOKEN_ENDPOINT, NOW),
            new ECDSAVerifier(jwk.toPublicJWK()));

    assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
    assertThat(jwt.getHeader().getKeyID()).isEqualTo("ec-1");
    assertClaimsOfTheClientForTheTokenEndpoint(jwt.getJWTClaimsSet());
  }

  @Test
  void privateKeyJwtWhenAnRsaJwkAndPs256AreGivenThenSignsPs256WithTheConfiguredKeyId()
      throws Exception {
    RSAKey jwk = new RSAKeyGenerator(2048).keyID("from-the-jwk").generate();
    AuthProvider provider =
        provider(ClientAuthMethod.PRIVATE_KEY_JWT, null, jwk.toJSONString(), "configured", "PS256");

    SignedJWT jwt =
        verified(
            ClientAssertion.privateKeyJwt(provider, TOKEN_ENDPOINT, NOW),
            new RSASSAVerifier(jwk.toRSAPublicKey()));

    assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.PS256);
    assertThat(jwt.getHeader().getKeyID()).isEqualTo("configured");
  }

  @Test
  void clientSecretJwtWhenNoAlgorithmIsGivenThenHs256WithTheSecretAndNoKeyId() throws Exception {
    AuthProvider provider = provider(ClientAuthMethod.CLIENT_SECRET_JWT, SECRET, null, null, null);

    SignedJWT jwt =
        verified(
            ClientAssertion.clientSecretJwt(provider, TOKEN_ENDPOINT, NOW),
            new MACVerifier(SECRET));

    assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.HS256);
    assertThat(jwt.getHeader().getKeyID()).isNull();
    assertClaimsOfTheClientForTheTokenEndpoint(jwt.getJWTClaimsSet());
    assertThat(jwt.verify(new MACVerifier(SECRET.replace('a', 'b')))).isFalse();
  }

  @Test
  void ruleWhenTheKeyIsNoKeyThenSaysSoWithoutQuotingIt() {
    String garbage =
        "-----BEGIN PRIVATE KEY-----\nbm90LWEta2V5LXNlY3JldC1ieXRlcw==\n"
            + "-----END PRIVATE KEY-----";

    assertThat(ClientAssertionKey.rule().problem(Secret.of(garbage), Optional.empty()))
        .hasValueSatisfying(
            problem ->
                assertThat(problem)
                    .contains("no RSA or EC private key")
                    .doesNotContain("bm90LWEta2V5"));
    assertThat(ClientAssertionKey.rule().problem(Secret.of("hello"), Optional.empty()))
        .hasValueSatisfying(problem -> assertThat(problem).contains("PKCS#8", "JWK"));
  }

  @Test
  void ruleWhenAPublicJwkOrAPkcs1PemIsGivenThenNamesWhatIsWrong() throws Exception {
    RSAKey jwk = new RSAKeyGenerator(2048).generate();

    assertThat(
            ClientAssertionKey.rule()
                .problem(Secret.of(jwk.toPublicJWK().toJSONString()), Optional.empty()))
        .hasValueSatisfying(problem -> assertThat(problem).contains("public key"));
    assertThat(
            ClientAssertionKey.rule()
                .problem(
                    Secret.of(
                        "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----"),
                    Optional.empty()))
        .hasValueSatisfying(problem -> assertThat(problem).contains("PKCS#1", "openssl pkcs8"));
  }

  @Test
  void ruleWhenTheAlgorithmDoesNotFitTheKeyThenSaysWhichFits() throws Exception {
    ECKey ec = new ECKeyGenerator(Curve.P_384).generate();
    String rsaPem = TestSupport.privateKeyPem(TestSupport.rsaKeyPair());

    assertThat(
            ClientAssertionKey.rule().problem(Secret.of(ec.toJSONString()), Optional.of("ES256")))
        .hasValueSatisfying(problem -> assertThat(problem).contains("ES384", "'ES256'"));
    assertThat(ClientAssertionKey.rule().problem(Secret.of(rsaPem), Optional.of("ES256")))
        .hasValueSatisfying(problem -> assertThat(problem).contains("RS256", "'ES256'"));
    assertThat(ClientAssertionKey.rule().problem(Secret.of(rsaPem), Optional.of("RS512")))
        .isEmpty();
  }

  @Test
  void privateKeyJwtWhenTheStoredKeyIsUnusableThenInvalidValueNamingTheField() {
    AuthProvider provider =
        provider(ClientAuthMethod.PRIVATE_KEY_JWT, null, "no key at all", null, null);

    assertThatThrownBy(() -> ClientAssertion.privateKeyJwt(provider, TOKEN_ENDPOINT, NOW))
        .isInstanceOfSatisfying(
            IdentityProviderException.class,
            e -> {
              assertThat(e.diagnosis().code()).isEqualTo(DiagnosisCode.INVALID_VALUE);
              assertThat(e.diagnosis().fact("field")).isEqualTo("clientPrivateKey");
            });
  }
}
