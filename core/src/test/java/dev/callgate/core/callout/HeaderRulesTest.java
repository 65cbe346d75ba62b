package dev.callgate.core.callout;

import static dev.callgate.core.callout.CalloutFixtures.ACCESS_TOKEN;
import static dev.callgate.core.callout.CalloutFixtures.CALLER_API_KEY;
import static dev.callgate.core.callout.CalloutFixtures.credential;
import static dev.callgate.core.callout.CalloutFixtures.oauth;
import static dev.callgate.core.callout.CalloutFixtures.tokens;
import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.core.credential.Authentication;
import dev.callgate.core.credential.NamedCredential;
import dev.callgate.core.credential.PrincipalType;
import dev.callgate.core.credential.Secret;
import dev.callgate.core.credential.TlsSettings;
import dev.callgate.core.credential.TokenPlacement;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.diagnosis.DiagnosisCode;
import dev.callgate.core.token.TokenSet;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class HeaderRulesTest {

  private static final MergeFieldValues VALUES =
      MergeFieldValues.of(oauth(), Optional.of(tokens()));
  private static final Optional<Headers.Header> GENERATED =
      AuthorizationHeaders.generate(oauth(), Optional.of(tokens()));
  private static final NamedCredential GENERATING = credential(oauth(), true, false);

  private static Headers prepared(HeaderOutcome outcome) {
    assertThat(outcome).isInstanceOf(HeaderOutcome.Prepared.class);
    return ((HeaderOutcome.Prepared) outcome).headers();
  }

  private static Diagnosis rejected(HeaderOutcome outcome) {
    assertThat(outcome).isInstanceOf(HeaderOutcome.Rejected.class);
    return ((HeaderOutcome.Rejected) outcome).diagnosis();
  }

  @Test
  void prepareWhenGeneratingThenCallerAuthorizationReplacedByTheGeneratedHeader() {
    Headers caller =
        Headers.of(
            "Authorization", "Bearer " + CALLER_API_KEY,
            "Accept", "application/json",
            "Content-Type", "application/json");

    Headers headers = prepared(HeaderRules.prepare(GENERATING, caller, GENERATED, VALUES));

    assertThat(headers.all("Authorization")).containsExactly("Bearer " + ACCESS_TOKEN);
    assertThat(headers.first("Accept")).contains("application/json");
    assertThat(headers.first("Content-Type")).contains("application/json");
  }

  @Test
  void prepareWhenHopByHopHostAndContentLengthThenDropped() {
    Headers caller =
        Headers.of(
            "Connection", "keep-alive, X-Debug-Trace",
            "Keep-Alive", "timeout=5",
            "Proxy-Connection", "keep-alive",
            "Proxy-Authenticate", "Basic",
            "Proxy-Authorization", "Basic Zm9vOmJhcg==",
            "TE", "trailers",
            "Trailer", "Expires",
            "transfer-encoding", "chunked",
            "Upgrade", "h2c",
            "Host", "callgate.internal:8080",
            "Content-Length", "42",
            "X-Debug-Trace", "on",
            "X-Request-Id", "b7a1c2");

    Headers headers = prepared(HeaderRules.prepare(GENERATING, caller, GENERATED, VALUES));

    assertThat(headers.fields())
        .extracting(Headers.Header::name)
        .containsExactly("X-Request-Id", "Authorization");
  }

  @Test
  void prepareWhenCallgateHeadersThenDroppedAndProxiedOnesForwardedUnderTheirName() {
    Headers caller =
        Headers.of(
            "Callgate-Trace", "1",
            "Callgate-Proxy-X-Correlation-Id", "c-42",
            "callgate-proxy-Sforce-Call-Options", "client=acme");

    Headers headers = prepared(HeaderRules.prepare(GENERATING, caller, GENERATED, VALUES));

    assertThat(headers.contains("Callgate-Trace")).isFalse();
    assertThat(headers.first("X-Correlation-Id")).contains("c-42");
    assertThat(headers.first("Sforce-Call-Options")).contains("client=acme");
  }

  @Test
  void prepareWhenProxiedAuthorizationWhileGeneratingThenConflictNamingTheHeader() {
    // the INVALID_SESSION_ID report: a caller writes its own header while Callgate generates one
    Headers caller =
        Headers.of(
            "Authorization",
            "Bearer " + CALLER_API_KEY,
            "Callgate-Proxy-Authorization",
            "OAuth {!$Credential.OAuthToken}");

    Diagnosis diagnosis = rejected(HeaderRules.prepare(GENERATING, caller, GENERATED, VALUES));

    assertThat(diagnosis.code()).isEqualTo(DiagnosisCode.AUTHORIZATION_HEADER_CONFLICT);
    assertThat(diagnosis.fact("header")).isEqualTo("Authorization");
    assertThat(diagnosis.fact("credential")).isEqualTo("salesforce-crm");
  }

  @Test
  void prepareWhenCallerSetsTheApiKeyHeaderWhileGeneratingThenConflict() {
    Authentication apiKey = new Authentication.ApiKey("X-API-Key", Secret.of("sk_live_51H"));
    Optional<Headers.Header> generated = AuthorizationHeaders.generate(apiKey, Optional.empty());

    Diagnosis diagnosis =
        rejected(
            HeaderRules.prepare(
                credential(apiKey, true, false),
                Headers.of("x-api-key", "my-own-key"),
                generated,
                MergeFieldValues.of(apiKey, Optional.empty())));

    assertThat(diagnosis.code()).isEqualTo(DiagnosisCode.AUTHORIZATION_HEADER_CONFLICT);
    assertThat(diagnosis.fact("header")).isEqualTo("X-API-Key");
  }

  @Test
  void prepareWhenGenerationOffAndMergeFieldsAllowedThenProxiedAuthorizationResolved() {
    Headers caller =
        Headers.of(
            "Authorization",
            "Bearer " + CALLER_API_KEY,
            "Callgate-Proxy-Authorization",
            "OAuth {!$Credential.OAuthToken}");

    Headers headers =
        prepared(HeaderRules.prepare(credential(oauth(), false, true), caller, GENERATED, VALUES));

    assertThat(headers.all("Authorization")).containsExactly("OAuth " + ACCESS_TOKEN);
  }

  @Test
  void prepareWhenGenerationOffThenTheGeneratedHeaderIsNotAdded() {
    Headers headers =
        prepared(
            HeaderRules.prepare(
                credential(oauth(), false, false),
                Headers.of("Accept", "application/json"),
                GENERATED,
                VALUES));

    assertThat(headers.contains("Authorization")).isFalse();
  }

  @Test
  void prepareWhenMergeFieldInAHeaderNotAllowedThenMergeFieldsNotAllowed() {
    Headers caller = Headers.of("Callgate-Proxy-Authorization", "OAuth {!$Credential.OAuthToken}");

    Diagnosis diagnosis =
        rejected(HeaderRules.prepare(credential(oauth(), false, false), caller, GENERATED, VALUES));

    assertThat(diagnosis.code()).isEqualTo(DiagnosisCode.MERGE_FIELDS_NOT_ALLOWED);
    assertThat(diagnosis.fact("field")).isEqualTo("{!$Credential.OAuthToken}");
    assertThat(diagnosis.fact("location")).isEqualTo("headers");
    assertThat(diagnosis.fact("credential")).isEqualTo("salesforce-crm");
  }

  @Test
  void prepareWhenUnknownMergeFieldAllowedThenMergeFieldUnknown() {
    Diagnosis diagnosis =
        rejected(
            HeaderRules.prepare(
                credential(oauth(), false, true),
                Headers.of("X-Session", "{!$Api.Session_ID}"),
                GENERATED,
                VALUES));

    assertThat(diagnosis.code()).isEqualTo(DiagnosisCode.MERGE_FIELD_UNKNOWN);
  }

  @Test
  void prepareWhenCallerValueHoldsALineBreakThenInvalidValue() {
    Diagnosis diagnosis =
        rejected(
            HeaderRules.prepare(
                GENERATING, Headers.of("X-Note", "a\r\nX-Injected: 1"), GENERATED, VALUES));

    assertThat(diagnosis.code()).isEqualTo(DiagnosisCode.INVALID_VALUE);
    assertThat(diagnosis.fact("field")).contains("X-Note");
  }

  @Test
  void prepareWhenGeneratedSecretHoldsALineBreakThenInvalidValueWithoutTheSecret() {
    Authentication apiKey = new Authentication.ApiKey("X-API-Key", Secret.of("k\r\nEvil: 1"));

    Diagnosis diagnosis =
        rejected(
            HeaderRules.prepare(
                credential(apiKey, true, false),
                Headers.EMPTY,
                AuthorizationHeaders.generate(apiKey, Optional.empty()),
                MergeFieldValues.of(apiKey, Optional.empty())));

    assertThat(diagnosis.code()).isEqualTo(DiagnosisCode.INVALID_VALUE);
    assertThat(diagnosis.message() + diagnosis.remedy()).doesNotContain("Evil");
  }

  private static final List<String> NAMES =
      List.of(
          "Connection",
          "Keep-Alive",
          "Proxy-Connection",
          "Proxy-Authenticate",
          "Proxy-Authorization",
          "TE",
          "Trailer",
          "Transfer-Encoding",
          "Upgrade",
          "Host",
          "Content-Length",
          "Authorization",
          "Callgate-Trace",
          "Callgate-Proxy-Accept",
          "Callgate-Proxy-Connection",
          "Callgate-Proxy-Transfer-Encoding",
          "Callgate-Proxy-X-Tenant",
          "Callgate-Proxy-",
          "X-Tenant",
          "X-Hop",
          "Accept",
          "Content-Type");

  private static final Set<String> HOP_BY_HOP =
      Set.of(
          "connection",
          "keep-alive",
          "proxy-connection",
          "proxy-authenticate",
          "proxy-authorization",
          "te",
          "trailer",
          "transfer-encoding",
          "upgrade");

  @Provide
  Arbitrary<Headers> callerHeaders() {
    Arbitrary<String> name =
        Combinators.combine(Arbitraries.of(NAMES), Arbitraries.of(true, false))
            .as((n, upper) -> upper ? n.toUpperCase(Locale.ROOT) : n.toLowerCase(Locale.ROOT));
    Arbitrary<String> value = Arbitraries.of("x", "X-Hop", "close, X-Hop", "1", "keep-alive");
    Arbitrary<Headers.Header> header =
        Combinators.combine(name, value)
            .as(
                (n, v) ->
                    new Headers.Header(
                        n, n.equalsIgnoreCase("Authorization") ? "Bearer " + CALLER_API_KEY : v));
    return header.list().ofMaxSize(12).map(Headers::new);
  }

  @Property
  void prepareThenNeverForwardsHopByHopHeadersNorTheCallersAuthorization(
      @ForAll("callerHeaders") Headers caller, @ForAll boolean generate) {
    HeaderOutcome outcome =
        HeaderRules.prepare(credential(oauth(), generate, false), caller, GENERATED, VALUES);

    if (outcome instanceof HeaderOutcome.Prepared prepared) {
      List<String> nominated = new ArrayList<>();
      caller.all("Connection").forEach(v -> nominated.addAll(List.of(v.split("\\s*,\\s*"))));
      for (Headers.Header header : prepared.headers().fields()) {
        String name = Headers.normalize(header.name());
        assertThat(HOP_BY_HOP).doesNotContain(name);
        assertThat(name).isNotIn("host", "content-length");
        assertThat(nominated).noneMatch(n -> n.equalsIgnoreCase(name));
        assertThat(name).doesNotStartWith("callgate-");
        assertThat(header.value()).doesNotContain(CALLER_API_KEY);
      }
      assertThat(prepared.headers().all("Authorization").size()).isLessThanOrEqualTo(1);
    } else {
      // only an empty Callgate-Proxy- name or a proxied Authorization while generating is refused
      assertThat(caller.fields())
          .anyMatch(
              h -> h.is("Callgate-Proxy-") || (generate && h.is("Callgate-Proxy-Authorization")));
    }
  }

  @Test
  void relayedToCallerWhenTargetSendsCallgateOwnedOrHopByHopHeadersThenNoneIsRelayed() {
    Headers target =
        Headers.of(
            "Callgate-Error", "TOKEN_REJECTED_AFTER_REFRESH",
            "callgate-anything", "x",
            "Connection", "close, X-Hop",
            "X-Hop", "1",
            "Transfer-Encoding", "chunked",
            "Keep-Alive", "timeout=5",
            "Content-Length", "12",
            "Content-Type", "application/json",
            "X-Request-Id", "r1");

    List<String> connection = target.all("Connection");
    Headers relayed = target.filter(h -> HeaderRules.relayedToCaller(h.name(), connection));

    assertThat(relayed.fields().stream().map(Headers.Header::name))
        .containsExactly("Content-Type", "X-Request-Id");
  }

  @Test
  void isHopByHopWhenConnectionListsNamesThenThoseGoToo() {
    Headers headers = Headers.of("Connection", "X-A", "X-A", "1", "TE", "trailers", "X-B", "2");
    List<String> connection = headers.all("Connection");

    assertThat(
            headers.filter(h -> !HeaderRules.isHopByHop(h.name(), connection)).fields().stream()
                .map(Headers.Header::name))
        .containsExactly("X-B");
  }

  @Test
  void isHopByHopWhenConnectionListsANameInAnotherCaseWithSpacesThenItIsHopByHop() {
    List<String> connection = List.of(" keep-alive ,X-Trace-Hop ,, ", "Upgrade");

    assertThat(HeaderRules.isHopByHop("x-trace-hop", connection)).isTrue();
    assertThat(HeaderRules.isHopByHop("UPGRADE", connection)).isTrue();
    assertThat(HeaderRules.isHopByHop("Te", List.of())).isTrue();
    assertThat(HeaderRules.isHopByHop("X-Trace", connection)).isFalse();
    assertThat(HeaderRules.isHopByHop("X-Trace-Hop-2", connection)).isFalse();
  }

  @Test
  void sentToTargetWhenTransportOwnedOrHopByHopThenNot() {
    assertThat(HeaderRules.sentToTarget("host", List.of())).isFalse();
    assertThat(HeaderRules.sentToTarget("CONTENT-LENGTH", List.of())).isFalse();
    assertThat(HeaderRules.sentToTarget("Proxy-Authorization", List.of())).isFalse();
    assertThat(HeaderRules.sentToTarget("X-Custom", List.of("x-custom"))).isFalse();
    assertThat(HeaderRules.sentToTarget("X-Custom", List.of("close"))).isTrue();
  }

  @Test
  void echoGuardWhenBasicThenWatchesTheHeaderTheBase64AndUserPassword() {
    Authentication basic = new Authentication.Basic("svc-account", Secret.of("pa55word-x"));
    NamedCredential credential = credential(basic, true, false);
    Optional<Headers.Header> generated = AuthorizationHeaders.generate(basic, Optional.empty());

    EchoGuard guard =
        HeaderRules.echoGuard(credential, generated, MergeFieldValues.of(basic, Optional.empty()));

    String base64 = generated.orElseThrow().value().substring("Basic ".length());
    assertThat(guard.echoedIn(Body.of("x" + base64 + "y"))).isTrue();
    assertThat(guard.echoedIn(Body.of("svc-account:pa55word-x"))).isTrue();
    assertThat(guard.echoedIn(Body.of("svc-account"))).isFalse();
  }

  @Test
  void echoGuardWhenApiKeyOrBearerThenWatchesTheKeyAndTheToken() {
    Authentication apiKey = new Authentication.ApiKey("X-API-Key", Secret.of("k-0123456789"));
    EchoGuard keyGuard =
        HeaderRules.echoGuard(
            credential(apiKey, true, false),
            AuthorizationHeaders.generate(apiKey, Optional.empty()),
            MergeFieldValues.of(apiKey, Optional.empty()));
    EchoGuard bearerGuard = HeaderRules.echoGuard(GENERATING, GENERATED, VALUES);

    assertThat(keyGuard.echoedIn(Headers.of("X-Echo", "k-0123456789"))).isPresent();
    assertThat(bearerGuard.echoedIn(Body.of("token=" + ACCESS_TOKEN))).isTrue();
  }

  @Test
  void echoGuardWhenTheTokenIsPlacedInTheQueryThenWatchesItAsSentAndAsIssued() {
    String token = "eyJ0eXAi+Ou/8Nc=";
    TokenSet set = CalloutFixtures.tokens(token, "Bearer");
    NamedCredential base = credential(oauth(), true, false);
    NamedCredential inQuery =
        new NamedCredential(
            base.name(),
            base.url(),
            base.authentication(),
            base.principal(),
            true,
            false,
            false,
            base.allowedCallers(),
            true,
            Optional.empty(),
            base.allowedMethods(),
            List.of(),
            Optional.empty(),
            RefreshRules.NONE,
            new TokenPlacement.InQuery("access_token"),
            TlsSettings.NONE);
    Optional<Headers.Header> generated =
        AuthorizationHeaders.generate(oauth(), Optional.of(set), inQuery.tokenPlacement());

    EchoGuard guard =
        HeaderRules.echoGuard(inQuery, generated, MergeFieldValues.of(oauth(), Optional.of(set)));

    assertThat(generated).isEmpty();
    assertThat(guard.echoedIn(Headers.of("X-Requested", "/v1?access_token=eyJ0eXAi%2BOu%2F8Nc%3D")))
        .isPresent();
    assertThat(guard.echoedIn(Body.of("you sent " + token))).isTrue();
  }

  @Test
  void echoGuardWhenTheCredentialUrlHasAQueryThenWatchesItsValuesAsSentAndDecoded() {
    NamedCredential inUrl =
        new NamedCredential(
            "maps",
            URI.create("https://maps.example/v1?api_key=k%2F0123456789&format=json"),
            new Authentication.None(),
            PrincipalType.NAMED,
            false,
            false,
            false,
            Set.of("billing-service"),
            true,
            Optional.empty());

    EchoGuard guard =
        HeaderRules.echoGuard(
            inUrl,
            Optional.empty(),
            MergeFieldValues.of(new Authentication.None(), Optional.empty()));

    assertThat(guard.echoedIn(Body.of("{\"key\":\"k/0123456789\"}"))).isTrue();
    assertThat(guard.echoedIn(Headers.of("X-Echo", "api_key=k%2F0123456789"))).isPresent();
    // too short to be a secret, and everywhere in ordinary answers
    assertThat(guard.echoedIn(Body.of("{\"format\":\"json\"}"))).isFalse();
  }

  @Test
  void methodRefusedWhenTraceThenMethodNotAllowedListingTheAllowedOnes() {
    Optional<Diagnosis> refusal = HeaderRules.methodRefused(GENERATING, "TRACE");

    assertThat(refusal).isPresent();
    assertThat(refusal.get().code()).isEqualTo(DiagnosisCode.METHOD_NOT_ALLOWED);
    assertThat(refusal.get().fact("allowed"))
        .isEqualTo("GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
    assertThat(HeaderRules.methodRefused(GENERATING, "PATCH")).isEmpty();
  }

  @Test
  void invalidFieldWhenNamesAndValuesAreTokensAndVisibleAsciiThenNone() {
    assertThat(HeaderRules.invalidField(Headers.of("X-A", "a b\tc ~!", "Accept", "*/*"))).isEmpty();
    assertThat(HeaderRules.invalidField(Headers.of("", "v"))).isPresent();
    assertThat(HeaderRules.invalidField(Headers.of("X-A", "caf\u00e9"))).isPresent();
  }

  @Test
  void ambiguousRequestWhenFramingHostOrAuthorizationCanBeReadTwoWaysThenAmbiguousRequest() {
    List<Headers> ambiguous =
        List.of(
            Headers.of("Content-Length", "4", "Transfer-Encoding", "chunked"),
            Headers.of("Transfer-Encoding", "chunked, identity"),
            Headers.of("Transfer-Encoding", "identity"),
            Headers.of("Transfer-Encoding", "xchunked"),
            Headers.of("Transfer-Encoding", "gzip"),
            Headers.of("Transfer-Encoding", "chunked, chunked"),
            Headers.of("Transfer-Encoding", "chunked", "transfer-encoding", "chunked"),
            Headers.of("Content-Length", "4", "Content-Length", "4"),
            Headers.of("Host", "a", "host", "b"),
            Headers.of("Authorization", "Bearer a", "Authorization", "Bearer b"));
    for (Headers headers : ambiguous) {
      assertThat(HeaderRules.ambiguousRequest(headers, false))
          .as(headers.fields().stream().map(h -> h.name() + ": " + h.value()).toList().toString())
          .hasValueSatisfying(d -> assertThat(d.code()).isEqualTo(DiagnosisCode.AMBIGUOUS_REQUEST));
    }
    assertThat(HeaderRules.ambiguousRequest(Headers.of("Host", "a"), true))
        .hasValueSatisfying(d -> assertThat(d.message()).contains("whitespace"));
  }

  @Test
  void ambiguousRequestWhenOneFramingOneHostOneAuthorizationThenEmpty() {
    assertThat(
            HeaderRules.ambiguousRequest(
                Headers.of(
                    "Host", "a", "Authorization", "Bearer k", "Transfer-Encoding", "Chunked"),
                false))
        .isEmpty();
    assertThat(
            HeaderRules.ambiguousRequest(
                Headers.of("Host", "a", "Content-Length", "3", "X-A", "1", "X-A", "2"), false))
        .isEmpty();
  }
}
