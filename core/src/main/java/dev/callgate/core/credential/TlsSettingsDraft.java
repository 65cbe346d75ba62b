package dev.callgate.core.credential;

import static dev.callgate.core.diagnosis.DiagnosisCode.INVALID_VALUE;

import dev.callgate.core.diagnosis.Diagnosis;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The TLS fields of a credential or provider as a person wrote them ({@code tlsClientCertificate},
 * {@code tlsClientKey}, {@code tlsTrustedCertificates}; absent ones {@code null}). {@link
 * #validate(List)} reads them with the JDK: the certificates parse, the key is an unencrypted
 * PKCS#8 PEM and is the certificate's (it signs what the certificate's public key verifies); every
 * problem is an {@code INVALID_VALUE} naming the field, which never quotes the key.
 */
public record TlsSettingsDraft(
    String tlsClientCertificate, String tlsClientKey, String tlsTrustedCertificates) {

  /** How many certificates a chain or a trust list may hold: a few, not a trust store. */
  public static final int MAX_CERTIFICATES = 20;

  private static final Pattern PRIVATE_KEY_PEM =
      Pattern.compile("-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

  /** The settings, or {@link TlsSettings#NONE} with the problems added to {@code problems}. */
  public TlsSettings validate(List<Diagnosis> problems) {
    int before = problems.size();
    boolean certificateGiven = tlsClientCertificate != null && !tlsClientCertificate.isBlank();
    boolean keyGiven = tlsClientKey != null && !tlsClientKey.isBlank();
    if (certificateGiven != keyGiven) {
      problems.add(
          problem(
              certificateGiven ? "tlsClientKey" : "tlsClientCertificate",
              certificateGiven
                  ? "it is missing: a client certificate needs its private key"
                  : "it is missing: a client key needs its certificate"));
    }
    if (certificateGiven && keyGiven) {
      List<X509Certificate> chain =
          certificates("tlsClientCertificate", tlsClientCertificate, problems);
      Optional<PrivateKey> key = privateKey(tlsClientKey, problems);
      if (!chain.isEmpty() && key.isPresent() && !matches(key.get(), chain.get(0))) {
        problems.add(
            problem(
                "tlsClientKey",
                "it is not the key of the client certificate ("
                    + describe(chain.get(0))
                    + "): give the private key the certificate was issued for"));
      }
    }
    if (tlsTrustedCertificates != null) {
      certificates("tlsTrustedCertificates", tlsTrustedCertificates, problems);
    }
    if (problems.size() > before) {
      return TlsSettings.NONE;
    }
    return new TlsSettings(
        certificateGiven ? Optional.of(tlsClientCertificate.strip()) : Optional.empty(),
        keyGiven ? Optional.of(Secret.of(tlsClientKey.strip())) : Optional.empty(),
        Optional.ofNullable(tlsTrustedCertificates).map(String::strip));
  }

  /**
   * The certificates of a PEM text, parsed by the JDK; none, with a problem, when it holds none or
   * one that does not parse.
   */
  public static List<X509Certificate> certificates(
      String field, String pem, List<Diagnosis> problems) {
    if (pem == null || !pem.contains("-----BEGIN CERTIFICATE-----")) {
      problems.add(problem(field, "it holds no PEM certificate (-----BEGIN CERTIFICATE-----)"));
      return List.of();
    }
    try {
      List<X509Certificate> certificates = new ArrayList<>();
      for (var certificate :
          CertificateFactory.getInstance("X.509")
              .generateCertificates(
                  new ByteArrayInputStream(pem.strip().getBytes(StandardCharsets.US_ASCII)))) {
        certificates.add((X509Certificate) certificate);
      }
      if (certificates.size() > MAX_CERTIFICATES) {
        problems.add(problem(field, "it holds more than " + MAX_CERTIFICATES + " certificates"));
        return List.of();
      }
      return certificates;
    } catch (CertificateException | ClassCastException e) {
      problems.add(problem(field, "a certificate in it does not parse as X.509"));
      return List.of();
    }
  }

  /** "CN=client, valid from … to …": what a person recognises a certificate by. */
  public static String describe(X509Certificate certificate) {
    // read as a java.security.Principal: core brings nothing but java.* along
    java.security.Principal subject = certificate.getSubjectX500Principal();
    return subject.getName()
        + ", valid from "
        + certificate.getNotBefore().toInstant()
        + " to "
        + certificate.getNotAfter().toInstant();
  }

  /**
   * The private key of an unencrypted PKCS#8 PEM (RSA, EC or EdDSA); empty, with a problem naming
   * {@code tlsClientKey}, when it is none.
   */
  public static Optional<PrivateKey> privateKey(String pem, List<Diagnosis> problems) {
    if (pem.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
      problems.add(
          problem(
              "tlsClientKey",
              "it is encrypted: give it unencrypted (openssl pkcs8 -topk8 -nocrypt); Callgate"
                  + " seals it at rest"));
      return Optional.empty();
    }
    Matcher matcher = PRIVATE_KEY_PEM.matcher(pem);
    if (!matcher.find()) {
      problems.add(
          problem(
              "tlsClientKey",
              "it is not a PKCS#8 PEM private key (-----BEGIN PRIVATE KEY-----); convert a"
                  + " PKCS#1 or SEC 1 key with openssl pkcs8 -topk8 -nocrypt"));
      return Optional.empty();
    }
    byte[] encoded;
    try {
      encoded = Base64.getMimeDecoder().decode(matcher.group(1).replaceAll("\\s", ""));
    } catch (IllegalArgumentException e) {
      problems.add(problem("tlsClientKey", "its PEM body is not base64"));
      return Optional.empty();
    }
    for (String algorithm : List.of("RSA", "EC", "Ed25519", "Ed448")) {
      try {
        return Optional.of(
            KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(encoded)));
      } catch (GeneralSecurityException e) {
        // not a key of this algorithm: try the next
      }
    }
    problems.add(problem("tlsClientKey", "it is not an RSA, EC or EdDSA PKCS#8 private key"));
    return Optional.empty();
  }

  /** Whether {@code key} signs what {@code certificate}'s public key verifies. */
  private static boolean matches(PrivateKey key, X509Certificate certificate) {
    PublicKey publicKey = certificate.getPublicKey();
    String algorithm =
        switch (key.getAlgorithm()) {
          case "RSA" -> "SHA256withRSA";
          case "EC" -> "SHA256withECDSA";
          default -> key.getAlgorithm();
        };
    try {
      byte[] probe = "callgate tls client key check".getBytes(StandardCharsets.US_ASCII);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(publicKey);
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      // a key of another algorithm than the certificate's
      return false;
    }
  }

  private static Diagnosis problem(String field, String problem) {
    return Diagnosis.of(INVALID_VALUE, "field", field, "problem", problem);
  }
}
