package dev.callgate.adapter.http;

import dev.callgate.core.credential.TlsSettings;
import dev.callgate.core.credential.TlsSettingsDraft;
import dev.callgate.core.diagnosis.Diagnosis;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.TrustOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509TrustManager;

/**
 * {@link TlsSettings} as Vert.x client options: the client certificate and its key, always
 * presented when a server asks for a certificate, and trusted authorities added to the JVM's own (a
 * private CA trusted for one target does not take the public ones away). A client made with these
 * options is used for these settings alone.
 */
public final class ClientTlsOptions {

  private ClientTlsOptions() {}

  /** {@code options} presenting {@code tls}'s client certificate and trusting its authorities. */
  public static <T extends HttpClientOptions> T apply(T options, TlsSettings tls) {
    if (tls.hasClientCertificate()) {
      options.setKeyCertOptions(KeyCertOptions.wrap(new OneClientCertificate(tls)));
    }
    tls.trustedCertificates().ifPresent(pem -> options.setTrustOptions(trustingAlso(pem)));
    return options;
  }

  /**
   * The key under which a client for {@code tls} is kept: empty for none, so that the common case
   * costs no digest.
   */
  public static String cacheKey(TlsSettings tls) {
    return tls.isNone() ? "" : tls.fingerprint();
  }

  /**
   * Keeps one value per owner (a credential, a provider) made for the owner's current TLS settings:
   * a change of settings makes a new one and hands the old one to {@code retire}.
   */
  public static final class PerOwner<V> {
    private record Entry<V>(String key, V value) {}

    private final ConcurrentHashMap<String, Entry<V>> entries = new ConcurrentHashMap<>();
    private final Function<TlsSettings, V> create;
    private final Consumer<V> retire;

    public PerOwner(Function<TlsSettings, V> create, Consumer<V> retire) {
      this.create = create;
      this.retire = retire;
    }

    public V get(String owner, TlsSettings tls) {
      String key = cacheKey(tls);
      Entry<V> current = entries.get(owner);
      if (current != null && current.key().equals(key)) {
        return current.value();
      }
      Object[] replaced = new Object[1];
      Entry<V> made =
          entries.compute(
              owner,
              (name, existing) -> {
                if (existing != null && existing.key().equals(key)) {
                  return existing;
                }
                replaced[0] = existing;
                return new Entry<>(key, create.apply(tls));
              });
      if (replaced[0] instanceof Entry<?> old) {
        @SuppressWarnings("unchecked")
        V value = (V) old.value();
        retire.accept(value);
      }
      return made.value();
    }
  }

  /**
   * Presents the one client certificate whatever authorities the server names in its certificate
   * request: the JDK's key managers present only a certificate issued by one of those, which leaves
   * a self-signed certificate ({@code self_signed_tls_client_auth}, RFC 8705 §2.2) unsent.
   */
  private static final class OneClientCertificate extends X509ExtendedKeyManager {
    private static final String ALIAS = "client";
    private final X509Certificate[] chain;
    private final PrivateKey key;

    OneClientCertificate(TlsSettings tls) {
      List<Diagnosis> problems = new ArrayList<>();
      this.chain =
          TlsSettingsDraft.certificates(
                  "tlsClientCertificate", tls.clientCertificate().orElseThrow(), problems)
              .toArray(X509Certificate[]::new);
      this.key =
          TlsSettingsDraft.privateKey(tls.clientKey().orElseThrow().reveal(), problems)
              .orElse(null);
      if (!problems.isEmpty() || chain.length == 0 || key == null) {
        // validated when saved: a certificate or key that no longer reads is a defect
        throw new IllegalStateException("a client certificate that was valid no longer reads");
      }
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
      return ALIAS;
    }

    @Override
    public String chooseEngineClientAlias(
        String[] keyTypes, Principal[] issuers, SSLEngine engine) {
      return ALIAS;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      return new String[] {ALIAS};
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      return new String[0];
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      return null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      return ALIAS.equals(alias) ? chain.clone() : null;
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      return ALIAS.equals(alias) ? key : null;
    }
  }

  private static TrustOptions trustingAlso(String pem) {
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int index = 0;
      for (X509Certificate certificate : jvmTrusted()) {
        store.setCertificateEntry("jvm-" + index++, certificate);
      }
      for (Certificate certificate :
          CertificateFactory.getInstance("X.509")
              .generateCertificates(
                  new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
        store.setCertificateEntry("configured-" + index++, certificate);
      }
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store);
      return TrustOptions.wrap(factory);
    } catch (GeneralSecurityException | IOException e) {
      // validated when saved: a certificate that no longer parses is a defect
      throw new IllegalStateException("trusted certificates that were valid no longer load", e);
    }
  }

  private static X509Certificate[] jvmTrusted() throws GeneralSecurityException {
    TrustManagerFactory factory =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init((KeyStore) null);
    return Arrays.stream(factory.getTrustManagers())
        .filter(X509TrustManager.class::isInstance)
        .map(TrustManager.class::cast)
        .flatMap(m -> Arrays.stream(((X509TrustManager) m).getAcceptedIssuers()))
        .toArray(X509Certificate[]::new);
  }
}
