package dev.callgate.adapter.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.callgate.core.credential.AuthProvider;
import dev.callgate.core.credential.Authentication;
import dev.callgate.core.credential.ClientAuthMethod;
import dev.callgate.core.credential.NamedCredential;
import dev.callgate.core.credential.PrincipalType;
import dev.callgate.core.credential.Secret;
import dev.callgate.core.credential.TlsSettings;
import dev.callgate.core.port.DeviceAuthorization;
import dev.callgate.core.port.FlowHash;
import dev.callgate.core.port.PendingAuthorization;
import dev.callgate.core.port.SecretCipher;
import dev.callgate.core.port.StoreUnavailableException;
import dev.callgate.core.port.StoredApiKey;
import dev.callgate.core.testkit.TestSecrets;
import dev.callgate.core.testkit.TokenRecords;
import dev.callgate.core.token.RefreshAttempts;
import dev.callgate.core.token.TokenKey;
import dev.callgate.core.token.TokenRecord;
import dev.callgate.core.token.TokenSet;
import dev.callgate.core.token.TokenState;
import dev.callgate.core.webhook.WebhookHealth;
import dev.callgate.core.webhook.WebhookSubscription;
import io.vertx.sqlclient.Pool;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * Secrets at rest, checked on the database itself: no plaintext secret in any column of any table,
 * and a master-key rotation that re-seals every secret so the old key can go.
 */
public abstract class SealedAtRestContract {
  protected static final String OLD_KEY =
      TestSecrets.register("old master key", AesGcmSecretCipher.generateKey());
  protected static final String NEW_KEY =
      TestSecrets.register("new master key", AesGcmSecretCipher.generateKey());
  protected static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

  private static final String WEBHOOK_SECRET =
      TestSecrets.register("webhook secret", "whsec_d2ViaG9vay1zZWNyZXQtcGxhaW50ZXh0LTAxMjM0NQ==");
  private static final String ACCESS_TOKEN =
      TestSecrets.register("access token", "eyJhbGciOiJSUzI1NiJ9.access-token-plaintext.sig");
  private static final String REFRESH_TOKEN =
      TestSecrets.register("refresh token", "refresh-token-plaintext-4f1c");
  private static final String CLIENT_SECRET =
      TestSecrets.register("client secret", "client-secret-plaintext-77ab");
  private static final String CLIENT_PRIVATE_KEY =
      TestSecrets.register(
          "client private key",
          "-----BEGIN PRIVATE KEY-----\nclient-private-key-plaintext-5e21\n-----END PRIVATE KEY-----");
  private static final String PROVIDER_TLS_KEY =
      TestSecrets.register(
          "provider TLS client key",
          "-----BEGIN PRIVATE KEY-----\nprovider-tls-key-plaintext-8d02\n-----END PRIVATE KEY-----");
  private static final String CREDENTIAL_TLS_KEY =
      TestSecrets.register(
          "credential TLS client key",
          "-----BEGIN PRIVATE KEY-----\ncredential-tls-key-plaintext-3a9f\n-----END PRIVATE KEY-----");
  private static final String CERTIFICATE =
      "-----BEGIN CERTIFICATE-----\npublic-certificate\n-----END CERTIFICATE-----";
  private static final String PASSWORD =
      TestSecrets.register("password", "password-plaintext-91de");
  private static final String API_KEY = TestSecrets.register("API key", "api-key-plaintext-0c33");
  private static final String DEVICE_CODE =
      TestSecrets.register("device code", "device-code-plaintext-GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNh");
  private static final String VERIFIER =
      TestSecrets.register("PKCE verifier", "pkce-verifier-plaintext-0123456789abcdefghijklmnop");

  /** Stores over a fresh, empty database, sealing with {@code cipher}. */
  protected abstract SqlStores open(SecretCipher cipher);

  /** The same database again, with another cipher (a restart after a key change). */
  protected abstract SqlStores reopen(SecretCipher cipher);

  /** Every row of {@code table}, every column as text, read with plain SQL. */
  protected abstract List<List<String>> rawRows(String table);

  /** Runs one statement with plain SQL, as someone with write access to the database would. */
  protected abstract void rawUpdate(String statement);

  /**
   * A fresh database with only the migrations from before secrets were bound to their place; the
   * caller closes the pool, then {@link #reopen(SecretCipher)} migrates it.
   */
  protected abstract Pool databaseBeforeBinding();

