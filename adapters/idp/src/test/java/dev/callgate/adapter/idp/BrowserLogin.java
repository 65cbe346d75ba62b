package dev.callgate.adapter.idp;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What a person's browser does in an authorization-code flow, as plain HTTP: open the authorization
 * URL, follow redirects with cookies kept, answer the provider's login and consent forms, and stop
 * at the redirect to the client, which carries the code. PKCE S256 with a fresh verifier.
 */
public final class BrowserLogin {

  private static final Pattern PROMPT = Pattern.compile("name=\"prompt\" value=\"(\\w+)\"");
  private static final Pattern ACTION = Pattern.compile("<form[^>]*action=\"([^\"]+)\"");

  /** The code the provider redirected back with, and the PKCE verifier that goes with it. */
  public record Authorized(String code, String codeVerifier) {}

  private BrowserLogin() {}

  /**
   * Runs the flow at {@code authorizationEndpoint} for {@code clientId} with PKCE S256, logged in
   * as {@code login}, and returns the code with its verifier.
   */
  public static Authorized authorize(
      URI authorizationEndpoint,
      String clientId,
      URI redirectUri,
      String scope,
      Map<String, String> extraParameters,
      String login)
      throws IOException, InterruptedException {
    String verifier = randomVerifier();
    StringBuilder query =
        new StringBuilder()
            .append("client_id=")
            .append(encode(clientId))
            .append("&response_type=code&redirect_uri=")
            .append(encode(redirectUri.toString()))
            .append("&scope=")
            .append(encode(scope))
            .append("&state=s-")
            .append(System.nanoTime())
            .append("&code_challenge=")
            .append(challenge(verifier))
            .append("&code_challenge_method=S256");
    extraParameters.forEach((k, v) -> query.append('&').append(k).append('=').append(encode(v)));
    Map<String, String> parameters =
        follow(URI.create(authorizationEndpoint + "?" + query), redirectUri, login);
    if (!parameters.containsKey("code")) {
      fail("the provider redirected back without a code: " + parameters.keySet());
    }
    return new Authorized(parameters.get("code"), verifier);
  }

  /**
   * Opens {@code authorizationUrl} as a browser would, logs in as {@code login}, consents, and
   * returns the query parameters of the redirect back to {@code redirectUri} (code and state, or an
   * error), without following it.
   */
  public static Map<String, String> follow(URI authorizationUrl, URI redirectUri, String login)
      throws IOException, InterruptedException {
    return follow(authorizationUrl, redirectUri, login, new CookieManager());
  }

  /**
   * As {@link #follow(URI, URI, String)}, in the browser whose cookies {@code browser} keeps: the
   * cookies that pages on the way set (such as a client's flow-binding cookie) stay there for the
   * redirect back.
   */
  public static Map<String, String> follow(
      URI authorizationUrl, URI redirectUri, String login, CookieManager browser)
      throws IOException, InterruptedException {
    HttpClient http =
        HttpClient.newBuilder()
            .cookieHandler(browser)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    HttpResponse<String> response =
        http.send(get(authorizationUrl), HttpResponse.BodyHandlers.ofString());
    Landing landing =
        signIn(
            http,
            authorizationUrl,
            response,
            login,
            target -> target.toString().startsWith(redirectUri.toString()));
    if (landing.page().isPresent()) {
      fail("no redirect to the client: a page without a form at " + landing.uri());
    }
    return parameters(landing.uri().getRawQuery());
  }

  /**
   * Where signing in ended: a redirect to {@code uri} that it stopped at (no page), or the page at
   * {@code uri} that asks nothing more.
   */
  public record Landing(URI uri, Optional<HttpResponse<String>> page) {}

  /**
   * From {@code response}, the answer from {@code at}, follows redirects with {@code http} and
   * answers the provider's login (as {@code login}) and consent forms, until a redirect whose
   * target {@code stop} accepts (not followed), or a page that asks nothing more.
   */
  public static Landing signIn(
      HttpClient http, URI at, HttpResponse<String> response, String login, Predicate<URI> stop)
      throws IOException, InterruptedException {
    URI next = at;
    for (int step = 0; step < 12; step++) {
      Optional<String> location = response.headers().firstValue("Location");
      if (location.isPresent()) {
        URI target = next.resolve(location.get());
        if (stop.test(target)) {
          return new Landing(target, Optional.empty());
        }
        next = target;
        response = http.send(get(next), HttpResponse.BodyHandlers.ofString());
        continue;
      }
      Matcher prompt = PROMPT.matcher(response.body());
      if (response.statusCode() == 200 && !prompt.find()) {
        return new Landing(next, Optional.of(response));
      }
      Matcher action = ACTION.matcher(response.body());
      if (response.statusCode() != 200 || !action.find()) {
        fail("unexpected answer " + response.statusCode() + " from " + next);
      }
      String form =
          "prompt="
              + prompt.group(1)
              + (prompt.group(1).equals("login")
                  ? "&login=" + encode(login) + "&password=any"
                  : "");
      next = next.resolve(action.group(1).replace("&amp;", "&"));
      response =
          http.send(
              HttpRequest.newBuilder(next)
                  .header("Content-Type", "application/x-www-form-urlencoded")
                  .POST(HttpRequest.BodyPublishers.ofString(form))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
    }
    throw new AssertionError("signing in did not end after 12 steps");
  }

  /** The {@code Cookie} header {@code browser} sends to {@code uri}, or empty. */
  public static Optional<String> cookieHeader(CookieManager browser, URI uri) {
    try {
      return browser.get(uri, Map.of()).getOrDefault("Cookie", List.of()).stream()
          .reduce((a, b) -> a + "; " + b);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static HttpRequest get(URI uri) {
    return HttpRequest.newBuilder(uri).GET().build();
  }

  private static Map<String, String> parameters(String query) {
    return java.util.Arrays.stream(query == null ? new String[0] : query.split("&"))
        .map(pair -> pair.split("=", 2))
        .collect(
            Collectors.toMap(
                kv -> URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
                kv -> kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "",
                (a, b) -> a));
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  private static String randomVerifier() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  static String challenge(String verifier) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
