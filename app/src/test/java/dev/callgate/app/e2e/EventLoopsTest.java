package dev.callgate.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.adapter.idp.NodeOidcProvider;
import dev.callgate.app.config.Configuration;
import io.vertx.core.json.JsonObject;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Callgate serving on two event loops, against a real OpenID Connect provider (node-oidc-provider,
 * whose token endpoint counts its requests) and a real target: callouts that arrive on different
 * loops still share what the process shares, the refresh of a token first of all.
 */
class EventLoopsTest {
  private static final Path IDP_DIRECTORY =
      Path.of("..", "adapters", "idp", "src", "test", "oidc-provider");

  private static NodeOidcProvider idp;
  private static Target target;
  private static CallgateUnderTest callgate;

  @BeforeAll
  static void start() throws Exception {
    idp = NodeOidcProvider.start(IDP_DIRECTORY, Duration.ofSeconds(2), Duration.ofHours(1));
    target = new Target(URI.create(idp.issuer() + "/me"));
    callgate = CallgateUnderTest.start(Map.of(Configuration.EVENT_LOOPS, "2"));
    callgate.provider("idp", idp);
  }

  @AfterAll
  static void stop() throws Exception {
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

  @Test
  void calloutWhenHundredCallersOnTwoEventLoopsHitAnExpiredTokenThenRefreshesOnce()
      throws Exception {
    // keep-alive off and never called: the schedule leaves it alone, the callouts find it expired
    callgate.credential(
        new JsonObject()
            .put("name", "shared")
            .put("url", target.baseUrl() + "/")
            .put("protocol", "oauth2_authorization_code")
            .put("principal", "named")
            .put("provider", "idp")
            .put("keepAlive", false));
    CookieManager browser = new CookieManager();
    Map<String, String> redirect =
        CallgateUnderTest.signIn(
            browser,
            callgate.authorizationUrl(CallgateUnderTest.ADMIN_KEY, "shared", Optional.empty()),
            NodeOidcProvider.REDIRECT_URI,
            "alice");
    assertThat(callgate.callback(browser, redirect).status()).isEqualTo(200);
    // the token the callouts meet lives 2 s; the one they get must outlive them all
    idp.accessTokenTtl(Duration.ofMinutes(10));
    Instant expiresAt = Instant.parse(callgate.status("shared").getString("accessTokenExpiresAt"));
    while (Instant.now().isBefore(expiresAt.plusMillis(500))) {
      Thread.sleep(100);
    }
    idp.resetStats();
    // a slow token endpoint: callouts on both loops meet the expired token while it refreshes
    idp.tokenEndpointDelay(Duration.ofSeconds(3));
    int seenBefore = target.authorizations.size();
    double refreshesBefore = onDemand("callgate_refreshes_total");
    double answersBefore = onDemand("callgate_refresh_answers_total");

    List<HttpResponse<String>> answers;
    try {
      answers = hundredCalloutsAtOnce();
    } finally {
      idp.tokenEndpointDelay(Duration.ZERO);
    }

    assertThat(answers)
        .as("every callout answered by the target")
        .allSatisfy(answer -> assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200));
    assertThat(idp.stats().tokenRequests("refresh_token"))
        .as("refreshes at the token endpoint")
        .isEqualTo(1);
    // the store's lease alone would keep the provider at one request: the callouts on the other
    // loop must have joined the refresh under way, not begun one of their own that waits for it
    assertThat(onDemand("callgate_refreshes_total") - refreshesBefore).isEqualTo(1);
    assertThat(onDemand("callgate_refresh_answers_total") - answersBefore)
        .as("refreshes begun in this process and answered from the store")
        .isZero();
    List<String> sent = target.authorizations.subList(seenBefore, target.authorizations.size());
    assertThat(sent).hasSize(100);
    assertThat(new HashSet<>(sent)).as("one new token for all").hasSize(1);
    assertThat(Instant.parse(callgate.status("shared").getString("accessTokenExpiresAt")))
        .isAfter(expiresAt);
  }

  /** The sum of the samples named {@code name} of refreshes that callouts asked for. */
  private static double onDemand(String name) {
    double sum = 0;
    Matcher sample =
        Pattern.compile("^" + name + "\\{([^}]*)} ([0-9.eE+-]+)$", Pattern.MULTILINE)
            .matcher(callgate.metrics());
    while (sample.find()) {
      if (sample.group(1).contains("trigger=\"on_demand\"")) {
        sum += Double.parseDouble(sample.group(2));
      }
    }
    return sum;
  }

  /** A hundred callouts sent together, each on a connection of its own. */
  private static List<HttpResponse<String>> hundredCalloutsAtOnce() {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      HttpRequest request =
          HttpRequest.newBuilder(callgate.base().resolve("/v1/callout/shared/open/" + i))
              .timeout(Duration.ofSeconds(60))
              .header("Authorization", "Bearer " + CallgateUnderTest.ADMIN_KEY)
              .build();
      sent.add(client.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
    }
    return sent.stream().map(CompletableFuture::join).toList();
  }
}
