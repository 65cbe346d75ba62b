package dev.callgate.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.adapter.http.CapturedLog;
import dev.callgate.adapter.sql.AesGcmSecretCipher;
import dev.callgate.app.config.Configuration;
import dev.callgate.app.e2e.CallgateUnderTest.Answer;
import dev.callgate.core.testkit.TestSecrets;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Rotating the master key on a running deployment: started with the new key as {@code
 * CALLGATE_MASTER_KEY} and the old one in {@code CALLGATE_MASTER_KEY_PREVIOUS}, Callgate seals
 * every secret under the new key, after which the old key can go.
 */
class MasterKeyRotationTest {
  private static final String OLD_KEY =
      TestSecrets.register("old master key of a test", AesGcmSecretCipher.generateKey());
  private static final String NEW_KEY =
      TestSecrets.register("new master key of a test", AesGcmSecretCipher.generateKey());
  private static final String PASSWORD =
      TestSecrets.register("basic password of a test", "rotation-password-5e1f0a");

  private Target target;
  private CallgateUnderTest callgate;

  @BeforeEach
  void start() {
    target = new Target(URI.create("http://127.0.0.1:9/unused"));
    callgate = CallgateUnderTest.start(Map.of(Configuration.MASTER_KEY, OLD_KEY));
    Answer created =
        callgate.admin(
            "POST",
            "/v1/credentials",
            new JsonObject()
                .put("name", "billing")
                .put("url", target.baseUrl().toString())
                .put("protocol", "basic")
                .put("username", "svc")
                .put("password", PASSWORD));
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    assertThat(callout().status()).isEqualTo(200);
  }

  @AfterEach
  void stop() {
    callgate.close();
    target.close();
  }

  @Test
  void startWhenThePreviousKeyIsGivenThenSecretsAreSealedUnderTheNewKeyAndTheOldCanGo() {
    try (CapturedLog log = new CapturedLog()) {
      callgate.restart(
          Map.of(Configuration.MASTER_KEY, NEW_KEY, Configuration.MASTER_KEY_PREVIOUS, OLD_KEY));
      assertThat(log.text()).contains("event=\"master-key.resealed\"").contains("resealed=\"1\"");
    }
    assertThat(callout().status()).isEqualTo(200);

    callgate.restart(Map.of(Configuration.MASTER_KEY, NEW_KEY));

    Answer answer = callout();
    assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    assertThat(target.authorizations)
        .last()
        .isEqualTo(
            "Basic "
                + Base64.getEncoder()
                    .encodeToString(("svc:" + PASSWORD).getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void startWhenTheKeyChangesWithoutThePreviousThenTheSecretCannotBeOpened() {
    callgate.restart(Map.of(Configuration.MASTER_KEY, NEW_KEY));

    assertThat(callout().status()).isNotEqualTo(200);
  }

  private Answer callout() {
    return callgate.admin("GET", "/v1/callout/billing/open/ping");
  }
}
