package dev.callgate.adapter.sql;

import dev.callgate.core.credential.Secret;
import dev.callgate.core.event.Event;
import dev.callgate.core.port.DeviceAuthorization;
import dev.callgate.core.port.DeviceAuthorizationStore;
import dev.callgate.core.port.SecretCipher.Place;
import dev.callgate.core.token.TokenKey;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * {@link DeviceAuthorizationStore} on a SQL database, one row per token. A due row is claimed by an
 * update that only an unclaimed (or lapsed) row matches, so that of several instances racing for it
 * exactly one sees its update count one.
 */
final class SqlDeviceAuthorizationStore implements DeviceAuthorizationStore {
  static final String COLUMNS =
      "credential, subject, id, device_code, user_code, verification_uri,"
          + " verification_uri_complete, scopes, created_at, expires_at, interval_seconds,"
          + " next_poll_at, identity_change_allowed, claimed_until";

  private final Pool pool;
  private final Sql sql;
  private final SecretColumns secrets;
  private final SqlEventLog eventLog;

  SqlDeviceAuthorizationStore(Pool pool, Sql sql, SecretColumns secrets, SqlEventLog eventLog) {
    this.pool = pool;
    this.sql = sql;
    this.secrets = secrets;
    this.eventLog = eventLog;
  }

  @Override
  public CompletionStage<Void> save(DeviceAuthorization authorization, List<Event> events) {
    TokenKey key = authorization.tokenKey();
    return Sql.stage(
        eventLog
            .changeWith(
                events,
                client ->
                    sql.run(
                            client,
                            "DELETE FROM device_authorizations WHERE credential = ? AND subject = ?",
                            key.credentialName(),
                            key.userSubject())
                        .compose(
                            deleted ->
                                sql.run(
                                    client,
                                    "INSERT INTO device_authorizations ("
                                        + COLUMNS
                                        + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                    values(authorization))),
                inserted -> true)
            .mapEmpty());
  }

  @Override
  public CompletionStage<Optional<DeviceAuthorization>> find(TokenKey key) {
    return Sql.stage(
        sql.run(
                pool,
                "SELECT "
                    + COLUMNS
                    + " FROM device_authorizations WHERE credential = ? AND subject = ?",
                key.credentialName(),
                key.userSubject())
            .map(rows -> Sql.first(rows, this::authorization)));
  }

  @Override
  public CompletionStage<List<DeviceAuthorization>> claimDue(
      Instant now, Duration lease, int limit) {
    long nowMillis = now.toEpochMilli();
    return Sql.stage(
        sql.run(
                pool,
                "SELECT "
                    + COLUMNS
                    + " FROM device_authorizations WHERE next_poll_at <= ?"
                    + " AND (claimed_until IS NULL OR claimed_until <= ?)"
                    + " ORDER BY next_poll_at LIMIT ?",
                nowMillis,
                nowMillis,
                limit)
            .compose(
                rows -> {
                  List<DeviceAuthorization> due = Sql.all(rows, this::authorization);
                  List<Future<Optional<DeviceAuthorization>>> claims = new ArrayList<>();
                  for (DeviceAuthorization authorization : due) {
                    claims.add(
                        sql.run(
                                pool,
                                "UPDATE device_authorizations SET claimed_until = ?"
                                    + " WHERE id = ? AND next_poll_at <= ?"
                                    + " AND (claimed_until IS NULL OR claimed_until <= ?)",
                                now.plus(lease).toEpochMilli(),
                                authorization.id(),
                                nowMillis,
                                nowMillis)
                            .map(
                                updated ->
                                    updated.rowCount() == 1
                                        ? Optional.of(authorization)
                                        : Optional.<DeviceAuthorization>empty()));
                  }
                  return Future.all(claims)
                      .map(
                          all -> {
                            List<DeviceAuthorization> claimed = new ArrayList<>();
                            for (int i = 0; i < all.size(); i++) {
                              all.<Optional<DeviceAuthorization>>resultAt(i)
                                  .ifPresent(claimed::add);
                            }
                            return claimed;
                          });
                }));
  }

  @Override
  public CompletionStage<Boolean> reschedule(DeviceAuthorization authorization) {
    return Sql.stage(
        sql.run(
                pool,
                "UPDATE device_authorizations SET interval_seconds = ?, next_poll_at = ?,"
                    + " claimed_until = NULL WHERE id = ?",
                authorization.interval().toSeconds(),
                authorization.nextPollAt().toEpochMilli(),
                authorization.id())
            .map(updated -> updated.rowCount() == 1));
  }

  @Override
  public CompletionStage<Boolean> remove(String id) {
    return Sql.stage(
        sql.run(pool, "DELETE FROM device_authorizations WHERE id = ?", id)
            .map(deleted -> deleted.rowCount() == 1));
  }

  private Object[] values(DeviceAuthorization authorization) {
    return new Object[] {
      authorization.tokenKey().credentialName(),
      authorization.tokenKey().userSubject(),
      authorization.id(),
      secrets.seal(authorization.deviceCode(), place(authorization.id())),
      authorization.userCode(),
      authorization.verificationUri().toString(),
      authorization.verificationUriComplete().map(URI::toString).orElse(null),
      new JsonArray(authorization.requestedScopes()).encode(),
      Sql.millis(authorization.createdAt()),
      Sql.millis(authorization.expiresAt()),
      authorization.interval().toSeconds(),
      Sql.millis(authorization.nextPollAt()),
      authorization.identityChangeAllowed() ? 1 : 0,
      null
    };
  }

  private DeviceAuthorization authorization(Row row) {
    String id = row.getString("id");
    Secret deviceCode = secrets.open(row.getString("device_code"), place(id)).orElseThrow();
    List<String> scopes = new ArrayList<>();
    new JsonArray(row.getString("scopes")).forEach(scope -> scopes.add((String) scope));
    return new DeviceAuthorization(
        id,
        new TokenKey(row.getString("credential"), row.getString("subject")),
        deviceCode,
        row.getString("user_code"),
        URI.create(row.getString("verification_uri")),
        Optional.ofNullable(row.getString("verification_uri_complete")).map(URI::create),
        scopes,
        Sql.instant(row, "created_at").orElseThrow(),
        Sql.instant(row, "expires_at").orElseThrow(),
        Duration.ofSeconds(row.getLong("interval_seconds")),
        Sql.instant(row, "next_poll_at").orElseThrow(),
        row.getInteger("identity_change_allowed") != 0);
  }

  private static Place place(String id) {
    return Place.of("device_authorizations", "device_code", id);
  }
}
