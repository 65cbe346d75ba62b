package dev.callgate.adapter.idp;

import dev.callgate.adapter.http.OutboundGuard;
import dev.callgate.core.port.IdentityProvider;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.Objects;

/**
 * Creates Callgate's {@link IdentityProvider} for OAuth 2.0 / OpenID Connect authorization servers:
 * discovery (OpenID Connect Discovery, falling back to RFC 8414) cached per issuer, the token
 * endpoint's grants with {@code client_secret_basic}, {@code client_secret_post}, {@code
 * private_key_jwt}, {@code client_secret_jwt}, {@code tls_client_auth}, {@code
 * self_signed_tls_client_auth} (RFC 8705, over the provider's client certificate, at the discovery
 * document's {@code mtls_endpoint_aliases} when it has them) or public-client authentication, RFC
 * 7523 JWT bearer assertions, and RFC 7009 revocation, over a Vert.x web client that never blocks
 * the event loop. Every request goes only to an address the outbound address policy allows, to an
 * endpoint the endpoint rule accepts, and reads at most the configured bytes.
 */
public final class IdentityProviders {

  private IdentityProviders() {}

  public static IdentityProvider create(Vertx vertx, IdentityProviderOptions options) {
    Objects.requireNonNull(vertx, "vertx");
    Objects.requireNonNull(options, "options");
    WebClientOptions clientOptions =
        new WebClientOptions()
            .setConnectTimeout(Math.toIntExact(options.connectTimeout().toMillis()))
            // The token endpoint's redirects are never followed: a redirect there means a
            // login page or a wrong URL, and the answer must be reported as such.
            .setFollowRedirects(false)
            .setUserAgent("Callgate");
    return new OidcIdentityProvider(
        vertx,
        new ProviderHttp(
            vertx, clientOptions, OutboundGuard.create(vertx, options.outbound()), options),
        options);
  }
}
