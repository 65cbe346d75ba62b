package dev.callgate.adapter.idp;

import dev.callgate.adapter.http.ClientTlsOptions;
import dev.callgate.adapter.http.OutboundGuard;
import dev.callgate.core.credential.AuthProvider;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.URI;
import java.util.function.Function;

/**
 * Every request to an identity provider: the URL's address resolved once and judged by the outbound
 * address policy, the request sent to exactly that address (the URL's host still named for Host and
 * TLS), and the answer read up to the configured size.
 */
final class ProviderHttp {

  private final WebClient client;
  private final ClientTlsOptions.PerOwner<WebClient> tlsClients;
  private final OutboundGuard guard;
  private final IdentityProviderOptions options;

  /**
   * {@code client} serves every provider without TLS settings of its own; a provider with a client
   * certificate or trusted authorities gets a client made from {@code clientOptions} for them, so
   * that its certificate is never presented on, nor its connections shared with, another's
   * requests.
   */
  ProviderHttp(
      Vertx vertx,
      WebClientOptions clientOptions,
      OutboundGuard guard,
      IdentityProviderOptions options) {
    this.client = WebClient.create(vertx, clientOptions);
    this.tlsClients =
        new ClientTlsOptions.PerOwner<>(
            tls ->
                WebClient.create(
                    vertx, ClientTlsOptions.apply(new WebClientOptions(clientOptions), tls)),
            WebClient::close);
    this.guard = guard;
    this.options = options;
  }

  /**
   * Prepares a request to {@code url} over a connection made with {@code provider}'s TLS settings,
   * and {@code send} sends it with its body.
   */
  Future<HttpResponse<Buffer>> exchange(
      HttpMethod method,
      URI url,
      AuthProvider provider,
      Function<HttpRequest<Buffer>, Future<HttpResponse<Buffer>>> send) {
    WebClient client =
        provider.tls().isNone() ? this.client : tlsClients.get(provider.name(), provider.tls());
    return guard
        .destination(url)
        .compose(
            destination ->
                send.apply(
                    client
                        .requestAbs(method, destination.server(), url.toString())
                        .as(BoundedBody.codec(options.maxResponseBytes()))
                        .putHeader(HttpHeaders.ACCEPT.toString(), "application/json")
                        .timeout(options.requestTimeout().toMillis())));
  }
}