  protected abstract SqlDialect dialect();

  protected static <T> T join(CompletionStage<T> stage) {
    return stage.toCompletableFuture().join();
  }

  private void fill(SqlStores stores) {
    join(
        stores
            .credentials()
            .saveProvider(
                new AuthProvider(
                    "idp",
                    Optional.of(URI.create("https://idp.test")),
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    "client",
                    Optional.of(Secret.of(CLIENT_SECRET)),
                    ClientAuthMethod.CLIENT_SECRET_BASIC,
                    List.of("openid"),
                    Optional.of(Duration.ofHours(24)))));
    join(
        stores
            .credentials()
            .saveProvider(
                new AuthProvider(
                    "signed",
                    Optional.of(URI.create("https://idp.test")),
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    "signing-client",
                    Optional.empty(),
                    ClientAuthMethod.PRIVATE_KEY_JWT,
                    List.of(),
                    Optional.empty(),
                    Map.of(),
                    Optional.empty(),
                    Optional.empty(),
                    Optional.of(Secret.of(CLIENT_PRIVATE_KEY)),
                    Optional.of("key-1"),
                    Optional.of("ES256"),
                    new TlsSettings(
                        Optional.of(CERTIFICATE),
                        Optional.of(Secret.of(PROVIDER_TLS_KEY)),
                        Optional.of(CERTIFICATE)),
                    Optional.empty())));
    for (Authentication authentication :
        List.of(
            new Authentication.AuthorizationCode("idp"),
            new Authentication.Basic("svc", Secret.of(PASSWORD)),
            new Authentication.ApiKey("X-API-Key", Secret.of(API_KEY)))) {
      join(
          stores
              .credentials()
              .saveCredential(
                  new NamedCredential(
                      authentication.protocol().wireName().replace('_', '-'),
                      URI.create("https://api.test"),
                      authentication,
                      PrincipalType.NAMED,
                      true,
                      false,
                      false,
                      Set.of(),
                      true,
                      Optional.empty())));
    }
    NamedCredential plain =
        new NamedCredential(
            "mtls",
            URI.create("https://api.test"),
            new Authentication.None(),
            PrincipalType.NAMED,
            true,
            false,
            false,
            Set.of(),
            true,
            Optional.empty());
    join(
        stores
            .credentials()
            .saveCredential(
                new NamedCredential(
                    plain.name(),
                    plain.url(),
                    plain.authentication(),
                    plain.principal(),
                    plain.generateAuthorizationHeader(),
                    plain.allowMergeFieldsInHeaders(),
                    plain.allowMergeFieldsInBody(),
                    plain.allowedCallers(),
                    plain.keepAlive(),
                    plain.testPath(),
                    plain.allowedMethods(),
                    plain.allowedReturnUrls(),
                    plain.applicationName(),
                    plain.refreshOn(),
                    plain.tokenPlacement(),
                    new TlsSettings(
                        Optional.of(CERTIFICATE),
                        Optional.of(Secret.of(CREDENTIAL_TLS_KEY)),
                        Optional.empty()))));
    TokenKey key = TokenKey.named("oauth2-authorization-code");
    TokenRecord record =
        TokenRecords.edit(TokenRecord.unauthorized(key))
            .tokens(
                new TokenSet(
                    Secret.of(ACCESS_TOKEN),
                    "Bearer",
                    T0,
                    T0.plusSeconds(3600),
                    Optional.of(Secret.of(REFRESH_TOKEN)),
                    Optional.empty(),
                    List.of("openid")))
            .state(TokenState.ACTIVE)
            .attempts(new RefreshAttempts(T0, 1))
            .build();
    assertThat(join(stores.tokens().compareAndSet(record))).isPresent();
    join(
        stores
            .pendingAuthorizations()
            .save(
                new PendingAuthorization(
                    FlowHash.of("state-1"),
                    key,
                    Secret.of(VERIFIER),
                    URI.create("https://cg.test/cb"),
                    List.of(),
                    T0,
                    T0.plusSeconds(600),
                    Optional.empty(),
                    false)));
    join(
        stores
            .deviceAuthorizations()
            .save(
                new DeviceAuthorization(
                    "device-1",
                    key,
                    Secret.of(DEVICE_CODE),
                    "WDJB-MJHT",
                    URI.create("https://idp.test/device"),
                    Optional.empty(),
                    List.of("openid"),
                    T0,
                    T0.plusSeconds(600),
                    Duration.ofSeconds(5),
                    T0.plusSeconds(5),
                    false),
                List.of()));
    join(
        stores
            .webhooks()
            .create(
                new WebhookSubscription(
                    "w1",
                    URI.create("https://hooks.test/in"),
                    Set.of(),
                    Secret.of(WEBHOOK_SECRET),
                    T0,
                    0,
                    WebhookHealth.healthy()),
                List.of()));
  }

