package dev.callgate.core.credential;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

/**
 * The TLS a connection is made with besides the JVM's defaults (RFC 8705 mutual TLS): a client
 * certificate ({@code clientCertificate}, PEM, leaf first, its chain allowed) with its private key
 * ({@code clientKey}, PKCS#8 PEM, a secret), and certificate authorities to trust besides the JVM's
 * ({@code trustedCertificates}, PEM). Certificate and key come together or not at all. Build it
 * from input with {@link TlsSettingsDraft}.
 */
public record TlsSettings(
    Optional<String> clientCertificate,
    Optional<Secret> clientKey,
    Optional<String> trustedCertificates) {

  /** No client certificate, and the JVM's trust alone. */
  public static final TlsSettings NONE =
      new TlsSettings(Optional.empty(), Optional.empty(), Optional.empty());

  public TlsSettings {
    Objects.requireNonNull(clientCertificate, "clientCertificate");
    Objects.requireNonNull(clientKey, "clientKey");
    Objects.requireNonNull(trustedCertificates, "trustedCertificates");
    if (clientCertificate.isPresent() != clientKey.isPresent()) {
      throw new IllegalArgumentException("a client certificate needs its key, and a key its cert");
    }
  }

  public boolean hasClientCertificate() {
    return clientCertificate.isPresent();
  }

  /** The client certificate's subject ("CN=…"), for diagnoses; "(none)" without one. */
  public String clientCertificateSubject() {
    return clientCertificate
        .map(pem -> TlsSettingsDraft.certificates("tlsClientCertificate", pem, new ArrayList<>()))
        .filter(chain -> !chain.isEmpty())
        .map(chain -> ((java.security.Principal) chain.get(0).getSubjectX500Principal()).getName())
        .orElse(clientCertificate.isPresent() ? "(unreadable)" : "(none)");
  }

  public boolean isNone() {
    return clientCertificate.isEmpty() && trustedCertificates.isEmpty();
  }

  /**
   * These settings, presenting {@code other}'s client certificate when they have none of their own;
   * the trust stays these settings' own.
   */
  public TlsSettings orClientCertificateOf(TlsSettings other) {
    if (hasClientCertificate() || !other.hasClientCertificate()) {
      return this;
    }
    return new TlsSettings(other.clientCertificate, other.clientKey, trustedCertificates);
  }

  /**
   * A digest of certificate, key and trust: connections made with one set of settings are never
   * used for another's requests. It names no secret and is only compared.
   */
  public String fingerprint() {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (Optional<String> part :
          java.util.List.of(
              clientCertificate, clientKey.map(Secret::reveal), trustedCertificates)) {
        digest.update(part.orElse("").getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JVM", e);
    }
  }
}
