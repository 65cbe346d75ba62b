package dev.callgate.core.credential;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.diagnosis.DiagnosisCode;
import dev.callgate.core.diagnosis.Validated;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CredentialDraftTest {

  /** A draft as the API receives it; each test changes only what it is about. */
  private static final class Draft {
    String name = "crm";
    String url = "https://api.example.com/v1";
    String protocol = "none";
    String principal;
    String provider;
    Boolean generateAuthorizationHeader;
    Boolean allowMergeFieldsInHeaders;
    Boolean allowMergeFieldsInBody;
    List<String> allowedCallers;
    Boolean keepAlive;
    String testPath;
    String username;
    String password;
    String apiKeyHeader;
    String apiKey;
    String jwtIssuer;
    String jwtSubject;
    String jwtAudience;
    String jwtSigningKey;
    List<String> allowedMethods;
    List<String> allowedReturnUrls;
    String applicationName;
    TokenPlacementDraft tokenPlacement;
    AwsSigV4Draft aws;
    TokenExchangeDraft tokenExchange;

    static Draft basic() {
      Draft draft = new Draft();
      draft.protocol = "basic";
      draft.username = "svc";
      draft.password = "hunter2";
      return draft;
    }

    static Draft apiKey() {
      Draft draft = new Draft();
      draft.protocol = "api_key";
      draft.apiKey = "k-123";
      return draft;
    }

    static Draft jwtBearer() {
      Draft draft = new Draft();
      draft.protocol = "oauth2_jwt_bearer";
      draft.provider = "okta";
      draft.jwtIssuer = "callgate";
      draft.jwtSubject = "svc@example.com";
      draft.jwtSigningKey = "-----BEGIN PRIVATE KEY-----";
      return draft;
    }

    static Draft aws(String roleArn) {
      return aws("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", roleArn, null, null);
    }

    static Draft aws(String secret, String roleArn, String externalId, String roleDuration) {
      Draft draft = new Draft();
      draft.protocol = "aws_sigv4";
      draft.aws =
          new AwsSigV4Draft(
              "AKIAIOSFODNN7EXAMPLE",
              secret,
              null,
              "eu-west-1",
              "s3",
              roleArn,
              null,
              externalId,
              roleDuration,
              null);
      return draft;
    }

    static Draft oauth(String protocol) {
      Draft draft = new Draft();
      draft.protocol = protocol;
      draft.provider = "okta";
      return draft;
    }

    Validated<NamedCredential> validate() {
      return new CredentialDraft(
              name,
              url,
              protocol,
              principal,
              provider,
              generateAuthorizationHeader,
              allowMergeFieldsInHeaders,
              allowMergeFieldsInBody,
              allowedCallers,
              keepAlive,
              testPath,
              username,
              password,
              apiKeyHeader,
              apiKey,
              jwtIssuer,
              jwtSubject,
              jwtAudience,
              jwtSigningKey,
              allowedMethods,
              allowedReturnUrls,
              applicationName,
              null,
              tokenPlacement,
              aws,
              tokenExchange,
              null,
              null,
              null)
          .validate();
    }
  }

  private static NamedCredential valid(Draft draft) {
    Validated<NamedCredential> result = draft.validate();
    assertThat(result.problems()).isEmpty();
    return ((Validated.Valid<NamedCredential>) result).value();
  }

  private static Diagnosis onlyProblem(Draft draft) {
    List<Diagnosis> problems = draft.validate().problems();
    assertThat(problems).hasSize(1);
    return problems.get(0);
  }

  @Test
  void validateWhenNoTokenPlacementThenTheTokenGoesAsBearer() {
    assertThat(valid(Draft.oauth("oauth2_client_credentials")).tokenPlacement())
        .isEqualTo(TokenPlacement.BEARER);
  }

  @Test
  void validateWhenTokenPlacementIsAHeaderWithPrefixThenKeepsNameAndPrefix() {
    Draft draft = Draft.oauth("oauth2_authorization_code");
    draft.tokenPlacement = new TokenPlacementDraft("header", "X-Auth-Token", "Token ");

    assertThat(valid(draft).tokenPlacement())
        .isEqualTo(new TokenPlacement.InHeader("X-Auth-Token", "Token "));
  }

  @Test
  void validateWhenTokenPlacementIsAQueryParameterThenKeepsItsName() {
    Draft draft = Draft.oauth("oauth2_client_credentials");
    draft.tokenPlacement = new TokenPlacementDraft("query", "access_token", null);

    assertThat(valid(draft).tokenPlacement()).isEqualTo(new TokenPlacement.InQuery("access_token"));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      nullValues = "NULL",
      value = {
        "header|X Auth|NULL|is not a header name",
        "header|NULL|NULL|is not a header name",
        "header|Connection|NULL|hop-by-hop",
        "header|Transfer-Encoding|NULL|hop-by-hop",
        "header|Host|NULL|hop-by-hop",
        "header|Callgate-Token|NULL|Callgate header",
        "query|''|NULL|needs a name",
        "query|NULL|NULL|needs a name",
        "query|access_token|Bearer |a prefix is for a header",
        "cookie|session|NULL|not header or query",
        "NULL|X-Token|NULL|not header or query"
      })
  void validateWhenTokenPlacementIsInvalidThenOneProblemNamingIt(
      String in, String name, String prefix, String expected) {
    Draft draft = Draft.oauth("oauth2_client_credentials");
    draft.tokenPlacement = new TokenPlacementDraft(in, name, prefix);

    Diagnosis problem = onlyProblem(draft);

    assertThat(problem.code()).isEqualTo(DiagnosisCode.INVALID_VALUE);
    assertThat(problem.fact("field")).isEqualTo("tokenPlacement");
    assertThat(problem.fact("problem")).contains(expected);
  }

  @Test
  void validateWhenTokenPlacementPrefixHasALineBreakThenRefused() {
    Draft draft = Draft.oauth("oauth2_client_credentials");
    draft.tokenPlacement = new TokenPlacementDraft("header", "X-Token", "a\r\nX-Evil: 1 ");

    assertThat(onlyProblem(draft).fact("problem")).contains("control character");
  }

  @Test
  void validateWhenTokenPlacementIsGivenForAProtocolWithoutTokensThenRefused() {
    Draft draft = Draft.basic();
    draft.tokenPlacement = new TokenPlacementDraft("header", "X-Token", null);

    Diagnosis problem = onlyProblem(draft);

    assertThat(problem.fact("field")).isEqualTo("tokenPlacement");
    assertThat(problem.fact("problem")).contains("basic");
  }

  @Test
  void validateWhenAwsKeysAreGivenThenTheCredentialSignsWithThemAndNoRole() {
    Authentication.AwsSigV4 aws = (Authentication.AwsSigV4) valid(Draft.aws(null)).authentication();

    assertThat(aws.accessKeyId()).isEqualTo("AKIAIOSFODNN7EXAMPLE");
    assertThat(aws.secretAccessKey().reveal())
        .isEqualTo("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    assertThat(aws.sessionToken()).isEmpty();
    assertThat(aws.region()).isEqualTo("eu-west-1");
    assertThat(aws.service()).isEqualTo("s3");
    assertThat(aws.role()).isEmpty();
  }

  @Test
  void validateWhenAwsRoleHasOnlyItsArnThenSessionNameAndDurationAreTheDefaults() {
    Authentication.AwsSigV4 aws =
        (Authentication.AwsSigV4)
            valid(Draft.aws("arn:aws:iam::123456789012:role/reader")).authentication();

    AwsRole role = aws.role().orElseThrow();
    assertThat(role.sessionName()).isEqualTo("callgate");
    assertThat(role.duration()).isEqualTo(java.time.Duration.ofHours(1));
    assertThat(role.externalId()).isEmpty();
    assertThat(role.stsEndpoint()).isEmpty();
  }

  @Test
  void validateWhenAwsSecretIsMissingThenSecretMissingNamesIt() {
    Draft draft = Draft.aws(null, null, null, null);

    Diagnosis problem = onlyProblem(draft);

    assertThat(problem.code()).isEqualTo(DiagnosisCode.SECRET_MISSING);
    assertThat(problem.fact("field")).isEqualTo("awsSecretAccessKey");
  }

  @Test
  void validateWhenAwsFieldsAreAbsentThenEachRequiredOneIsNamed() {
    Draft draft = new Draft();
    draft.protocol = "aws_sigv4";

    assertThat(draft.validate().problems())
        .extracting(p -> p.fact("field"))
        .containsExactlyInAnyOrder(
            "awsAccessKeyId", "awsSecretAccessKey", "awsRegion", "awsService");
  }

  @Test
  void validateWhenRoleFieldsComeWithoutARoleThenRefused() {
    Draft draft = Draft.aws("secret-key-0123456789", null, "ext", null);

    Diagnosis problem = onlyProblem(draft);

    assertThat(problem.fact("field")).isEqualTo("awsExternalId");
    assertThat(problem.fact("problem")).contains("awsRoleArn");
  }

  @Test
  void validateWhenTheRoleDurationIsOutOfStsBoundsThenRefused() {
    Draft draft =
        Draft.aws("secret-key-0123456789", "arn:aws:iam::123456789012:role/reader", null, "PT10M");

    Diagnosis problem = onlyProblem(draft);

    assertThat(problem.fact("field")).isEqualTo("awsRoleDuration");
  }

  @Test
  void validateWhenAnAwsCredentialWouldNotGenerateItsHeaderThenRefused() {
    Draft draft = Draft.aws(null);
    draft.generateAuthorizationHeader = false;

    assertThat(onlyProblem(draft).fact("field")).isEqualTo("generateAuthorizationHeader");
  }

  @Test
  void validateWhenOptionalFieldsAreAbsentThenAppliesTheDefaults() {
    NamedCredential credential = valid(Draft.apiKey());

    assertThat(credential.principal()).isEqualTo(PrincipalType.NAMED);
    assertThat(credential.generateAuthorizationHeader()).isTrue();
    assertThat(credential.keepAlive()).isTrue();
    assertThat(credential.allowMergeFieldsInHeaders()).isFalse();
    assertThat(credential.allowMergeFieldsInBody()).isFalse();
    assertThat(credential.allowedCallers()).isEmpty();
    assertThat(credential.testPath()).isEmpty();
    assertThat(credential.authentication())
        .isEqualTo(new Authentication.ApiKey("X-API-Key", Secret.of("k-123")));
  }

  @Test
  void validateWhenReturnUrlsAndAnApplicationNameAreGivenThenKeepsThemWithoutRepeats() {
    Draft draft = Draft.apiKey();
    draft.allowedReturnUrls =
        List.of(
            "https://app.example.com/connected",
            "http://localhost:3000/",
            "https://app.example.com/connected");
    draft.applicationName = "Acme Reports";

    NamedCredential credential = valid(draft);

    assertThat(credential.allowedReturnUrls())
        .containsExactly(
            URI.create("https://app.example.com/connected"), URI.create("http://localhost:3000/"));
    assertThat(credential.applicationName()).contains("Acme Reports");
    assertThat(credential.displayedApplicationName()).isEqualTo("Acme Reports");
    assertThat(valid(Draft.apiKey()).allowedReturnUrls()).isEmpty();
    assertThat(valid(Draft.apiKey()).displayedApplicationName()).isEqualTo("crm");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/console/",
        "ftp://app.example.com/",
        "https://app.example.com/done?x=1",
        "https://app.example.com/done#top",
        "https://user:pw@app.example.com/",
        "https://app.example.com/a/../b"
      })
  void validateWhenAReturnUrlEntryIsNotAnOriginAndPathThenRefused(String entry) {
    Draft draft = Draft.apiKey();
    draft.allowedReturnUrls = List.of(entry);

    Diagnosis problem = onlyProblem(draft);

    assertThat(problem.code()).isIn(DiagnosisCode.INVALID_VALUE, DiagnosisCode.INVALID_URL);
    assertThat(problem.message()).contains("allowedReturnUrls");
  }

  @Test
  void validateWhenMoreThanTwentyReturnUrlsAreListedThenRefused() {
    Draft draft = Draft.apiKey();
    draft.allowedReturnUrls =
        java.util.stream.IntStream.range(0, 21)
            .mapToObj(i -> "https://app" + i + ".example.com/")
            .toList();

    assertThat(onlyProblem(draft).message()).contains("allowedReturnUrls", "more than 20");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "   ", "line\nbreak"})
  void validateWhenTheApplicationNameIsBlankOrHasControlCharactersThenRefused(String name) {
    Draft draft = Draft.apiKey();
    draft.applicationName = name;

    assertThat(onlyProblem(draft).message()).contains("applicationName");
  }

  @Test
  void validateWhenTheApplicationNameIsLongerThanAHundredCharactersThenRefused() {
    Draft draft = Draft.apiKey();
    draft.applicationName = "a".repeat(100);
    assertThat(draft.validate().problems()).isEmpty();

    draft.applicationName = "a".repeat(101);

    assertThat(onlyProblem(draft).message()).contains("applicationName", "100");
  }

  @Test
  void validateWhenOptionalFieldsAreGivenThenKeepsThem() {
    Draft draft = Draft.oauth("oauth2_authorization_code");
    draft.principal = "per_user";
    draft.generateAuthorizationHeader = false;
    draft.allowMergeFieldsInHeaders = true;
    draft.allowMergeFieldsInBody = true;
    draft.keepAlive = false;
    draft.allowedCallers = List.of("billing", "reports", "billing");
    draft.testPath = "/me";

    NamedCredential credential = valid(draft);

    assertThat(credential.name()).isEqualTo("crm");
    assertThat(credential.url()).isEqualTo(URI.create("https://api.example.com/v1"));
    assertThat(credential.protocol()).isEqualTo(Protocol.OAUTH2_AUTHORIZATION_CODE);
    assertThat(credential.authentication().providerName()).contains("okta");
    assertThat(credential.principal()).isEqualTo(PrincipalType.PER_USER);
    assertThat(credential.generateAuthorizationHeader()).isFalse();
    assertThat(credential.allowMergeFieldsInHeaders()).isTrue();
    assertThat(credential.allowMergeFieldsInBody()).isTrue();
    assertThat(credential.keepAlive()).isFalse();
    assertThat(credential.allowedCallers()).containsExactlyInAnyOrder("billing", "reports");
    assertThat(credential.allowsCaller("billing")).isTrue();
    assertThat(credential.allowsCaller("intruder")).isFalse();
    assertThat(credential.testPath()).contains("/me");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "..",
        "a/b",
        "1crm",
        "_crm",
        "crm.v1",
        "crm v1",
        "",
        "a12345678901234567890123456789012345678901234567890123456789012345"
      })
  void validateWhenNameBreaksTheRuleThenInvalidName(String name) {
    Draft draft = Draft.apiKey();
    draft.name = name;

    Diagnosis problem = onlyProblem(draft);

    assertThat(problem.code()).isEqualTo(DiagnosisCode.INVALID_NAME);
    assertThat(problem.fact("field")).isEqualTo("name");
    assertThat(problem.fact("value")).isEqualTo(name);
  }

  @Test
  void validateWhenNameIsMissingThenInvalidName() {
    Draft draft = Draft.apiKey();
    draft.name = null;

    assertThat(onlyProblem(draft).code()).isEqualTo(DiagnosisCode.INVALID_NAME);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "c",
        "crm_v1-eu",
        "a1234567890123456789012345678901234567890123456789012345678901x"
      })
  void validateWhenNameFollowsTheRuleThenAccepted(String name) {
    Draft draft = Draft.apiKey();
    draft.name = name;

    assertThat(valid(draft).name()).isEqualTo(name);
  }

  @Test
  void validateWhenNameHasSixtyFourCharactersThenAcceptedAndSixtyFiveRefused() {
    Draft draft = Draft.apiKey();
    draft.name = "a" + "b".repeat(63);
    assertThat(draft.validate().problems()).isEmpty();

    draft.name = "a" + "b".repeat(64);
    assertThat(onlyProblem(draft).code()).isEqualTo(DiagnosisCode.INVALID_NAME);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "ftp://x",
        "javascript:alert(1)",
        "/v1/accounts",
        "api.example.com/v1",
        "https://svc:pw@api.example.com/v1",
        "https://api.example.com/v1#top",
        "https:///v1",
        "http://exa mple.com",
        "http://api.example.com:65536/v1",
        "http://api.example.com:99999/v1",
        "http://api.example.com:0/v1",
        ""
      })
  void validateWhenUrlIsNotAnAbsoluteHttpUrlThenInvalidUrl(String url) {
    Draft draft = Draft.apiKey();
    draft.url = url;

    Diagnosis problem = onlyProblem(draft);

    assertThat(problem.code()).isEqualTo(DiagnosisCode.INVALID_URL);
    assertThat(problem.fact("field")).isEqualTo("url");
  }

  @ParameterizedTest
  @CsvSource({
    "https://svc:s3cr3t-pw@api.example.com/v1,      https://***@api.example.com/v1",
    "https://svc:s3cr3t-pw@api.example.com/a b,     https://***@api.example.com/a b",
    "ftp://svc:s3cr3t-pw@files.example.com,         ftp://***@files.example.com",
    "https://svc:s3cr3t@pw@api.example.com/v1?x=@y, https://***@api.example.com/v1?x=@y"
  })
  void validateWhenUrlCarriesCredentialsThenTheDiagnosisDoesNotRepeatThem(
      String url, String shown) {
    Draft draft = Draft.apiKey();
    draft.url = url;

    Diagnosis problem = onlyProblem(draft);

    assertThat(problem.code()).isEqualTo(DiagnosisCode.INVALID_URL);
    assertThat(problem.fact("value")).isEqualTo(shown);
    assertThat(problem.message() + problem.remedy() + problem.facts()).doesNotContain("s3cr3t");
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://localhost:8080", "HTTPS://API.EXAMPLE.COM/v1?x=1"})
  void validateWhenUrlIsHttpOrHttpsThenAccepted(String url) {
    Draft draft = Draft.apiKey();
    draft.url = url;

    assertThat(valid(draft).url()).isEqualTo(URI.create(url));
  }

  @Test
  void validateWhenProtocolIsUnknownThenUnknownProtocolListingTheKnownOnes() {
    Draft draft = Draft.apiKey();
    draft.protocol = "oauth2";

    Diagnosis problem = onlyProblem(draft);

    assertThat(problem.code()).isEqualTo(DiagnosisCode.UNKNOWN_PROTOCOL);
    assertThat(problem.fact("value")).isEqualTo("oauth2");
    assertThat(problem.fact("known"))
        .startsWith(
            "oauth2_authorization_code, oauth2_client_credentials, oauth2_jwt_bearer, basic,"
                + " api_key, none, aws_sigv4, oauth2_token_exchange");
    assertThat(problem.remedy()).contains("oauth2_client_credentials");
  }

  @Test
  void validateWhenProtocolIsMissingThenInvalidValue() {
    Draft draft = Draft.apiKey();
    draft.protocol = null;

    Diagnosis problem = onlyProblem(draft);

    assertThat(problem.code()).isEqualTo(DiagnosisCode.INVALID_VALUE);
    assertThat(problem.fact("field")).isEqualTo("protocol");
  }

  @ParameterizedTest
  @ValueSource(strings = {"basic", "api_key", "oauth2_jwt_bearer"})
  void validateWhenTheProtocolsSecretIsMissingThenSecretMissingNamingTheField(String protocol) {
    Draft draft =
        switch (protocol) {
          case "basic" -> Draft.basic();
          case "api_key" -> Draft.apiKey();
          default -> Draft.jwtBearer();
        };
    draft.password = null;
    draft.apiKey = "";
    draft.jwtSigningKey = null;
    String expectedField =
        switch (protocol) {
          case "basic" -> "password";
          case "api_key" -> "apiKey";
          default -> "jwtSigningKey";
        };

    Diagnosis problem = onlyProblem(draft);

    assertThat(problem.code()).isEqualTo(DiagnosisCode.SECRET_MISSING);
    assertThat(problem.fact("field")).isEqualTo(expectedField);
    assertThat(problem.fact("protocol")).isEqualTo(protocol);
    assertThat(problem.message()).startsWith(expectedField + " is required for " + protocol);
  }

  @Test
  void validateWhenBasicIsCompleteThenHoldsUserAndPassword() {
    assertThat(valid(Draft.basic()).authentication())
        .isEqualTo(new Authentication.Basic("svc", Secret.of("hunter2")));
  }

  @Test
  void validateWhenBasicUserNameHasAColonThenRefusedWithoutRepeatingThePassword() {
    Draft draft = Draft.basic();
    draft.username = "svc:x";

    Diagnosis problem = onlyProblem(draft);

    assertThat(problem.code()).isEqualTo(DiagnosisCode.INVALID_VALUE);
    assertThat(problem.fact("field")).isEqualTo("username");
    assertThat(problem.toString()).doesNotContain("hunter2");
  }

  @Test
  void validateWhenBasicUserNameIsMissingThenInvalidValue() {
    Draft draft = Draft.basic();
    draft.username = " ";

    assertThat(onlyProblem(draft).fact("field")).isEqualTo("username");
  }

  @Test
  void validateWhenApiKeyHeaderIsGivenThenUsesIt() {
    Draft draft = Draft.apiKey();
    draft.apiKeyHeader = "Ocp-Apim-Subscription-Key";

    assertThat(valid(draft).authentication())
        .isEqualTo(new Authentication.ApiKey("Ocp-Apim-Subscription-Key", Secret.of("k-123")));
  }

  @Test
  void validateWhenApiKeyHeaderIsNotAHeaderNameThenInvalidValue() {
    Draft draft = Draft.apiKey();
    draft.apiKeyHeader = "X API Key";

    assertThat(onlyProblem(draft).fact("field")).isEqualTo("apiKeyHeader");
  }

  @Test
  void validateWhenApiKeyHeaderIsOneCallgateCannotSetThenInvalidValue() {
    for (String header :
        List.of(
            "Host",
            "host",
            "Content-Length",
            "Transfer-Encoding",
            "Connection",
            "Upgrade",
            "TE",
            "Proxy-Authorization",
            "Expect",
            "Callgate-Error")) {
      Draft draft = Draft.apiKey();
      draft.apiKeyHeader = header;

      assertThat(onlyProblem(draft).fact("field")).as(header).isEqualTo("apiKeyHeader");
    }
  }

  @Test
  void validateWhenJwtBearerIsCompleteThenHoldsTheAssertionParts() {
    Draft draft = Draft.jwtBearer();
    draft.jwtAudience = "https://idp.example.com/token";

    assertThat(valid(draft).authentication())
        .isEqualTo(
            new Authentication.JwtBearer(
                "okta",
                "callgate",
                "svc@example.com",
                Optional.of("https://idp.example.com/token"),
                Secret.of("-----BEGIN PRIVATE KEY-----")));
  }

  @Test
  void validateWhenNamedJwtBearerLacksSubjectOrIssuerThenReportsBoth() {
    Draft draft = Draft.jwtBearer();
    draft.jwtSubject = null;
    draft.jwtIssuer = "";

    assertThat(draft.validate().problems())
        .extracting(p -> p.fact("field"))
        .containsExactlyInAnyOrder("jwtIssuer", "jwtSubject");
  }

  @Test
  void validateWhenPerUserJwtBearerHasNoSubjectThenAccepted() {
    Draft draft = Draft.jwtBearer();
    draft.principal = "per_user";
    draft.jwtSubject = null;

    assertThat(valid(draft).principal()).isEqualTo(PrincipalType.PER_USER);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"oauth2_authorization_code", "oauth2_client_credentials", "oauth2_jwt_bearer"})
  void validateWhenOAuthProtocolHasNoProviderThenInvalidValue(String protocol) {
    Draft draft = protocol.equals("oauth2_jwt_bearer") ? Draft.jwtBearer() : Draft.oauth(protocol);
    draft.provider = null;

    Diagnosis problem = onlyProblem(draft);

    assertThat(problem.code()).isEqualTo(DiagnosisCode.INVALID_VALUE);
    assertThat(problem.fact("field")).isEqualTo("provider");
  }

  @Test
  void validateWhenProviderNameBreaksTheRuleThenInvalidName() {
    Draft draft = Draft.oauth("oauth2_client_credentials");
    draft.provider = "../okta";

    Diagnosis problem = onlyProblem(draft);

    assertThat(problem.code()).isEqualTo(DiagnosisCode.INVALID_NAME);
    assertThat(problem.fact("field")).isEqualTo("provider");
  }

  @ParameterizedTest
  @ValueSource(strings = {"oauth2_authorization_code", "oauth2_jwt_bearer"})
  void validateWhenPerUserWithAUserDelegatingProtocolThenAccepted(String protocol) {
    Draft draft = protocol.equals("oauth2_jwt_bearer") ? Draft.jwtBearer() : Draft.oauth(protocol);
    draft.principal = "per_user";

    assertThat(valid(draft).principal()).isEqualTo(PrincipalType.PER_USER);
  }

  @ParameterizedTest
  @ValueSource(strings = {"oauth2_client_credentials", "basic", "api_key", "none"})
  void validateWhenPerUserWithAnyOtherProtocolThenRefused(String protocol) {
    Draft draft =
        switch (protocol) {
          case "basic" -> Draft.basic();
          case "api_key" -> Draft.apiKey();
          case "none" -> new Draft();
          default -> Draft.oauth(protocol);
        };
    draft.principal = "per_user";

    Diagnosis problem = onlyProblem(draft);

    assertThat(problem.code()).isEqualTo(DiagnosisCode.INVALID_VALUE);
    assertThat(problem.fact("field")).isEqualTo("principal");
    assertThat(problem.fact("problem")).contains(protocol);
  }

  @Test
  void validateWhenPrincipalIsUnknownThenInvalidValue() {
    Draft draft = Draft.apiKey();
    draft.principal = "everyone";

    Diagnosis problem = onlyProblem(draft);

    assertThat(problem.fact("field")).isEqualTo("principal");
    assertThat(problem.fact("problem")).contains("'everyone'");
  }

  @Test
  void validateWhenAnAllowedCallerIsBlankThenInvalidValue() {
    Draft draft = Draft.apiKey();
    draft.allowedCallers = java.util.Arrays.asList("billing", " ", null);

    assertThat(draft.validate().problems())
        .hasSize(2)
        .allSatisfy(p -> assertThat(p.fact("field")).isEqualTo("allowedCallers"));
  }

  @Test
  void validateWhenAnAllowedCallerIsNoSubjectThenInvalidValueAndKeySubjectsPass() {
    Draft draft = Draft.apiKey();
    draft.allowedCallers =
        List.of("billing", "a\r\nb", "a\u0000b", "s".repeat(5_000), "<script>", "svc.reports@team");

    assertThat(draft.validate().problems())
        .hasSize(4)
        .allSatisfy(p -> assertThat(p.fact("field")).isEqualTo("allowedCallers"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "  ", "/me\r\nX-Injected: 1", "/me\t"})
  void validateWhenTestPathIsBlankOrHasControlCharactersThenInvalidValue(String testPath) {
    Draft draft = Draft.apiKey();
    draft.testPath = testPath;

    assertThat(onlyProblem(draft).fact("field")).isEqualTo("testPath");
  }

  @Test
  void validateWhenManyFieldsAreWrongThenReportsEveryProblemAtOnce() {
    Draft draft = Draft.basic();
    draft.name = "a/b";
    draft.url = "ftp://x";
    draft.principal = "nobody";
    draft.password = null;
    draft.testPath = "";

    List<Diagnosis> problems = draft.validate().problems();

    assertThat(problems)
        .extracting(Diagnosis::code)
        .containsExactly(
            DiagnosisCode.INVALID_NAME,
            DiagnosisCode.INVALID_URL,
            DiagnosisCode.INVALID_VALUE,
            DiagnosisCode.SECRET_MISSING,
            DiagnosisCode.INVALID_VALUE);
    assertThat(problems)
        .extracting(p -> p.fact("field"))
        .containsExactly("name", "url", "principal", "password", "testPath");
  }

  @Test
  void validateWhenUnknownProtocolAndOtherProblemsThenReportsThemAll() {
    Draft draft = new Draft();
    draft.name = "..";
    draft.url = "javascript:alert(1)";
    draft.protocol = "kerberos";

    assertThat(draft.validate().problems())
        .extracting(Diagnosis::code)
        .containsExactly(
            DiagnosisCode.INVALID_NAME, DiagnosisCode.INVALID_URL, DiagnosisCode.UNKNOWN_PROTOCOL);
  }

  @Test
  void toStringWhenCredentialHoldsSecretsThenPrintsNone() {
    Draft basic = Draft.basic();
    Draft apiKey = Draft.apiKey();
    Draft jwt = Draft.jwtBearer();

    assertThat(valid(basic).toString()).doesNotContain("hunter2").contains("***");
    assertThat(valid(apiKey).toString()).doesNotContain("k-123").contains("***");
    assertThat(valid(jwt).toString()).doesNotContain("BEGIN PRIVATE KEY");
  }

  @Test
  void validateWhenAllowedMethodsAreAbsentThenTheDefaultSevenAndNeverTraceOrConnect() {
    NamedCredential credential = valid(Draft.apiKey());

    assertThat(credential.allowedMethods())
        .containsExactlyInAnyOrder("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");
    assertThat(credential.allowsMethod("TRACE")).isFalse();
  }

  @Test
  void validateWhenAllowedMethodsAreGivenThenUpperCasedAndKept() {
    Draft draft = Draft.apiKey();
    draft.allowedMethods = List.of("get", "PROPFIND");

    assertThat(valid(draft).allowedMethods()).containsExactlyInAnyOrder("GET", "PROPFIND");
  }

  @ParameterizedTest
  @ValueSource(strings = {"TRACE", "trace", "CONNECT", "connect"})
  void validateWhenAllowedMethodsNameTraceOrConnectThenInvalidValue(String method) {
    Draft draft = Draft.apiKey();
    draft.allowedMethods = List.of("GET", method);

    Diagnosis problem = onlyProblem(draft);

    assertThat(problem.code()).isEqualTo(DiagnosisCode.INVALID_VALUE);
    assertThat(problem.fact("field")).isEqualTo("allowedMethods");
    assertThat(problem.fact("problem")).contains("never allowed");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "GET POST", "GE\nT", "G(E)T", "\u00c9T"})
  void validateWhenAnAllowedMethodIsNotATokenThenInvalidValue(String method) {
    Draft draft = Draft.apiKey();
    draft.allowedMethods = List.of(method);

    Diagnosis problem = onlyProblem(draft);

    assertThat(problem.code()).isEqualTo(DiagnosisCode.INVALID_VALUE);
    assertThat(problem.fact("field")).isEqualTo("allowedMethods");
  }

  @Test
  void validateWhenAllowedMethodsAreEmptyThenInvalidValue() {
    Draft draft = Draft.apiKey();
    draft.allowedMethods = List.of();

    assertThat(onlyProblem(draft).fact("field")).isEqualTo("allowedMethods");
  }

  @Test
  void validateWhenTokenExchangeHasNoSettingsThenTheCallerSendsAnAccessTokenAsSubject() {
    Authentication.TokenExchange exchange =
        (Authentication.TokenExchange) valid(Draft.oauth("oauth2_token_exchange")).authentication();

    assertThat(exchange.subjectFromCaller()).isTrue();
    assertThat(exchange.subjectTokenType())
        .isEqualTo("urn:ietf:params:oauth:token-type:access_token");
    assertThat(exchange.audience()).isEmpty();
    assertThat(exchange.resource()).isEmpty();
    assertThat(exchange.requestedTokenType()).isEmpty();
    assertThat(exchange.provider()).isEqualTo("okta");
  }

  @Test
  void validateWhenTokenExchangeNamesSubjectAudiencesAndResourceThenKeepsThem() {
    Draft draft = Draft.oauth("oauth2_token_exchange");
    draft.tokenExchange =
        new TokenExchangeDraft(
            "service",
            List.of("orders", "billing"),
            List.of("https://orders.example.com/api"),
            "urn:ietf:params:oauth:token-type:access_token",
            "urn:ietf:params:oauth:token-type:jwt");

    Authentication.TokenExchange exchange =
        (Authentication.TokenExchange) valid(draft).authentication();

    assertThat(exchange.subjectCredential()).contains("service");
    assertThat(exchange.audience()).containsExactly("orders", "billing");
    assertThat(exchange.resource()).containsExactly(URI.create("https://orders.example.com/api"));
    assertThat(exchange.requestedTokenType())
        .contains("urn:ietf:params:oauth:token-type:access_token");
    assertThat(exchange.subjectTokenType()).isEqualTo("urn:ietf:params:oauth:token-type:jwt");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      nullValues = "NULL",
      value = {
        "crm | NULL | NULL | NULL | tokenExchange.subjectCredential",
        "no/slash | NULL | NULL | NULL | tokenExchange.subjectCredential",
        "NULL | /relative | NULL | NULL | tokenExchange.resource",
        "NULL | https://api.example.com/#part | NULL | NULL | tokenExchange.resource",
        "NULL | NULL | access_token | NULL | tokenExchange.requestedTokenType",
        "NULL | NULL | NULL | jwt | tokenExchange.subjectTokenType",
      })
  void validateWhenATokenExchangeSettingIsWrongThenTheProblemNamesItsField(
      String subjectCredential,
      String resource,
      String requestedTokenType,
      String subjectTokenType,
      String field) {
    Draft draft = Draft.oauth("oauth2_token_exchange");
    draft.tokenExchange =
        new TokenExchangeDraft(
            subjectCredential,
            null,
            resource == null ? null : List.of(resource),
            requestedTokenType,
            subjectTokenType);

    Diagnosis problem = onlyProblem(draft);

    assertThat(problem.fact("field")).isEqualTo(field);
  }

  @Test
  void validateWhenTokenExchangeNamesTooManyOrBlankAudiencesThenRefused() {
    Draft draft = Draft.oauth("oauth2_token_exchange");
    draft.tokenExchange =
        new TokenExchangeDraft(
            null,
            java.util.Collections.nCopies(TokenExchangeDraft.MAX_TARGETS + 1, "orders"),
            null,
            null,
            null);
    assertThat(onlyProblem(draft).fact("field")).isEqualTo("tokenExchange.audience");

    draft.tokenExchange = new TokenExchangeDraft(null, List.of(" "), null, null, null);
    assertThat(onlyProblem(draft).fact("problem")).contains("blank");
  }

  @Test
  void validateWhenTokenExchangeSettingsAreGivenForAnotherProtocolThenRefused() {
    Draft draft = Draft.oauth("oauth2_client_credentials");
    draft.tokenExchange = new TokenExchangeDraft(null, List.of("orders"), null, null, null);

    Diagnosis problem = onlyProblem(draft);

    assertThat(problem.code()).isEqualTo(DiagnosisCode.INVALID_VALUE);
    assertThat(problem.fact("field")).isEqualTo("tokenExchange");
  }

  @Test
  void validateWhenTokenExchangeIsPerUserOrHasNoProviderThenRefused() {
    Draft perUser = Draft.oauth("oauth2_token_exchange");
    perUser.principal = "per_user";
    assertThat(onlyProblem(perUser).fact("field")).isEqualTo("principal");

    Draft noProvider = Draft.oauth("oauth2_token_exchange");
    noProvider.provider = null;
    assertThat(onlyProblem(noProvider).fact("field")).isEqualTo("provider");
  }
}
