package dev.callgate.archfixture.compliant.app.runtime;

import dev.callgate.adapter.http.CalloutTransports;
import dev.callgate.core.port.CalloutTransport;
import io.vertx.core.Vertx;

/** The wiring: the one place outside the adapters that names ports and adapters. */
public final class Wiring {
  public CalloutTransport transport(Vertx vertx) {
    return CalloutTransports.create(
        vertx, dev.callgate.adapter.http.CalloutTransportOptions.defaults());
  }
}
