package dev.callgate.adapter.idp;

import static dev.callgate.adapter.idp.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.core.credential.AuthProvider;
import dev.callgate.core.credential.ClientAuthMethod;
import dev.callgate.core.credential.Secret;
import dev.callgate.core.diagnosis.DiagnosisCode;
import dev.callgate.core.port.GrantOutcome;
import dev.callgate.core.port.IdentityProvider;
import dev.callgate.core.port.ProviderMetadata;
import dev.callgate.core.port.RevocationOutcome;
import dev.callgate.core.port.TokenResponse;
import dev.callgate.core.refresh.FailureContext;
import dev.callgate.core.refresh.GrantType;
import dev.callgate.core.refresh.RefreshFailure;
import dev.callgate.core.refresh.RefreshPolicy;
import dev.callgate.core.refresh.Severity;
import dev.callgate.core.testkit.TokenRecords;
import dev.callgate.core.token.TokenKey;
import dev.callgate.core.token.TokenRecord;
import dev.callgate.core.token.TokenSet;
import dev.callgate.core.token.TokenState;
import io.vertx.core.Vertx;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The adapter against node-oidc-provider, a certified OpenID provider run as a child process:
 * refresh-token rotation, idle expiry, client authentication, and the offline_access rule of OpenID
 * Connect Core §11, with a login and consent driven over HTTP.
 */
class NodeOidcProviderTest {

  private static final Duration SHORT_REFRESH_TOKEN_TTL = Duration.ofSeconds(2);

