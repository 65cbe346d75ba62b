package dev.callgate.core.service;

import static dev.callgate.core.service.ServiceFixture.ADMIN;
import static dev.callgate.core.service.ServiceFixture.REDIRECT_URI;
import static dev.callgate.core.service.ServiceFixture.authorizationCode;
import static dev.callgate.core.service.ServiceFixture.draft;
import static dev.callgate.core.service.ServiceFixture.join;
import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.diagnosis.DiagnosisCode;
import dev.callgate.core.port.FlowHash;
import dev.callgate.core.port.ProviderMetadata;
import dev.callgate.core.testkit.InMemoryIdentityProvider;
import dev.callgate.core.token.TokenKey;
import dev.callgate.core.token.TokenRecord;
import dev.callgate.core.token.TokenState;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AuthorizationsTest {
  private final ServiceFixture f = new ServiceFixture();

  private URI start(Caller caller, String credential) {
    AuthorizationStart start = join(f.start(caller, credential));
    assertThat(start).isInstanceOf(AuthorizationStart.Started.class);
    return f.browse(((AuthorizationStart.Started) start).authorizationUrl());
  }

  private AuthorizationCompletion complete(InMemoryIdentityProvider.Approval approval) {
    return join(f.authorizations.complete(f.callback(approval)));
  }

  private static Diagnosis refusal(AuthorizationCompletion completion) {
    assertThat(completion).isInstanceOf(AuthorizationCompletion.Refused.class);
    return ((AuthorizationCompletion.Refused) completion).diagnosis();
  }

  @Test
  void startWhenProviderAsksOfflineAccessThenUrlCarriesPkceStateScopesInOrderAndConsent() {
    f.provider(List.of("openid", "profile", "offline_access"), null);
    f.credential(authorizationCode("crm"));

    URI url = start(ADMIN, "crm");
    f.idp.approve(url, "alice");
    Map<String, String> query = f.idp.lastAuthorizationQuery();

    assertThat(url.toString()).startsWith(InMemoryIdentityProvider.AUTHORIZATION_ENDPOINT + "?");
    assertThat(query)
        .containsEntry("response_type", "code")
        .containsEntry("client_id", "callgate-client")
        .containsEntry("redirect_uri", REDIRECT_URI.toString())
        .containsEntry("scope", "openid profile offline_access")
        .containsEntry("code_challenge_method", "S256")
        .containsEntry("prompt", "consent");
    assertThat(query.get("state")).hasSizeGreaterThanOrEqualTo(43);
    assertThat(query.get("code_challenge")).matches("[A-Za-z0-9_-]{43}");
  }

  @Test
  void startWhenTheProvidersTemplateAddsAuthorizationParametersThenTheUrlCarriesThem() {
    f.provider(List.of("openid"), null, "google", null);
    f.credential(authorizationCode("crm"));

    f.idp.approve(start(ADMIN, "crm"), "alice");

    assertThat(f.idp.lastAuthorizationQuery())
        .containsEntry("access_type", "offline")
        .containsEntry("prompt", "consent")
        .containsEntry("scope", "openid");
  }

  @Test
  void completeWhenApprovedThenStoresActiveTokensWithRefreshTokenAndNoWarnings() {
    f.provider(List.of("openid", "offline_access"), "PT24H");
    f.credential(authorizationCode("crm"));

    AuthorizationCompletion done = complete(f.idp.approve(start(ADMIN, "crm"), "alice"));

    assertThat(done).isInstanceOf(AuthorizationCompletion.Authorized.class);
    TokenRecord record = f.stored(TokenKey.named("crm"));
    assertThat(record.state()).isEqualTo(TokenState.ACTIVE);
    assertThat(record.tokens().orElseThrow().hasRefreshToken()).isTrue();
    assertThat(record.diagnoses()).isEmpty();
    assertThat(record.nextRefreshAt()).isPresent();
    assertThat(f.idp.codeExchanges()).isEqualTo(1);
  }

  @Test
  void completeWhenTheTokenResponseHasNoExpiresInThenAssumesTheProvidersAccessTokenLifetime() {
    f.provider(List.of("openid", "offline_access"), null, null, "PT8H");
    f.credential(authorizationCode("crm"));
    f.idp.expiresIn(Optional.empty());

    complete(f.idp.approve(start(ADMIN, "crm"), "alice"));

    assertThat(f.stored(TokenKey.named("crm")).tokens().orElseThrow().expiresAt())
        .isEqualTo(f.clock.now().plus(Duration.ofHours(8)));
  }

  @Test
  void completeWhenStateIsReplayedThenRefusesTheSecondTime() {
    f.provider(List.of("openid", "offline_access"), null);
    f.credential(authorizationCode("crm"));
    InMemoryIdentityProvider.Approval approval = f.idp.approve(start(ADMIN, "crm"), "alice");

    complete(approval);

    assertThat(refusal(complete(approval)).code())
        .isEqualTo(DiagnosisCode.AUTHORIZATION_STATE_INVALID);
    assertThat(f.idp.codeExchanges()).isEqualTo(1);
  }

  @Test
  void completeWhenStateHasExpiredThenRefusesWithoutExchangingTheCode() {
    f.provider(List.of("openid", "offline_access"), null);
    f.credential(authorizationCode("crm"));
    InMemoryIdentityProvider.Approval approval = f.idp.approve(start(ADMIN, "crm"), "alice");
    f.clock.advance(Duration.ofMinutes(11));

    Diagnosis diagnosis = refusal(complete(approval));

    assertThat(diagnosis.code()).isEqualTo(DiagnosisCode.AUTHORIZATION_STATE_INVALID);
    assertThat(f.idp.codeExchanges()).isZero();
  }

  @Test
  void completeWhenStateIsUnknownThenRefuses() {
    assertThat(
            refusal(
                    join(
                        f.authorizations.complete(
                            AuthorizationCallback.withCode("forged", "code-1", "cookie-1"))))
                .code())
        .isEqualTo(DiagnosisCode.AUTHORIZATION_STATE_INVALID);
  }

  @Test
  void completeWhenUserDeniesThenAuthorizationDeniedWithTheProvidersWords() {
    f.provider(List.of("openid", "offline_access"), null);
    f.credential(authorizationCode("crm"));
    InMemoryIdentityProvider.Denial denial =
        f.idp.deny(start(ADMIN, "crm"), "access_denied", "The user said no");

    Diagnosis diagnosis =
        refusal(
            join(
                f.authorizations.complete(
                    new AuthorizationCallback(
                        Optional.of(denial.state()),
                        Optional.empty(),
                        Optional.of(denial.error()),
                        Optional.of(denial.errorDescription()),
                        f.cookie(denial.state())))));

    assertThat(diagnosis.code()).isEqualTo(DiagnosisCode.AUTHORIZATION_DENIED);
    assertThat(diagnosis.message()).contains("access_denied", "The user said no");
  }

  @Test
  void completeWhenOfflineAccessWasNotRequestedThenWarnsNoRefreshTokenNamingOfflineAccess() {
    f.idp.offlineScope("offline_access");
    f.provider(List.of("openid", "profile"), null);
    f.credential(authorizationCode("crm"));

    complete(f.idp.approve(start(ADMIN, "crm"), "alice"));

    TokenRecord record = f.stored(TokenKey.named("crm"));
    assertThat(record.tokens().orElseThrow().hasRefreshToken()).isFalse();
    assertThat(record.diagnoses())
        .extracting(Diagnosis::code)
        .contains(DiagnosisCode.NO_REFRESH_TOKEN_ISSUED);
    Diagnosis warning = record.diagnoses().get(0);
    assertThat(warning.fact("missingScope")).contains("offline_access");
    assertThat(warning.remedy()).contains("offline_access");
  }

  @Test
  void completeWhenProviderAdvertisesRefreshTokenScopeThenNamesIt() {
    f.idp.offlineScope("refresh_token");
    f.idp.metadata(
        new ProviderMetadata(
            Optional.of(InMemoryIdentityProvider.ISSUER),
            Optional.of(InMemoryIdentityProvider.AUTHORIZATION_ENDPOINT),
            InMemoryIdentityProvider.TOKEN_ENDPOINT,
            Optional.empty(),
            List.of("api", "refresh_token", "offline_access"),
            List.of("authorization_code", "refresh_token"),
            List.of("S256"),
            Optional.empty()));
    f.provider(List.of("api"), null);
    f.credential(authorizationCode("crm"));

    complete(f.idp.approve(start(ADMIN, "crm"), "alice"));

    Diagnosis warning = f.stored(TokenKey.named("crm")).diagnoses().get(0);
    assertThat(warning.code()).isEqualTo(DiagnosisCode.NO_REFRESH_TOKEN_ISSUED);
    assertThat(warning.fact("missingScope"))
        .contains("refresh_token")
        .doesNotContain("offline_access");
  }

  @Test
  void startWhenNamedCredentialAndCallerIsNotAdminThenCallerNotAllowed() {
    f.provider(List.of("openid", "offline_access"), null);
    f.credential(authorizationCode("crm"));

    AuthorizationStart start = join(f.start(Caller.caller("app"), "crm"));

    assertThat(start).isInstanceOf(AuthorizationStart.Refused.class);
    assertThat(((AuthorizationStart.Refused) start).diagnosis().code())
        .isEqualTo(DiagnosisCode.CALLER_NOT_ALLOWED);
  }

  @Test
  void completeWhenPerUserCredentialThenTokensAreKeyedByEachCallersSubject() {
    f.provider(List.of("openid", "offline_access"), null);
    f.credential(
        draft(
            "mail",
            "oauth2_authorization_code",
            "per_user",
            true,
            false,
            List.of("alice", "bob"),
            true));

    complete(f.idp.approve(start(Caller.caller("alice"), "mail"), "alice"));
    complete(f.idp.approve(start(Caller.caller("bob"), "mail"), "bob"));

    TokenRecord alice = f.stored(TokenKey.perUser("mail", "alice"));
    TokenRecord bob = f.stored(TokenKey.perUser("mail", "bob"));
    assertThat(alice.tokens().orElseThrow().accessToken())
        .isNotEqualTo(bob.tokens().orElseThrow().accessToken());
    assertThat(f.idp.subjectOf(alice.tokens().orElseThrow().accessToken().reveal()))
        .contains("alice");
    assertThat(f.tokens.stored(TokenKey.named("mail"))).isEmpty();
  }

  @Test
  void startWhenCredentialIsNotAuthorizationCodeThenFlowNotSupported() {
    f.provider(List.of("api"), null);
    f.credential(draft("svc", "oauth2_client_credentials", "named", true, false, List.of(), true));

    AuthorizationStart start = join(f.start(ADMIN, "svc"));

    assertThat(((AuthorizationStart.Refused) start).diagnosis().code())
        .isEqualTo(DiagnosisCode.FLOW_NOT_SUPPORTED);
  }

  private URI page(Caller caller, String credential) {
    AuthorizationStart start = join(f.start(caller, credential));
    return ((AuthorizationStart.Started) start).authorizationUrl();
  }

  private static String flowOf(URI page) {
    return java.net.URLDecoder.decode(
        page.getRawQuery().substring("flow=".length()), java.nio.charset.StandardCharsets.UTF_8);
  }

  @Test
  void startWhenStartedThenHandsOutCallgatesPageAndKeepsOnlyTheStatesHash() {
    f.provider(List.of("openid", "offline_access"), null);
    f.credential(authorizationCode("crm"));

    URI page = page(ADMIN, "crm");

    assertThat(page.toString()).startsWith("https://callgate.test/v1/oauth/authorize?flow=");
    String flow = flowOf(page);
    assertThat(f.pending.pending())
        .singleElement()
        .satisfies(
            pending -> {
              assertThat(pending.stateHash()).isEqualTo(FlowHash.of(flow));
              assertThat(pending.toString()).doesNotContain(flow);
              assertThat(pending.browserBinding()).isEmpty();
            });
  }

  @Test
  void openWhenABrowserOpensThePageThenBindsItWithAnHttpsOnlyCookieForTheCallbacksFolder() {
    f.provider(List.of("openid", "offline_access"), null);
    f.credential(authorizationCode("crm"));
    URI page = page(ADMIN, "crm");

    AuthorizationOpening.Opened opened =
        (AuthorizationOpening.Opened) join(f.authorizations.open(flowOf(page)));

    BrowserBinding binding = opened.binding();
    assertThat(opened.providerUrl().toString())
        .startsWith(InMemoryIdentityProvider.AUTHORIZATION_ENDPOINT + "?")
        .contains("state=" + flowOf(page));
    assertThat(binding.cookieName()).isEqualTo(BrowserBinding.cookieName(flowOf(page)));
    assertThat(binding.path()).isEqualTo("/v1/oauth/");
    assertThat(binding.secure()).isTrue();
    assertThat(binding.lifetime()).isEqualTo(Duration.ofMinutes(10));
    assertThat(f.pending.pending().get(0).browserBinding())
        .contains(FlowHash.of(binding.secret().reveal()));
  }

  @Test
  void openWhenASecondBrowserOpensTheSamePageThenRefused() {
    f.provider(List.of("openid", "offline_access"), null);
    f.credential(authorizationCode("crm"));
    URI page = page(ADMIN, "crm");
    f.browse(page);

    AuthorizationOpening second = join(f.authorizations.open(flowOf(page)));

    assertThat(second).isInstanceOf(AuthorizationOpening.Refused.class);
    assertThat(((AuthorizationOpening.Refused) second).diagnosis().code())
        .isEqualTo(DiagnosisCode.AUTHORIZATION_STATE_INVALID);
  }

  @Test
  void completeWhenTheCallbackComesWithoutTheCookieThenRefusedAndTheRightBrowserStillCompletes() {
    f.provider(List.of("openid", "offline_access"), null);
    f.credential(authorizationCode("crm"));
    InMemoryIdentityProvider.Approval approval =
        f.idp.approve(f.browse(page(ADMIN, "crm")), "alice");

    AuthorizationCompletion elsewhere =
        join(
            f.authorizations.complete(
                new AuthorizationCallback(
                    Optional.of(approval.state()),
                    Optional.of(approval.code()),
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty())));
    AuthorizationCompletion here = complete(approval);

    assertThat(refusal(elsewhere).code()).isEqualTo(DiagnosisCode.AUTHORIZATION_BROWSER_MISMATCH);
    assertThat(((AuthorizationCompletion.Refused) elsewhere).key()).isEmpty();
    assertThat(here).isInstanceOf(AuthorizationCompletion.Authorized.class);
    assertThat(f.idp.codeExchanges()).isEqualTo(1);
  }

  @Test
  void completeWhenTheCookieIsAnotherBrowsersThenRefusedAndNothingIsRecordedOnTheToken() {
    f.provider(List.of("openid", "offline_access"), null);
    f.credential(authorizationCode("crm"));
    InMemoryIdentityProvider.Approval approval =
        f.idp.approve(f.browse(page(ADMIN, "crm")), "alice");

    Diagnosis diagnosis =
        refusal(
            join(
                f.authorizations.complete(
                    AuthorizationCallback.withCode(
                        approval.state(), approval.code(), "a-cookie-of-its-own"))));

    assertThat(diagnosis.code()).isEqualTo(DiagnosisCode.AUTHORIZATION_BROWSER_MISMATCH);
    assertThat(f.idp.codeExchanges()).isZero();
    assertThat(f.tokens.stored(TokenKey.named("crm"))).isEmpty();
  }

  @Test
  void completeWhenTheFlowWasNeverOpenedThroughCallgatesPageThenRefused() {
    f.provider(List.of("openid", "offline_access"), null);
    f.credential(authorizationCode("crm"));
    URI page = page(ADMIN, "crm");
    InMemoryIdentityProvider.Approval approval =
        new InMemoryIdentityProvider.Approval("code-1", flowOf(page), ServiceFixture.REDIRECT_URI);

    Diagnosis diagnosis =
        refusal(
            join(
                f.authorizations.complete(
                    AuthorizationCallback.withCode(approval.state(), "code-1", "guessed"))));

    assertThat(diagnosis.code()).isEqualTo(DiagnosisCode.AUTHORIZATION_BROWSER_MISMATCH);
    assertThat(diagnosis.message()).contains("never opened");
  }

  @Test
  void completeWhenAnotherProviderAccountSignsInThenRefusedAndTheGrantIsKept() {
    f.provider(List.of("openid", "offline_access"), null);
    f.credential(
        draft(
            "mail", "oauth2_authorization_code", "per_user", true, false, List.of("carol"), true));
    TokenRecord carols = f.authorize("mail", Caller.caller("carol"), "carol-at-idp");

    InMemoryIdentityProvider.Approval mallory =
        f.idp.approve(f.browse(page(Caller.caller("carol"), "mail")), "mallory-at-idp");
    Diagnosis diagnosis = refusal(complete(mallory));

    assertThat(diagnosis.code()).isEqualTo(DiagnosisCode.PROVIDER_IDENTITY_CHANGED);
    assertThat(diagnosis.message()).contains("'mallory-at-idp'", "'carol-at-idp'");
    TokenRecord kept = f.stored(TokenKey.perUser("mail", "carol"));
    assertThat(kept.tokens()).isEqualTo(carols.tokens());
    assertThat(kept.identity()).isEqualTo(carols.identity());
    assertThat(kept.version()).isEqualTo(carols.version());
  }

  @Test
  void completeWhenAnAdminAllowedTheIdentityChangeThenTheTokenPassesToTheNewAccount() {
    f.provider(List.of("openid", "offline_access"), null);
    f.credential(
        draft(
            "mail", "oauth2_authorization_code", "per_user", true, false, List.of("carol"), true));
    f.authorize("mail", Caller.caller("carol"), "carol-at-idp");

    AuthorizationStart start = join(f.start(ADMIN, "mail", Optional.of("carol"), true));
    URI providerUrl = f.browse(((AuthorizationStart.Started) start).authorizationUrl());
    AuthorizationCompletion done = complete(f.idp.approve(providerUrl, "carol-new-at-idp"));

    assertThat(done).isInstanceOf(AuthorizationCompletion.Authorized.class);
    assertThat(f.stored(TokenKey.perUser("mail", "carol")).identity().orElseThrow().subject())
        .isEqualTo("carol-new-at-idp");
  }

  @Test
  void startWhenACallerAsksToAllowAnIdentityChangeThenForbidden() {
    f.provider(List.of("openid", "offline_access"), null);
    f.credential(
        draft(
            "mail", "oauth2_authorization_code", "per_user", true, false, List.of("carol"), true));

    AuthorizationStart start =
        join(f.start(Caller.caller("carol"), "mail", Optional.empty(), true));

    assertThat(((AuthorizationStart.Refused) start).diagnosis().code())
        .isEqualTo(DiagnosisCode.FORBIDDEN);
    assertThat(f.pending.pending()).isEmpty();
  }
}
