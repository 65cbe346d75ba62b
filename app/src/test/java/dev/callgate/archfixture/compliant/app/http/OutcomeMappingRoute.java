package dev.callgate.archfixture.compliant.app.http;

import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.event.Actor;
import dev.callgate.core.service.Providers;

/** A route that hands a use case its command and maps the outcome to a status, nothing more. */
public final class OutcomeMappingRoute {
  private final Providers providers;

  public OutcomeMappingRoute(Providers providers) {
    this.providers = providers;
  }

  public int status(String name, Actor actor) {
    return providers
        .delete(new Providers.DeleteProvider(name, actor))
        .toCompletableFuture()
        .join()
        .fold(() -> 204, OutcomeMappingRoute::status);
  }

  private static int status(Diagnosis diagnosis) {
    return 400;
  }
}
