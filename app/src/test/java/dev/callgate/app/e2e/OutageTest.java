package dev.callgate.app.e2e;

import static dev.callgate.app.e2e.CallgateUnderTest.REDIRECT_URI;
import static dev.callgate.app.e2e.CallgateUnderTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.adapter.idp.NodeOidcProvider;
import dev.callgate.app.e2e.CallgateUnderTest.Answer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A provider outage as Callgate lives through it, against node-oidc-provider, whose control port
 * closes and reopens its port at chosen moments (refresh tokens rotate and idle out after their
 * lifetime): retries crowd before a refresh token's known expiry instead of being planned past it,
 * so a provider back shortly before it saves the grant; a callout whose access token has expired
 * tries the provider again once its last failure is a few seconds old, so recovery follows the
 * provider rather than the back-off clock; and a grant lost to an outage says so.
 */
class OutageTest {
  private static final Path IDP_DIRECTORY =
      Path.of("..", "adapters", "idp", "src", "test", "oidc-provider");

  private NodeOidcProvider idp;
  private Target target;
  private CallgateUnderTest callgate;

  private void start(Duration accessTokenTtl, Duration refreshTokenTtl) throws Exception {
    idp = NodeOidcProvider.start(IDP_DIRECTORY, accessTokenTtl, refreshTokenTtl);
    target = new Target(java.net.URI.create(idp.issuer() + "/me"));
    callgate = CallgateUnderTest.start();
    callgate.provider(
        new JsonObject()
            .put("name", "idp")
            .put("issuer", idp.issuer().toString())
            .put("clientId", NodeOidcProvider.CLIENT_ID)
            .put("clientSecret", NodeOidcProvider.CLIENT_SECRET)
            .put("scopes", new JsonArray().add("openid").add("offline_access"))
            // node-oidc-provider does not report the lifetime; it is configured, as for WSO2
            .put("refreshTokenLifetime", refreshTokenTtl.toString()));
  }

  @AfterEach
  void stop() throws Exception {
    if (callgate != null) {
      callgate.close();
    }
    if (target != null) {
      target.close();
    }
    if (idp != null) {
      idp.close();
    }
  }

  private void credential(String name, boolean keepAlive) {
    callgate.credential(
        new JsonObject()
            .put("name", name)
            .put("url", target.baseUrl() + "/ok")
            .put("protocol", "oauth2_authorization_code")
            .put("provider", "idp")
            .put("keepAlive", keepAlive));
  }

  private Instant authorize(String credential) throws Exception {
    Map<String, String> redirect =
        callgate.signIn(
            callgate.authorizationUrl(CallgateUnderTest.ADMIN_KEY, credential, Optional.empty()),
            NodeOidcProvider.REDIRECT_URI,
            "alice");
    Answer callback = callgate.callback(redirect);
    assertThat(callback.status()).as(callback.body()).isEqualTo(200);
    return Instant.parse(callgate.status(credential).getString("refreshTokenExpiresAt"));
  }

  /** A failure and the attempt planned after it, as the status showed them. */
  private record Planned(Instant failedAt, Instant nextAttemptAt) {}

  @BeforeEach
  void redirectUriIsTheRegisteredOne() {
    assertThat(NodeOidcProvider.REDIRECT_URI).isEqualTo(REDIRECT_URI);
  }

