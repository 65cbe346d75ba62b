package dev.callgate.adapter.idp;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What a person does with a user code on another device, at node-oidc-provider's device pages as
 * plain HTTP (RFC 8628 §3.3): open the verification URI (the complete one, carrying the code),
 * confirm or abort on the confirmation page, then sign in and consent with the provider's forms.
 * Cookies are kept for the whole visit, as a browser keeps them.
 */
public final class DeviceLogin {

  private static final Pattern HIDDEN =
      Pattern.compile("<input type=\"hidden\" name=\"(\\w+)\" value=\"([^\"]*)\"");
  private static final Pattern FORM_ACTION =
      Pattern.compile("<form[^>]*action=\"([^\"]+)\"", Pattern.CASE_INSENSITIVE);

  private DeviceLogin() {}

  /**
   * Opens {@code verificationUriComplete}, confirms the code, signs in as {@code login} and
   * consents; returns the provider's last page.
   */
  public static String approve(URI verificationUriComplete, String login)
      throws IOException, InterruptedException {
    return answer(verificationUriComplete, login, true);
  }

  /** Opens {@code verificationUriComplete} and aborts on the confirmation page: a denial. */
  public static String deny(URI verificationUriComplete) throws IOException, InterruptedException {
    return answer(verificationUriComplete, "nobody", false);
  }

  private static String answer(URI verificationUriComplete, String login, boolean approve)
      throws IOException, InterruptedException {
    HttpClient http =
        HttpClient.newBuilder()
            .cookieHandler(new CookieManager())
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    // the complete URI answers with a form that posts the code (a browser submits it by script)
    HttpResponse<String> page =
        http.send(
            HttpRequest.newBuilder(verificationUriComplete).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    page = post(http, verificationUriComplete, page, Map.of());
    // the confirmation page: its form confirms, its abort button denies
    page = post(http, verificationUriComplete, page, approve ? Map.of() : Map.of("abort", "yes"));
    if (!approve) {
      return page.body();
    }
    BrowserLogin.Landing landing =
        BrowserLogin.signIn(http, verificationUriComplete, page, login, target -> false);
    return landing.page().orElseThrow().body();
  }

  /** Submits the page's form (its hidden fields, and {@code extra} as a pressed button adds). */
  private static HttpResponse<String> post(
      HttpClient http, URI base, HttpResponse<String> page, Map<String, String> extra)
      throws IOException, InterruptedException {
    Matcher action = FORM_ACTION.matcher(page.body());
    if (page.statusCode() != 200 || !action.find()) {
      fail("no form in the answer " + page.statusCode() + " from " + page.uri());
    }
    Map<String, String> fields = new LinkedHashMap<>();
    Matcher hidden = HIDDEN.matcher(page.body());
    while (hidden.find()) {
      fields.put(hidden.group(1), hidden.group(2));
    }
    fields.putAll(extra);
    String form =
        fields.entrySet().stream()
            .map(e -> encode(e.getKey()) + "=" + encode(e.getValue()))
            .collect(Collectors.joining("&"));
    return http.send(
        HttpRequest.newBuilder(base.resolve(action.group(1).replace("&amp;", "&")))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
