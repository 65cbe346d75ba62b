package dev.callgate.app.hostile;

import static dev.callgate.app.hostile.Expectation.anyAnswer;
import static dev.callgate.app.hostile.Expectation.createdOrRefused;
import static dev.callgate.app.hostile.Expectation.notUpgraded;
import static dev.callgate.app.hostile.Expectation.refused;
import static dev.callgate.app.hostile.Expectation.refusedOrClosed;
import static dev.callgate.app.hostile.Expectation.refusedOrRelayed;
import static dev.callgate.app.hostile.Expectation.refusedOrRelayedTo;
import static dev.callgate.app.hostile.Expectation.refusedPage;
import static dev.callgate.app.hostile.Expectation.relayed;
import static dev.callgate.app.hostile.Expectation.relayedWithoutCallgateError;
import static dev.callgate.app.hostile.RawRequest.utf8;

import dev.callgate.app.hostile.RawClient.Ending;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The hostile requests, category by category, each a table of named cases. A category's cases run
 * in order; a few depend on the one before (an upload broken off, then the next caller's request
 * that must not land inside it).
 */
final class HostileRequests {
  /** The credentials on the recording target, one per protocol, and who calls each. */
  static final List<Route> ROUTES =
      List.of(
          new Route("c_basic", "alice"),
          new Route("c_apikey", "admin"),
          new Route("c_query", "admin"),
          new Route("c_cc", "alice"),
          new Route("c_code", "admin"),
          new Route("c_user", "alice"));

  /** A credential and the caller who may call it. */
  record Route(String credential, String caller) {
    String callout(String rest) {
      return "/v1/callout/" + credential + "/" + rest;
    }
  }

  /** What the setup made: addresses, keys, and OAuth flows in the states the cases need. */
  record Fixture(
      String callgateAuthority,
      String targetAuthority,
      Map<String, String> keys,
      Map<String, String> usedCallback,
      PendingFlow pending,
      PendingFlow pendingToDeny,
      Supplier<Map<String, String>> strangersCallback) {
    Optional<String> key(String caller) {
      return caller.equals("nobody") ? Optional.empty() : Optional.of(keys.get(caller));
    }
  }

  /** A flow opened in a browser, not yet completed: its state and the cookie that binds it. */
  record PendingFlow(String state, String cookie) {}

  private final Fixture fixture;
  private final Map<String, List<HostileCase>> categories = new LinkedHashMap<>();
  private List<HostileCase> current;
  private String category;
  private int tags;

  HostileRequests(Fixture fixture) {
    this.fixture = fixture;
    controls();
    pathTraversal();
    calloutRouteTricks();
    hostTricks();
    headerInjection();
    methods();
    malformedRequestLines();
    oversized();
    h2cUpgrade();
    adminJson();
    keySubjects();
    multipart();
    authentication();
    echoOfInjectedSecrets();
    truncatedUploads();
    definitions();
    oauthState();
  }

  Map<String, List<HostileCase>> categories() {
    return categories;
  }

  private void category(String name) {
    category = name;
    current = new ArrayList<>();
    categories.put(name, current);
  }

  /** A request of the current category, as {@code caller}, to Callgate. */
  private RawRequest request(String method, String target, String caller) {
    return RawRequest.of(method, target).host(fixture.callgateAuthority()).as(fixture.key(caller));
  }

  private HostileCase add(String name, RawRequest request, Expectation expectation) {
    String tag = "h" + ++tags;
    HostileCase kase = HostileCase.of(category, name, tag, request.tag(tag), expectation);
    current.add(kase);
    return kase;
  }

  private void replaceLast(HostileCase kase) {
    current.set(current.size() - 1, kase);
  }

  private String admin() {
    return fixture.keys().get("admin");
  }

  // ---------------------------------------------------------------------------------------------

  /** Requests that must work: they show the target, the credentials and the recording work. */
  private void controls() {
    category("controls (must be relayed)");
    for (Route route : ROUTES) {
      // the first callout of a credential may fetch its token from a provider on a busy machine
      replaceLast(
          add(
                  route.caller() + " GET " + route.callout("ok"),
                  request("GET", route.callout("ok"), route.caller()),
                  relayed(200))
              .within(Duration.ofSeconds(15)));
      add(
          route.caller() + " POST " + route.callout("ok") + " with a body",
          request("POST", route.callout("ok"), route.caller())
              .line("Content-Type: application/json")
              .body("{\"hello\":\"target\"}"),
          relayed(200));
    }
    for (String method : List.of("HEAD", "PUT", "PATCH", "DELETE", "OPTIONS")) {
      add(
          "alice " + method + " /v1/callout/c_basic/ok",
          request(method, "/v1/callout/c_basic/ok", "alice"),
          relayed(200));
    }
    add(
        "alice POST /v1/callout/c_basic/ok chunked",
        request("POST", "/v1/callout/c_basic/ok", "alice")
            .chunked(Chunked.encode(bytes("a chunked body that is whole"), 7)),
        relayed(200));
  }

  /** Dot segments in every encoding, backslashes, absolute URLs: each refused, on every route. */
  private void pathTraversal() {
    category("path traversal and dot encodings");
    Map<String, String> payloads = new LinkedHashMap<>();
    payloads.put("plain dots", "../private");
    payloads.put("plain dots twice", "../../private");
    payloads.put("plain dots alone", "..");
    payloads.put("climb after a segment", "x/../../private");
    payloads.put("climb at the end", "x/..");
    payloads.put("single dot", "./private");
    payloads.put("%2e%2e", "%2e%2e/private");
    payloads.put("%2E%2E upper case", "%2E%2E/private");
    payloads.put("half encoded .%2e", ".%2e/private");
    payloads.put("half encoded %2e.", "%2e./private");
    payloads.put("single %2e", "%2e/private");
    payloads.put("encoded slash ..%2f", "..%2fprivate");
    payloads.put("encoded slash ..%2F", "..%2Fprivate");
    payloads.put("all encoded %2e%2e%2f", "%2e%2e%2fprivate");
    payloads.put("encoded slashes twice", "x/..%2f..%2fprivate");
    payloads.put("to a sibling credential", "%2e%2e%2f%2e%2e%2fapi%2fc_apikey%2fok");
    payloads.put("double-encoded %252e", "%252e%252e/private");
    payloads.put("double-encoded with slash", "%252e%252e%252fprivate");
    payloads.put("double-encoded slash only", "..%252fprivate");
    payloads.put("triple-encoded %25252e", "%25252e%25252e/private");
    payloads.put("quadruple-encoded", "%2525252e%2525252e/private");
    payloads.put("nested %%32%65", "%%32%65%%32%65/private");
    payloads.put("IIS %u002e", "%u002e%u002e/private");
    payloads.put("overlong %c0%ae", "%c0%ae%c0%ae/private");
    payloads.put("overlong %c0%2e", "%c0%2e%c0%2e/private");
    payloads.put("overlong three bytes %e0%80%ae", "%e0%80%ae%e0%80%ae/private");
    payloads.put("overlong slash %c0%af", "..%c0%afprivate");
    payloads.put("overlong backslash %c1%9c", "..%c1%9cprivate");
    payloads.put("overlong dots and slash", "%c0%ae%c0%ae%c0%afprivate");
    payloads.put("full-width %ef%bc%8e", "%ef%bc%8e%ef%bc%8e/private");
    payloads.put("full-width dots and slash", "%ef%bc%8e%ef%bc%8e%ef%bc%8fprivate");
    payloads.put("full-width slash", "..%ef%bc%8fprivate");
    payloads.put("full-width raw UTF-8", utf8("\uff0e\uff0e/private"));
    payloads.put("one-dot leader raw UTF-8", utf8("\u2024\u2024/private"));
    payloads.put("backslash", "..\\private");
    payloads.put("backslashes twice", "..\\..\\private");
    payloads.put("encoded backslash %5c", "..%5cprivate");
    payloads.put("encoded dots and backslash", "%2e%2e%5cprivate");
    payloads.put("backslash host", "%5c%5c127.0.0.1%5cprivate");
    payloads.put("path parameter ..;", "..;/private");
    payloads.put("encoded dots with parameter", "%2e%2e;x/private");
    payloads.put("dot with parameter", ".;/../private");
    payloads.put("NUL after dots", "..%00/private");
    payloads.put("NUL before dots", "%00../private");
    payloads.put("tab in dots", ".%09./private");
    payloads.put("double slash host", "/127.0.0.1/private");
    payloads.put("absolute URL", "http://127.0.0.1/private");
    payloads.put("absolute URL encoded slashes", "http:%2f%2f127.0.0.1%2fprivate");
    payloads.put("scheme-relative https:/", "https:/private");
    // every encoding on a route that authenticates in a header and on one that keeps its key in
    // the query; the forms the guard has missed, and a few it has not, on every other protocol
    Set<String> everywhere =
        Set.of(
            "plain dots",
            "%2e%2e",
            "encoded slash ..%2f",
            "double-encoded %252e",
            "triple-encoded %25252e",
            "quadruple-encoded",
            "overlong %c0%ae",
            "overlong three bytes %e0%80%ae",
            "full-width %ef%bc%8e",
            "full-width slash",
            "backslash",
            "path parameter ..;");
    for (Route route : ROUTES) {
      boolean all = route.credential().equals("c_basic") || route.credential().equals("c_query");
      payloads.forEach(
          (what, payload) -> {
            if (all || everywhere.contains(what)) {
              add(
                  route.caller() + " " + route.credential() + " " + what + ": " + payload,
                  request("GET", route.callout(payload), route.caller()),
                  refused());
            }
          });
    }
  }

