package dev.callgate.core.callout;

import dev.callgate.core.credential.Authentication;
import dev.callgate.core.credential.NamedCredential;
import dev.callgate.core.credential.PrincipalType;
import dev.callgate.core.credential.Secret;
import dev.callgate.core.token.TokenSet;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Realistic credentials and tokens shared by the callout tests. */
final class CalloutFixtures {

  /** A Salesforce-shaped access token: what the INVALID_SESSION_ID report was about. */
  static final String ACCESS_TOKEN =
      "00D5g000004Eabc!AQ4AQFx7mZ.kP3n1vqYl2w0Rk9sT_dXb6Jh8eCuGoN1aMpVrLzWiQyS";

  /** The caller's Callgate API key, which must never reach a target. */
  static final String CALLER_API_KEY = "cg_live_7Hq2v9XkP4mNw3sRt8Yb";

  static final Instant ISSUED_AT = Instant.parse("2024-05-06T08:00:00Z");

  private CalloutFixtures() {}

  static TokenSet tokens(String accessToken, String tokenType) {
    return new TokenSet(
        Secret.of(accessToken),
        tokenType,
        ISSUED_AT,
        ISSUED_AT.plusSeconds(3600),
        Optional.of(Secret.of("5Aep861TSESvWeug_xvFHRBTTbf_YrTWgEyjBJ")),
        Optional.empty(),
        List.of("api", "refresh_token"));
  }

  static TokenSet tokens() {
    return tokens(ACCESS_TOKEN, "Bearer");
  }

  static NamedCredential credential(
      Authentication authentication, boolean generate, boolean mergeInHeaders) {
    return new NamedCredential(
        "salesforce-crm",
        URI.create("https://acme.my.salesforce.com/services/data/v60.0"),
        authentication,
        PrincipalType.NAMED,
        generate,
        mergeInHeaders,
        false,
        Set.of("billing-service"),
        true,
        Optional.empty());
  }

  static Authentication oauth() {
    return new Authentication.AuthorizationCode("salesforce");
  }
}
