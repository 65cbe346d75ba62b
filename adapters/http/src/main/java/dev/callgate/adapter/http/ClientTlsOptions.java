package dev.callgate.adapter.http;

import dev.callgate.core.credential.TlsSettings;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.TrustOptions;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.function.Function;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * {@link TlsSettings} as Vert.x client options: the client certificate and key as a PEM key pair,
 * and trusted authorities added to the JVM's own (a private CA trusted for one target does not take
 * the public ones away). A client made with these options is used for these settings alone.
 */
public final class ClientTlsOptions {

  private ClientTlsOptions() {}

  /** {@code options} presenting {@code tls}'s client certificate and trusting its authorities. */
  public static <T extends HttpClientOptions> T apply(T options, TlsSettings tls) {
    if (tls.hasClientCertificate()) {
      options.setKeyCertOptions(
          new PemKeyCertOptions()
              .addKeyValue(Buffer.buffer(tls.clientKey().orElseThrow().reveal()))
              .addCertValue(Buffer.buffer(tls.clientCertificate().orElseThrow())));
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

    private final java.util.concurrent.ConcurrentHashMap<String, Entry<V>> entries =
        new java.util.concurrent.ConcurrentHashMap<>();
    private final Function<TlsSettings, V> create;
    private final java.util.function.Consumer<V> retire;

    public PerOwner(Function<TlsSettings, V> create, java.util.function.Consumer<V> retire) {
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
    } catch (GeneralSecurityException | java.io.IOException e) {
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
