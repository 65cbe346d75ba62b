package dev.callgate.core.callout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.diagnosis.DiagnosisCode;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TargetUrlTest {

  private static final URI BASE = URI.create("https://api.example.com/v2");

  private static URI resolved(URI base, String path, Optional<String> query) {
    TargetUrlOutcome outcome = TargetUrl.resolve(base, path, query);
    assertThat(outcome).isInstanceOf(TargetUrlOutcome.Resolved.class);
    return ((TargetUrlOutcome.Resolved) outcome).uri();
  }

  private static Diagnosis rejected(URI base, String path) {
    TargetUrlOutcome outcome = TargetUrl.resolve(base, path, Optional.empty());
    assertThat(outcome).as(path).isInstanceOf(TargetUrlOutcome.Rejected.class);
    return ((TargetUrlOutcome.Rejected) outcome).diagnosis();
  }

  @ParameterizedTest
  @CsvSource({
    "https://api.example.com/v2,  accounts/42,  https://api.example.com/v2/accounts/42",
    "https://api.example.com/v2/, accounts/42,  https://api.example.com/v2/accounts/42",
    "https://api.example.com/v2,  /accounts/42, https://api.example.com/v2/accounts/42",
    "https://api.example.com,     accounts/42,  https://api.example.com/accounts/42",
    "https://api.example.com/,    accounts/42,  https://api.example.com/accounts/42",
    "http://localhost:8443/api,   items/,       http://localhost:8443/api/items/",
    "https://api.example.com/v2,  /,            https://api.example.com/v2/",
  })
  void resolveWhenBaseWithOrWithoutSlashOrPathThenJoinedOnce(
      String base, String path, String expected) {
    assertThat(resolved(URI.create(base), path, Optional.empty())).isEqualTo(URI.create(expected));
  }

  @Test
  void resolveWhenPathIsEmptyThenTheBaseUrlItself() {
    assertThat(resolved(BASE, "", Optional.empty())).isEqualTo(BASE);
    assertThat(resolved(URI.create("https://api.example.com/v2/"), "", Optional.empty()))
        .isEqualTo(URI.create("https://api.example.com/v2/"));
  }

  @Test
  void resolveWhenCallerEncodedThenEncodingKeptAsIs() {
    URI uri = resolved(BASE, "files/annual%20report%2F2024.pdf/caf%C3%A9", Optional.empty());

    assertThat(uri.getRawPath()).isEqualTo("/v2/files/annual%20report%2F2024.pdf/caf%C3%A9");
  }

  @Test
  void resolveWhenRawCharactersAUriCannotHoldThenPercentEncodedAsUtf8() {
    URI uri = resolved(BASE, "search/a b|café", Optional.empty());

    assertThat(uri.getRawPath()).isEqualTo("/v2/search/a%20b%7Ccaf%C3%A9");
  }

  @Test
  void resolveWhenSubDelimsColonAndAtInLaterSegmentsThenKept() {
    URI uri = resolved(BASE, "records/urn:isbn:0451450523/@me;v=1", Optional.empty());

    assertThat(uri.getRawPath()).isEqualTo("/v2/records/urn:isbn:0451450523/@me;v=1");
  }

  @Test
  void resolveWhenCallerQueryThenAppendedRaw() {
    URI uri = resolved(BASE, "query", Optional.of("q=SELECT+Id+FROM+Account&limit=10%2C20"));

    assertThat(uri.toString())
        .isEqualTo("https://api.example.com/v2/query?q=SELECT+Id+FROM+Account&limit=10%2C20");
  }

  @Test
  void resolveWhenBaseHasAQueryThenBothKeptJoinedByAmpersand() {
    URI base = URI.create("https://graph.example.com/v1?api-version=2024-01-01");

    assertThat(resolved(base, "users", Optional.of("top=5")).toString())
        .isEqualTo("https://graph.example.com/v1/users?api-version=2024-01-01&top=5");
    assertThat(resolved(base, "users", Optional.empty()).toString())
        .isEqualTo("https://graph.example.com/v1/users?api-version=2024-01-01");
    assertThat(resolved(base, "users", Optional.of("")).toString())
        .isEqualTo("https://graph.example.com/v1/users?api-version=2024-01-01");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "..",
        "../admin",
        "a/../../admin",
        ".",
        "a/./b",
        "%2e%2e/admin",
        "%2E%2E/admin",
        ".%2E/admin",
        "%2e/x",
        "a/%2e%2e",
        "..%2fadmin",
        "..%2Fadmin",
        "a%2f..",
        "a%2F..%2Fb",
        "..;/admin",
        "%2e%2e;jsessionid=1/admin",
        "%252e%252e/admin",
        "..\\admin",
        "a\\b",
        "a%5cb",
        "a%5C..",
        "a//b",
        "//evil.example.com/x",
        "http://evil.example.com",
        "https:%2f%2fevil.example.com",
        "javascript:alert(1)",
        "a/%00/b",
        "a%00",
        "a%0d%0aX-Injected:1",
        "a\nb",
        "a\u0000b",
        "a/%zz",
        "a/%2",
        "a/%",
        "a/%c0%ae%c0%ae/x",
        "%25252e%25252e/admin",
        "%2525252e%2525252e/admin",
        "%25%32%65%25%32%65/admin",
        "%25c0%25ae%25c0%25ae/x",
        "a/%c0%ae/x",
        "a/%c0%2f/x",
        "a/%e0%80%ae/x",
        "a/%f0%80%80%ae/x",
        "%ef%bc%8e%ef%bc%8e/admin",
        "\uff0e\uff0e/admin",
        "%25ef%25bc%258e%25ef%25bc%258e/admin",
        "a%ef%bc%8f%ef%bc%8e%ef%bc%8e",
        "%e2%80%a5/admin",
        "%ef%bc%bcadmin",
        "a?b",
        "a#frag",
      })
  void resolveWhenPathCouldEscapeOrIsMalformedThenRejected(String path) {
    Diagnosis diagnosis = rejected(BASE, path);

    assertThat(diagnosis.code()).isEqualTo(DiagnosisCode.TARGET_PATH_REJECTED);
    assertThat(diagnosis.fact("baseUrl")).isEqualTo("https://api.example.com/v2");
    assertThat(diagnosis.fact("reason")).isNotBlank();
    assertThat(diagnosis.fact("path")).doesNotContain("\n").doesNotContain("\u0000");
  }

  @Test
  void resolveWhenDotSegmentThenReasonSaysSo() {
    Diagnosis diagnosis = rejected(BASE, "%2e%2e/admin");

    assertThat(diagnosis.fact("path")).isEqualTo("%2e%2e/admin");
    assertThat(diagnosis.fact("reason")).contains("'..'");
  }

  @ParameterizedTest
  @ValueSource(strings = {"q=%zz", "q=a\nb", "q=%00", "q=1#frag"})
  void resolveWhenQueryMalformedThenRejected(String query) {
    TargetUrlOutcome outcome = TargetUrl.resolve(BASE, "x", Optional.of(query));

    assertThat(((TargetUrlOutcome.Rejected) outcome).diagnosis().code())
        .isEqualTo(DiagnosisCode.TARGET_PATH_REJECTED);
  }

  @Test
  void resolveWhenSegmentMerelyStartsWithDotsThenAllowed() {
    assertThat(resolved(BASE, ".well-known/openid-configuration", Optional.empty()).getRawPath())
        .isEqualTo("/v2/.well-known/openid-configuration");
    assertThat(resolved(BASE, "a/...", Optional.empty()).getRawPath()).isEqualTo("/v2/a/...");
  }

  // --- properties ------------------------------------------------------------------------------

  private static final List<URI> BASES =
      List.of(
          URI.create("https://api.example.com/v2"),
          URI.create("https://api.example.com/v2/"),
          URI.create("https://api.example.com"),
          URI.create("http://10.0.0.7:8080/a/b?k=v"));

  @Provide
  Arbitrary<String> hostilePaths() {
    Arbitrary<String> piece =
        Arbitraries.of(
            ".",
            "..",
            "%",
            "2e",
            "2E",
            "%2e",
            "%2E",
            "/",
            "\\",
            ":",
            "%2f",
            "%2F",
            "%5c",
            "5c",
            "%25",
            "a",
            "v22",
            "http",
            "//",
            ";",
            "%00",
            "@",
            "~",
            " ",
            "?",
            "#",
            "%c0",
            "evil.com");
    return piece.list().ofMaxSize(10).map(pieces -> String.join("", pieces));
  }

  @Property(tries = 3000)
  void resolveWhenAnyPathThenTheUriStaysWithinTheBase(
      @ForAll("hostilePaths") String path, @ForAll("bases") URI base) {
    TargetUrlOutcome outcome = TargetUrl.resolve(base, path, Optional.empty());
    Statistics.label("outcome").collect(outcome.getClass().getSimpleName());

    if (outcome instanceof TargetUrlOutcome.Resolved resolved) {
      URI uri = resolved.uri();
      assertThat(uri.getScheme()).isEqualTo(base.getScheme());
      assertThat(uri.getHost()).isEqualTo(base.getHost());
      assertThat(uri.getPort()).isEqualTo(base.getPort());
      assertThat(uri.getRawFragment()).isNull();
      String prefix = base.getRawPath().replaceAll("/+$", "");
      String rawPath = uri.getRawPath();
      assertThat(rawPath.equals(prefix) || rawPath.startsWith(prefix + "/"))
          .as("%s below %s", rawPath, prefix)
          .isTrue();
      // even a target that decodes %2F and %5C before resolving finds no dot segment
      String decoded =
          new String(percentDecode(rawPath), StandardCharsets.ISO_8859_1).replace('\\', '/');
      assertThat(decoded.split("/")).doesNotContain(".", "..");
      assertThat(decoded).doesNotContain("\u0000");
    }
  }

  @Provide
  Arbitrary<URI> bases() {
    return Arbitraries.of(BASES);
  }

  private static byte[] percentDecode(String raw) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%' && i + 2 < raw.length()) {
        out.write(Integer.parseInt(raw.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        out.write(c);
      }
    }
    return out.toByteArray();
  }

  @Test
  void resolveWhenRejectedThenTheDiagnosisShowsTheUrlWithoutItsQueryValuesOrUserInfo() {
    URI withSecrets =
        URI.create("https://user:pass-word-1@api.example.com:8443/v2?api_key=key-secret-1&flag");

    Diagnosis diagnosis = rejected(withSecrets, "../private");

    assertThat(diagnosis.code()).isEqualTo(DiagnosisCode.TARGET_PATH_REJECTED);
    assertThat(diagnosis.message())
        .contains("https://api.example.com:8443/v2?api_key=***&flag")
        .doesNotContain("key-secret-1")
        .doesNotContain("pass-word-1");
    assertThat(diagnosis.toString() + diagnosis.remedy()).doesNotContain("key-secret-1");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "https://api.example.com/v2/a|access_token|abc.DEF-1_2~|https://api.example.com/v2/a?access_token=abc.DEF-1_2~",
        "https://api.example.com/v2/a?q=1|access_token|a+b/c=|https://api.example.com/v2/a?q=1&access_token=a%2Bb%2Fc%3D",
        "https://api.example.com/v2/a?|key|x y&z|https://api.example.com/v2/a?key=x%20y%26z",
        "https://api.example.com/v2/a|api key|ü|https://api.example.com/v2/a?api%20key=%C3%BC"
      })
  void withQueryParameterWhenAppendedThenNameAndValuePercentEncodedAfterTheQuery(
      String uri, String name, String value, String expected) {
    URI placed = TargetUrl.withQueryParameter(URI.create(uri), name, value);

    assertThat(placed).hasToString(expected);
  }

  @Property
  void withQueryParameterWhenDecodedThenTheValueComesBackByteForByte(@ForAll String value) {
    URI placed = TargetUrl.withQueryParameter(BASE, "t", value);

    String raw = placed.getRawQuery().substring("t=".length());
    assertThat(
            new String(java.net.URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8)))
        .isEqualTo(
            value.isEmpty()
                ? ""
                : new String(value.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8));
  }
}