  /** Callgate's own path, bent: the credential must come from what the router matched. */
  private void calloutRouteTricks() {
    category("callout route tricks");
    add("GET /v1/callout", request("GET", "/v1/callout", "admin"), refused());
    add("GET /v1/callout/", request("GET", "/v1/callout/", "admin"), refused());
    add("GET /v1/callout//ok", request("GET", "/v1/callout//ok", "admin"), refused());
    add("POST /v1/callout", request("POST", "/v1/callout", "alice").body("{}"), refused());
    for (String path :
        List.of(
            "/v1/x/../callout/c_basic/ok",
            "/v1/xxxxxxxxxx/../callout/c_basic/ok",
            "/v1/./callout/c_basic/ok",
            "/v1/callout/./c_basic/ok",
            "/v1/callout/../callout/c_basic/ok",
            "/v1/callout/x/../c_basic/ok",
            "/v1/keys/..;/callout/c_basic/ok",
            "/v1/%63allout/c_basic/ok",
            "/v1/callout/c%5fbasic/ok",
            "//v1/callout/c_basic/ok",
            "/v1//callout/c_basic/ok")) {
      add(
          "alice GET " + path,
          request("GET", path, "alice"),
          refusedOrRelayedTo("/api/c_basic/ok"));
    }
    add(
        "mallory GET /v1/x/../callout/c_basic/ok",
        request("GET", "/v1/x/../callout/c_basic/ok", "mallory"),
        refused(401, 403, 404));
    add(
        "mallory GET /v1/callout/c_basic/../../keys",
        request("GET", "/v1/callout/c_basic/../../keys", "mallory"),
        refused());
    add(
        "alice GET /v1/callout/c_basic%2fok",
        request("GET", "/v1/callout/c_basic%2fok", "alice"), refusedOrRelayedTo("/api/c_basic/ok"));
    add(
        "alice GET /v1/callout/c_basic%00/ok",
        request("GET", "/v1/callout/c_basic%00/ok", "alice"), refused());
    add(
        "alice GET /v1/callout/c_basic;x=y/ok",
        request("GET", "/v1/callout/c_basic;x=y/ok", "alice"),
        refusedOrRelayedTo("/api/c_basic/ok"));
    add(
        "alice GET /V1/CALLOUT/c_basic/ok",
        request("GET", "/V1/CALLOUT/c_basic/ok", "alice"),
        refused());
    add(
        "alice GET /v1/callout/C_BASIC/ok",
        request("GET", "/v1/callout/C_BASIC/ok", "alice"),
        refusedOrRelayedTo("/api/c_basic/ok"));
    add(
        "alice GET /v1/callout/c_basic/ok#fragment",
        request("GET", "/v1/callout/c_basic/ok#fragment", "alice"),
        refused());
    add(
        "anonymous GET /health/../v1/keys",
        request("GET", "/health/../v1/keys", "nobody"),
        refused());
    add(
        "anonymous GET /metrics/../v1/keys",
        request("GET", "/metrics/../v1/keys", "nobody"),
        refused());
    add(
        "anonymous GET /openapi.json/../v1/keys",
        request("GET", "/openapi.json/../v1/keys", "nobody"),
        refused());
    add(
        "anonymous GET /v1/oauth/callback/../../../v1/keys",
        request("GET", "/v1/oauth/callback/../../../v1/keys", "nobody"),
        refused());
    add(
        "anonymous GET /v1/oauth/callback/..%2f..%2fkeys",
        request("GET", "/v1/oauth/callback/..%2f..%2fkeys", "nobody"), refused());
    add(
        "mallory GET /v1/credentials/..%2fkeys",
        request("GET", "/v1/credentials/..%2fkeys", "mallory"), refused());
    add(
        "mallory GET /v1/credentials/c_basic/../../keys",
        request("GET", "/v1/credentials/c_basic/../../keys", "mallory"),
        refused());
  }

  /** The Host header and its relatives never steer where a callout goes or a redirect points. */
  private void hostTricks() {
    category("Host tricks");
    String callout = "/v1/callout/c_basic/ok";
    Map<String, Function<RawRequest, RawRequest>> tricks = new LinkedHashMap<>();
    tricks.put("Host: evil.example", r -> r.host("evil.example"));
    tricks.put("Host: 169.254.169.254", r -> r.host("169.254.169.254"));
    tricks.put("Host: user@evil.example", r -> r.host("evil.example:80@127.0.0.1"));
    tricks.put("Host: localhost", r -> r.host("localhost"));
    tricks.put("Host with a trailing dot", r -> r.host("127.0.0.1."));
    tricks.put("X-Forwarded-Host: evil.example", r -> r.line("X-Forwarded-Host: evil.example"));
    tricks.put(
        "Forwarded: host=evil.example", r -> r.line("Forwarded: host=evil.example;proto=https"));
    tricks.put(
        "X-Forwarded-Proto and Port",
        r -> r.line("X-Forwarded-Proto: https").line("X-Forwarded-Port: 1"));
    tricks.put("X-Original-URL: /private", r -> r.line("X-Original-URL: /api/private"));
    tricks.put("X-Rewrite-URL: /private", r -> r.line("X-Rewrite-URL: /api/private"));
    tricks.put("empty Host", r -> r.host(""));
    for (var trick : tricks.entrySet()) {
      add(
          "alice GET " + callout + " with " + trick.getKey(),
          trick.getValue().apply(request("GET", callout, "alice")),
          refusedOrRelayedTo("/api/c_basic/ok"));
    }
    add("no Host", request("GET", callout, "alice").noHost(), refused(400));
    add(
        "two Host headers",
        request("GET", callout, "alice").line("Host: evil.example"),
        refused(400));
    add("Host with a space", request("GET", callout, "alice").host("evil example"), refused(400));
    add("Host in UTF-8", request("GET", callout, "alice").host(utf8("évil.example")), refused(400));
    add(
        "Host with a path",
        request("GET", callout, "alice").host("127.0.0.1/private"),
        refused(400));
    add(
        "absolute-form for another host",
        request("GET", "http://evil.example" + callout, "alice"),
        refusedOrRelayedTo("/api/c_basic/ok"));
    add(
        "absolute-form for Callgate",
        request("GET", "http://" + fixture.callgateAuthority() + callout, "alice"),
        refusedOrRelayedTo("/api/c_basic/ok"));
    for (String host : List.of("evil.example", "169.254.169.254")) {
      add(
          "the authorization URL with Host: " + host,
          request("POST", "/v1/credentials/c_code/authorizations", "admin").host(host),
          redirectsOnlyToCallgate());
      add(
          "the authorization URL with X-Forwarded-Host: " + host,
          request("POST", "/v1/credentials/c_code/authorizations", "admin")
              .line("X-Forwarded-Host: " + host),
          redirectsOnlyToCallgate());
    }
    add(
        "the callback with Host: evil.example",
        request("GET", "/v1/oauth/callback?state=forged-state-0123456789&code=x", "nobody")
            .host("evil.example"),
        refusedPage());
  }

  private static Expectation redirectsOnlyToCallgate() {
    return (answer, atTarget) -> {
      if (answer.status() != 201) {
        Expectation.refused().check(answer, atTarget);
      } else if (answer.bodyText().contains("evil") || answer.bodyText().contains("169.254")) {
        throw new AssertionError("the authorization URL follows the Host: " + answer.bodyText());
      }
    };
  }

