package dev.callgate.app.e2e;

import static org.assertj.core.api.Assertions.fail;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Verifies webhook deliveries with the npm package {@code standardwebhooks} — an implementation of
 * the Standard Webhooks specification that is not Callgate's — run by Node.js from {@code
 * src/test/standardwebhooks} (its packages installed with {@code npm ci} on first use).
 */
final class StandardWebhooksVerifier {
  static final Path DIRECTORY = Path.of("src", "test", "standardwebhooks");

  /** One request as the receiver got it: its headers (lower-case names) and body. */
  record Delivery(Map<String, String> headers, String body) {}

  /** Whether the library verified a delivery, and its complaint when it did not. */
  record Verdict(boolean verified, String error) {}

  private StandardWebhooksVerifier() {}

  /** The library's verdict on each of {@code deliveries}, in their order. */
  static List<Verdict> verify(String secret, List<Delivery> deliveries)
      throws IOException, InterruptedException {
    NodePackages.requireNode("to verify webhook signatures independently");
    NodePackages.install(
        DIRECTORY, "standardwebhooks", Path.of("target", "npm-ci-standardwebhooks.log"));
    JsonArray array = new JsonArray();
    deliveries.forEach(
        d ->
            array.add(
                new JsonObject()
                    .put("headers", new JsonObject(Map.copyOf(d.headers())))
                    .put("body", d.body())));
    Path input = Files.createTempFile("webhook-deliveries", ".json");
    Path output = Path.of("target", "standardwebhooks-verify.log");
    try {
      Files.writeString(
          input, new JsonObject().put("secret", secret).put("deliveries", array).encode());
      Process node =
          new ProcessBuilder("node", "verify.mjs", input.toAbsolutePath().toString())
              .directory(DIRECTORY.toFile())
              .redirectErrorStream(true)
              .redirectOutput(output.toFile())
              .start();
      if (!node.waitFor(60, TimeUnit.SECONDS)) {
        node.destroyForcibly();
        fail("the verifier did not finish within 60 s");
      }
      List<Verdict> verdicts = new ArrayList<>();
      for (String line : Files.readAllLines(output, StandardCharsets.UTF_8)) {
        if (!line.startsWith("{")) {
          fail("the verifier failed: " + Files.readString(output));
        }
        JsonObject verdict = new JsonObject(line);
        verdicts.add(new Verdict(verdict.getBoolean("verified"), verdict.getString("error", "")));
      }
      if (verdicts.size() != deliveries.size()) {
        fail("the verifier judged " + verdicts.size() + " of " + deliveries.size() + " deliveries");
      }
      return verdicts;
    } finally {
      Files.deleteIfExists(input);
    }
  }
}
