package dev.callgate.core.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A certificate authority made at test time with the JDK's {@code keytool} (no key is committed),
 * issuing RSA certificates for servers ({@code 127.0.0.1}, {@code localhost}) and clients, and
 * making self-signed ones. Keys come out as unencrypted PKCS#8 PEM, certificates as PEM; each key
 * is listed with {@link TestSecrets}.
 */
public final class TestPki {
  private static final String PASSWORD = "test-pki-store";

  /** A certificate with its private key: {@code chain} is the leaf, then its issuer if any. */
  public record Issued(String certificate, String chain, String privateKey, X509Certificate leaf) {

    /** RFC 8705 §3.1: the base64url SHA-256 of the certificate's DER, as {@code cnf} holds it. */
    public String thumbprint() {
      return TestPki.thumbprint(leaf);
    }
  }

  private final Path directory;
  private final String name;
  private final X509Certificate caCertificate;
  private int serial;

  private TestPki(Path directory, String name) {
    this.directory = directory;
    this.name = name;
    keytool(
        "-genkeypair",
        "-keystore",
        store("ca").toString(),
        "-alias",
        "ca",
        "-keyalg",
        "RSA",
        "-keysize",
        "2048",
        "-dname",
        "CN=" + name,
        "-ext",
        "bc:c",
        "-validity",
        "3");
    try {
      this.caCertificate = (X509Certificate) entry("ca").getCertificate("ca");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A new authority named {@code name}, its files in a new directory under {@code target}. */
  public static TestPki create(String name) {
    try {
      Path directory = Files.createDirectories(Path.of("target", "test-pki").toAbsolutePath());
      return new TestPki(Files.createTempDirectory(directory, "ca-"), name);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The authority's certificate, PEM. */
  public String caCertificate() {
    return pem(caCertificate);
  }

  /** A certificate for a server at 127.0.0.1 or localhost. */
  public synchronized Issued server() {
    return issue("CN=localhost", "san=ip:127.0.0.1,dns:localhost");
  }

  /** A client certificate for {@code commonName}. */
  public synchronized Issued client(String commonName) {
    return issue("CN=" + commonName, "eku=clientAuth");
  }

  /** A self-signed client certificate for {@code commonName}, no authority involved. */
  public synchronized Issued selfSigned(String commonName) {
    String alias = "self" + ++serial;
    keyPair(alias, "CN=" + commonName);
    KeyStore store = entry(alias);
    try {
      X509Certificate leaf = (X509Certificate) store.getCertificate(alias);
      String key = privateKey(store, alias);
      return new Issued(pem(leaf), pem(leaf), key, leaf);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private Issued issue(String distinguishedName, String extension) {
    String alias = "leaf" + ++serial;
    Path keystore = store(alias);
    keyPair(alias, distinguishedName);
    Path request = directory.resolve(alias + ".csr");
    keytool(
        "-certreq", "-keystore", keystore.toString(), "-alias", alias, "-file", request.toString());
    Path issued = directory.resolve(alias + ".pem");
    keytool(
        "-gencert",
        "-keystore",
        store("ca").toString(),
        "-alias",
        "ca",
        "-infile",
        request.toString(),
        "-outfile",
        issued.toString(),
        "-rfc",
        "-ext",
        extension,
        "-validity",
        "2");
    try {
      String certificate = Files.readString(issued).strip() + "\n";
      X509Certificate leaf;
      try (InputStream in = Files.newInputStream(issued)) {
        leaf =
            (X509Certificate)
                java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in);
      }
      String key = privateKey(entry(keystore), alias);
      return new Issued(certificate, certificate + caCertificate(), key, leaf);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Writes {@code pem} to a file of the authority's directory, for a process that reads files. */
  public Path write(String fileName, String pem) {
    try {
      return Files.writeString(directory.resolve(fileName), pem);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static String pem(Certificate certificate) {
    try {
      return "-----BEGIN CERTIFICATE-----\n"
          + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
              .encodeToString(certificate.getEncoded())
          + "\n-----END CERTIFICATE-----\n";
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public static String thumbprint(X509Certificate certificate) {
    try {
      return Base64.getUrlEncoder()
          .withoutPadding()
          .encodeToString(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String privateKey(KeyStore store, String alias) throws GeneralSecurityException {
    byte[] encoded = store.getKey(alias, PASSWORD.toCharArray()).getEncoded();
    String pem =
        "-----BEGIN PRIVATE KEY-----\n"
            + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(encoded)
            + "\n-----END PRIVATE KEY-----\n";
    TestSecrets.register("test PKI private key", Base64.getEncoder().encodeToString(encoded));
    return pem;
  }

  /** A 2048-bit RSA key pair under {@code alias}, in a self-signed certificate for three days. */
  private void keyPair(String alias, String distinguishedName) {
    keytool(
        "-genkeypair",
        "-keystore",
        store(alias).toString(),
        "-alias",
        alias,
        "-keyalg",
        "RSA",
        "-keysize",
        "2048",
        "-dname",
        distinguishedName,
        "-validity",
        "3");
  }

  private Path store(String alias) {
    return directory.resolve(alias + ".p12");
  }

  private KeyStore entry(String alias) {
    return entry(store(alias));
  }

  private static KeyStore entry(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(in, PASSWORD.toCharArray());
      return store;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private void keytool(String... arguments) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(arguments));
    command.addAll(
        List.of("-storetype", "PKCS12", "-storepass", PASSWORD, "-keypass", PASSWORD, "-noprompt"));
    try {
      Process process =
          new ProcessBuilder(command)
              .directory(directory.toFile())
              .redirectErrorStream(true)
              .start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IllegalStateException(
            "keytool " + arguments[0] + " failed for " + name + ": " + output);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