  /** Header lines that are not what they seem; each route gets every one. */
  private void headerInjection() {
    category("header injection and smuggling");
    for (Route route : List.of(ROUTES.get(0), ROUTES.get(1))) {
      String path = route.callout("ok");
      String who = route.caller() + " " + route.credential() + ": ";
      Function<String, RawRequest> get = line -> request("GET", path, route.caller()).line(line);
      add(who + "bare CR in a value", get.apply("X-A: a\rInjected: b"), refused(400));
      add(who + "NUL in a value", get.apply("X-A: a\0b"), refused(400));
      add(who + "NUL in a name", get.apply("X\0A: b"), refused(400));
      add(who + "empty header name", get.apply(": empty-name"), refused(400));
      add(who + "space in a name", get.apply("X A: b"), refused(400));
      add(who + "space before the colon", get.apply("X-A : b"), refused(400));
      add(who + "no colon", get.apply("X-A-without-colon"), refused(400));
      add(who + "DEL in a value", get.apply("X-A: a\u007fb"), refused(400));
      add(who + "non-token name in UTF-8", get.apply(utf8("Café: x")), refused(400));
      add(
          who + "obs-fold continuation line",
          get.apply("X-A: a\r\n folded: b"),
          refusedOrRelayed());
      // written by hand: the builder puts Host, the key and the case's tag first, which would make
      // this line a continuation of the tag instead of whitespace right after the request line
      String foldedTag = "h" + (tags + 1);
      addRaw(
          who + "obs-fold as the first header",
          bytes(
              "GET "
                  + path
                  + " HTTP/1.1\r\n X-Folded: b\r\nHost: "
                  + fixture.callgateAuthority()
                  + "\r\nAuthorization: Bearer "
                  + fixture.keys().get(route.caller())
                  + "\r\n"
                  + RecordingTarget.CASE_HEADER
                  + ": "
                  + foldedTag
                  + "\r\nConnection: close\r\n\r\n"),
          refused(400));
      add(
          who + "bare LF inside a value line",
          get.apply("X-A: a\nInjected: b"),
          refusedOrRelayed());
      add(who + "UTF-8 value", get.apply(utf8("X-Name: café")), refusedOrRelayed());
      add(
          who + "percent-encoded CRLF in a value",
          get.apply("X-A: a%0d%0aInjected: b"),
          refusedOrRelayed());
      add(
          who + "Callgate-Proxy-Host: evil.example",
          get.apply("Callgate-Proxy-Host: evil.example"),
          refusedOrRelayedTo("/api/" + route.credential() + "/ok"));
      add(
          who + "Callgate-Proxy-Content-Length: 100",
          get.apply("Callgate-Proxy-Content-Length: 100"),
          refusedOrRelayed());
      add(
          who + "Callgate-Proxy-Transfer-Encoding: chunked",
          get.apply("Callgate-Proxy-Transfer-Encoding: chunked"),
          refusedOrRelayed());
      add(
          who + "Callgate-Proxy-Connection: close",
          get.apply("Callgate-Proxy-Connection: keep-alive, Upgrade"),
          refusedOrRelayed());
      add(
          who + "Connection names the injected header",
          get.apply(
              "Connection: close, Authorization, X-Api-Key, Host, Callgate-Proxy-Authorization"),
          refusedOrRelayed());
      add(
          who + "Callgate-Error sent by the caller",
          get.apply("Callgate-Error: CALLER_NOT_ALLOWED"),
          refusedOrRelayed());
      add(who + "Expect: something-else", get.apply("Expect: something-else"), refusedOrRelayed());
      add(
          who + "a second Authorization, another caller's",
          get.apply("Authorization: Bearer " + fixture.keys().get("mallory")),
          refused());
      add(
          who + "a forwarded Callgate-Proxy line ending the head early",
          get.apply("Callgate-Proxy-X: a\r\n\r\nGET /private HTTP/1.1"),
          refusedOrRelayed());

      String post = route.callout("ok");
      Function<RawRequest, RawRequest> posted =
          r -> r.line("Content-Type: text/plain").noContentLength();
      add(
          who + "two different Content-Length",
          posted
              .apply(request("POST", post, route.caller()))
              .line("Content-Length: 5")
              .line("Content-Length: 6")
              .body("hello!"),
          refused(400));
      add(
          who + "Content-Length list 5, 6",
          posted
              .apply(request("POST", post, route.caller()))
              .line("Content-Length: 5, 6")
              .body("hello!"),
          refused(400));
      for (String length : List.of("-1", "+5", "0x5", "5.0", "1e3", "99999999999999999999", " ")) {
        add(
            who + "Content-Length: " + length,
            posted
                .apply(request("POST", post, route.caller()))
                .line("Content-Length: " + length)
                .body("hello"),
            refused(400, 413));
      }
      byte[] smuggled =
          bytes(
              "0\r\n\r\nGET /v1/callout/"
                  + route.credential()
                  + "/../private HTTP/1.1\r\nHost: x\r\n\r\n");
      add(
          who + "Content-Length then Transfer-Encoding",
          posted
              .apply(request("POST", post, route.caller()))
              .line("Content-Length: " + smuggled.length)
              .line("Transfer-Encoding: chunked")
              .body(smuggled),
          refused(400));
      add(
          who + "Transfer-Encoding then Content-Length: 4",
          posted
              .apply(request("POST", post, route.caller()))
              .line("Transfer-Encoding: chunked")
              .line("Content-Length: 4")
              .body(smuggled),
          refused(400));
      for (String coding :
          List.of(
              "chunked, identity",
              "identity",
              "xchunked",
              "chunked, chunked",
              "gzip",
              "chunked\u000b")) {
        add(
            who + "Transfer-Encoding: " + coding.replace("\u000b", "\\v"),
            posted
                .apply(request("POST", post, route.caller()))
                .line("Transfer-Encoding: " + coding)
                .body(Chunked.encode(bytes("hello"), 5)),
            refused(400));
      }
      add(
          who + "Transfer-Encoding with a space before the colon",
          posted
              .apply(request("POST", post, route.caller()))
              .line("Transfer-Encoding : chunked")
              .body(Chunked.encode(bytes("hello"), 5)),
          refused(400));
      add(
          who + "two Transfer-Encoding headers",
          posted
              .apply(request("POST", post, route.caller()))
              .line("Transfer-Encoding: chunked")
              .line("Transfer-Encoding: chunked")
              .body(Chunked.encode(bytes("hello"), 5)),
          refused(400));
      // a body that breaks mid-way may be refused or cut off; the target must never get it whole
      String cut = "10\r\nTRUNCATED-UPLOAD\r\n";
      for (var chunks :
          Map.of(
                  "chunk size overflow", cut + "ffffffffffffffffff\r\nhello\r\n0\r\n\r\n",
                  "negative chunk size", cut + "-5\r\nhello\r\n0\r\n\r\n",
                  "chunk size not hex", cut + "zz\r\nhello\r\n0\r\n\r\n",
                  "chunk longer than its size", cut + "3\r\nhello\r\n0\r\n\r\n",
                  "NUL in a chunk extension", cut + "5;a=\0\r\nhello\r\n0\r\n\r\n",
                  "bare LF after a chunk", "10\nTRUNCATED-UPLOAD\n0\n\n")
              .entrySet()) {
        add(
            who + chunks.getKey(),
            posted
                .apply(request("POST", post, route.caller()))
                .line("Transfer-Encoding: chunked")
                .body(bytes(chunks.getValue())),
            refusedOrClosed());
      }
      add(
          who + "Authorization in a chunked trailer, none in the head",
          RawRequest.of("POST", post)
              .host(fixture.callgateAuthority())
              .line("Trailer: Authorization")
              .chunked(bytes("5\r\nhello\r\n0\r\nAuthorization: Bearer " + admin() + "\r\n\r\n")),
          refused(401));
    }
  }

  /** Methods outside the allow-list never reach a target; TRACE and CONNECT never at all. */
  private void methods() {
    category("TRACE, CONNECT and odd methods");
    List<String> methods =
        List.of(
            "TRACE",
            "CONNECT",
            "TRACK",
            "DEBUG",
            "PROPFIND",
            "MKCOL",
            "COPY",
            "MOVE",
            "LOCK",
            "PURGE",
            "SEARCH",
            "M-SEARCH",
            "get",
            "FOO",
            "X".repeat(1000));
    for (Route route : ROUTES) {
      for (String method : methods) {
        add(
            route.caller()
                + " "
                + (method.length() > 20 ? "a 1000-letter method" : method)
                + " "
                + route.callout("echo"),
            request(method, route.callout("echo"), route.caller())
                .line("Max-Forwards: 1")
                .line("Callgate-Proxy-Max-Forwards: 1"),
            refused());
      }
    }
    add("admin TRACE /v1/keys", request("TRACE", "/v1/keys", "admin"), refused());
    add("anonymous TRACE /health/live", request("TRACE", "/health/live", "nobody"), refused());
    add("anonymous TRACE *", request("TRACE", "*", "nobody"), refused());
    add("anonymous OPTIONS *", request("OPTIONS", "*", "nobody"), refused());
    add(
        "alice CONNECT authority-form to the target",
        request("CONNECT", fixture.targetAuthority(), "alice"),
        refused());
    add(
        "alice CONNECT authority-form to metadata",
        request("CONNECT", "169.254.169.254:80", "alice"),
        refused());
  }

