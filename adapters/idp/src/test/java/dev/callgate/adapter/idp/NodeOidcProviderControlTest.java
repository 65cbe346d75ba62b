package dev.callgate.adapter.idp;

import static dev.callgate.adapter.idp.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.callgate.adapter.idp.NodeOidcProvider.HoldPhase;
import dev.callgate.core.credential.AuthProvider;
import dev.callgate.core.credential.ClientAuthMethod;
import dev.callgate.core.credential.Secret;
import dev.callgate.core.port.GrantOutcome;
import dev.callgate.core.port.IdentityProvider;
import dev.callgate.core.port.TokenResponse;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The controls of the node-oidc-provider test server, proven with the adapter as its client: the
 * token endpoint's counts, a refresh held before or after the provider processes it while its
 * client goes away, an outage that keeps every grant, and introspection for a resource server.
 */
class NodeOidcProviderControlTest {

  private static final Duration HELD_WITHIN = Duration.ofSeconds(10);
  // How long the provider gets to see a closed client socket before the test goes on.
  private static final Duration DISCONNECT_SEEN = Duration.ofMillis(500);

  private static Vertx vertx;
  private static NodeOidcProvider server;
  private static IdentityProvider idp;
  private static AuthProvider provider;
  private static final HttpClient http = HttpClient.newHttpClient();
  private static final Duration ACCESS_TTL = Duration.ofSeconds(60);

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    idp = IdentityProviders.create(vertx, TestSupport.options());
    server = NodeOidcProvider.start(ACCESS_TTL, Duration.ofSeconds(120));
    provider =
        TestSupport.withIssuer(
            server.issuer(),
            NodeOidcProvider.CLIENT_ID,
            NodeOidcProvider.CLIENT_SECRET,
            ClientAuthMethod.CLIENT_SECRET_BASIC);
  }

  @AfterEach
  void undisturb() {
    server.releaseHold();
    server.endOutage();
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
    if (vertx != null) {
      vertx.close().await();
    }
  }

  private static TokenResponse authorizeOffline() throws Exception {
    return TestSupport.authorize(
        idp, provider, "openid offline_access", Map.of("prompt", "consent"));
  }

  /** A refresh by a client that can go away: closing the returned socket is its disconnect. */
  private static Socket sendRefresh(Secret refreshToken) throws IOException {
    String body =
        "grant_type=refresh_token&refresh_token="
            + URLEncoder.encode(refreshToken.reveal(), StandardCharsets.UTF_8);
    String basic =
        Base64.getEncoder()
            .encodeToString(
                (NodeOidcProvider.CLIENT_ID + ":" + NodeOidcProvider.CLIENT_SECRET)
                    .getBytes(StandardCharsets.UTF_8));
    String request =
        "POST /token HTTP/1.1\r\n"
            + "Host: 127.0.0.1:"
            + server.issuer().getPort()
            + "\r\nAuthorization: Basic "
            + basic
            + "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: "
            + body.length()
            + "\r\nConnection: close\r\n\r\n"
            + body;
    Socket socket = new Socket("127.0.0.1", server.issuer().getPort());
    OutputStream out = socket.getOutputStream();
    out.write(request.getBytes(StandardCharsets.UTF_8));
    out.flush();
    return socket;
  }

  private static GrantOutcome refresh(Secret refreshToken) {
    return await(idp.refresh(provider, refreshToken));
  }

  private static void assertRefused(GrantOutcome outcome, String error) {
    assertThat(outcome)
        .isInstanceOfSatisfying(
            GrantOutcome.Refused.class, refused -> assertThat(refused.error()).isEqualTo(error));
  }

  private static Secret rotatedRefreshToken(GrantOutcome outcome) {
    assertThat(outcome).isInstanceOf(GrantOutcome.Granted.class);
    return ((GrantOutcome.Granted) outcome).response().refreshToken().orElseThrow();
  }

  private static boolean accepts() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", server.issuer().getPort()), 1000);
      return true;
    } catch (IOException refused) {
      return false;
    }
  }

  private static JsonObject introspect(String token) throws Exception {
    return server.introspect(token);
  }

  @Test
  void statsWhenRefreshedAndRotatedTokenReusedThenCountRefreshAndInvalidGrant() throws Exception {
    server.resetStats();
    TokenResponse tokens = authorizeOffline();
    Secret first = tokens.refreshToken().orElseThrow();

    rotatedRefreshToken(refresh(first));
    assertRefused(refresh(first), "invalid_grant");
    introspect(tokens.accessToken().reveal());
    NodeOidcProvider.Stats stats = server.stats();

    assertThat(stats.tokenRequests())
        .isEqualTo(Map.of("authorization_code", 1, "refresh_token", 2));
    assertThat(stats.tokenRequests("refresh_token")).isEqualTo(2);
    assertThat(stats.tokenRequests("client_credentials")).isZero();
    assertThat(stats.tokenErrors()).isEqualTo(Map.of("invalid_grant", 1));
    assertThat(stats.tokenErrors("invalid_grant")).isEqualTo(1);
    assertThat(stats.refreshesIssued()).isEqualTo(1);
  }

  @Test
  void resetStatsWhenRequestsCountedThenCountsStartAgainFromZero() {
    assertThat(await(idp.clientCredentials(provider))).isInstanceOf(GrantOutcome.Granted.class);
    assertThat(server.stats().tokenRequests("client_credentials")).isPositive();

    server.resetStats();
    NodeOidcProvider.Stats stats = server.stats();

    assertThat(stats.tokenRequests()).isEmpty();
    assertThat(stats.tokenErrors()).isEmpty();
    assertThat(stats.refreshesIssued()).isZero();
  }

  @Test
  void holdBeforeProcessingWhenHeldThenNothingIsIssuedUntilReleased() throws Exception {
    Secret refreshToken = authorizeOffline().refreshToken().orElseThrow();
    server.resetStats();
    server.holdNextRefresh(HoldPhase.BEFORE_PROCESSING);

    CompletableFuture<GrantOutcome> pending =
        idp.refresh(provider, refreshToken).toCompletableFuture();
    server.awaitHeld(HELD_WITHIN);
    Thread.sleep(DISCONNECT_SEEN.toMillis());

    assertThat(pending).isNotDone();
    assertThat(server.stats().refreshesIssued()).isZero();
    server.releaseHold();
    assertThat(await(pending)).isInstanceOf(GrantOutcome.Granted.class);
    assertThat(server.stats().refreshesIssued()).isEqualTo(1);
  }

  @Test
  void holdBeforeProcessingWhenClientDisconnectsThenRefreshTokenStaysValid() throws Exception {
    Secret refreshToken = authorizeOffline().refreshToken().orElseThrow();
    server.resetStats();
    server.holdNextRefresh(HoldPhase.BEFORE_PROCESSING);

    try (Socket client = sendRefresh(refreshToken)) {
      server.awaitHeld(HELD_WITHIN);
    }
    Thread.sleep(DISCONNECT_SEEN.toMillis());
    // Were it still held rather than dropped, this would let it rotate the token.
    server.releaseHold();
    GrantOutcome outcome = refresh(refreshToken);

    assertThat(outcome).isInstanceOf(GrantOutcome.Granted.class);
    NodeOidcProvider.Stats stats = server.stats();
    assertThat(stats.tokenRequests("refresh_token")).isEqualTo(2);
    assertThat(stats.refreshesIssued()).isEqualTo(1);
  }

  @Test
  void holdAfterProcessingWhenHeldThenTokenRotatedButNotAnsweredUntilReleased() throws Exception {
    Secret refreshToken = authorizeOffline().refreshToken().orElseThrow();
    server.resetStats();
    server.holdNextRefresh(HoldPhase.AFTER_PROCESSING);

    CompletableFuture<GrantOutcome> pending =
        idp.refresh(provider, refreshToken).toCompletableFuture();
    server.awaitHeld(HELD_WITHIN);
    Thread.sleep(DISCONNECT_SEEN.toMillis());

    assertThat(pending).isNotDone();
    assertThat(server.stats().refreshesIssued()).isEqualTo(1);
    server.releaseHold();
    Secret rotated = rotatedRefreshToken(await(pending));
    assertThat(rotated).isNotEqualTo(refreshToken);
  }

  @Test
  void holdAfterProcessingWhenClientDisconnectsThenReusingTheRefreshTokenIsInvalidGrant()
      throws Exception {
    Secret refreshToken = authorizeOffline().refreshToken().orElseThrow();
    server.resetStats();
    server.holdNextRefresh(HoldPhase.AFTER_PROCESSING);

    try (Socket client = sendRefresh(refreshToken)) {
      server.awaitHeld(HELD_WITHIN);
    }
    GrantOutcome outcome = refresh(refreshToken);

    assertRefused(outcome, "invalid_grant");
    NodeOidcProvider.Stats stats = server.stats();
    assertThat(stats.refreshesIssued()).isEqualTo(1);
    assertThat(stats.tokenErrors("invalid_grant")).isEqualTo(1);
  }

  @Test
  void awaitHeldWhenNoRefreshArrivesThenFails() {
    server.holdNextRefresh(HoldPhase.BEFORE_PROCESSING);

    assertThatThrownBy(() -> server.awaitHeld(Duration.ofMillis(300)))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("no refresh_token request was held");
  }

  @Test
  void outageWhenActiveThenConnectionRefusedAndAfterItTheSameRefreshTokenRefreshes()
      throws Exception {
    Secret refreshToken = authorizeOffline().refreshToken().orElseThrow();
    Duration outage = Duration.ofSeconds(2);

    server.outage(outage);
    long closedAt = System.nanoTime();
    assertThatThrownBy(() -> new Socket("127.0.0.1", server.issuer().getPort()).close())
        .isInstanceOf(ConnectException.class);
    GrantOutcome during = refresh(refreshToken);
    while (!accepts() && System.nanoTime() - closedAt < Duration.ofSeconds(15).toNanos()) {
      Thread.sleep(50);
    }
    Duration down = Duration.ofNanos(System.nanoTime() - closedAt);
    GrantOutcome after = refresh(refreshToken);

    assertThat(during)
        .isInstanceOfSatisfying(
            GrantOutcome.Failed.class,
            failed -> assertThat(failed.failure()).isEqualTo(GrantOutcome.Failure.UNREACHABLE));
    assertThat(down)
        .isGreaterThanOrEqualTo(outage.minusMillis(100))
        .isLessThan(outage.plusSeconds(5));
    assertThat(after).isInstanceOf(GrantOutcome.Granted.class);
  }

  @Test
  void endOutageWhenCalledThenTheProviderAnswersAtOnceWithItsGrantsKept() throws Exception {
    Secret refreshToken = authorizeOffline().refreshToken().orElseThrow();
    server.outage(Duration.ofMinutes(10));
    assertThat(accepts()).isFalse();

    server.endOutage();

    assertThat(accepts()).isTrue();
    assertThat(refresh(refreshToken)).isInstanceOf(GrantOutcome.Granted.class);
  }

  @Test
  void introspectWhenFreshAccessTokenThenActiveForItsSubjectAndClient() throws Exception {
    TokenResponse tokens = authorizeOffline();

    JsonObject answer = introspect(tokens.accessToken().reveal());

    assertThat(answer.getBoolean("active")).isTrue();
    assertThat(answer.getString("sub")).isEqualTo("alice");
    assertThat(answer.getString("client_id")).isEqualTo(NodeOidcProvider.CLIENT_ID);
    assertThat(answer.getLong("exp")).isGreaterThan(System.currentTimeMillis() / 1000);
  }

  @Test
  void accessTokenTtlWhenChangedThenTokensIssuedFromNowOnLiveThatLong() throws Exception {
    try {
      server.accessTokenTtl(Duration.ofMinutes(10));

      TokenResponse tokens = authorizeOffline();

      assertThat(tokens.expiresIn()).contains(Duration.ofMinutes(10));
      assertThat(refresh(tokens.refreshToken().orElseThrow()))
          .isInstanceOfSatisfying(
              GrantOutcome.Granted.class,
              granted ->
                  assertThat(granted.response().expiresIn()).contains(Duration.ofMinutes(10)));
    } finally {
      server.accessTokenTtl(ACCESS_TTL);
    }
  }

  @Test
  void tokenEndpointDelayWhenSetThenARefreshTakesAtLeastThatLong() throws Exception {
    Secret refreshToken = authorizeOffline().refreshToken().orElseThrow();
    server.tokenEndpointDelay(Duration.ofMillis(800));
    try {
      long started = System.nanoTime();

      GrantOutcome outcome = refresh(refreshToken);

      assertThat(outcome).isInstanceOf(GrantOutcome.Granted.class);
      assertThat(Duration.ofNanos(System.nanoTime() - started))
          .isGreaterThanOrEqualTo(Duration.ofMillis(800));
    } finally {
      server.tokenEndpointDelay(Duration.ZERO);
    }
  }

  @Test
  void introspectWhenTokenIsGarbageThenInactive() throws Exception {
    JsonObject answer = introspect("not-a-token-this-provider-ever-issued");

    assertThat(answer.getBoolean("active")).isFalse();
    assertThat(answer.fieldNames()).containsExactly("active");
  }

  @Test
  void introspectionEndpointWhenDiscoveredThenUnderTheIssuer() {
    assertThat(server.introspectionEndpoint())
        .isEqualTo(URI.create(server.issuer() + "/token/introspection"));
  }
}