  private static Vertx vertx;
  private static NodeOidcProvider server;
  private static NodeOidcProvider shortLived;
  private static IdentityProvider idp;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    idp = IdentityProviders.create(vertx, TestSupport.options());
    server = NodeOidcProvider.start(Duration.ofSeconds(5), Duration.ofSeconds(20));
    shortLived = NodeOidcProvider.start(Duration.ofSeconds(5), SHORT_REFRESH_TOKEN_TTL);
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
    if (shortLived != null) {
      shortLived.close();
    }
    if (vertx != null) {
      vertx.close().await();
    }
  }

  private static AuthProvider provider(NodeOidcProvider at, String secret, List<String> scopes) {
    return TestSupport.withScopes(
        TestSupport.withIssuer(
            at.issuer(), NodeOidcProvider.CLIENT_ID, secret, ClientAuthMethod.CLIENT_SECRET_BASIC),
        scopes);
  }

  private static TokenResponse authorize(
      NodeOidcProvider at, String scope, Map<String, String> extra) throws Exception {
    return TestSupport.authorize(
        idp, provider(at, NodeOidcProvider.CLIENT_SECRET, List.of()), scope, extra);
  }

  private static TokenResponse authorizeOffline(NodeOidcProvider at) throws Exception {
    return authorize(at, "openid offline_access", Map.of("prompt", "consent"));
  }

  @Test
  void discoverWhenRealProviderThenReadsItsEndpoints() {
    ProviderMetadata metadata =
        await(idp.discover(provider(server, NodeOidcProvider.CLIENT_SECRET, List.of())));

    assertThat(metadata.issuer()).contains(server.issuer().toString());
    assertThat(metadata.tokenEndpoint()).isEqualTo(URI.create(server.issuer() + "/token"));
    assertThat(metadata.revocationEndpoint()).isPresent();
    assertThat(metadata.grantTypesSupported()).contains("refresh_token", "client_credentials");
  }

  @Test
  void exchangeCodeWhenOfflineAccessWithConsentThenRefreshTokenIssued() throws Exception {
    TokenResponse tokens = authorizeOffline(server);

    assertThat(tokens.tokenType()).isEqualToIgnoringCase("Bearer");
    assertThat(tokens.expiresIn()).contains(Duration.ofSeconds(5));
    assertThat(tokens.refreshToken()).isPresent();
    assertThat(tokens.scope().orElseThrow()).contains("openid", "offline_access");
  }

  @Test
  void refreshWhenProviderRotatesThenNewTokenAndTheOldOneIsRefused() throws Exception {
    AuthProvider provider = provider(server, NodeOidcProvider.CLIENT_SECRET, List.of());
    Secret first = authorizeOffline(server).refreshToken().orElseThrow();

    GrantOutcome rotated = await(idp.refresh(provider, first));
    assertThat(rotated).isInstanceOf(GrantOutcome.Granted.class);
    Secret second = ((GrantOutcome.Granted) rotated).response().refreshToken().orElseThrow();
    GrantOutcome replayed = await(idp.refresh(provider, first));

    assertThat(second).isNotEqualTo(first);
    assertThat(replayed).isInstanceOf(GrantOutcome.Refused.class);
    assertThat(((GrantOutcome.Refused) replayed).error()).isEqualTo("invalid_grant");
    assertThat(((GrantOutcome.Refused) replayed).httpStatus()).isEqualTo(400);
  }

  @Test
  void refreshWhenRefreshTokenIdledOutThenInvalidGrantClassifiedAsExpired() throws Exception {
    AuthProvider provider =
        new AuthProvider(
            "short",
            Optional.of(shortLived.issuer()),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            NodeOidcProvider.CLIENT_ID,
            Optional.of(Secret.of(NodeOidcProvider.CLIENT_SECRET)),
            ClientAuthMethod.CLIENT_SECRET_BASIC,
            List.of(),
            Optional.of(SHORT_REFRESH_TOKEN_TTL));
    Instant issuedAt = Instant.now();
    TokenResponse response = authorizeOffline(shortLived);
    RefreshPolicy policy = new RefreshPolicy(RefreshPolicy.Settings.defaults(), new Random(1));
    TokenSet tokens =
        policy.toTokenSet(
            response, issuedAt, provider.refreshTokenLifetime(), Optional.empty(), List.of());

    Thread.sleep(SHORT_REFRESH_TOKEN_TTL.plusMillis(1500).toMillis());
    GrantOutcome outcome = await(idp.refresh(provider, response.refreshToken().orElseThrow()));

    assertThat(outcome).isInstanceOf(GrantOutcome.Refused.class);
    assertThat(((GrantOutcome.Refused) outcome).error()).isEqualTo("invalid_grant");
    Instant now = Instant.now();
    RefreshFailure failure = policy.classify(outcome, context(provider, Optional.of(tokens), now));
    assertThat(failure.severity()).isEqualTo(Severity.TERMINAL);
    assertThat(failure.diagnosis().code()).isEqualTo(DiagnosisCode.REFRESH_TOKEN_EXPIRED);
  }

  @Test
  void refreshWhenClientSecretIsWrongThenInvalidClientClassifiedAsClientAuthFailed()
      throws Exception {
    Secret refreshToken = authorizeOffline(server).refreshToken().orElseThrow();
    AuthProvider wrong = provider(server, "not-the-secret-of-this-client-0123456789", List.of());

    GrantOutcome outcome = await(idp.refresh(wrong, refreshToken));

    assertThat(outcome).isInstanceOf(GrantOutcome.Refused.class);
    assertThat(((GrantOutcome.Refused) outcome).error()).isEqualTo("invalid_client");
    Instant now = Instant.now();
    RefreshFailure failure =
        new RefreshPolicy(RefreshPolicy.Settings.defaults(), new Random(1))
            .classify(outcome, context(wrong, Optional.empty(), now));
    assertThat(failure.severity()).isEqualTo(Severity.CLIENT_REJECTED);
    assertThat(failure.diagnosis().code()).isEqualTo(DiagnosisCode.CLIENT_AUTH_FAILED);
  }

  @Test
  void exchangeCodeWhenOfflineAccessWithoutConsentPromptThenNoRefreshToken() throws Exception {
    TokenResponse tokens = authorize(server, "openid offline_access", Map.of());

    assertThat(tokens.refreshToken()).isEmpty();
    assertThat(tokens.scope().orElseThrow()).contains("openid").doesNotContain("offline_access");
  }

  @Test
  void clientCredentialsWhenScopeAllowedThenGranted() {
    GrantOutcome outcome =
        await(
            idp.clientCredentials(
                provider(server, NodeOidcProvider.CLIENT_SECRET, List.of("api:read"))));

    assertThat(outcome).isInstanceOf(GrantOutcome.Granted.class);
    TokenResponse tokens = ((GrantOutcome.Granted) outcome).response();
    assertThat(tokens.scope()).contains(List.of("api:read"));
    assertThat(tokens.refreshToken()).isEmpty();
  }

  @Test
  void revokeWhenRefreshTokenRevokedThenItIsRefusedAfterwards() throws Exception {
    AuthProvider provider = provider(server, NodeOidcProvider.CLIENT_SECRET, List.of());
    Secret refreshToken = authorizeOffline(server).refreshToken().orElseThrow();

    RevocationOutcome revoked = await(idp.revoke(provider, refreshToken, "refresh_token"));
    GrantOutcome outcome = await(idp.refresh(provider, refreshToken));

    assertThat(revoked).isEqualTo(new RevocationOutcome.Revoked());
    assertThat(outcome).isInstanceOf(GrantOutcome.Refused.class);
    assertThat(((GrantOutcome.Refused) outcome).error()).isEqualTo("invalid_grant");
  }

  @Test
  void revokeWhenTheClientSecretIsWrongThenFailedSayingWhy() throws Exception {
    Secret refreshToken = authorizeOffline(server).refreshToken().orElseThrow();
    AuthProvider wrong = provider(server, "not-the-secret-of-this-client-0123456789", List.of());

    RevocationOutcome outcome = await(idp.revoke(wrong, refreshToken, "refresh_token"));

    assertThat(outcome)
        .isEqualTo(
            new RevocationOutcome.Failed(
                "the revocation endpoint answered HTTP 401 with invalid_client"));
  }

  @Test
  void exchangeCodeWhenTheIdTokenNamesTheUserThenTheIdentityIsRead() throws Exception {
    TokenResponse response = authorizeOffline(server);

    assertThat(response.identity()).isPresent();
    assertThat(response.identity().get().subject()).isEqualTo("alice");
  }

  private static FailureContext context(
      AuthProvider provider, Optional<TokenSet> tokens, Instant now) {
    TokenRecord record = TokenRecord.unauthorized(TokenKey.named("crm"));
    if (tokens.isPresent()) {
      record = TokenRecords.edit(record).tokens(tokens).state(TokenState.REFRESHING).build();
    }
    return new FailureContext(
        "crm",
        provider.name(),
        provider.clientId(),
        provider.clientAuthMethod(),
        GrantType.REFRESH_TOKEN,
        true,
        record,
        now,
        now,
        Optional.empty());
  }
}