  /** Request lines a parser must refuse: each gets a problem document, not a bare 400. */
  private void malformedRequestLines() {
    category("malformed request lines");
    String host = "Host: " + fixture.callgateAuthority() + "\r\n";
    Map<String, String> raw = new LinkedHashMap<>();
    raw.put("method alone", "GET\r\n" + host + "\r\n");
    raw.put("a word after the version", "GET /v1/keys HTTP/1.1 extra\r\n" + host + "\r\n");
    raw.put("two spaces", "GET  /v1/keys HTTP/1.1\r\n" + host + "\r\n");
    raw.put("tabs for spaces", "GET\t/v1/keys\tHTTP/1.1\r\n" + host + "\r\n");
    raw.put("HTTP/1.10", "GET /v1/keys HTTP/1.10\r\n" + host + "\r\n");
    raw.put("lower-case version", "GET /v1/keys http/1.1\r\n" + host + "\r\n");
    raw.put("HTTP/0.9 request", "GET /v1/keys\r\n\r\n");
    raw.put("a response as a request", "HTTP/1.1 200 OK\r\n" + host + "\r\n");
    raw.put("space in the target", "GET /v1/callout/c_basic/a b HTTP/1.1\r\n" + host + "\r\n");
    raw.put("asterisk target for GET", "GET * HTTP/1.1\r\n" + host + "\r\n");
    raw.put("query-only target", "GET ?x=1 HTTP/1.1\r\n" + host + "\r\n");
    raw.put("target without a slash", "GET v1/keys HTTP/1.1\r\n" + host + "\r\n");
    raw.put("control char in the target", "GET /v1/keys\u0001 HTTP/1.1\r\n" + host + "\r\n");
    raw.put("DEL as the method", "\u007f /v1/keys HTTP/1.1\r\n" + host + "\r\n");
    raw.put("CR CR LF", "GET /v1/keys HTTP/1.1\r\r\n" + host + "\r\n");
    raw.put("invalid percent %zz", "GET /%zz HTTP/1.1\r\n" + host + "\r\n");
    for (var line : raw.entrySet()) {
      addRaw(line.getKey(), bytes(line.getValue()), refused(400, 401, 404, 405, 414));
    }
    byte[] garbage = new byte[512];
    new Random(11).nextBytes(garbage);
    addRaw("random bytes", garbage, refused(400));
    HostileCase hello = addRaw("a TLS ClientHello, then FIN", TLS_CLIENT_HELLO, refusedOrClosed());
    replaceLast(hello.sentAs(hello.parts().get(), Duration.ZERO, Ending.HALF_CLOSE));
    for (String path : List.of("%zz", "%", "%0", "%g0", "a%2")) {
      add(
          "alice invalid percent-encoding in a callout path: " + path,
          request("GET", "/v1/callout/c_basic/" + path, "alice"),
          refused());
    }
    HostileCase unfinished =
        addRaw(
            "a head that never ends, then FIN",
            bytes("GET /health/live HTTP/1.1\r\n" + host),
            refusedOrClosed());
    replaceLast(unfinished.sentAs(unfinished.parts().get(), Duration.ZERO, Ending.HALF_CLOSE));
    HostileCase blank =
        addRaw("a thousand blank lines, then FIN", bytes("\r\n".repeat(1000)), refusedOrClosed());
    replaceLast(blank.sentAs(blank.parts().get(), Duration.ZERO, Ending.HALF_CLOSE));
  }

  /** Lengths past the server's limits: 414 and 431 as problem documents. */
  private void oversized() {
    category("oversized URI and headers");
    add(
        "anonymous 5 KB URI",
        request("GET", "/v1/keys?" + "a".repeat(5_000), "nobody"),
        refused(414, 401));
    add(
        "admin 100 KB URI",
        request("GET", "/v1/keys?" + "a".repeat(100_000), "admin"),
        refused(414));
    add(
        "alice 10 KB callout path",
        request("GET", "/v1/callout/c_basic/" + "a".repeat(10_000), "alice"),
        refused(414));
    add(
        "alice 64 KB callout query",
        request("GET", "/v1/callout/c_basic/ok?" + "q=1&".repeat(16_000), "alice"),
        refused(414));
    add(
        "alice 10 KB header value",
        request("GET", "/v1/callout/c_basic/ok", "alice").line("X-Big: " + "b".repeat(10_000)),
        refused(431));
    add(
        "alice 100 KB header value",
        request("GET", "/v1/callout/c_basic/ok", "alice").line("X-Big: " + "b".repeat(100_000)),
        refused(431));
    RawRequest many = request("GET", "/v1/callout/c_basic/ok", "alice");
    for (int i = 0; i < 1000; i++) {
      many.line("X-Many-" + i + ": v");
    }
    add("alice 1,000 headers", many, refused(431));
    add(
        "anonymous 16 KB cookie",
        request("GET", "/health/live", "nobody").line("Cookie: c=" + "c".repeat(16_000)),
        refused(431));
    add(
        "16 KB bearer key",
        request("GET", "/v1/keys", "nobody").line("Authorization: Bearer " + "k".repeat(16_000)),
        refused(431, 401));
    add(
        "admin 65 KB JSON body",
        request("POST", "/v1/keys", "admin")
            .line("Content-Type: application/json")
            .body("{\"subject\":\"" + "s".repeat(65 * 1024) + "\",\"roles\":[\"caller\"]}"),
        refused(413));
  }

  /** HTTP/2 over cleartext is not spoken: no 101, no h2 frames. */
  private void h2cUpgrade() {
    category("h2c upgrade");
    String upgrade = "Upgrade: h2c";
    String settings = "HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA";
    String connection = "Connection: Upgrade, HTTP2-Settings";
    add(
        "anonymous GET /health/live",
        request("GET", "/health/live", "nobody")
            .keepAlive()
            .line(upgrade)
            .line(settings)
            .line(connection),
        notUpgraded());
    add(
        "admin GET /v1/keys",
        request("GET", "/v1/keys", "admin")
            .keepAlive()
            .line(upgrade)
            .line(settings)
            .line(connection),
        notUpgraded());
    add(
        "alice GET callout",
        request("GET", "/v1/callout/c_basic/ok", "alice")
            .keepAlive()
            .line(upgrade)
            .line(settings)
            .line(connection),
        notUpgraded());
    add(
        "alice POST callout with a body",
        request("POST", "/v1/callout/c_basic/ok", "alice")
            .keepAlive()
            .line(upgrade)
            .line(settings)
            .line(connection)
            .body("{}"),
        notUpgraded());
    add(
        "without HTTP2-Settings",
        request("GET", "/health/live", "nobody")
            .keepAlive()
            .line(upgrade)
            .line("Connection: Upgrade"),
        notUpgraded());
    add(
        "alice WebSocket upgrade on a callout",
        request("GET", "/v1/callout/c_basic/ok", "alice")
            .keepAlive()
            .line("Upgrade: websocket")
            .line("Connection: Upgrade")
            .line("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==")
            .line("Sec-WebSocket-Version: 13"),
        notUpgraded());
    addRaw(
        "HTTP/2 with prior knowledge (the connection preface)",
        bytes("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"),
        notUpgraded());
    add(
        "Upgrade: TLS/1.0",
        request("GET", "/health/live", "nobody")
            .keepAlive()
            .line("Upgrade: TLS/1.0")
            .line("Connection: Upgrade"),
        notUpgraded());
  }

