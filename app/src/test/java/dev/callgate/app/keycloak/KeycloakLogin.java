package dev.callgate.app.keycloak;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.CookieHandler;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What a person's browser does with Keycloak in an authorization-code flow, as plain HTTP: open the
 * authorization URL, follow redirects one by one with cookies kept, fill the login form ({@code
 * #kc-form-login}), accept the consent page if one comes, and stop at the redirect to the client,
 * whose query parameters (code and state, or error) are the result. A {@link Browser} keeps its
 * cookies, hence its Keycloak SSO session, from one flow to the next; {@link #follow} uses a fresh
 * one each time.
 */
public final class KeycloakLogin {

  private static final Pattern LOGIN_FORM =
      Pattern.compile("<form[^>]*\\bid=\"kc-form-login\"[^>]*>(.*?)</form>", Pattern.DOTALL);
  private static final Pattern ANY_FORM =
      Pattern.compile("<form\\b[^>]*>(.*?)</form>", Pattern.DOTALL);
  private static final Pattern ACTION = Pattern.compile("\\baction=\"([^\"]*)\"");
  private static final Pattern INPUT = Pattern.compile("<input\\b[^>]*>", Pattern.DOTALL);
  private static final Pattern NAME = Pattern.compile("\\bname=\"([^\"]*)\"");
  private static final Pattern VALUE = Pattern.compile("\\bvalue=\"([^\"]*)\"");
  private static final Pattern TITLE = Pattern.compile("<title>(.*?)</title>", Pattern.DOTALL);
  private static final Pattern MESSAGE =
      Pattern.compile(
          "<(?:span|div|p)[^>]*(?:id=\"input-error[^\"]*\"|class=\"[^\"]*(?:alert__title"
              + "|kc-feedback-text|instruction)[^\"]*\")[^>]*>(.*?)</(?:span|div|p)>",
          Pattern.DOTALL);
  private static final int MAX_STEPS = 16;

  private KeycloakLogin() {}

  /** A browser of its own: cookies shared by its flows, so a second flow may reuse the session. */
  public static Browser newBrowser() {
    return new Browser();
  }

  /**
   * Runs the flow in a fresh browser as {@code username} and returns the query parameters of the
   * redirect to {@code redirectUri}, without following it.
   */
  public static Map<String, String> follow(
      URI authorizationUrl, URI redirectUri, String username, String password) {
    return newBrowser().follow(authorizationUrl, redirectUri, username, password);
  }

  /**
   * An authorization URL for the code flow, as a client such as Callgate builds it; {@code extra}
   * adds parameters such as {@code prompt} or PKCE's.
   */
  public static URI authorizationUrl(
      URI issuer, String clientId, URI redirectUri, String scope, Map<String, String> extra) {
    Map<String, String> query = new LinkedHashMap<>();
    query.put("client_id", clientId);
    query.put("response_type", "code");
    query.put("redirect_uri", redirectUri.toString());
    query.put("scope", scope);
    query.put("state", "s-" + System.nanoTime());
    query.putAll(extra);
    return URI.create(
        issuer
            + "/protocol/openid-connect/auth?"
            + query.entrySet().stream()
                .map(e -> encode(e.getKey()) + "=" + encode(e.getValue()))
                .collect(Collectors.joining("&")));
  }

  /** One person's browser: a cookie jar and the pages it has answered. */
  public static final class Browser {

    private final LoopbackIsSecure jar = new LoopbackIsSecure();
    private final HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .cookieHandler(jar)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private int loginForms;
    private int consentPages;
    private boolean declinesConsent;

    private Browser() {}

    /**
     * The {@code Cookie} header this browser sends to {@code uri} (a client's callback), if any.
     */
    public Optional<String> cookieHeader(URI uri) {
      try {
        return jar.get(uri, Map.of()).getOrDefault("Cookie", List.of()).stream()
            .reduce((a, b) -> a + "; " + b);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    /** From now on this browser's user answers a consent page with "No". */
    public Browser decliningConsent() {
      declinesConsent = true;
      return this;
    }

    /**
     * Opens {@code authorizationUrl}, logs in as {@code username} if Keycloak asks (it does not
     * while this browser's SSO session lasts), accepts consent if asked, and returns the query
     * parameters of the redirect back to {@code redirectUri}, without following it.
     */
    public Map<String, String> follow(
        URI authorizationUrl, URI redirectUri, String username, String password) {
      URI at = authorizationUrl;
      HttpResponse<String> response = send(HttpRequest.newBuilder(at).GET());
      boolean loginSent = false;
      for (int step = 0; step < MAX_STEPS; step++) {
        Optional<String> location = response.headers().firstValue("Location");
        if (response.statusCode() / 100 == 3 && location.isPresent()) {
          URI target = at.resolve(location.get());
          if (target.toString().startsWith(redirectUri.toString())) {
            return parameters(target.getRawQuery());
          }
          at = target;
          response = send(HttpRequest.newBuilder(at).GET());
          continue;
        }
        String page = response.body();
        Matcher login = LOGIN_FORM.matcher(page);
        if (response.statusCode() == 200 && login.find()) {
          if (loginSent) {
            // the same form again means Keycloak refused the credentials
            throw new AssertionError("Keycloak refused the login of " + username + describe(page));
          }
          Map<String, String> fields = hiddenFields(login.group(1));
          fields.put("username", username);
          fields.put("password", password);
          at = at.resolve(action(login.group()));
          response = post(at, fields);
          loginSent = true;
          loginForms++;
          continue;
        }
        Optional<Matcher> consent = consentForm(page);
        if (response.statusCode() == 200 && consent.isPresent()) {
          Map<String, String> fields = hiddenFields(consent.get().group(1));
          // the page's buttons are named accept ("Yes") and cancel ("No")
          if (declinesConsent) {
            fields.put("cancel", "No");
          } else {
            fields.put("accept", "Yes");
          }
          at = at.resolve(action(consent.get().group()));
          response = post(at, fields);
          consentPages++;
          continue;
        }
        throw new AssertionError(
            "unexpected answer " + response.statusCode() + " from " + at + describe(page));
      }
      throw new AssertionError("no redirect to " + redirectUri + " after " + MAX_STEPS + " steps");
    }

    /** How many times this browser filled Keycloak's login form. */
    public int loginForms() {
      return loginForms;
    }

    /** How many consent pages this browser accepted. */
    public int consentPages() {
      return consentPages;
    }

    private HttpResponse<String> post(URI uri, Map<String, String> fields) {
      String form =
          fields.entrySet().stream()
              .map(e -> encode(e.getKey()) + "=" + encode(e.getValue()))
              .collect(Collectors.joining("&"));
      return send(
          HttpRequest.newBuilder(uri)
              .header("Content-Type", "application/x-www-form-urlencoded")
              .POST(HttpRequest.BodyPublishers.ofString(form)));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
      HttpRequest built = request.timeout(Duration.ofSeconds(30)).build();
      try {
        return http.send(built, HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        throw new UncheckedIOException(built.method() + " " + built.uri(), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted: " + built.uri(), e);
      }
    }
  }

  private static Optional<Matcher> consentForm(String page) {
    Matcher form = ANY_FORM.matcher(page);
    while (form.find()) {
      if (form.group(1).contains("name=\"accept\"")) {
        return Optional.of(form);
      }
    }
    return Optional.empty();
  }

  private static String action(String form) {
    Matcher action = ACTION.matcher(form.substring(0, form.indexOf('>') + 1));
    if (!action.find()) {
      throw new AssertionError("a form without action: " + form);
    }
    return unescape(action.group(1));
  }

  private static Map<String, String> hiddenFields(String form) {
    Map<String, String> fields = new LinkedHashMap<>();
    Matcher input = INPUT.matcher(form);
    while (input.find()) {
      String tag = input.group();
      Matcher name = NAME.matcher(tag);
      if (tag.contains("type=\"hidden\"") && name.find()) {
        Matcher value = VALUE.matcher(tag);
        fields.put(unescape(name.group(1)), value.find() ? unescape(value.group(1)) : "");
      }
    }
    return fields;
  }

  /** The page's title and messages, for a failure that says what Keycloak showed. */
  private static String describe(String page) {
    StringBuilder text = new StringBuilder();
    Matcher title = TITLE.matcher(page);
    if (title.find()) {
      text.append(": \"").append(title.group(1).strip()).append('"');
    }
    Matcher message = MESSAGE.matcher(page);
    while (message.find()) {
      String shown = unescape(message.group(1).replaceAll("<[^>]*>", "")).strip();
      if (!shown.isEmpty()) {
        text.append(" / ").append(shown.replaceAll("\\s+", " "));
      }
    }
    return text.toString();
  }

  private static String unescape(String html) {
    return html.replace("&amp;", "&")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">");
  }

  private static Map<String, String> parameters(String query) {
    return Arrays.stream(query == null ? new String[0] : query.split("&"))
        .map(pair -> pair.split("=", 2))
        .collect(
            Collectors.toMap(
                kv -> URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
                kv -> kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "",
                (first, second) -> first,
                LinkedHashMap::new));
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  /**
   * Browsers count {@code http://127.0.0.1} and {@code localhost} as secure origins and so keep and
   * send Keycloak's {@code Secure} cookies there; the JDK's cookie store only does over https. The
   * store is asked as if loopback URLs were https, which gives the browsers' behaviour.
   */
  private static final class LoopbackIsSecure extends CookieHandler {

    private final CookieManager cookies = new CookieManager(null, CookiePolicy.ACCEPT_ALL);

    @Override
    public Map<String, List<String>> get(URI uri, Map<String, List<String>> requestHeaders)
        throws IOException {
      return cookies.get(secure(uri), requestHeaders);
    }

    @Override
    public void put(URI uri, Map<String, List<String>> responseHeaders) throws IOException {
      cookies.put(secure(uri), responseHeaders);
    }

    private static URI secure(URI uri) {
      if (!"http".equalsIgnoreCase(uri.getScheme()) || !loopback(uri.getHost())) {
        return uri;
      }
      try {
        // only host and path matter to the store
        return new URI("https", null, uri.getHost(), uri.getPort(), uri.getPath(), null, null);
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException(uri.toString(), e);
      }
    }

    private static boolean loopback(String host) {
      if (host == null) {
        return false;
      }
      if (host.equalsIgnoreCase("localhost")) {
        return true;
      }
      try {
        return host.matches("[0-9.]+|\\[[0-9a-fA-F:]+\\]")
            && InetAddress.getByName(host).isLoopbackAddress();
      } catch (UnknownHostException e) {
        return false;
      }
    }
  }
}
