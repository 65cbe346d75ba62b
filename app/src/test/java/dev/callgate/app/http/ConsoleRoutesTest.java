package dev.callgate.app.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The console's files as a browser gets them: types, security headers, caching, and 404s. */
class ConsoleRoutesTest {
  private Vertx vertx;
  private HttpServer server;
  private WebClient web;

  record Answer(int status, MultiMap headers, String body) {}

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    Router router = Router.router(vertx);
    router.route().handler(new RequestIds());
    new ConsoleRoutes().mount(router);
    router.route().last().handler(ApiRouter::notFound);
    server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").await();
    web = WebClient.create(vertx);
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  private Answer get(String uri) throws Exception {
    return send(HttpMethod.GET, uri, Map.of());
  }

  private Answer send(HttpMethod method, String uri, Map<String, String> headers) throws Exception {
    var request = web.request(method, server.actualPort(), "127.0.0.1", uri);
    headers.forEach(request::putHeader);
    HttpResponse<Buffer> response =
        request.send().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    return new Answer(
        response.statusCode(),
        response.headers(),
        response.body() == null ? "" : response.body().toString());
  }

  private static void assertProtected(Answer answer) {
    assertThat(answer.headers().get("Content-Security-Policy"))
        .isEqualTo(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
                + " connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action"
                + " 'self'");
    assertThat(answer.headers().get("X-Content-Type-Options")).isEqualTo("nosniff");
    assertThat(answer.headers().get("Referrer-Policy")).isEqualTo("no-referrer");
  }

  private static void assertNotFoundProblem(Answer answer) {
    assertThat(answer.status()).isEqualTo(404);
    assertThat(answer.headers().get("Content-Type")).isEqualTo("application/problem+json");
    assertThat(answer.headers().get("Callgate-Error")).isEqualTo("ROUTE_NOT_FOUND");
    assertThat(new JsonObject(answer.body()).getString("code")).isEqualTo("ROUTE_NOT_FOUND");
  }

  @Test
  void pageWhenOpenedWithOrWithoutSlashThenServesTheConsoleWithAStrictPolicy() throws Exception {
    for (String uri : new String[] {"/console", "/console/"}) {
      Answer page = get(uri);

      assertThat(page.status()).isEqualTo(200);
      assertThat(page.headers().get("Content-Type")).isEqualTo("text/html; charset=utf-8");
      assertThat(page.headers().get("Cache-Control")).isEqualTo("no-cache");
      assertProtected(page);
      assertThat(page.body())
          .contains("<html lang=\"en\">", "<script type=\"module\" src=\"/console/assets/app.js\">")
          .doesNotContain("<script>", "style=\"", "<style");
    }
  }

  @Test
  void pageWhenBuiltThenNamesTheStylesheetWebJarByAVersionThatIsServed() throws Exception {
    Matcher link =
        Pattern.compile("href=\"(/console/webjars/picocss__pico/([^/\"]+)/css/pico\\.min\\.css)\"")
            .matcher(get("/console").body());
    assertThat(link.find()).as("the page links Pico by its versioned path").isTrue();
    assertThat(link.group(2)).matches("\\d+\\.\\d+\\.\\d+");

    Answer css = get(link.group(1));

    assertThat(css.status()).isEqualTo(200);
    assertThat(css.headers().get("Content-Type")).startsWith("text/css");
    assertThat(css.headers().get("Cache-Control"))
        .contains("max-age=31536000")
        .contains("immutable");
    assertProtected(css);
    assertThat(css.body()).contains("Pico CSS");
  }

  @Test
  void assetWhenAskedForThenServedWithItsTypeAndRevalidatedEachTime() throws Exception {
    Answer script = get("/console/assets/app.js");
    Answer style = get("/console/assets/console.css");

    assertThat(script.status()).isEqualTo(200);
    assertThat(script.headers().get("Content-Type")).startsWith("text/javascript");
    assertThat(script.headers().get("Cache-Control")).isEqualTo("no-cache");
    assertProtected(script);
    assertThat(style.status()).isEqualTo(200);
    assertThat(style.headers().get("Content-Type")).startsWith("text/css");
    assertThat(style.headers().get("Cache-Control")).isEqualTo("no-cache");

    Answer again =
        send(
            HttpMethod.GET,
            "/console/assets/app.js",
            Map.of("If-Modified-Since", script.headers().get("Last-Modified")));
    assertThat(again.status()).isEqualTo(304);
  }

  @Test
  void assetWhenUnknownThenProblemDocument() throws Exception {
    Answer missing = get("/console/assets/nothing-here.js");

    assertNotFoundProblem(missing);
    assertProtected(missing);
    assertNotFoundProblem(get("/console/webjars/picocss__pico/0.0.0/css/pico.min.css"));
  }

  @Test
  void folderWhenAskedForThenNeitherListedNorAnsweredWithAnIndex() throws Exception {
    for (String uri :
        new String[] {
          "/console/assets/",
          "/console/webjars/",
          "/console/webjars/picocss__pico/",
          "/console/webjars/picocss__pico/2.1.1/css/"
        }) {
      Answer folder = get(uri);

      assertNotFoundProblem(folder);
      assertThat(folder.body()).doesNotContain("pico.min.css", "<html");
    }
  }

  @Test
  void fileWhenHiddenOrOutsideTheFoldersThenNotServed() throws Exception {
    assertNotFoundProblem(get("/console/webjars/picocss__pico/2.1.1/.prettierrc"));
    assertNotFoundProblem(get("/console/webjars/../../logback.xml"));
    assertNotFoundProblem(get("/console/assets/%2e%2e/openapi.json"));
    assertNotFoundProblem(get("/console/webjars/META-INF/MANIFEST.MF"));
  }
}