  /** JSON that a lenient parser reads one way and a person another; wrong types. */
  private void adminJson() {
    category("JSON bodies on admin routes");
    Map<String, String> keys = new LinkedHashMap<>();
    keys.put("a block comment", "{/*c*/\"subject\":\"j-comment1\",\"roles\":[\"caller\"]}");
    keys.put("a line comment", "{\"subject\":\"j-comment2\",\"roles\":[\"caller\"]} // c");
    keys.put("a hash comment", "# c\n{\"subject\":\"j-comment3\",\"roles\":[\"caller\"]}");
    keys.put(
        "duplicate roles, admin last",
        "{\"subject\":\"j-dup1\",\"roles\":[\"caller\"],\"roles\":[\"admin\"]}");
    keys.put(
        "duplicate subject",
        "{\"subject\":\"j-dup2\",\"subject\":\"admin\",\"roles\":[\"caller\"]}");
    keys.put("roles a string", "{\"subject\":\"j-type1\",\"roles\":\"admin\"}");
    keys.put("subject a number", "{\"subject\":5,\"roles\":[\"caller\"]}");
    keys.put("roles of numbers", "{\"subject\":\"j-type2\",\"roles\":[1]}");
    keys.put("roles an object", "{\"subject\":\"j-type3\",\"roles\":{\"admin\":true}}");
    keys.put("subject null", "{\"subject\":null,\"roles\":[\"caller\"]}");
    keys.put("subject an array", "{\"subject\":[\"j-type4\"],\"roles\":[\"caller\"]}");
    keys.put("a trailing comma", "{\"subject\":\"j-syntax1\",\"roles\":[\"caller\"],}");
    keys.put("single quotes", "{'subject':'j-syntax2','roles':['caller']}");
    keys.put("unquoted names", "{subject:\"j-syntax3\",roles:[\"caller\"]}");
    keys.put("NaN", "{\"subject\":\"j-syntax4\",\"roles\":[\"caller\"],\"n\":NaN}");
    keys.put("an unknown role", "{\"subject\":\"j-role1\",\"roles\":[\"root\"]}");
    keys.put("no roles at all ([])", "{\"subject\":\"j-role2\",\"roles\":[]}");
    keys.put(
        "an unknown field", "{\"subject\":\"j-field1\",\"roles\":[\"caller\"],\"isAdmin\":true}");
    keys.put(
        "__proto__",
        "{\"subject\":\"j-field2\",\"roles\":[\"caller\"],\"__proto__\":{\"admin\":1}}");
    keys.put("an array", "[{\"subject\":\"j-shape1\",\"roles\":[\"caller\"]}]");
    keys.put("a string", "\"j-shape2\"");
    keys.put("empty object", "{}");
    keys.put("empty body", "");
    keys.put("whitespace body", "   \n ");
    keys.put("garbage after the object", "{\"subject\":\"j-tail1\",\"roles\":[\"caller\"]}garbage");
    keys.put(
        "two objects", "{\"subject\":\"j-tail2\",\"roles\":[\"caller\"]}{\"subject\":\"j-tail3\"}");
    keys.put(
        "1000-deep nesting",
        "{\"subject\":\"j-deep\",\"roles\":" + "[".repeat(1000) + "]".repeat(1000) + "}");
    keys.put(
        "a number past double", "{\"subject\":\"j-num\",\"roles\":[\"caller\"],\"n\":1e999999}");
    for (var body : keys.entrySet()) {
      add(
          "POST /v1/keys with " + body.getKey(),
          request("POST", "/v1/keys", "admin")
              .line("Content-Type: application/json")
              .body(body.getValue()),
          refused(400));
    }
    add(
        "POST /v1/keys with invalid UTF-8",
        request("POST", "/v1/keys", "admin")
            .line("Content-Type: application/json")
            .body(
                concat(
                    bytes("{\"subject\":\"j-utf"),
                    new byte[] {(byte) 0xff, (byte) 0xfe},
                    bytes("\",\"roles\":[\"caller\"]}"))),
        refused(400));

    String url = "\"url\":\"http://" + fixture.targetAuthority() + "/api/c_json\"";
    String basic =
        "\"protocol\":\"basic\",\"username\":\"u\",\"password\":\"json-password-0123456789\"";
    Map<String, String> credentials = new LinkedHashMap<>();
    credentials.put("a block comment", "{/*c*/\"name\":\"j_c1\"," + url + "," + basic + "}");
    credentials.put(
        "duplicate url, file:// last",
        "{\"name\":\"j_c2\"," + url + "," + basic + ",\"url\":\"file:///etc/passwd\"}");
    credentials.put(
        "duplicate allowedCallers, mallory last",
        "{\"name\":\"j_c3\","
            + url
            + ","
            + basic
            + ",\"allowedCallers\":[],\"allowedCallers\":[\"mallory\"]}");
    credentials.put(
        "duplicate name", "{\"name\":\"j_c4\"," + url + "," + basic + ",\"name\":\"c_basic\"}");
    credentials.put(
        "allowedCallers a string",
        "{\"name\":\"j_c5\"," + url + "," + basic + ",\"allowedCallers\":\"alice\"}");
    credentials.put(
        "keepAlive a string",
        "{\"name\":\"j_c6\"," + url + "," + basic + ",\"keepAlive\":\"yes\"}");
    credentials.put(
        "generateAuthorizationHeader a string",
        "{\"name\":\"j_c7\"," + url + "," + basic + ",\"generateAuthorizationHeader\":\"false\"}");
    credentials.put(
        "protocol an array",
        "{\"name\":\"j_c8\","
            + url
            + ",\"protocol\":[\"basic\"],\"username\":\"u\",\"password\":\"json-password-0123456789\"}");
    credentials.put(
        "password a number",
        "{\"name\":\"j_c9\","
            + url
            + ",\"protocol\":\"basic\",\"username\":\"u\",\"password\":1234567890123}");
    credentials.put(
        "allowedCallers with a number",
        "{\"name\":\"j_c10\"," + url + "," + basic + ",\"allowedCallers\":[1]}");
    for (var body : credentials.entrySet()) {
      add(
          "POST /v1/credentials with " + body.getKey(),
          request("POST", "/v1/credentials", "admin")
              .line("Content-Type: application/json")
              .body(body.getValue()),
          refused(400));
    }
    add(
        "PUT /v1/credentials/j_put naming another credential",
        request("PUT", "/v1/credentials/j_put", "admin")
            .line("Content-Type: application/json")
            .body("{\"name\":\"j_other\"," + url + "," + basic + "}"),
        refused(400));

    String provider =
        "\"issuer\":\"http://127.0.0.1:1\",\"clientId\":\"c\",\"clientSecret\":\"json-client-secret-0123456789\"";
    Map<String, String> providers = new LinkedHashMap<>();
    providers.put("a block comment", "{/*c*/\"name\":\"j_p1\"," + provider + "}");
    providers.put(
        "duplicate issuer",
        "{\"name\":\"j_p2\"," + provider + ",\"issuer\":\"file:///etc/passwd\"}");
    providers.put("scopes a string", "{\"name\":\"j_p3\"," + provider + ",\"scopes\":\"openid\"}");
    providers.put(
        "refreshTokenLifetime forever",
        "{\"name\":\"j_p4\"," + provider + ",\"refreshTokenLifetime\":\"forever\"}");
    providers.put(
        "negative refreshTokenLifetime",
        "{\"name\":\"j_p5\"," + provider + ",\"refreshTokenLifetime\":\"-PT5S\"}");
    providers.put(
        "refreshTokenLifetime past a long",
        "{\"name\":\"j_p6\"," + provider + ",\"refreshTokenLifetime\":\"PT9999999999999999H\"}");
    for (var body : providers.entrySet()) {
      add(
          "POST /v1/providers with " + body.getKey(),
          request("POST", "/v1/providers", "admin")
              .line("Content-Type: application/json")
              .body(body.getValue()),
          refused(400));
    }
  }

  /** Subjects that would break a log line, a header, a list, or pass for someone else. */
  private void keySubjects() {
    category("bad key subjects");
    Map<String, String> subjects = new LinkedHashMap<>();
    subjects.put("CR LF", "a\\r\\nInjected: b");
    subjects.put("LF", "a\\nb");
    subjects.put("NUL", "a\\u0000b");
    subjects.put("BEL", "a\\u0007b");
    subjects.put("5,000 characters", "s".repeat(5_000));
    subjects.put("admin", "admin");
    subjects.put("Admin", "Admin");
    subjects.put("empty", "");
    subjects.put("a space", " ");
    subjects.put("a tab", "\\t");
    subjects.put("a leading space", " alice");
    subjects.put("a trailing space", "alice ");
    subjects.put("right-to-left override", "\\u202ecilA");
    subjects.put("zero-width space", "al\\u200bice");
    subjects.put("a wildcard", "*");
    subjects.put("a path", "../alice");
    for (var subject : subjects.entrySet()) {
      add(
          "a caller key for " + subject.getKey(),
          request("POST", "/v1/keys", "admin")
              .line("Content-Type: application/json")
              .body("{\"subject\":\"" + subject.getValue() + "\",\"roles\":[\"caller\"]}"),
          refused(400));
    }
    String url = "\"url\":\"http://" + fixture.targetAuthority() + "/api/c_subjects\"";
    String basic =
        "\"protocol\":\"basic\",\"username\":\"u\",\"password\":\"subject-password-0123456789\"";
    Map<String, String> callers = new LinkedHashMap<>();
    callers.put("CR LF", "a\\r\\nb");
    callers.put("NUL", "a\\u0000b");
    callers.put("empty", "");
    callers.put("5,000 characters", "s".repeat(5_000));
    for (var caller : callers.entrySet()) {
      add(
          "allowedCallers with " + caller.getKey(),
          request("POST", "/v1/credentials", "admin")
              .line("Content-Type: application/json")
              .body(
                  "{\"name\":\"s_"
                      + Math.abs(caller.getKey().hashCode())
                      + "\","
                      + url
                      + ","
                      + basic
                      + ",\"allowedCallers\":[\""
                      + caller.getValue()
                      + "\"]}"),
          refused(400));
    }
    for (String user : List.of("a%0d%0ab", "a%00b", "s".repeat(3_000))) {
      add(
          "admin status of user " + (user.length() > 20 ? "of 3,000 characters" : user),
          request("GET", "/v1/credentials/c_user/status?user=" + user, "admin"),
          refused(400));
      add(
          "admin authorization for user " + (user.length() > 20 ? "of 3,000 characters" : user),
          request("POST", "/v1/credentials/c_user/authorizations?user=" + user, "admin"),
          refused(400));
    }
  }

