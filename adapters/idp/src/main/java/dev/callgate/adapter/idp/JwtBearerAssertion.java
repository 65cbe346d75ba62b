package dev.callgate.adapter.idp;

import dev.callgate.core.credential.Authentication;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.diagnosis.DiagnosisCode;
import dev.callgate.core.port.IdentityProviderException;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * The assertion of an RFC 7523 §2.1 JWT bearer grant: signed RS256 with the credential's PKCS#8
 * key, issued by the credential's issuer for its subject, for the audience it names or else the
 * token endpoint, valid five minutes, with a fresh {@code jti} so a provider can refuse a replay.
 */
final class JwtBearerAssertion {

  static final Duration LIFETIME = Duration.ofMinutes(5);

  private JwtBearerAssertion() {}

  /** Throws {@link IdentityProviderException} ({@code INVALID_VALUE}) for an unusable key. */
  static String sign(
      Vertx vertx, Authentication.JwtBearer jwt, String subject, URI tokenEndpoint, Instant now) {
    JWTAuth signer;
    try {
      signer =
          JWTAuth.create(
              vertx,
              new JWTAuthOptions()
                  .addPubSecKey(
                      new PubSecKeyOptions()
                          .setAlgorithm("RS256")
                          .setBuffer(jwt.signingKey().reveal())));
    } catch (RuntimeException e) {
      // The key's text must not reach a message: only say that it is unusable.
      throw unusableKey("not a PKCS#8 PEM RSA private key");
    }
    JsonObject claims =
        new JsonObject()
            .put("iss", jwt.issuer())
            .put("sub", subject)
            .put("aud", jwt.audience().orElse(tokenEndpoint.toString()))
            .put("iat", now.getEpochSecond())
            .put("exp", now.plus(LIFETIME).getEpochSecond())
            .put("jti", UUID.randomUUID().toString());
    try {
      // noTimestamp: iat comes from Callgate's clock above, not from the signer's.
      return signer.generateToken(
          claims, new JWTOptions().setAlgorithm("RS256").setNoTimestamp(true));
    } catch (RuntimeException e) {
      throw unusableKey("it cannot sign RS256");
    }
  }

  private static IdentityProviderException unusableKey(String problem) {
    return new IdentityProviderException(
        Diagnosis.of(DiagnosisCode.INVALID_VALUE, "field", "signingKey", "problem", problem));
  }
}
