package dev.callgate.adapter.idp;

import dev.callgate.adapter.http.OutboundGuard;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.net.URI;
import java.util.function.Function;

/**
 * Every request to an identity provider: the URL's address resolved once and judged by the outbound
 * address policy, the request sent to exactly that address (the URL's host still named for Host and
 * TLS), and the answer read up to the configured size.
 */
final class ProviderHttp {

  private final WebClient client;
  private final OutboundGuard guard;
  private final IdentityProviderOptions options;

  ProviderHttp(WebClient client, OutboundGuard guard, IdentityProviderOptions options) {
    this.client = client;
    this.guard = guard;
    this.options = options;
  }

  /** Prepares a request to {@code url}, and {@code send} sends it with its body. */
  Future<HttpResponse<Buffer>> exchange(
      HttpMethod method,
      URI url,
      Function<HttpRequest<Buffer>, Future<HttpResponse<Buffer>>> send) {
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