  /** A JSON API takes no uploads, and keeps none on disk. */
  private void multipart() {
    category("multipart uploads");
    String boundary = "----hostile";
    byte[] upload =
        bytes(
            "--"
                + boundary
                + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.bin\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n"
                + "u".repeat(10_000)
                + "\r\n--"
                + boundary
                + "\r\nContent-Disposition: form-data; name=\"subject\"\r\n\r\nm-upload\r\n--"
                + boundary
                + "--\r\n");
    String type = "Content-Type: multipart/form-data; boundary=" + boundary;
    for (String[] target :
        new String[][] {
          {"POST", "/v1/keys", "admin"},
          {"POST", "/v1/keys", "nobody"},
          {"POST", "/v1/keys", "mallory"},
          {"POST", "/v1/credentials", "admin"},
          {"PUT", "/v1/credentials/c_upload", "admin"},
          {"POST", "/v1/providers", "admin"},
          {"POST", "/v1/credentials/c_code/refresh", "admin"},
          {"POST", "/v1/oauth/callback", "nobody"},
          {"POST", "/health/live", "nobody"}
        }) {
      add(
          target[2] + " " + target[0] + " " + target[1] + " multipart",
          request(target[0], target[1], target[2]).line(type).body(upload),
          refused());
    }
    add(
        "admin POST /v1/keys as a form",
        request("POST", "/v1/keys", "admin")
            .line("Content-Type: application/x-www-form-urlencoded")
            .body("subject=m-form&roles=admin"),
        refused(400, 415));
    add(
        "alice multipart to a callout (forwarded as is)",
        request("POST", "/v1/callout/c_basic/ok", "alice").line(type).body(upload),
        relayed(200));
  }

  /** Without a key, with a wrong one, or with one that may not: refused on every route. */
  private void authentication() {
    category("unauthenticated, wrongly authenticated and not allowed callers");
    String admin = admin();
    Map<String, Function<RawRequest, RawRequest>> wrong = new LinkedHashMap<>();
    wrong.put("no Authorization", r -> r);
    wrong.put("Bearer and nothing", r -> r.line("Authorization: Bearer"));
    wrong.put("Bearer and spaces", r -> r.line("Authorization: Bearer    "));
    wrong.put("an unknown key", r -> r.line("Authorization: Bearer wrong-key-0123456789abcdef"));
    wrong.put(
        "the admin key as basic",
        r ->
            r.line(
                "Authorization: Basic "
                    + Base64.getEncoder().encodeToString(bytes("admin:" + admin))));
    wrong.put("the admin key and more", r -> r.line("Authorization: Bearer " + admin + "x"));
    wrong.put(
        "the admin key less its last letter",
        r -> r.line("Authorization: Bearer " + admin.substring(0, admin.length() - 1)));
    wrong.put(
        "the admin key in upper case",
        r -> r.line("Authorization: Bearer " + admin.toUpperCase(java.util.Locale.ROOT)));
    wrong.put(
        "a deleted key", r -> r.line("Authorization: Bearer " + fixture.keys().get("deleted")));
    wrong.put("the admin key as Token", r -> r.line("Authorization: Token " + admin));
    wrong.put(
        "the admin key after a tab", r -> r.line("Authorization: Bearer\t\t" + admin + "\u000b"));
    wrong.put(
        "the admin key in Callgate-Proxy-Authorization",
        r -> r.line("Callgate-Proxy-Authorization: Bearer " + admin));
    wrong.put(
        "the admin key in Proxy-Authorization",
        r -> r.line("Proxy-Authorization: Bearer " + admin));
    wrong.put("the admin key in a cookie", r -> r.line("Cookie: callgate=" + admin));
    wrong.put("the admin key in X-Api-Key", r -> r.line("X-Api-Key: " + admin));
    for (Route route : ROUTES) {
      for (var way : wrong.entrySet()) {
        // a vertical tab is no field-value character (RFC 9110 §5.5): refusing the head with 400
        // before anyone is authenticated is as right as 401
        add(
            route.credential() + " with " + way.getKey(),
            way.getValue().apply(request("GET", route.callout("echo"), "nobody")),
            way.getKey().equals("the admin key after a tab") ? refused(400, 401) : refused(401));
      }
      add(
          route.credential() + " with the admin key in the query",
          request(
              "GET", route.callout("echo?access_token=" + admin + "&api_key=" + admin), "nobody"),
          refused(401));
      add(
          route.credential() + " by mallory",
          request("GET", route.callout("echo"), "mallory"),
          refused(403));
      add(
          route.credential() + " by bob",
          request("GET", route.callout("echo"), "bob"),
          route.credential().equals("c_user") ? refused(409) : refused(403));
    }
    String[][] adminRoutes = {
      {"mallory", "GET", "/v1/keys"},
      {"mallory", "POST", "/v1/keys"},
      {"mallory", "GET", "/v1/credentials/c_basic"},
      {"mallory", "DELETE", "/v1/credentials/c_basic"},
      {"mallory", "PUT", "/v1/credentials/c_basic"},
      {"mallory", "POST", "/v1/credentials/c_code/refresh"},
      {"mallory", "POST", "/v1/credentials/c_code/test"},
      {"mallory", "POST", "/v1/credentials/c_code/revoke"},
      {"mallory", "GET", "/v1/credentials/c_user/status?user=alice"},
      {"mallory", "POST", "/v1/credentials/c_user/authorizations?user=alice"},
      {"mallory", "POST", "/v1/credentials/c_user/revoke?user=alice"},
      {"mallory", "POST", "/v1/credentials/c_user/refresh?user=alice"},
      {"alice", "GET", "/v1/keys"},
      {"alice", "POST", "/v1/providers"},
      {"alice", "GET", "/v1/credentials/c_user/status?user=bob"},
      {"alice", "POST", "/v1/credentials/c_user/revoke?user=bob"},
      {"bob", "GET", "/v1/credentials/c_user/status?user=alice"},
      {"bob", "POST", "/v1/credentials/c_user/refresh?user=alice"},
      {"nobody", "GET", "/v1/credentials"},
      {"nobody", "DELETE", "/v1/keys/anything"},
      {"nobody", "POST", "/v1/credentials/c_code/authorizations"},
    };
    for (String[] call : adminRoutes) {
      RawRequest r = request(call[1], call[2], call[0]);
      if (!call[1].equals("GET") && !call[1].equals("DELETE")) {
        r.line("Content-Type: application/json")
            .body("{\"subject\":\"m-admin\",\"roles\":[\"admin\"],\"name\":\"c_basic\"}");
      }
      add(
          call[0] + " " + call[1] + " " + call[2],
          r,
          refused(call[0].equals("nobody") ? 401 : 403));
    }
  }

  /** A target that reflects requests must not hand the caller the secret Callgate injected. */
  private void echoOfInjectedSecrets() {
    category("a target echoing the injected credential");
    for (Route route : ROUTES) {
      for (String echo : List.of("echo", "echo-header", "echo-body", "echo-stream")) {
        add(
            route.caller() + " GET " + route.callout(echo),
            request("GET", route.callout(echo + "/x?y=1"), route.caller()),
            anyAnswer());
      }
      add(
          route.caller() + " POST " + route.callout("echo") + " with a body",
          request("POST", route.callout("echo"), route.caller())
              .line("Content-Type: application/json")
              .body("{\"echo\":true}"),
          anyAnswer());
      add(
          route.caller() + " HEAD " + route.callout("echo"),
          request("HEAD", route.callout("echo"), route.caller()),
          anyAnswer());
    }
    add(
        "alice GET c_basic forge: the target's Callgate-Error",
        request("GET", "/v1/callout/c_basic/forge", "alice"),
        relayedWithoutCallgateError(403));
    add(
        "admin GET c_apikey forge: the target's Callgate-Error",
        request("GET", "/v1/callout/c_apikey/forge", "admin"),
        relayedWithoutCallgateError(403));
  }

