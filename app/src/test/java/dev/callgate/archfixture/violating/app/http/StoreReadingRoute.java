package dev.callgate.archfixture.violating.app.http;

import dev.callgate.core.credential.NamedCredential;
import dev.callgate.core.port.CredentialStore;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** A route that decides from a store it reads itself, instead of asking a use case. */
public final class StoreReadingRoute {
  private final CredentialStore credentials;

  public StoreReadingRoute(CredentialStore credentials) {
    this.credentials = credentials;
  }

  public CompletionStage<Optional<NamedCredential>> credential(String name) {
    return credentials.findCredential(name);
  }
}
