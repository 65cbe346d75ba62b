package dev.callgate.adapter.http;

import dev.callgate.core.outbound.OutboundAddressPolicy;
import dev.callgate.core.port.RequestSigner;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.Objects;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;

/**
 * Creates the {@link RequestSigner} for {@code aws_sigv4} credentials: AWS Signature Version 4 by
 * the AWS SDK for Java v2, with keys from STS AssumeRole for a credential with a role, its STS
 * endpoint reached only where {@code outbound} allows.
 */
public final class RequestSigners {

  private RequestSigners() {}

  public static RequestSigner awsSigV4(Vertx vertx, OutboundAddressPolicy outbound) {
    Objects.requireNonNull(vertx, "vertx");
    Objects.requireNonNull(outbound, "outbound");
    return new AwsSigV4RequestSigner(
        new AssumedRoleKeys(
            vertx,
            OutboundGuard.create(vertx, outbound),
            UrlConnectionHttpClient.create(),
            Clock.systemUTC()));
  }
}