  /**
   * Uploads broken off mid-body (RST, FIN, a bad chunk) and the request that follows them: the
   * target must never get a truncated body as a whole one, nor the next request inside it. Bodies
   * sent before authorization must not be read.
   */
  private void truncatedUploads() {
    category("truncated uploads and bodies before authorization");
    String marker = "TRUNCATED-UPLOAD";
    for (String[] upload :
        new String[][] {
          {"alice", "c_basic", "early"},
          {"admin", "c_apikey", "late"},
          {"alice", "c_merge", "late"}
        }) {
      String who = upload[0] + " " + upload[1] + " " + upload[2] + ": ";
      String path = "/v1/callout/" + upload[1] + "/" + upload[2];
      for (Ending ending : List.of(Ending.RESET, Ending.HALF_CLOSE)) {
        RawRequest chunked =
            request("POST", path, upload[0]).keepAlive().line("Transfer-Encoding: chunked");
        HostileCase cut =
            add(who + "chunked upload cut after 16 bytes by " + ending, chunked, anyAnswer());
        replaceLast(
            cut.sentAs(
                List.of(chunked.head(), bytes("10\r\n" + marker + "\r\n")),
                Duration.ofMillis(100),
                ending));
        followUp(who);
      }
      RawRequest declared =
          request("POST", path, upload[0]).keepAlive().line("Content-Length: 300");
      HostileCase cutLength =
          add(who + "300 declared bytes cut after 16 by RESET", declared, anyAnswer());
      replaceLast(
          cutLength.sentAs(
              List.of(declared.head(), bytes(marker)), Duration.ofMillis(100), Ending.RESET));
      followUp(who);
      RawRequest badChunk =
          request("POST", path, upload[0]).keepAlive().line("Transfer-Encoding: chunked");
      HostileCase bad = add(who + "chunked upload with a bad chunk", badChunk, anyAnswer());
      replaceLast(
          bad.sentAs(
              List.of(badChunk.head(), bytes("10\r\n" + marker + "\r\nzz\r\n")),
              Duration.ofMillis(100),
              Ending.READ_ANSWER));
      followUp(who);
    }

    byte[] first64KiB = bytes("x".repeat(64 * 1024));
    for (String caller : List.of("mallory", "nobody")) {
      RawRequest big =
          request("POST", "/v1/callout/c_merge/ok", caller)
              .keepAlive()
              .line("Transfer-Encoding: chunked");
      HostileCase kase =
          add(
              caller + " chunked 2 MiB to a merge-fields credential: refused before the body",
              big,
              refused(caller.equals("nobody") ? 401 : 403));
      replaceLast(
          kase.sentAs(
                  List.of(big.head(), Chunked.encodeOne(first64KiB)),
                  Duration.ofMillis(50),
                  Ending.READ_ANSWER)
              .within(Duration.ofSeconds(3)));
      RawRequest declared =
          request("POST", "/v1/callout/c_merge/ok", caller)
              .keepAlive()
              .line("Content-Length: " + 2 * 1024 * 1024);
      HostileCase length =
          add(
              caller + " 2 MiB declared to a merge-fields credential: refused before the body",
              declared,
              refused(caller.equals("nobody") ? 401 : 403));
      replaceLast(
          length
              .sentAs(
                  List.of(declared.head(), first64KiB), Duration.ofMillis(50), Ending.READ_ANSWER)
              .within(Duration.ofSeconds(3)));
    }
    RawRequest expect =
        request("POST", "/v1/callout/c_merge/ok", "mallory")
            .keepAlive()
            .line("Expect: 100-continue")
            .line("Content-Length: " + 2 * 1024 * 1024);
    replaceLast(
        add("mallory Expect: 100-continue to a merge-fields credential", expect, refused(403))
            .sentAs(List.of(expect.head()), Duration.ZERO, Ending.READ_ANSWER)
            .within(Duration.ofSeconds(3)));
    RawRequest tooLarge =
        request("POST", "/v1/callout/c_merge/ok", "alice")
            .keepAlive()
            .line("Content-Length: " + 2 * 1024 * 1024);
    replaceLast(
        add(
                "alice 2 MiB declared to a merge-fields credential: 413 before the body",
                tooLarge,
                refused(413))
            .sentAs(List.of(tooLarge.head(), first64KiB), Duration.ofMillis(50), Ending.READ_ANSWER)
            .within(Duration.ofSeconds(3)));
    add(
        "alice chunked 1.1 MiB to a merge-fields credential: 413",
        request("POST", "/v1/callout/c_merge/ok", "alice")
            .chunked(Chunked.encode(bytes("y".repeat(1_150_000)), 64 * 1024)),
        refused(413));
    RawRequest keyCut =
        request("POST", "/v1/keys", "admin").keepAlive().line("Content-Length: 300");
    replaceLast(
        add("admin POST /v1/keys cut after 16 bytes", keyCut, anyAnswer())
            .sentAs(
                List.of(keyCut.head(), bytes("{\"subject\":\"cut")),
                Duration.ofMillis(100),
                Ending.HALF_CLOSE));
  }

  /** The next request after a broken upload: relayed whole, and on its own. */
  private void followUp(String after) {
    add(
        "then admin GET /v1/callout/c_apikey/ok (after " + after.trim() + ")",
        request("GET", "/v1/callout/c_apikey/ok", "admin").line("X-Follow-Up: " + tags),
        relayed(200));
  }

  /** Definitions an admin might be talked into: refused when made, or when first used. */
  private void definitions() {
    category("bad credential and provider definitions");
    String target = fixture.targetAuthority();
    String basic =
        "\"protocol\":\"basic\",\"username\":\"definition-user\",\"password\":\""
            + HostileInputTest.DEFINITION_PASSWORD
            + "\"";
    int n = 0;
    Map<String, String> refusedUrls = new LinkedHashMap<>();
    refusedUrls.put("port 65536", "http://127.0.0.1:65536/api/d");
    refusedUrls.put("port 70000", "http://127.0.0.1:70000/api/d");
    refusedUrls.put("port 4294967297", "http://127.0.0.1:4294967297/api/d");
    refusedUrls.put("port 0", "http://127.0.0.1:0/api/d");
    refusedUrls.put("file://", "file:///etc/passwd");
    refusedUrls.put("ftp://", "ftp://127.0.0.1/api/d");
    refusedUrls.put("gopher://", "gopher://127.0.0.1:70/_x");
    refusedUrls.put("jar:", "jar:http://127.0.0.1/x.jar!/");
    refusedUrls.put("javascript:", "javascript:alert(1)");
    refusedUrls.put("ws://", "ws://" + target + "/api/d");
    for (var url : refusedUrls.entrySet()) {
      String name = "d_" + ++n;
      add(
          "credential url with " + url.getKey(),
          definition(
              "/v1/credentials",
              "{\"name\":\"" + name + "\",\"url\":\"" + url.getValue() + "\"," + basic + "}"),
          refused(400));
      add(
          "admin callout through the credential with " + url.getKey(),
          request("GET", "/v1/callout/" + name + "/ok", "admin"),
          refused());
    }
    Map<String, String> addresses = new LinkedHashMap<>();
    addresses.put("cloud metadata 169.254.169.254", "http://169.254.169.254/latest/meta-data/");
    addresses.put("cloud metadata fd00:ec2::254", "http://[fd00:ec2::254]/latest/meta-data/");
    addresses.put(
        "metadata.google.internal", "http://metadata.google.internal/computeMetadata/v1/");
    addresses.put("ECS metadata 169.254.170.2", "http://169.254.170.2/v2/credentials");
    addresses.put("link-local fe80::1", "http://[fe80::1]/");
    addresses.put("IPv4-mapped metadata", "http://[::ffff:169.254.169.254]/latest/");
    addresses.put("decimal metadata 2852039166", "http://2852039166/latest/");
    addresses.put("hex metadata 0xa9fea9fe", "http://0xa9fea9fe/latest/");
    addresses.put("octal metadata", "http://0251.0376.0251.0376/latest/");
    addresses.put(
        "the unspecified address 0.0.0.0", "http://0.0.0.0:" + port(target) + "/api/c_basic");
    addresses.put("the unspecified address [::]", "http://[::]:" + port(target) + "/api/c_basic");
    for (var url : addresses.entrySet()) {
      String name = "d_" + ++n;
      add(
          "credential url at " + url.getKey(),
          definition(
              "/v1/credentials",
              "{\"name\":\"" + name + "\",\"url\":\"" + url.getValue() + "\"," + basic + "}"),
          createdOrRefused());
      add(
          "admin callout through the credential at " + url.getKey(),
          request("GET", "/v1/callout/" + name + "/ok", "admin"),
          // the admin's configuration, not the caller's request: 502 by design
          Expectation.refusedOrGatewayRefusal());
    }
    String url = "\"url\":\"http://" + target + "/api/d\"";
    for (String header :
        List.of(
            "Host",
            "Content-Length",
            "Transfer-Encoding",
            "Connection",
            "Upgrade",
            "TE",
            "Callgate-Error",
            "X-A\\r\\nInjected",
            "X A",
            "")) {
      String name = "d_" + ++n;
      add(
          "apiKeyHeader '" + header.replace("\\r\\n", "\\r\\n") + "'",
          definition(
              "/v1/credentials",
              "{\"name\":\""
                  + name
                  + "\","
                  + url
                  + ",\"protocol\":\"api_key\",\"apiKeyHeader\":\""
                  + header
                  + "\",\"apiKey\":\""
                  + HostileInputTest.DEFINITION_PASSWORD
                  + "\"}"),
          refused(400));
    }
    String definitionSecret = HostileInputTest.DEFINITION_CLIENT_SECRET;
    Map<String, String> providers = new LinkedHashMap<>();
    providers.put(
        "tokenEndpoint file://",
        "\"authorizationEndpoint\":\"https://idp.example/authorize\",\"tokenEndpoint\":\"file:///etc/passwd\"");
    providers.put(
        "tokenEndpoint over plain http elsewhere",
        "\"authorizationEndpoint\":\"https://idp.example/authorize\",\"tokenEndpoint\":\"http://idp.example/token\"");
    providers.put(
        "authorizationEndpoint javascript:",
        "\"authorizationEndpoint\":\"javascript:alert(1)\",\"tokenEndpoint\":\"https://idp.example/token\"");
    providers.put("issuer over plain http elsewhere", "\"issuer\":\"http://idp.example\"");
    providers.put("issuer on port 70000", "\"issuer\":\"https://idp.example:70000\"");
    providers.put(
        "tokenEndpoint with user info",
        "\"authorizationEndpoint\":\"https://idp.example/authorize\",\"tokenEndpoint\":\"https://u:p@idp.example/token\"");
    providers.put("issuer with user info", "\"issuer\":\"https://u:p@idp.example\"");
    providers.put("issuer file://", "\"issuer\":\"file:///etc\"");
    for (var provider : providers.entrySet()) {
      String name = "p_" + ++n;
      add(
          "provider with " + provider.getKey(),
          definition(
              "/v1/providers",
              "{\"name\":\""
                  + name
                  + "\","
                  + provider.getValue()
                  + ",\"clientId\":\"definition-client\",\"clientSecret\":\""
                  + definitionSecret
                  + "\"}"),
          refused(400));
    }
    Map<String, String> usedProviders = new LinkedHashMap<>();
    usedProviders.put(
        "tokenEndpoint at cloud metadata",
        "\"authorizationEndpoint\":\"https://idp.example/authorize\",\"tokenEndpoint\":\"https://169.254.169.254/token\"");
    for (String document : HostileInputTest.BAD_DISCOVERY.keySet()) {
      usedProviders.put(
          "discovery " + document, "\"issuer\":\"http://" + target + "/idp-" + document + "\"");
    }
    for (var provider : usedProviders.entrySet()) {
      String name = "p_" + ++n;
      String credential = "d_" + n;
      add(
          "provider with " + provider.getKey(),
          definition(
              "/v1/providers",
              "{\"name\":\""
                  + name
                  + "\","
                  + provider.getValue()
                  + ",\"clientId\":\"definition-client\",\"clientSecret\":\""
                  + definitionSecret
                  + "\",\"scopes\":[\"api:read\"]}"),
          createdOrRefused());
      add(
          "client-credentials credential on the provider with " + provider.getKey(),
          definition(
              "/v1/credentials",
              "{\"name\":\""
                  + credential
                  + "\","
                  + "\"url\":\"http://"
                  + target
                  + "/api/"
                  + credential
                  + "\",\"protocol\":\"oauth2_client_credentials\",\"provider\":\""
                  + name
                  + "\"}"),
          createdOrRefused());
      add(
          "admin callout on the provider with " + provider.getKey() + ": a configuration diagnosis",
          request("GET", "/v1/callout/" + credential + "/ok", "admin"),
          // the admin's configuration, not the caller's request: 502 by design
          Expectation.refusedOrGatewayRefusal());
    }
    String name = "d_" + ++n;
    add(
        "credential whose testPath climbs",
        definition(
            "/v1/credentials",
            "{\"name\":\""
                + name
                + "\","
                + "\"url\":\"http://"
                + target
                + "/api/c_basic\","
                + basic
                + ",\"testPath\":\"../../private\"}"),
        createdOrRefused());
    add(
        "testing the credential whose testPath climbs",
        request("POST", "/v1/credentials/" + name + "/test", "admin"),
        (answer, atTarget) -> {
          if (answer.status() == 200
              && new io.vertx.core.json.JsonObject(answer.bodyText()).getBoolean("ok", true)) {
            throw new AssertionError("the test passed: " + answer.summary());
          }
          if (answer.status() != 200) {
            refused().check(answer, atTarget);
          }
          if (!atTarget.isEmpty()) {
            throw new AssertionError("the target got: " + atTarget.get(0).describe());
          }
        });
  }

