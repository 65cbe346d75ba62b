package dev.callgate.app.e2e;

import dev.callgate.adapter.idp.NodeOidcProvider;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What an end-to-end test class of the authorization flows starts once: node-oidc-provider, a
 * target that answers with the user its access token stands for ({@code /me}), and a Callgate that
 * knows the provider as {@code idp}. {@link #close()} stops them in reverse order.
 */
record NodeOidcStack(NodeOidcProvider idp, Target target, CallgateUnderTest callgate)
    implements AutoCloseable {

  static final Path IDP_DIRECTORY =
      Path.of("..", "adapters", "idp", "src", "test", "oidc-provider");

  /** Access tokens live {@code accessTokenTtl}, refresh tokens {@code refreshTokenTtl}. */
  static NodeOidcStack start(Duration accessTokenTtl, Duration refreshTokenTtl) throws Exception {
    NodeOidcProvider idp = NodeOidcProvider.start(IDP_DIRECTORY, accessTokenTtl, refreshTokenTtl);
    Target target = null;
    try {
      target = new Target(URI.create(idp.issuer() + "/me"));
      CallgateUnderTest callgate = CallgateUnderTest.start();
      try {
        callgate.provider("idp", idp);
      } catch (RuntimeException | Error failure) {
        callgate.close();
        throw failure;
      }
      return new NodeOidcStack(idp, target, callgate);
    } catch (Exception | Error failure) {
      if (target != null) {
        target.close();
      }
      idp.close();
      throw failure;
    }
  }

  /**
   * An authorization-code credential of the provider {@code idp} for {@code path} of the target,
   * {@code principal} ({@code named} or {@code per_user}) and callable by {@code allowedCallers}.
   */
  JsonObject authorizationCodeCredential(
      String name, String principal, String path, String... allowedCallers) {
    return new JsonObject()
        .put("name", name)
        .put("url", target.baseUrl() + path)
        .put("protocol", "oauth2_authorization_code")
        .put("principal", principal)
        .put("provider", "idp")
        .put("allowedCallers", new JsonArray(List.of((Object[]) allowedCallers)));
  }

  @Override
  public void close() throws Exception {
    callgate.close();
    target.close();
    idp.close();
  }
}