  private String everything() {
    StringBuilder all = new StringBuilder();
    for (String table :
        List.of(
            "providers",
            "credentials",
            "tokens",
            "pending_authorizations",
            "device_authorizations",
            "api_keys",
            "webhooks")) {
      rawRows(table).forEach(row -> all.append(String.join("|", row)).append('\n'));
    }
    return all.toString();
  }

  @Test
  void rawRowsWhenSecretsAreStoredThenHoldNoPlaintext() {
    SqlStores stores = open(AesGcmSecretCipher.of("old", Map.of("old", OLD_KEY)));
    fill(stores);

    String raw = everything();

    assertThat(raw).contains("oauth2-authorization-code", "svc", "old:", "key-1", "ES256");
    assertThat(raw)
        .doesNotContain(
            ACCESS_TOKEN,
            REFRESH_TOKEN,
            CLIENT_SECRET,
            CLIENT_PRIVATE_KEY,
            PROVIDER_TLS_KEY,
            CREDENTIAL_TLS_KEY,
            PASSWORD,
            API_KEY,
            VERIFIER,
            WEBHOOK_SECRET)
        .doesNotContain("whsec_");
    assertThat(raw).doesNotContain("access-token-plaintext", "plaintext");
  }

  @Test
  void reencryptSecretsWhenTheMasterKeyRotatesThenOnlyTheNewKeyIsNeeded() {
    SqlStores before = open(AesGcmSecretCipher.of("old", Map.of("old", OLD_KEY)));
    fill(before);
    join(before.close().toCompletionStage());

    SqlStores rotating =
        reopen(AesGcmSecretCipher.of("new", Map.of("old", OLD_KEY, "new", NEW_KEY)));
    int resealed = join(rotating.reencryptSecrets());
    join(rotating.close().toCompletionStage());

    assertThat(resealed).isEqualTo(11);
    String raw = everything();
    assertThat(raw).doesNotContain("old:").contains("new:");
    SqlStores after = reopen(AesGcmSecretCipher.of("new", Map.of("new", NEW_KEY)));
    assertThat(join(after.credentials().findProvider("idp")).orElseThrow().clientSecret())
        .contains(Secret.of(CLIENT_SECRET));
    AuthProvider signed = join(after.credentials().findProvider("signed")).orElseThrow();
    assertThat(signed.clientPrivateKey()).contains(Secret.of(CLIENT_PRIVATE_KEY));
    assertThat(signed.clientKeyId()).contains("key-1");
    assertThat(signed.clientAssertionAlgorithm()).contains("ES256");
    assertThat(signed.tls().clientKey()).contains(Secret.of(PROVIDER_TLS_KEY));
    assertThat(signed.tls().clientCertificate()).contains(CERTIFICATE);
    assertThat(signed.tls().trustedCertificates()).contains(CERTIFICATE);
    assertThat(join(after.credentials().findCredential("mtls")).orElseThrow().tls())
        .isEqualTo(
            new TlsSettings(
                Optional.of(CERTIFICATE),
                Optional.of(Secret.of(CREDENTIAL_TLS_KEY)),
                Optional.empty()));
    TokenSet tokens =
        join(after.tokens().find(TokenKey.named("oauth2-authorization-code")))
            .orElseThrow()
            .tokens()
            .orElseThrow();
    assertThat(tokens.accessToken()).isEqualTo(Secret.of(ACCESS_TOKEN));
    assertThat(tokens.refreshToken()).contains(Secret.of(REFRESH_TOKEN));
    assertThat(
            join(after.pendingAuthorizations().take(FlowHash.of("state-1")))
                .orElseThrow()
                .codeVerifier())
        .isEqualTo(Secret.of(VERIFIER));
    Authentication basic =
        join(after.credentials().findCredential("basic")).orElseThrow().authentication();
    assertThat(((Authentication.Basic) basic).password()).isEqualTo(Secret.of(PASSWORD));
    assertThat(join(after.webhooks().find("w1")).orElseThrow().secret())
        .isEqualTo(Secret.of(WEBHOOK_SECRET));
    join(after.close().toCompletionStage());
  }

