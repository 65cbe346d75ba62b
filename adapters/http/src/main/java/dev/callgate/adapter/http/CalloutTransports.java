package dev.callgate.adapter.http;

import dev.callgate.core.outbound.OutboundAddressPolicy;
import dev.callgate.core.port.CalloutTransport;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Creates Callgate's {@link CalloutTransport} on a Vert.x HTTP client. Request bodies arrive as
 * {@link VertxStreamedContent} (or in memory); response bodies leave as {@link
 * VertxStreamedContent}, except the small bodies of 401 and 403 answers, which are read into memory
 * for the unauthorized-response classifier. Each credential gets a client, and so connection pools,
 * of its own (made at its first callout): a credential's pool to a target holds {@code maxPoolSize}
 * connections and {@code maxWaitQueueSize} waiting callouts at most. A credential with a client
 * certificate (mutual TLS) has a client made for its certificate, key and trusted authorities; when
 * they change, a new client replaces it, so no connection made with one certificate carries a
 * request meant for another. The clients are closed with the Vert.x instance (or the verticle) that
 * created them.
 */
public final class CalloutTransports {

  /** The most of an answer's body handed on at once: Netty reads at most 64 KiB per read. */
  static final int MAX_CHUNK_BYTES = 64 * 1024;

  private CalloutTransports() {}

  /** A transport that connects to public addresses only. */
  public static CalloutTransport create(Vertx vertx, CalloutTransportOptions options) {
    return create(vertx, options, OutboundAddressPolicy.publicOnly());
  }

  /** A transport that connects only where {@code outbound} allows, after one lookup per request. */
  public static CalloutTransport create(
      Vertx vertx, CalloutTransportOptions options, OutboundAddressPolicy outbound) {
    Objects.requireNonNull(vertx, "vertx");
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(outbound, "outbound");
    HttpClientOptions clientOptions =
        new HttpClientOptions()
            .setConnectTimeout(Math.toIntExact(options.connectTimeout().toMillis()))
            // the body is relayed byte for byte: the caller negotiated its own encoding
            .setDecompressionSupported(false)
            // a streamed answer is relayed chunk by chunk, each with its own scan, write and
            // future: Netty's default 8 KiB chunks quarter what one socket read brings in
            .setMaxChunkSize(MAX_CHUNK_BYTES)
            .setKeepAlive(true);
    PoolOptions poolOptions =
        new PoolOptions()
            .setHttp1MaxSize(options.maxPoolSize())
            .setMaxWaitQueueSize(options.maxWaitQueueSize());
    ClientTlsOptions.PerOwner<HttpClient> clients =
        new ClientTlsOptions.PerOwner<>(
            tls ->
                vertx.createHttpClient(
                    ClientTlsOptions.apply(new HttpClientOptions(clientOptions), tls), poolOptions),
            // callouts under way on the old certificate finish; new ones use the new client
            retired ->
                retired.shutdown(options.responseTimeout().toMillis(), TimeUnit.MILLISECONDS));
    return new WebClientCalloutTransport(
        vertx,
        request -> clients.get(request.credential(), request.tls()),
        options,
        OutboundGuard.create(vertx, outbound));
  }
}
