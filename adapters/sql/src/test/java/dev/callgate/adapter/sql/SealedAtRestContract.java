package dev.callgate.adapter.sql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.core.credential.AuthProvider;
import dev.callgate.core.credential.Authentication;
import dev.callgate.core.credential.ClientAuthMethod;
import dev.callgate.core.credential.NamedCredential;
import dev.callgate.core.credential.PrincipalType;
import dev.callgate.core.credential.Secret;
import dev.callgate.core.port.FlowHash;
import dev.callgate.core.port.PendingAuthorization;
import dev.callgate.core.port.SecretCipher;
import dev.callgate.core.testkit.TokenRecords;
import dev.callgate.core.token.RefreshAttempts;
import dev.callgate.core.token.TokenKey;
import dev.callgate.core.token.TokenRecord;
import dev.callgate.core.token.TokenSet;
import dev.callgate.core.token.TokenState;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/**
 * Secrets at rest, checked on the database itself: no plaintext secret in any column of any table,
 * and a master-key rotation that re-seals every secret so the old key can go.
 */
public abstract class SealedAtRestContract {
  protected static final String OLD_KEY = AesGcmSecretCipher.generateKey();
  protected static final String NEW_KEY = AesGcmSecretCipher.generateKey();
  protected static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

  private static final String ACCESS_TOKEN = "eyJhbGciOiJSUzI1NiJ9.access-token-plaintext.sig";
  private static final String REFRESH_TOKEN = "refresh-token-plaintext-4f1c";
  private static final String CLIENT_SECRET = "client-secret-plaintext-77ab";
  private static final String PASSWORD = "password-plaintext-91de";
  private static final String API_KEY = "api-key-plaintext-0c33";
  private static final String VERIFIER = "pkce-verifier-plaintext-0123456789abcdefghijklmnop";

  /** Stores over a fresh, empty database, sealing with {@code cipher}. */
  protected abstract SqlStores open(SecretCipher cipher);

  /** The same database again, with another cipher (a restart after a key change). */
  protected abstract SqlStores reopen(SecretCipher cipher);

  /** Every row of {@code table}, every column as text, read with plain SQL. */
  protected abstract List<List<String>> rawRows(String table);

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
  }

  private String everything() {
    StringBuilder all = new StringBuilder();
    for (String table :
        List.of("providers", "credentials", "tokens", "pending_authorizations", "api_keys")) {
      rawRows(table).forEach(row -> all.append(String.join("|", row)).append('\n'));
    }
    return all.toString();
  }

  @Test
  void rawRowsWhenSecretsAreStoredThenHoldNoPlaintext() {
    SqlStores stores = open(AesGcmSecretCipher.of("old", Map.of("old", OLD_KEY)));
    fill(stores);

    String raw = everything();

    assertThat(raw).contains("oauth2-authorization-code", "svc", "old:");
    assertThat(raw)
        .doesNotContain(ACCESS_TOKEN, REFRESH_TOKEN, CLIENT_SECRET, PASSWORD, API_KEY, VERIFIER);
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

    assertThat(resealed).isEqualTo(6);
    String raw = everything();
    assertThat(raw).doesNotContain("old:").contains("new:");
    SqlStores after = reopen(AesGcmSecretCipher.of("new", Map.of("new", NEW_KEY)));
    assertThat(join(after.credentials().findProvider("idp")).orElseThrow().clientSecret())
        .contains(Secret.of(CLIENT_SECRET));
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
    join(after.close().toCompletionStage());
  }
}