  @Test
  void findWhenASealedSecretIsCopiedIntoAnotherRowOrColumnThenItDoesNotOpenThere() {
    SqlStores stores = open(AesGcmSecretCipher.of("old", Map.of("old", OLD_KEY)));
    fill(stores);

    // the provider's client secret, pasted over the Basic credential's password
    rawUpdate(
        "UPDATE credentials SET secret = (SELECT client_secret FROM providers WHERE name = 'idp')"
            + " WHERE name = 'basic'");
    // the API-key credential's key, pasted over the Basic credential's in another row
    rawUpdate(
        "UPDATE credentials SET secret = (SELECT secret FROM credentials WHERE name = 'basic')"
            + " WHERE name = 'api-key'");

    assertThatThrownBy(() -> join(stores.credentials().findCredential("basic")))
        .isInstanceOf(CompletionException.class)
        .cause()
        .isInstanceOf(StoreUnavailableException.class)
        .hasMessageContaining("credentials.secret of basic")
        .hasMessageContaining("sealed for another row or column")
        .hasMessageNotContaining(CLIENT_SECRET);
    assertThatThrownBy(() -> join(stores.credentials().findCredential("api-key")))
        .cause()
        .hasMessageContaining("credentials.secret of api-key");
    assertThat(join(stores.credentials().findProvider("idp")).orElseThrow().clientSecret())
        .contains(Secret.of(CLIENT_SECRET));
    join(stores.close().toCompletionStage());
  }

  @Test
  void findWhenATokenIsCopiedToAnotherSubjectThenItDoesNotOpenThere() {
    SqlStores stores = open(AesGcmSecretCipher.of("old", Map.of("old", OLD_KEY)));
    fill(stores);

    rawUpdate(
        "UPDATE tokens SET refresh_token = access_token WHERE credential ="
            + " 'oauth2-authorization-code'");

    assertThatThrownBy(
            () -> join(stores.tokens().find(TokenKey.named("oauth2-authorization-code"))))
        .cause()
        .hasMessageContaining("tokens.refresh_token of oauth2-authorization-code")
        .hasMessageNotContaining(ACCESS_TOKEN);
    join(stores.close().toCompletionStage());
  }

  @Test
  void saveCredentialWhenItsUrlCarriesAnApiKeyInTheQueryThenTheQueryIsSealed() {
    SqlStores stores = open(AesGcmSecretCipher.of("old", Map.of("old", OLD_KEY)));
    URI url = URI.create("https://api.test/v1?api_key=" + API_KEY + "&format=json");
    join(
        stores
            .credentials()
            .saveCredential(
                new NamedCredential(
                    "query-key",
                    url,
                    new Authentication.None(),
                    PrincipalType.NAMED,
                    true,
                    false,
                    false,
                    Set.of(),
                    true,
                    Optional.empty())));

    assertThat(everything()).doesNotContain(API_KEY).contains("https://api.test/v1|");
    assertThat(join(stores.credentials().findCredential("query-key")).orElseThrow().url())
        .isEqualTo(url);
    join(stores.close().toCompletionStage());
  }

