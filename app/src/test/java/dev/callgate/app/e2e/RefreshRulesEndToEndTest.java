package dev.callgate.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.adapter.idp.NodeOidcProvider;
import dev.callgate.app.e2e.CallgateUnderTest.Answer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code refreshOn} as a person uses it: Callgate's jar wiring and HTTP API, node-oidc-provider
 * issuing the tokens, and a SOAP target that answers a token it does not accept (revoked at the
 * provider, which it asks by introspection) with Salesforce's {@code 500 INVALID_SESSION_ID} fault.
 */
class RefreshRulesEndToEndTest {
  private static final Path IDP_DIRECTORY =
      Path.of("..", "adapters", "idp", "src", "test", "oidc-provider");
  private static final JsonArray INVALID_SESSION_RULES =
      new JsonArray()
          .add(
              new JsonObject()
                  .put("status", new JsonArray().add(500))
                  .put("bodyPattern", "<faultcode>sf:INVALID_SESSION_ID</faultcode>"));

  private static NodeOidcProvider idp;
  private static SoapTarget target;
  private static CallgateUnderTest callgate;

  @BeforeAll
  static void start() throws Exception {
    // tokens that outlive the test, so that only the target's answer brings a refresh
    idp = NodeOidcProvider.start(IDP_DIRECTORY, Duration.ofMinutes(10), Duration.ofMinutes(30));
    target = new SoapTarget(idp);
    callgate = CallgateUnderTest.start();
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

  private static void soapCredential(String name, String path, Optional<JsonArray> rules)
      throws Exception {
    JsonObject credential =
        new JsonObject()
            .put("name", name)
            .put("url", target.baseUrl() + path)
            .put("protocol", "oauth2_authorization_code")
            .put("provider", "idp");
    rules.ifPresent(r -> credential.put("refreshOn", r));
    callgate.credential(credential);
    Map<String, String> redirect =
        callgate.signIn(
            callgate.authorizationUrl(CallgateUnderTest.ADMIN_KEY, name, Optional.empty()),
            NodeOidcProvider.REDIRECT_URI,
            "alice");
    Answer callback = callgate.callback(redirect);
    assertThat(callback.status()).as(callback.body()).isEqualTo(200);
  }

  private static Answer call(String name) {
    return callgate.admin("POST", "/v1/callout/" + name + "/services/Soap/u/60.0");
  }

  /**
   * Calls once with the credential's token, then has the target refuse every token issued so far
   * (waiting past the second the limit falls in, since {@code iat} counts whole seconds).
   */
  private static String tokenInUseRefused(String name) throws Exception {
    Answer first = call(name);
    assertThat(first.status()).as(first.body()).isEqualTo(200);
    String used = target.tokens.get(target.tokens.size() - 1);
    Instant limit = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
    target.refuseIssuedBefore(limit);
    Thread.sleep(Duration.between(Instant.now(), limit).toMillis() + 50);
    return used;
  }

  @Test
  void calloutWhenTargetFaultsInvalidSessionForARefusedTokenThenRefreshesAndTheRetrySucceeds()
      throws Exception {
    soapCredential("soap", "/soap", Optional.of(INVALID_SESSION_RULES));
    String refused = tokenInUseRefused("soap");
    int before = target.tokens.size();

    Answer answer = call("soap");

    assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    assertThat(answer.body()).contains("<sub>alice</sub>");
    assertThat(target.tokens.subList(before, target.tokens.size()))
        .hasSize(2)
        .first()
        .isEqualTo(refused);
    assertThat(target.tokens.get(target.tokens.size() - 1)).isNotEqualTo(refused);
    assertThat(callgate.metrics())
        .contains(
            "callgate_refresh_rule_firings_total{credential=\"soap\",rule=\"refreshOn[0]\"} 1.0");
    JsonObject stored = callgate.admin("GET", "/v1/credentials/soap").json();
    assertThat(stored.getJsonArray("refreshOn"))
        .isEqualTo(
            new JsonArray()
                .add(
                    new JsonObject()
                        .put("status", new JsonArray().add("500"))
                        .put("bodyPattern", "<faultcode>sf:INVALID_SESSION_ID</faultcode>")));
  }

  @Test
  void calloutWhenNoRuleIsSetThenTheFaultIsRelayedAsIs() throws Exception {
    soapCredential("soap-plain", "/soap", Optional.empty());
    tokenInUseRefused("soap-plain");
    int before = target.tokens.size();

    Answer answer = call("soap-plain");

    assertThat(answer.status()).isEqualTo(500);
    assertThat(answer.body()).isEqualTo(SoapTarget.INVALID_SESSION_FAULT);
    assertThat(answer.headers().firstValue("Callgate-Error")).isEmpty();
    assertThat(target.tokens.size() - before).isEqualTo(1);
  }

  @Test
  void calloutWhenTheRetryFaultsTooThenTokenRejectedAfterRefreshWithoutALoop() throws Exception {
    soapCredential("soap-broken", "/soap-broken", Optional.of(INVALID_SESSION_RULES));
    int before = target.tokens.size();

    Answer answer = call("soap-broken");

    assertThat(answer.status()).isEqualTo(500);
    assertThat(answer.headers().firstValue("Callgate-Error"))
        .contains("TOKEN_REJECTED_AFTER_REFRESH");
    assertThat(answer.body()).isEqualTo(SoapTarget.INVALID_SESSION_FAULT);
    assertThat(target.tokens.size() - before).isEqualTo(2);
    assertThat(callgate.metrics())
        .contains(
            "callgate_refresh_rule_firings_total{credential=\"soap-broken\",rule=\"refreshOn[0]\"}"
                + " 1.0");
  }

  @Test
  void createWhenRulesAreInvalidThenAnswers400WithTheValidationMessages() {
    JsonObject credential =
        new JsonObject()
            .put("name", "soap-invalid")
            .put("url", target.baseUrl() + "/soap")
            .put("protocol", "oauth2_authorization_code")
            .put("provider", "idp")
            .put(
                "refreshOn",
                new JsonArray()
                    .add(new JsonObject().put("status", new JsonArray().add("6xx")))
                    .add(
                        new JsonObject()
                            .put("status", new JsonArray().add(500))
                            .put("bodyPattern", "<faultcode>(sf:INVALID"))
                    .add(new JsonObject().put("status", new JsonArray().add(500)).put("when", 1)));

    Answer answer = callgate.admin("POST", "/v1/credentials", credential);

    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.error()).isEqualTo("INVALID_VALUE");
    assertThat(answer.body())
        .contains(
            "refreshOn[0].status is invalid: '6xx' is not a status code",
            "refreshOn[1].bodyPattern is invalid: it is not a Java regular expression",
            "refreshOn[2].when is invalid: it is not a field of this resource");
    assertThat(callgate.admin("GET", "/v1/credentials/soap-invalid").status()).isEqualTo(404);
  }
}
