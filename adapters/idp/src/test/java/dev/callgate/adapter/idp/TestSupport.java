package dev.callgate.adapter.idp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.core.credential.AuthProvider;
import dev.callgate.core.credential.ClientAuthMethod;
import dev.callgate.core.credential.Secret;
import dev.callgate.core.outbound.OutboundAddressPolicy;
import dev.callgate.core.port.GrantOutcome;
import dev.callgate.core.port.IdentityProvider;
import dev.callgate.core.port.ProviderMetadata;
import dev.callgate.core.port.TokenResponse;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/** What the adapter's tests share: waiting on stages, providers, ports and RSA keys. */
final class TestSupport {

  private TestSupport() {}

  /** The adapter's defaults with loopback allowed, where every server of these tests listens. */
  static IdentityProviderOptions options() {
    return IdentityProviderOptions.defaults()
        .withOutbound(
            OutboundAddressPolicy.parse("127.0.0.0/8,::1/128")
                .fold(
                    policy -> policy,
                    problems -> {
                      throw new IllegalStateException(problems.toString());
                    }));
  }

  static <T> T await(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("the stage did not complete normally", e);
    }
  }

  static Throwable awaitFailure(CompletionStage<?> stage) {
    try {
      stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      throw new AssertionError("the stage did not complete", e);
    }
    throw new AssertionError("the stage completed normally");
  }

  static AuthProvider withIssuer(URI issuer, String clientId, String secret, ClientAuthMethod m) {
    return new AuthProvider(
        "idp",
        Optional.of(issuer),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        clientId,
        Optional.ofNullable(secret).map(Secret::of),
        m,
        List.of(),
        Optional.empty());
  }

  static AuthProvider withTokenEndpoint(URI tokenEndpoint, String clientId, String secret) {
    return new AuthProvider(
        "idp",
        Optional.empty(),
        Optional.empty(),
        Optional.of(tokenEndpoint),
        Optional.empty(),
        clientId,
        Optional.ofNullable(secret).map(Secret::of),
        ClientAuthMethod.CLIENT_SECRET_BASIC,
        List.of(),
        Optional.empty());
  }

  static AuthProvider withScopes(AuthProvider provider, List<String> scopes) {
    return new AuthProvider(
        provider.name(),
        provider.issuer(),
        provider.authorizationEndpoint(),
        provider.tokenEndpoint(),
        provider.revocationEndpoint(),
        provider.clientId(),
        provider.clientSecret(),
        provider.clientAuthMethod(),
        scopes,
        provider.refreshTokenLifetime());
  }

  /**
   * The authorization-code flow against node-oidc-provider at {@code provider}'s issuer: alice logs
   * in and consents in a scripted browser, and the code is exchanged through {@code idp}.
   */
  static TokenResponse authorize(
      IdentityProvider idp, AuthProvider provider, String scope, Map<String, String> extra)
      throws Exception {
    ProviderMetadata metadata = await(idp.discover(provider));
    BrowserLogin.Authorized authorized =
        BrowserLogin.authorize(
            metadata.authorizationEndpoint().orElseThrow(),
            NodeOidcProvider.CLIENT_ID,
            NodeOidcProvider.REDIRECT_URI,
            scope,
            extra,
            "alice");
    GrantOutcome outcome =
        await(
            idp.exchangeCode(
                provider,
                authorized.code(),
                Secret.of(authorized.codeVerifier()),
                NodeOidcProvider.REDIRECT_URI));
    assertThat(outcome).isInstanceOf(GrantOutcome.Granted.class);
    return ((GrantOutcome.Granted) outcome).response();
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  static KeyPair rsaKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      return generator.generateKeyPair();
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  static String privateKeyPem(KeyPair keys) {
    return pem("PRIVATE KEY", keys.getPrivate().getEncoded());
  }

  static String publicKeyPem(KeyPair keys) {
    return pem("PUBLIC KEY", keys.getPublic().getEncoded());
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
            .encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }

  /** Whether the test environment demands that every external server be there. */
  static boolean ci() {
    return "true".equalsIgnoreCase(System.getenv("CI"));
  }
}
