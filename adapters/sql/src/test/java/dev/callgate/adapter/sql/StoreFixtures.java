package dev.callgate.adapter.sql;

import dev.callgate.core.credential.Authentication;
import dev.callgate.core.credential.NamedCredential;
import dev.callgate.core.credential.PrincipalType;
import java.net.URI;
import java.util.Optional;
import java.util.Set;

/** What the PostgreSQL and SQLite tests both need to set up their stores. */
public final class StoreFixtures {
  private StoreFixtures() {}

  /** Stores a minimal credential, so rows that refer to it (tokens) satisfy the foreign key. */
  public static void credentialExists(SqlStores stores, String name) {
    stores
        .credentials()
        .saveCredential(
            new NamedCredential(
                name,
                URI.create("https://api.test"),
                new Authentication.None(),
                PrincipalType.NAMED,
                true,
                false,
                false,
                Set.of(),
                true,
                Optional.empty()))
        .toCompletableFuture()
        .join();
  }
}