  private RawRequest definition(String route, String json) {
    return request("POST", route, "admin").line("Content-Type: application/json").body(json);
  }

  /** The callback trusts nothing but a state it issued, once, to the browser that asked. */
  private void oauthState() {
    category("forged and replayed OAuth state");
    Map<String, String> queries = new LinkedHashMap<>();
    queries.put("a forged state", "state=forged-state-0123456789abcdef&code=forged-code");
    queries.put("no state", "code=forged-code");
    queries.put("state only", "state=forged-state-0123456789abcdef");
    queries.put("empty state and code", "state=&code=");
    queries.put("CR LF in the state", "state=a%0d%0aSet-Cookie:%20x=y&code=c");
    queries.put("NUL in the state", "state=a%00b&code=c");
    queries.put("a 3,000-character state", "state=" + "s".repeat(3_000) + "&code=c");
    queries.put("two states", "state=forged-1&state=forged-2&code=c");
    queries.put(
        "an error with a forged state", "error=access_denied&state=forged-state-0123456789");
    queries.put(
        "markup in the error",
        "error=%3Cscript%3Ealert(1)%3C%2Fscript%3E&error_description=%3Cimg%20src%3Dx%3E&state=forged");
    queries.put("the state in the fragment form", "%23state=forged&code=c");
    queries.put("a replayed state and code", query(fixture.usedCallback()));
    Map<String, String> otherCode = new LinkedHashMap<>(fixture.usedCallback());
    otherCode.put("code", "another-code-0123456789");
    queries.put("a replayed state with another code", query(otherCode));
    queries.put(
        "an issued state with a forged code, without its browser's cookie",
        "state=" + encode(fixture.pending().state()) + "&code=forged-code-0123456789");
    for (var query : queries.entrySet()) {
      add(
          "GET /v1/oauth/callback with " + query.getKey(),
          request("GET", "/v1/oauth/callback?" + query.getValue(), "nobody"),
          refusedPage());
    }
    // from the browser that opened the flow: past the binding, on to the provider, which refuses
    add(
        "GET /v1/oauth/callback with an issued state and a forged code, in its browser",
        request(
                "GET",
                "/v1/oauth/callback?state="
                    + encode(fixture.pending().state())
                    + "&code=forged-code-0123456789",
                "nobody")
            .line("Cookie: " + fixture.pending().cookie()),
        refusedPage());
    add(
        "GET /v1/oauth/callback with an issued state, an error and markup, in its browser",
        request(
                "GET",
                "/v1/oauth/callback?state="
                    + encode(fixture.pendingToDeny().state())
                    + "&error=access_denied&error_description=%3Cscript%3Ex%3C%2Fscript%3E",
                "nobody")
            .line("Cookie: " + fixture.pendingToDeny().cookie()),
        refusedPage());
    add(
        "POST /v1/oauth/callback with a forged state",
        request("POST", "/v1/oauth/callback", "nobody")
            .line("Content-Type: application/x-www-form-urlencoded")
            .body("state=forged&code=forged"),
        refused());
    // the provider's codes live a minute: log in as the case runs
    HostileCase strangers =
        add(
            "alice's authorization URL completed in mallory's browser",
            request("GET", "/v1/oauth/callback", "nobody"),
            refusedPage());
    replaceLast(
        strangers.madeWhenRun(
            () ->
                request(
                        "GET",
                        "/v1/oauth/callback?" + query(fixture.strangersCallback().get()),
                        "nobody")
                    .tag(strangers.tag())
                    .bytes()));
  }

  // ---------------------------------------------------------------------------------------------

  /** A request the case writes out in full, byte for byte. */
  private HostileCase addRaw(String name, byte[] bytes, Expectation expectation) {
    String tag = "h" + ++tags;
    HostileCase kase = HostileCase.of(category, name, tag, List.of(bytes), false, expectation);
    current.add(kase);
    return kase;
  }

  private static String query(Map<String, String> parameters) {
    StringBuilder query = new StringBuilder();
    parameters.forEach(
        (name, value) ->
            query
                .append(query.length() == 0 ? "" : "&")
                .append(name)
                .append('=')
                .append(encode(value)));
    return query.toString();
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  private static String port(String authority) {
    return authority.substring(authority.lastIndexOf(':') + 1);
  }

  static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static byte[] concat(byte[]... parts) {
    java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
    Arrays.stream(parts).forEach(all::writeBytes);
    return all.toByteArray();
  }

  /** The start of a TLS 1.2 ClientHello, as a browser sends to an https URL on an http port. */
  private static final byte[] TLS_CLIENT_HELLO = {
    0x16, 0x03, 0x01, 0x00, 0x2f, 0x01, 0x00, 0x00, 0x2b, 0x03, 0x03, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a,
    0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a,
    0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x00, 0x00, 0x02, 0x00, 0x2f,
    0x01, 0x00
  };
}