  @Test
  void outageWhenTheProviderIsBackShortlyBeforeTheRefreshTokenExpiresThenTheIdleGrantSurvives()
      throws Exception {
    start(Duration.ofSeconds(30), Duration.ofSeconds(40));
    credential("idle", true);
    Instant expiry = authorize("idle");
    // a twentieth of the 40 s lifetime: the latest moment a retry is planned for
    Instant lastChance = expiry.minusSeconds(2);
    sleepUntil(expiry.minusSeconds(25));
    idp.outage(Duration.ofDays(1));

    List<Planned> planned = new ArrayList<>();
    Instant back = expiry.minusSeconds(5);
    while (Instant.now().isBefore(back)) {
      JsonObject failures = callgate.status("idle").getJsonObject("failures");
      if (failures != null && failures.getString("nextAttemptAt") != null) {
        Planned seen =
            new Planned(
                Instant.parse(failures.getString("lastAt")),
                Instant.parse(failures.getString("nextAttemptAt")));
        if (planned.isEmpty() || !planned.get(planned.size() - 1).equals(seen)) {
          planned.add(seen);
        }
      }
      Thread.sleep(200);
    }
    idp.endOutage();
    await(
        "the grant refreshed after the outage",
        Duration.between(Instant.now(), expiry.plusSeconds(10)),
        () -> {
          JsonObject status = callgate.status("idle");
          return status.getString("state").equals("ACTIVE")
              && Instant.parse(status.getString("lastRefreshAt")).isAfter(back);
        });

    assertThat(planned).as("keep-alive attempts failed during the outage").hasSizeGreaterThan(2);
    assertThat(planned)
        .filteredOn(p -> p.failedAt().isBefore(lastChance))
        .allSatisfy(p -> assertThat(p.nextAttemptAt()).isBeforeOrEqualTo(lastChance));
    Answer callout = callgate.admin("GET", "/v1/callout/idle/accounts");
    assertThat(callout.status()).as(callout.body()).isEqualTo(200);
  }

  @Test
  void outageWhenItOutlivesTheRefreshTokenThenTheGrantIsLostDuringTheOutageNotIdle()
      throws Exception {
    start(Duration.ofSeconds(30), Duration.ofSeconds(20));
    credential("lost", true);
    Instant expiry = authorize("lost");
    sleepUntil(expiry.minusSeconds(15));
    idp.outage(Duration.ofDays(1));
    sleepUntil(expiry.plusSeconds(3));
    idp.endOutage();

    Answer refresh = callgate.admin("POST", "/v1/credentials/lost/refresh");

    assertThat(refresh.status()).as(refresh.body()).isEqualTo(409);
    assertThat(refresh.error()).isEqualTo("GRANT_LOST_DURING_OUTAGE");
    JsonObject problem = refresh.json();
    assertThat(problem.getString("detail"))
        .contains("after an outage")
        .contains("lifetime ended at " + expiry.toString().substring(0, 19));
    assertThat(Integer.parseInt(problem.getJsonObject("facts").getString("attempts")))
        .isGreaterThan(1);
    assertThat(CallgateUnderTest.firstDiagnosis(callgate.status("lost")))
        .isEqualTo("GRANT_LOST_DURING_OUTAGE");
  }

  @Test
  void outageWhenTheProviderIsBackThenACalloutWithAnExpiredTokenTriesItBeforeTheBackoffEnds()
      throws Exception {
    start(Duration.ofSeconds(5), Duration.ofMinutes(10));
    credential("busy", true);
    authorize("busy");
    assertThat(callgate.admin("GET", "/v1/callout/busy/accounts").status()).isEqualTo(200);
    idp.outage(Duration.ofDays(1));
    // the access token expires; callouts meet the outage and the failures pile up
    Instant until = Instant.now().plusSeconds(30);
    int refused = 0;
    while (Instant.now().isBefore(until)) {
      Answer during = callgate.admin("GET", "/v1/callout/busy/accounts");
      refused += during.status() == 503 ? 1 : 0;
      Thread.sleep(500);
    }
    idp.endOutage();
    JsonObject failures = callgate.status("busy").getJsonObject("failures");
    Instant lastFailure = Instant.parse(failures.getString("lastAt"));
    Instant nextAttempt = Instant.parse(failures.getString("nextAttemptAt"));
    // the probe floor: a tenth of the outage, at least 5 s, after the last failure
    Instant mayProbe = lastFailure.plusSeconds(6);
    assertThat(nextAttempt).as("still backing off when the callout comes").isAfter(mayProbe);
    sleepUntil(mayProbe);

    Answer after = callgate.admin("GET", "/v1/callout/busy/accounts");

    assertThat(refused).isPositive();
    assertThat(after.status()).as(after.body()).isEqualTo(200);
    assertThat(Instant.now()).isBefore(nextAttempt);
  }

  private static void sleepUntil(Instant at) throws InterruptedException {
    long millis = Duration.between(Instant.now(), at).toMillis();
    if (millis > 0) {
      Thread.sleep(millis);
    }
  }
}
