package dev.callgate.app.e2e;

import dev.callgate.adapter.idp.NodeOidcProvider;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

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

  @Override
  public void close() throws Exception {
    callgate.close();
    target.close();
    idp.close();
  }
}
