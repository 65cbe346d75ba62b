package dev.callgate.core.callout;

import dev.callgate.core.credential.Authentication;
import dev.callgate.core.credential.NamedCredential;
import java.util.Set;
import java.util.TreeSet;

/**
 * The header fields an AWS Signature Version 4 signature consists of: {@code Authorization}, {@code
 * X-Amz-Date}, {@code X-Amz-Security-Token} and {@code X-Amz-Content-Sha256}. Callgate writes them
 * on every callout of an {@code aws_sigv4} credential, so a caller's own (through {@code
 * Callgate-Proxy-…} or directly) would be a second, conflicting signature and is refused like any
 * other authorization header conflict. Other {@code X-Amz-*} fields ({@code X-Amz-Meta-*}, {@code
 * X-Amz-Acl}…) are the caller's, forwarded and signed.
 */
public final class AwsSignatureHeaders {

  private static final Set<String> NAMES = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);

  static {
    NAMES.addAll(
        Set.of("Authorization", "X-Amz-Date", "X-Amz-Security-Token", "X-Amz-Content-Sha256"));
  }

  private AwsSignatureHeaders() {}

  /** Whether Callgate signs this credential's callouts. */
  public static boolean signs(NamedCredential credential) {
    return credential.authentication() instanceof Authentication.AwsSigV4;
  }

  public static boolean isSignatureHeader(String name) {
    return NAMES.contains(name);
  }
}
