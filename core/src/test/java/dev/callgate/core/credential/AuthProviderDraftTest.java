package dev.callgate.core.credential;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.diagnosis.DiagnosisCode;
import dev.callgate.core.diagnosis.Validated;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class AuthProviderDraftTest {

  /** A provider as the API receives it; each test changes only what it is about. */
  private static final class Draft {
    String name = "okta";
    String issuer = "https://idp.example.com";
    String authorizationEndpoint;
    String tokenEndpoint;
    String revocationEndpoint;
    String clientId = "callgate";
    String clientSecret = "client-s3cret";
    String clientAuthMethod;
    List<String> scopes;
    String refreshTokenLifetime;
    Map<String, String> tokenRequestParameters;
    String clientPrivateKey;
    String clientKeyId;
    String clientAssertionAlgorithm;
    ClientKeyRule keys = ClientKeyRule.unchecked();

    Validated<AuthProvider> validate() {
      return new AuthProviderDraft(
              name,
              issuer,
              authorizationEndpoint,
              tokenEndpoint,
              revocationEndpoint,
              clientId,
              clientSecret,
              clientAuthMethod,
              scopes,
              refreshTokenLifetime,
              tokenRequestParameters,
              null,
              null,
              null,
              clientPrivateKey,
              clientKeyId,
              clientAssertionAlgorithm,
              null,
              null,
              null,
              null)
          .validate(ProviderEndpointRule.httpsOrLoopback(), keys);
    }
  }

  private static AuthProvider valid(Draft draft) {
    Validated<AuthProvider> result = draft.validate();
    assertThat(result.problems()).isEmpty();
    return ((Validated.Valid<AuthProvider>) result).value();
  }

  private static Diagnosis onlyProblem(Draft draft) {
    List<Diagnosis> problems = draft.validate().problems();
    assertThat(problems).hasSize(1);
    return problems.get(0);
  }

  @Test
  void validateWhenTokenRequestParametersAreAbsentThenNoneAreSent() {
    assertThat(valid(new Draft()).tokenRequestParameters()).isEmpty();
  }

  @Test
  void validateWhenTokenRequestParametersNameResourceAndAudienceThenKeepsThem() {
    Draft draft = new Draft();
    draft.tokenRequestParameters =
        Map.of("resource", "https://api.example.com/", "audience", "crm", "x-tenant", "");

    assertThat(valid(draft).tokenRequestParameters())
        .containsExactlyInAnyOrderEntriesOf(draft.tokenRequestParameters);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "grant_type",
        "client_id",
        "client_secret",
        "code",
        "redirect_uri",
        "code_verifier",
        "refresh_token",
        "scope",
        "assertion",
        "client_assertion",
        "client_assertion_type",
        "Grant_Type"
      })
  void validateWhenATokenRequestParameterIsTheProtocolsOwnThenRefused(String name) {
    Draft draft = new Draft();
    draft.tokenRequestParameters = Map.of(name, "x");

    Diagnosis problem = onlyProblem(draft);

    assertThat(problem.code()).isEqualTo(DiagnosisCode.INVALID_VALUE);
    assertThat(problem.fact("field")).isEqualTo("tokenRequestParameters");
    assertThat(problem.fact("problem")).contains("'" + name + "' is a parameter of the protocol");
  }

  @Test
  void validateWhenATokenRequestParameterHasNoNameOrAControlCharacterThenRefused() {
    Draft unnamed = new Draft();
    unnamed.tokenRequestParameters = Map.of(" ", "x");
    Draft broken = new Draft();
    broken.tokenRequestParameters = Map.of("audience", "a\nb");

    assertThat(onlyProblem(unnamed).fact("problem")).contains("needs a name");
    assertThat(onlyProblem(broken).fact("problem")).contains("control characters");
  }

  @Test
  void validateWhenTooManyTokenRequestParametersThenRefused() {
    Draft draft = new Draft();
    draft.tokenRequestParameters = new java.util.HashMap<>();
    for (int i = 0; i <= AuthProviderDraft.MAX_TOKEN_REQUEST_PARAMETERS; i++) {
      draft.tokenRequestParameters.put("p" + i, "v");
    }

    assertThat(onlyProblem(draft).fact("problem")).contains("more than");
  }

  @Test
  void validateWhenOnlyIssuerAndClientAreGivenThenAppliesTheDefaults() {
    AuthProvider provider = valid(new Draft());

    assertThat(provider.name()).isEqualTo("okta");
    assertThat(provider.issuer()).contains(URI.create("https://idp.example.com"));
    assertThat(provider.isOpenIdConnect()).isTrue();
    assertThat(provider.tokenEndpoint()).isEmpty();
    assertThat(provider.clientId()).isEqualTo("callgate");
    assertThat(provider.clientSecret()).contains(Secret.of("client-s3cret"));
    assertThat(provider.clientAuthMethod()).isEqualTo(ClientAuthMethod.CLIENT_SECRET_BASIC);
    assertThat(provider.scopes()).isEmpty();
    assertThat(provider.refreshTokenLifetime()).isEmpty();
  }

  @Test
  void validateWhenExplicitEndpointsAreGivenWithoutIssuerThenAccepted() {
    Draft draft = new Draft();
    draft.issuer = null;
    draft.authorizationEndpoint = "https://idp.example.com/authorize";
    draft.tokenEndpoint = "https://idp.example.com/token";
    draft.revocationEndpoint = "https://idp.example.com/revoke";

    AuthProvider provider = valid(draft);

    assertThat(provider.isOpenIdConnect()).isFalse();
    assertThat(provider.authorizationEndpoint())
        .contains(URI.create("https://idp.example.com/authorize"));
    assertThat(provider.tokenEndpoint()).contains(URI.create("https://idp.example.com/token"));
    assertThat(provider.revocationEndpoint())
        .contains(URI.create("https://idp.example.com/revoke"));
  }

  @Test
  void validateWhenNeitherIssuerNorTokenEndpointThenInvalidValue() {
    Draft draft = new Draft();
    draft.issuer = null;
    draft.authorizationEndpoint = "https://idp.example.com/authorize";

    Diagnosis problem = onlyProblem(draft);

    assertThat(problem.code()).isEqualTo(DiagnosisCode.INVALID_VALUE);
    assertThat(problem.fact("field")).isEqualTo("issuer");
  }

  @ParameterizedTest
  @ValueSource(strings = {"..", "a/b", "9okta", "okta.com", ""})
  void validateWhenNameBreaksTheRuleThenInvalidName(String name) {
    Draft draft = new Draft();
    draft.name = name;

    Diagnosis problem = onlyProblem(draft);

    assertThat(problem.code()).isEqualTo(DiagnosisCode.INVALID_NAME);
    assertThat(problem.fact("field")).isEqualTo("name");
  }

  @Test
  void validateWhenNameIsTooLongThenInvalidName() {
    Draft draft = new Draft();
    draft.name = "o" + "k".repeat(64);

    assertThat(onlyProblem(draft).code()).isEqualTo(DiagnosisCode.INVALID_NAME);
  }

  @ParameterizedTest
  @CsvSource({
    "issuer,                ftp://idp.example.com",
    "issuer,                javascript:alert(1)",
    "issuer,                /realms/main",
    "authorizationEndpoint, idp.example.com/authorize",
    "tokenEndpoint,         https://client:pw@idp.example.com/token",
    "revocationEndpoint,    file:///etc/passwd"
  })
  void validateWhenAnEndpointIsNotAnAbsoluteHttpUrlThenInvalidUrlNamingTheField(
      String field, String value) {
    Draft draft = new Draft();
    switch (field) {
      case "issuer" -> draft.issuer = value;
      case "authorizationEndpoint" -> draft.authorizationEndpoint = value;
      case "tokenEndpoint" -> draft.tokenEndpoint = value;
      default -> draft.revocationEndpoint = value;
    }

    Diagnosis problem = onlyProblem(draft);

    assertThat(problem.code()).isEqualTo(DiagnosisCode.INVALID_URL);
    assertThat(problem.fact("field")).isEqualTo(field);
  }

  @Test
  void validateWhenTokenEndpointCarriesCredentialsThenTheDiagnosisDoesNotRepeatThem() {
    Draft draft = new Draft();
    draft.tokenEndpoint = "https://callgate:client-pw@idp.example.com/token";

    Diagnosis problem = onlyProblem(draft);

    assertThat(problem.fact("value")).isEqualTo("https://***@idp.example.com/token");
    assertThat(problem.toString()).doesNotContain("client-pw");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "  "})
  void validateWhenClientIdIsBlankThenInvalidValue(String clientId) {
    Draft draft = new Draft();
    draft.clientId = clientId;

    assertThat(onlyProblem(draft).fact("field")).isEqualTo("clientId");
  }

  @Test
  void validateWhenClientIdIsMissingThenInvalidValue() {
    Draft draft = new Draft();
    draft.clientId = null;

    assertThat(onlyProblem(draft).fact("field")).isEqualTo("clientId");
  }

  @ParameterizedTest
  @CsvSource({
    "client_secret_basic, CLIENT_SECRET_BASIC",
    "client_secret_post,  CLIENT_SECRET_POST"
  })
  void validateWhenClientAuthMethodIsKnownThenUsesIt(String wireName, ClientAuthMethod expected) {
    Draft draft = new Draft();
    draft.clientAuthMethod = wireName;

    assertThat(valid(draft).clientAuthMethod()).isEqualTo(expected);
  }

  @Test
  void validateWhenClientAuthMethodIsUnknownThenInvalidValue() {
    Draft draft = new Draft();
    draft.clientAuthMethod = "dpop_client_auth";

    Diagnosis problem = onlyProblem(draft);

    assertThat(problem.fact("field")).isEqualTo("clientAuthMethod");
    assertThat(problem.fact("problem"))
        .contains("'dpop_client_auth'", "private_key_jwt", "tls_client_auth");
  }

  @Test
  void validateWhenPrivateKeyJwtHasAKeyThenNeedsNoSecretAndKeepsTheKeySettings() {
    Draft draft = new Draft();
    draft.clientAuthMethod = "private_key_jwt";
    draft.clientSecret = null;
    draft.clientPrivateKey = "-----BEGIN PRIVATE KEY-----\nMIIE...\n-----END PRIVATE KEY-----";
    draft.clientKeyId = "callgate-2030";
    draft.clientAssertionAlgorithm = "PS256";

    AuthProvider provider = valid(draft);

    assertThat(provider.clientAuthMethod()).isEqualTo(ClientAuthMethod.PRIVATE_KEY_JWT);
    assertThat(provider.clientPrivateKey()).contains(Secret.of(draft.clientPrivateKey));
    assertThat(provider.clientKeyId()).contains("callgate-2030");
    assertThat(provider.clientAssertionAlgorithm()).contains("PS256");
    assertThat(provider.isConfidential()).isTrue();
    assertThat(provider.toString()).doesNotContain("MIIE");
  }

  @Test
  void validateWhenPrivateKeyJwtHasNoKeyThenSecretMissingNamesTheKey() {
    Draft draft = new Draft();
    draft.clientAuthMethod = "private_key_jwt";

    Diagnosis problem = onlyProblem(draft);

    assertThat(problem.code()).isEqualTo(DiagnosisCode.SECRET_MISSING);
    assertThat(problem.fact("field")).isEqualTo("clientPrivateKey");
  }

  @Test
  void validateWhenTheKeyRuleRefusesTheKeyThenInvalidValueWithItsWords() {
    Draft draft = new Draft();
    draft.clientAuthMethod = "private_key_jwt";
    draft.clientPrivateKey = "not a key";
    draft.keys = (key, algorithm) -> Optional.of("it is not a PEM");

    Diagnosis problem = onlyProblem(draft);

    assertThat(problem.code()).isEqualTo(DiagnosisCode.INVALID_VALUE);
    assertThat(problem.fact("field")).isEqualTo("clientPrivateKey");
    assertThat(problem.fact("problem")).isEqualTo("it is not a PEM");
  }

  @Test
  void validateWhenClientSecretJwtSecretIsShorterThanTheHashThenInvalidValue() {
    Draft draft = new Draft();
    draft.clientAuthMethod = "client_secret_jwt";

    Diagnosis problem = onlyProblem(draft);

    assertThat(problem.fact("field")).isEqualTo("clientSecret");
    assertThat(problem.fact("problem")).contains("HS256", "at least 32 bytes", "it has 13");
  }

  @Test
  void validateWhenClientSecretJwtAsksForAnAlgorithmThatIsNoHmacThenInvalidValue() {
    Draft draft = new Draft();
    draft.clientAuthMethod = "client_secret_jwt";
    draft.clientSecret = "a-client-secret-of-at-least-thirty-two-bytes";
    draft.clientAssertionAlgorithm = "RS256";

    Diagnosis problem = onlyProblem(draft);

    assertThat(problem.fact("field")).isEqualTo("clientAssertionAlgorithm");
    assertThat(problem.fact("problem")).contains("'RS256'", "HS256");
  }

  @Test
  void validateWhenKeySettingsComeWithASecretMethodThenEachIsRefused() {
    Draft draft = new Draft();
    draft.clientPrivateKey = "-----BEGIN PRIVATE KEY-----";
    draft.clientKeyId = "k1";
    draft.clientAssertionAlgorithm = "RS256";

    assertThat(draft.validate().problems())
        .extracting(problem -> problem.fact("field"))
        .containsExactly("clientPrivateKey", "clientKeyId", "clientAssertionAlgorithm");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "   "})
  void validateWhenConfidentialClientHasNoSecretThenSecretMissing(String secret) {
    Draft draft = new Draft();
    draft.clientSecret = secret;

    Diagnosis problem = onlyProblem(draft);

    assertThat(problem.code()).isEqualTo(DiagnosisCode.SECRET_MISSING);
    assertThat(problem.fact("field")).isEqualTo("clientSecret");
    assertThat(problem.fact("protocol")).isEqualTo("client_secret_basic");
  }

  @Test
  void validateWhenPostClientHasNoSecretThenSecretMissing() {
    Draft draft = new Draft();
    draft.clientAuthMethod = "client_secret_post";
    draft.clientSecret = null;

    Diagnosis problem = onlyProblem(draft);

    assertThat(problem.code()).isEqualTo(DiagnosisCode.SECRET_MISSING);
    assertThat(problem.fact("protocol")).isEqualTo("client_secret_post");
  }

  @Test
  void validateWhenPublicClientHasNoSecretThenAccepted() {
    Draft draft = new Draft();
    draft.clientAuthMethod = "none";
    draft.clientSecret = null;

    AuthProvider provider = valid(draft);

    assertThat(provider.clientAuthMethod()).isEqualTo(ClientAuthMethod.NONE);
    assertThat(provider.clientSecret()).isEmpty();
  }

  @Test
  void validateWhenScopesAreGivenThenKeepsTheConfiguredOrder() {
    Draft draft = new Draft();
    draft.scopes = List.of("profile", "openid", "offline_access", "api:read", "https://x/y");

    assertThat(valid(draft).scopes())
        .containsExactly("profile", "openid", "offline_access", "api:read", "https://x/y");
  }

  @ParameterizedTest
  @ValueSource(strings = {"read write", "\"quoted\"", "back\\slash", "", "é"})
  void validateWhenAScopeIsNotAScopeTokenThenInvalidValue(String scope) {
    Draft draft = new Draft();
    draft.scopes = List.of("openid", scope);

    Diagnosis problem = onlyProblem(draft);

    assertThat(problem.fact("field")).isEqualTo("scopes");
  }

  @ParameterizedTest
  @CsvSource({"P1D, PT24H", "PT20S, PT20S", "PT12H30M, PT12H30M", "P90D, PT2160H"})
  void validateWhenRefreshTokenLifetimeIsAPositiveIsoDurationThenParsesIt(
      String written, String expected) {
    Draft draft = new Draft();
    draft.refreshTokenLifetime = written;

    assertThat(valid(draft).refreshTokenLifetime()).contains(Duration.parse(expected));
  }

  @Test
  void validateWhenRefreshTokenLifetimeIsOneDayThenItIsTwentyFourHours() {
    Draft draft = new Draft();
    draft.refreshTokenLifetime = "P1D";

    assertThat(valid(draft).refreshTokenLifetime()).contains(Duration.ofHours(24));
  }

  @ParameterizedTest
  @ValueSource(strings = {"-PT1S", "PT0S", "1 day", "86400", "", "P1Y"})
  void validateWhenRefreshTokenLifetimeIsNotAPositiveIsoDurationThenInvalidValue(String written) {
    Draft draft = new Draft();
    draft.refreshTokenLifetime = written;

    Diagnosis problem = onlyProblem(draft);

    assertThat(problem.code()).isEqualTo(DiagnosisCode.INVALID_VALUE);
    assertThat(problem.fact("field")).isEqualTo("refreshTokenLifetime");
    assertThat(problem.fact("problem")).contains("'" + written + "'");
  }

  @Test
  void validateWhenManyFieldsAreWrongThenReportsEveryProblemAtOnce() {
    Draft draft = new Draft();
    draft.name = "a/b";
    draft.issuer = "ftp://x";
    draft.clientId = null;
    draft.clientSecret = null;
    draft.scopes = List.of("read write");
    draft.refreshTokenLifetime = "1 day";

    assertThat(draft.validate().problems())
        .extracting(p -> p.fact("field"))
        .containsExactly(
            "name", "issuer", "clientId", "clientSecret", "scopes", "refreshTokenLifetime");
  }

  @Test
  void toStringWhenProviderHoldsAClientSecretThenPrintsItMasked() {
    AuthProvider provider = valid(new Draft());

    assertThat(provider.toString()).doesNotContain("client-s3cret").contains("***");
  }

  @Test
  void constructorWhenNeitherIssuerNorTokenEndpointThenRefuses() {
    assertThatIllegalArgumentException()
        .isThrownBy(
            () ->
                new AuthProvider(
                    "okta",
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    "callgate",
                    Optional.empty(),
                    ClientAuthMethod.NONE,
                    List.of(),
                    Optional.empty()));
  }

  @Test
  void validateWhenAnEndpointIsPlainHttpToAnotherHostThenInvalidUrlUnlessAllowed() {
    Draft draft = new Draft();
    draft.issuer = null;
    draft.tokenEndpoint = "http://idp.example.com/token";

    Diagnosis problem = onlyProblem(draft);
    AuthProviderDraft allowed =
        new AuthProviderDraft(
            "okta", null, null, draft.tokenEndpoint, null, "callgate", "s", null, null, null);

    assertThat(problem.code()).isEqualTo(DiagnosisCode.INVALID_URL);
    assertThat(problem.message()).contains("tokenEndpoint", "CALLGATE_PROVIDER_ALLOW_HTTP");
    assertThat(allowed.validate(new ProviderEndpointRule(true)).problems()).isEmpty();
  }

  @Test
  void validateWhenEndpointsArePlainHttpToLoopbackThenValid() {
    Draft draft = new Draft();
    draft.issuer = "http://localhost:8180/realms/x";
    draft.tokenEndpoint = "http://127.0.0.1:8180/token";
    draft.revocationEndpoint = "http://[::1]:8180/revoke";

    assertThat(draft.validate().problems()).isEmpty();
  }
}
