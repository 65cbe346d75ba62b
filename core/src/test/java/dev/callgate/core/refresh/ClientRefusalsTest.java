package dev.callgate.core.refresh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.core.credential.ClientAuthMethod;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.port.GrantOutcome;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ClientRefusalsTest {

  private static final GrantOutcome.Refused INVALID_CLIENT =
      new GrantOutcome.Refused("invalid_client", Optional.of("Unable to load public key"), 401);

  private static String remedy(ClientAuthMethod method) {
    Diagnosis diagnosis =
        ClientRefusals.authenticationFailed(INVALID_CLIENT, "callgate", "corp-idp", method, "");
    return diagnosis.remedy();
  }

  @Test
  void authenticationFailedWhenTheClientSignsWithAPrivateKeyThenTheRemedyNamesTheKey() {
    assertThat(remedy(ClientAuthMethod.PRIVATE_KEY_JWT))
        .contains("clientPrivateKey", "public key", "clientKeyId", "PUT /v1/providers/corp-idp")
        .doesNotContain("clientSecret");
  }

  @Test
  void authenticationFailedWhenTheClientSendsOrSignsWithItsSecretThenTheRemedyNamesTheSecret() {
    assertThat(remedy(ClientAuthMethod.CLIENT_SECRET_BASIC))
        .contains("clientSecret", "client_secret_basic")
        .doesNotContain("clientPrivateKey");
    assertThat(remedy(ClientAuthMethod.CLIENT_SECRET_JWT))
        .contains("clientSecret", "client_secret_jwt");
  }
}
