package dev.callgate.adapter.sql;

import dev.callgate.core.credential.AuthProvider;
import dev.callgate.core.credential.NamedCredential;
import dev.callgate.core.port.CredentialStore;
import dev.callgate.core.port.StoreChange;
import dev.callgate.core.token.TokenKey;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/** {@link CredentialStore} on a SQL database; saving is an upsert by name. */
final class SqlCredentialStore implements CredentialStore {
  private final Pool pool;
  private final Sql sql;
  private final RecordMapper mapper;
  private final Consumer<StoreChange> changed;

  SqlCredentialStore(Pool pool, Sql sql, RecordMapper mapper, Consumer<StoreChange> changed) {
    this.pool = pool;
    this.sql = sql;
    this.mapper = mapper;
    this.changed = changed;
  }

  static String upsert(String table, String columns, String key) {
    List<String> names = Arrays.stream(columns.split(",")).map(String::trim).toList();
    return "INSERT INTO "
        + table
        + " ("
        + columns
        + ") VALUES ("
        + names.stream().map(n -> "?").collect(Collectors.joining(", "))
        + ") ON CONFLICT ("
        + key
        + ") DO UPDATE SET "
        + names.stream()
            .filter(n -> !n.equals(key))
            .map(n -> n + " = excluded." + n)
            .collect(Collectors.joining(", "));
  }

  @Override
  public CompletionStage<Optional<AuthProvider>> findProvider(String name) {
    return Sql.stage(
        sql.run(
                pool,
                "SELECT " + RecordMapper.PROVIDER_COLUMNS + " FROM providers WHERE name = ?",
                name)
            .map(rows -> Sql.first(rows, mapper::provider)));
  }

  @Override
  public CompletionStage<List<AuthProvider>> listProviders() {
    return Sql.stage(
        sql.run(pool, "SELECT " + RecordMapper.PROVIDER_COLUMNS + " FROM providers ORDER BY name")
            .map(rows -> Sql.all(rows, mapper::provider)));
  }

  @Override
  public CompletionStage<Void> saveProvider(AuthProvider provider) {
    return Sql.stage(
        sql.run(
                pool,
                upsert("providers", RecordMapper.PROVIDER_COLUMNS, "name"),
                mapper.providerValues(provider))
            .map(
                rows -> {
                  changed.accept(new StoreChange.ProviderChanged(provider.name()));
                  return (Void) null;
                }));
  }

  @Override
  public CompletionStage<Boolean> deleteProvider(String name) {
    return Sql.stage(
        sql.run(pool, "DELETE FROM providers WHERE name = ?", name)
            .map(
                rows -> {
                  changed.accept(new StoreChange.ProviderChanged(name));
                  return rows.rowCount() > 0;
                }));
  }

  @Override
  public CompletionStage<Optional<NamedCredential>> findCredential(String name) {
    return Sql.stage(
        sql.run(
                pool,
                "SELECT " + RecordMapper.CREDENTIAL_COLUMNS + " FROM credentials WHERE name = ?",
                name)
            .map(rows -> Sql.first(rows, mapper::credential)));
  }

  @Override
  public CompletionStage<List<NamedCredential>> listCredentials() {
    return Sql.stage(
        sql.run(
                pool,
                "SELECT " + RecordMapper.CREDENTIAL_COLUMNS + " FROM credentials ORDER BY name")
            .map(rows -> Sql.all(rows, mapper::credential)));
  }

  @Override
  public CompletionStage<Void> saveCredential(NamedCredential credential) {
    return Sql.stage(
        sql.run(
                pool,
                upsert("credentials", RecordMapper.CREDENTIAL_COLUMNS, "name"),
                mapper.credentialValues(credential))
            .map(
                rows -> {
                  changed.accept(new StoreChange.CredentialChanged(credential.name()));
                  return (Void) null;
                }));
  }

  @Override
  public CompletionStage<Boolean> deleteCredential(String name) {
    List<String> subjects = new ArrayList<>();
    Future<Boolean> deleted =
        pool.withTransaction(
            connection ->
                sql.run(connection, "SELECT subject FROM tokens WHERE credential = ?", name)
                    .compose(
                        tokens -> {
                          tokens.forEach(row -> subjects.add(row.getString("subject")));
                          return sql.run(
                              connection, "DELETE FROM token_leases WHERE credential = ?", name);
                        })
                    .compose(
                        v ->
                            sql.run(
                                connection,
                                "DELETE FROM pending_authorizations WHERE credential = ?",
                                name))
                    .compose(
                        v -> sql.run(connection, "DELETE FROM tokens WHERE credential = ?", name))
                    .compose(
                        v -> sql.run(connection, "DELETE FROM credentials WHERE name = ?", name))
                    .map(rows -> rows.rowCount() > 0));
    // told once committed, so that a listener reading again reads the deletion
    return Sql.stage(
        deleted.map(
            existed -> {
              subjects.forEach(
                  subject ->
                      changed.accept(new StoreChange.TokenChanged(new TokenKey(name, subject))));
              changed.accept(new StoreChange.CredentialChanged(name));
              return existed;
            }));
  }
}
