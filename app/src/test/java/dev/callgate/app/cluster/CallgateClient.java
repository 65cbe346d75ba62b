package dev.callgate.app.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.adapter.idp.BrowserLogin;
import dev.callgate.adapter.idp.NodeOidcProvider;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Callgate's HTTP API as the cluster tests use it against one instance: any call with the admin key
 * or another key, the answers as status, headers and body, and shortcuts for what most tests do —
 * create a provider at node-oidc-provider and a credential, authorize it as a person would, read a
 * credential's status and a metric of {@code /metrics}. Transport failures (refused connections,
 * timeouts) are thrown as {@link UncheckedIOException}.
 */
public final class CallgateClient {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();

  private final URI baseUri;
  private final String adminKey;

  /** A client of the instance at {@code baseUri} (see {@link CallgateProcess#baseUri()}). */
  public CallgateClient(URI baseUri, String adminKey) {
    this.baseUri = baseUri;
    this.adminKey = adminKey;
  }

  public URI baseUri() {
    return baseUri;
  }

  /** An answer of Callgate (or, relayed by a callout, of the target). */
  public record Answer(int status, Map<String, List<String>> headers, String body) {
    public JsonObject json() {
      return new JsonObject(body);
    }

    /** The {@code Callgate-Error} header: the diagnosis code, or "none" when Callgate set none. */
    public String error() {
      return header("Callgate-Error").orElse("none");
    }

    public Optional<String> header(String name) {
      return headers.entrySet().stream()
          .filter(header -> header.getKey().equalsIgnoreCase(name) && !header.getValue().isEmpty())
          .map(header -> header.getValue().get(0))
          .findFirst();
    }
  }

  /** {@code method path} with the admin key; {@code body} may be null. */
  public Answer call(String method, String path, JsonObject body) {
    return callAs(adminKey, method, path, body);
  }

