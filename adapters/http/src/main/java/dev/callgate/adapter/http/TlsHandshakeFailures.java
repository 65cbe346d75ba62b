package dev.callgate.adapter.http;

import java.security.cert.CertificateException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import javax.net.ssl.SSLException;

/**
 * Why a TLS handshake failed, in words that say what to change: the server's certificate not
 * trusted, no client certificate where the server demands one, or the server refusing the one
 * presented (TLS alerts, RFC 8446 §6.2). Only the alert's name is read from an exception's message;
 * nothing of the message is copied.
 */
public final class TlsHandshakeFailures {

  /** The alerts with which a server refuses a client certificate, or the lack of one. */
  private static final String[] REFUSALS = {
    "bad_certificate",
    "unknown_ca",
    "certificate_unknown",
    "certificate_expired",
    "certificate_revoked",
    "unsupported_certificate",
    "access_denied"
  };

  private TlsHandshakeFailures() {}

  /**
   * The reason, or empty when {@code failure} is no TLS failure, for a connection that may or may
   * not have presented a client certificate.
   */
  public static Optional<String> reason(Throwable failure) {
    return reason(failure, Optional.empty());
  }

  /**
   * The reason, or empty when {@code failure} is no TLS failure, for a connection that presented a
   * client certificate or none ({@code certificatePresented}): servers answer a missing certificate
   * with {@code certificate_required} (TLS 1.3) or the same alerts as a refused one.
   */
  public static Optional<String> reason(Throwable failure, boolean certificatePresented) {
    return reason(failure, Optional.of(certificatePresented));
  }

  private static Optional<String> reason(Throwable failure, Optional<Boolean> presented) {
    StringBuilder messages = new StringBuilder();
    boolean tls = false;
    boolean untrusted = false;
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      tls |= t instanceof SSLException;
      untrusted |= t instanceof CertificateException;
      messages.append(' ').append(String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT));
    }
    String alerts = messages.toString();
    if (!tls && !alerts.contains("fatal alert")) {
      return Optional.empty();
    }
    boolean refusal =
        Arrays.stream(REFUSALS).anyMatch(a -> alerts.contains("received fatal alert: " + a));
    if (alerts.contains("certificate_required")
        || (refusal && presented.filter(Boolean.FALSE::equals).isPresent())) {
      return Optional.of(
          "TLS handshake failed: the server requires a client certificate and none was presented"
              + " (set tlsClientCertificate and tlsClientKey)");
    }
    for (String alert : REFUSALS) {
      if (alerts.contains("received fatal alert: " + alert)) {
        return Optional.of(
            "TLS handshake failed: the server refused the client certificate"
                + (presented.isPresent() ? " presented" : ", or its absence,")
                + " ("
                + alert
                + "): it must be issued by an authority the server trusts, be valid now, and be"
                + " the one registered there");
      }
    }
    if (untrusted || alerts.contains("pkix") || alerts.contains("certification path")) {
      return Optional.of(
          "TLS handshake failed: the server's certificate is not trusted (add its certificate"
              + " authority to tlsTrustedCertificates)");
    }
    return Optional.of("TLS handshake failed");
  }
}