  @Test
  void openWhenSecretsWereSealedBeforeTheyWereBoundThenTheMigrationReSealsThemForTheirPlace() {
    Pool before = databaseBeforeBinding();
    Sql sql = new Sql(dialect());
    sql.run(
            before,
            "INSERT INTO providers (name, issuer, client_id, client_secret, client_auth_method,"
                + " scopes) VALUES (?, ?, ?, ?, ?, ?)",
            "idp",
            "https://idp.test",
            "client",
            unbound("old", OLD_KEY, CLIENT_SECRET),
            "client_secret_basic",
            "[\"openid\"]")
        .await();
    sql.run(
            before,
            "INSERT INTO credentials (name, url, protocol, principal, settings, secret) VALUES (?,"
                + " ?, ?, ?, ?, ?)",
            "basic",
            "https://api.test/v2?api_key=" + API_KEY,
            "basic",
            "named",
            "{\"allowedCallers\":[],\"generateAuthorizationHeader\":true,"
                + "\"allowMergeFieldsInHeaders\":false,\"allowMergeFieldsInBody\":false,"
                + "\"keepAlive\":true,\"username\":\"svc\"}",
            unbound("old", OLD_KEY, PASSWORD))
        .await();
    sql.run(
            before,
            "INSERT INTO tokens (credential, subject, state, access_token, token_type, issued_at,"
                + " expires_at, refresh_token, scope, consecutive_failures, attempts_window_start,"
                + " attempts_count, diagnoses, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
                + " ?, ?)",
            "basic",
            "",
            "ACTIVE",
            unbound("old", OLD_KEY, ACCESS_TOKEN),
            "Bearer",
            T0.toEpochMilli(),
            T0.plusSeconds(3600).toEpochMilli(),
            unbound("old", OLD_KEY, REFRESH_TOKEN),
            "[]",
            0L,
            T0.toEpochMilli(),
            0L,
            "[]",
            1L)
        .await();
    before.close().await();

    SqlStores after = reopen(AesGcmSecretCipher.of("old", Map.of("old", OLD_KEY)));

    assertThat(join(after.credentials().findProvider("idp")).orElseThrow().clientSecret())
        .contains(Secret.of(CLIENT_SECRET));
    NamedCredential basic = join(after.credentials().findCredential("basic")).orElseThrow();
    assertThat(((Authentication.Basic) basic.authentication()).password())
        .isEqualTo(Secret.of(PASSWORD));
    assertThat(basic.url()).isEqualTo(URI.create("https://api.test/v2?api_key=" + API_KEY));
    TokenSet tokens =
        join(after.tokens().find(TokenKey.named("basic"))).orElseThrow().tokens().orElseThrow();
    assertThat(tokens.accessToken()).isEqualTo(Secret.of(ACCESS_TOKEN));
    assertThat(tokens.refreshToken()).contains(Secret.of(REFRESH_TOKEN));
    String raw = everything();
    assertThat(raw).doesNotContain(API_KEY, PASSWORD, CLIENT_SECRET).contains("$2$old:");
    // now bound: the old client secret moved into the password column no longer opens
    rawUpdate(
        "UPDATE credentials SET secret = (SELECT client_secret FROM providers WHERE name = 'idp')");
    assertThatThrownBy(() -> join(after.credentials().findCredential("basic")))
        .cause()
        .hasMessageContaining("sealed for another row or column");
    join(after.close().toCompletionStage());
  }

  @Test
  void saveUnlessRevokedWhenTheKeyWasDeletedThenItStaysDeleted() {
    SqlStores stores = open(AesGcmSecretCipher.of("old", Map.of("old", OLD_KEY)));
    StoredApiKey key = new StoredApiKey("configured-1", "admin", Set.of("admin"), new byte[32], T0);

    assertThat(join(stores.apiKeys().saveUnlessRevoked(key))).isTrue();
    assertThat(join(stores.apiKeys().saveUnlessRevoked(key))).isTrue();
    assertThat(join(stores.apiKeys().delete("configured-1"))).isTrue();

    assertThat(join(stores.apiKeys().saveUnlessRevoked(key))).isFalse();
    assertThat(join(stores.apiKeys().find("configured-1"))).isEmpty();
    join(stores.close().toCompletionStage());
  }

  /** A secret as versions before binding sealed it: bound to its key id alone. */
  private static String unbound(String keyId, String base64Key, String secret) {
    try {
      byte[] iv = new byte[12];
      new java.security.SecureRandom().nextBytes(iv);
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(
          Cipher.ENCRYPT_MODE,
          new SecretKeySpec(Base64.getDecoder().decode(base64Key), "AES"),
          new GCMParameterSpec(128, iv));
      cipher.updateAAD(keyId.getBytes(StandardCharsets.UTF_8));
      byte[] sealed = cipher.doFinal(secret.getBytes(StandardCharsets.UTF_8));
      return keyId
          + ":"
          + Base64.getEncoder()
              .encodeToString(
                  ByteBuffer.allocate(iv.length + sealed.length).put(iv).put(sealed).array());
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