  /** {@code method path} with {@code apiKey} (null: no {@code Authorization} header). */
  public Answer callAs(String apiKey, String method, String path, JsonObject body) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(baseUri.resolve(path))
            .timeout(TIMEOUT)
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body.encode()));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    if (apiKey != null) {
      request.header("Authorization", "Bearer " + apiKey);
    }
    try {
      HttpResponse<String> response =
          HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
      return new Answer(response.statusCode(), response.headers().map(), response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(method + " " + baseUri.resolve(path) + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during " + method + " " + path, e);
    }
  }

  /**
   * Creates a provider discovered from {@code issuer} with node-oidc-provider's client ({@link
   * NodeOidcProvider#CLIENT_ID}); node-oidc-provider does not report refresh-token lifetimes, so
   * the test says it. Returns the created provider.
   */
  public JsonObject createProvider(
      String name, URI issuer, List<String> scopes, Duration refreshTokenLifetime) {
    return created(
        "/v1/providers",
        new JsonObject()
            .put("name", name)
            .put("issuer", issuer.toString())
            .put("clientId", NodeOidcProvider.CLIENT_ID)
            .put("clientSecret", NodeOidcProvider.CLIENT_SECRET)
            .put("scopes", new JsonArray(List.copyOf(scopes)))
            .put("refreshTokenLifetime", refreshTokenLifetime.toString()));
  }

  /**
   * Creates an {@code oauth2_authorization_code} credential for {@code url} through {@code
   * provider}; {@code fields} adds or overrides fields of the body. Returns the created credential.
   */
  public JsonObject createCredential(String name, URI url, String provider, JsonObject fields) {
    return created(
        "/v1/credentials",
        new JsonObject()
            .put("name", name)
            .put("url", url.toString())
            .put("protocol", "oauth2_authorization_code")
            .put("provider", provider)
            .mergeIn(fields));
  }

  /**
   * The authorization-code flow as a person runs it against node-oidc-provider: start it here, log
   * in as {@code login} and consent, and bring the code back to this instance's callback, as the
   * browser would. The instances' {@code CALLGATE_PUBLIC_URL} must be {@code http://127.0.0.1},
   * whose callback is the redirect URI registered there. Returns the callback's answer (200).
   */
  public Answer authorize(String credential, String login) {
    Answer started = call("POST", "/v1/credentials/" + credential + "/authorizations", null);
    assertThat(started.status()).as(started.body()).isEqualTo(201);
    Map<String, String> redirect;
    CookieManager browser = new CookieManager();
    try {
      redirect =
          BrowserLogin.follow(
              reachable(URI.create(started.json().getString("authorizationUrl"))),
              NodeOidcProvider.REDIRECT_URI,
              login,
              browser);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while logging in", e);
    }
    assertThat(redirect).as("the provider's redirect back").containsKeys("code", "state");
    URI callbackUri =
        baseUri.resolve(
            "/v1/oauth/callback?code="
                + URLEncoder.encode(redirect.get("code"), StandardCharsets.UTF_8)
                + "&state="
                + URLEncoder.encode(redirect.get("state"), StandardCharsets.UTF_8));
    HttpRequest.Builder request = HttpRequest.newBuilder(callbackUri).timeout(TIMEOUT).GET();
    BrowserLogin.cookieHeader(browser, callbackUri).ifPresent(c -> request.header("Cookie", c));
    Answer callback;
    try {
      HttpResponse<String> response =
          HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
      callback = new Answer(response.statusCode(), response.headers().map(), response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during the callback", e);
    }
    assertThat(callback.status()).as(callback.body()).isEqualTo(200);
    return callback;
  }

  /** Callgate's authorization page at this instance's port (the public URL names none). */
  private URI reachable(URI page) {
    return baseUri.resolve(page.getRawPath() + "?" + page.getRawQuery());
  }

  /** {@code GET /v1/credentials/{credential}/status}, which must answer 200. */
  public JsonObject status(String credential) {
    Answer status = call("GET", "/v1/credentials/" + credential + "/status", null);
    assertThat(status.status()).as(status.body()).isEqualTo(200);
    return status.json();
  }

  /** The Prometheus text of {@code /metrics}. */
  public String metrics() {
    Answer metrics = callAs(null, "GET", "/metrics", null);
    assertThat(metrics.status()).as(metrics.body()).isEqualTo(200);
    return metrics.body();
  }

  /**
   * The sum of the samples named {@code name} (e.g. {@code callgate_refreshes_total}) that carry
   * every label of {@code labels}; 0 when none does — Micrometer shows a labelled counter only
   * after its first increment.
   */
  public double metric(String name, Map<String, String> labels) {
    double sum = 0;
    for (String line : metrics().lines().toList()) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      Sample sample = Sample.parse(line);
      if (sample.name().equals(name) && sample.labels().entrySet().containsAll(labels.entrySet())) {
        sum += sample.value();
      }
    }
    return sum;
  }

  private JsonObject created(String path, JsonObject body) {
    Answer created = call("POST", path, body);
    assertThat(created.status()).as("POST " + path + ": " + created.body()).isEqualTo(201);
    return created.json();
  }

  /** One line of the Prometheus text format: {@code name{label="value",…} value [timestamp]}. */
  private record Sample(String name, Map<String, String> labels, double value) {
    static Sample parse(String line) {
      int nameEnd = 0;
      while (nameEnd < line.length()
          && line.charAt(nameEnd) != '{'
          && line.charAt(nameEnd) != ' ') {
        nameEnd++;
      }
      Map<String, String> labels = new HashMap<>();
      int at = nameEnd;
      if (at < line.length() && line.charAt(at) == '{') {
        at++;
        while (line.charAt(at) != '}') {
          int equals = line.indexOf('=', at);
          String label = line.substring(at, equals).trim();
          at = equals + 2; // past ="
          StringBuilder value = new StringBuilder();
          for (char c = line.charAt(at); c != '"'; c = line.charAt(++at)) {
            if (c == '\\') {
              char escaped = line.charAt(++at);
              value.append(escaped == 'n' ? '\n' : escaped);
            } else {
              value.append(c);
            }
          }
          labels.put(label, value.toString());
          at++; // past the closing quote
          if (line.charAt(at) == ',') {
            at++;
          }
        }
        at++;
      }
      String value = line.substring(at).trim().split("\\s+")[0];
      return new Sample(line.substring(0, nameEnd), labels, number(value));
    }

    private static double number(String value) {
      return switch (value) {
        case "+Inf" -> Double.POSITIVE_INFINITY;
        case "-Inf" -> Double.NEGATIVE_INFINITY;
        case "NaN" -> Double.NaN;
        default -> Double.parseDouble(value);
      };
    }
  }
}
