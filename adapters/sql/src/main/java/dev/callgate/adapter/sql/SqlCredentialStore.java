package dev.callgate.adapter.sql;

import dev.callgate.core.credential.AuthProvider;
import dev.callgate.core.credential.NamedCredential;
import dev.callgate.core.event.Event;
import dev.callgate.core.port.CredentialSaveOutcome;
import dev.callgate.core.port.CredentialStore;
import dev.callgate.core.port.ProviderDeletionOutcome;
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

/**
 * {@link CredentialStore} on a SQL database; saving is an upsert by name. A credential's provider
 * is also a column with a foreign key to {@code providers}, so the database itself keeps a provider
 * in use from being deleted and a credential from naming a missing provider.
 */
final class SqlCredentialStore implements CredentialStore {
  /** The credential columns a save writes: those read, and the provider the foreign key checks. */
  private static final String CREDENTIAL_WRITE_COLUMNS =
      RecordMapper.CREDENTIAL_COLUMNS + ", provider";

  private final Pool pool;
  private final Sql sql;
  private final RecordMapper mapper;
  private final Consumer<StoreChange> changed;
  private final SqlEventLog eventLog;

  SqlCredentialStore(
      Pool pool,
      Sql sql,
      RecordMapper mapper,
      Consumer<StoreChange> changed,
      SqlEventLog eventLog) {
    this.pool = pool;
    this.sql = sql;
    this.mapper = mapper;
    this.changed = changed;
    this.eventLog = eventLog;
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
  public CompletionStage<Void> saveProvider(AuthProvider provider, List<Event> events) {
    return Sql.stage(
        eventLog
            .changeWith(
                events,
                client ->
                    sql.run(
                        client,
                        upsert("providers", RecordMapper.PROVIDER_COLUMNS, "name"),
                        mapper.providerValues(provider)),
                saved -> true)
            .map(
                rows -> {
                  changed.accept(new StoreChange.ProviderChanged(provider.name()));
                  return (Void) null;
                }));
  }

  @Override
  public CompletionStage<ProviderDeletionOutcome> deleteProvider(String name, List<Event> events) {
    // a provider in use fails the delete at its foreign key, which rolls the events back with it
    return Sql.stage(
        eventLog
            .changeWith(
                events,
                client ->
                    sql.run(client, "DELETE FROM providers WHERE name = ?", name)
                        .map(
                            rows ->
                                rows.rowCount() > 0
                                    ? ProviderDeletionOutcome.DELETED
                                    : ProviderDeletionOutcome.NOT_FOUND),
                outcome -> outcome == ProviderDeletionOutcome.DELETED)
            .map(
                outcome -> {
                  changed.accept(new StoreChange.ProviderChanged(name));
                  return outcome;
                })
            .recover(
                failure ->
                    sql.dialect().foreignKeyViolated(failure)
                        ? Future.succeededFuture(ProviderDeletionOutcome.IN_USE)
                        : Future.failedFuture(failure)));
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
  public CompletionStage<CredentialSaveOutcome> saveCredential(
      NamedCredential credential, List<Event> events) {
    List<Object> values = new ArrayList<>(Arrays.asList(mapper.credentialValues(credential)));
    values.add(credential.authentication().providerName().orElse(null));
    // a missing provider fails the upsert at its foreign key, which rolls the events back with it
    return Sql.stage(
        eventLog
            .changeWith(
                events,
                client ->
                    sql.run(
                        client,
                        upsert("credentials", CREDENTIAL_WRITE_COLUMNS, "name"),
                        values.toArray()),
                saved -> true)
            .map(
                rows -> {
                  changed.accept(new StoreChange.CredentialChanged(credential.name()));
                  return CredentialSaveOutcome.SAVED;
                })
            .recover(
                failure ->
                    sql.dialect().foreignKeyViolated(failure)
                        ? Future.succeededFuture(CredentialSaveOutcome.PROVIDER_MISSING)
                        : Future.failedFuture(failure)));
  }

  @Override
  public CompletionStage<Boolean> deleteCredential(String name, List<Event> events) {
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
                    .map(rows -> rows.rowCount() > 0)
                    // a credential that was not there was not deleted: no event says it was
                    .compose(
                        existed ->
                            existed
                                ? eventLog.write(connection, events).map(true)
                                : Future.succeededFuture(false)));
    // told once committed, so that a listener reading again reads the deletion
    return Sql.stage(
        deleted.map(
            existed -> {
              subjects.forEach(
                  subject ->
                      changed.accept(new StoreChange.TokenChanged(new TokenKey(name, subject))));
              changed.accept(new StoreChange.CredentialChanged(name));
              if (existed) {
                eventLog.announce(events);
              }
              return existed;
            }));
  }
}
