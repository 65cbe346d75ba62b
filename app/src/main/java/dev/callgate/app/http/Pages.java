package dev.callgate.app.http;

import dev.callgate.core.diagnosis.Diagnosis;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;

/** The few HTML pages a person's browser sees (the end of an authorization flow). */
final class Pages {
  private Pages() {}

  static void send(RoutingContext ctx, int status, String body, Optional<Diagnosis> error) {
    error.ifPresent(d -> ctx.response().putHeader(Problems.ERROR_HEADER, d.code().name()));
    ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "text/html; charset=utf-8")
        .putHeader("Cache-Control", "no-store")
        .end(
            "<!doctype html><html><head><meta charset=\"utf-8\"><title>Callgate</title></head><body>"
                + body
                + "</body></html>");
  }

  static String diagnosis(Diagnosis diagnosis) {
    return "<p><strong>"
        + escape(diagnosis.code().name())
        + "</strong>: "
        + escape(diagnosis.message())
        + "</p><p>"
        + escape(diagnosis.remedy())
        + "</p>";
  }

  static String escape(String text) {
    return text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;")
        .replace("'", "&#39;");
  }
}
