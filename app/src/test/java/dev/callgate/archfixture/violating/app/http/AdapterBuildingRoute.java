package dev.callgate.archfixture.violating.app.http;

import dev.callgate.adapter.http.CalloutTransportOptions;

/** A route that reaches past the use cases into an adapter. */
public final class AdapterBuildingRoute {
  public CalloutTransportOptions options() {
    return CalloutTransportOptions.defaults();
  }
}
