package dev.callgate.app.hostile;

import dev.callgate.app.hostile.RawClient.Answer;
import dev.callgate.app.hostile.RawClient.Outcome;
import dev.callgate.app.hostile.RecordingTarget.Received;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Optional;

/**
 * What Callgate must do with one hostile request, checked against its answer and against what the
 * recording target got from that request (found by the case's tag). Beside it, every case is held
 * to the rules of {@link HostileInputTest#universalRules}.
 */
@FunctionalInterface
interface Expectation {
  void check(Answer answer, List<Received> atTarget);

  /** Callgate's own refusal: a 4xx problem document with a code, and nothing sent on. */
  static Expectation refused() {
    return (answer, atTarget) -> {
      problem(answer);
      nothingForwarded(atTarget);
    };
  }

  /** A refusal with one of {@code statuses}. */
  static Expectation refused(int... statuses) {
    return (answer, atTarget) -> {
      problem(answer);
      for (int status : statuses) {
        if (answer.status() == status) {
          nothingForwarded(atTarget);
          return;
        }
      }
      throw new AssertionError(
          "expected one of " + java.util.Arrays.toString(statuses) + ", got " + answer.summary());
    };
  }

  /**
   * The end of an authorization flow, which a person's browser shows: a 4xx with the code in {@code
   * Callgate-Error}, as a problem document or as a page.
   */
  static Expectation refusedPage() {
    return (answer, atTarget) -> {
      String type = answer.header("Content-Type").orElse("");
      if (type.startsWith("text/html")) {
        fourHundred(answer);
        if (answer.header("Callgate-Error").isEmpty()) {
          throw new AssertionError("a refusal page without Callgate-Error: " + answer.summary());
        }
        if (answer.bodyText().contains("<script") || answer.bodyText().contains("<img")) {
          throw new AssertionError("the page repeats markup it was sent: " + answer.summary());
        }
      } else {
        problem(answer);
      }
      nothingForwarded(atTarget);
    };
  }

  /** The target's own answer with {@code status}, relayed, from exactly one complete request. */
  static Expectation relayed(int status) {
    return (answer, atTarget) -> {
      if (answer.status() != status || answer.header("Callgate-Error").isPresent()) {
        throw new AssertionError("expected the target's " + status + ", got " + answer.summary());
      }
      forwardedOnce(atTarget);
    };
  }

  /** Refused as {@link #refused()} says, or relayed from one complete request to the target. */
  static Expectation refusedOrRelayed() {
    return (answer, atTarget) -> {
      if (isCallgates(answer)) {
        refused().check(answer, atTarget);
      } else if (answer.hasStatus()) {
        forwardedOnce(atTarget);
      } else {
        throw new AssertionError("no answer: " + answer.summary());
      }
    };
  }

  /** Refused, or relayed from exactly one request to {@code path} at the target. */
  static Expectation refusedOrRelayedTo(String path) {
    return (answer, atTarget) -> {
      refusedOrRelayed().check(answer, atTarget);
      if (!isCallgates(answer) && !atTarget.get(0).target().equals(path)) {
        throw new AssertionError("relayed to " + atTarget.get(0).target() + " instead of " + path);
      }
    };
  }

  /** Refused, or the connection closed without an answer (the request never ended). */
  static Expectation refusedOrClosed() {
    return (answer, atTarget) -> {
      if (answer.hasStatus()) {
        refused().check(answer, atTarget);
      } else if (answer.outcome() != Outcome.CLOSED) {
        throw new AssertionError("expected a refusal or a closed connection: " + answer.summary());
      }
    };
  }

  /** Created ({@code 201}), or refused: the step after it decides. */
  static Expectation createdOrRefused() {
    return (answer, atTarget) -> {
      if (answer.status() != 201) {
        refused().check(answer, atTarget);
      }
    };
  }

  /** Answered over HTTP/1.1 without switching protocols; a refusal is a problem document. */
  static Expectation notUpgraded() {
    return (answer, atTarget) -> {
      if (!new String(
              answer.raw(),
              0,
              Math.min(9, answer.raw().length),
              java.nio.charset.StandardCharsets.ISO_8859_1)
          .equals("HTTP/1.1 ")) {
        throw new AssertionError("not an HTTP/1.1 answer: " + answer.summary());
      }
      if (answer.status() == 101) {
        throw new AssertionError("switched protocols: " + answer.summary());
      }
      if (isCallgates(answer)) {
        problem(answer);
      }
    };
  }

  /** Anything but what every case is held to (an upload the client itself broke off). */
  static Expectation anyAnswer() {
    return (answer, atTarget) -> {
      if (isCallgates(answer) && !isGatewayRefusal(answer)) {
        problem(answer);
      }
    };
  }

  /** A relayed answer without Callgate's error header, which only Callgate may set. */
  static Expectation relayedWithoutCallgateError(int status) {
    return (answer, atTarget) -> {
      if (answer.status() != status) {
        throw new AssertionError("expected the target's " + status + ", got " + answer.summary());
      }
      if (answer.header("Callgate-Error").isPresent()) {
        throw new AssertionError(
            "the target set Callgate-Error and it was relayed: " + answer.summary());
      }
    };
  }

  /** This expectation and then {@code also}. */
  default Expectation and(Expectation also) {
    return (answer, atTarget) -> {
      check(answer, atTarget);
      also.check(answer, atTarget);
    };
  }

  static boolean isCallgates(Answer answer) {
    return answer.header("Callgate-Error").isPresent()
        || answer.header("Content-Type").orElse("").startsWith("application/problem+json")
        || (answer.hasStatus() && answer.header("Content-Type").isEmpty());
  }

  private static void fourHundred(Answer answer) {
    if (answer.status() < 400 || answer.status() > 499) {
      throw new AssertionError("expected a 4xx refusal, got " + answer.summary());
    }
  }

  /** A 4xx problem document whose code is also in the Callgate-Error header. */
  /**
   * Callgate's refusals that are not the caller's mistake and so are 502 by design: a target that
   * echoed the secret Callgate injected, an address the outbound policy refuses and a provider
   * whose metadata is invalid — the last two are the admin's configuration, which a caller cannot
   * fix.
   */
  static final java.util.Set<String> GATEWAY_REFUSALS =
      java.util.Set.of("SECRET_ECHOED", "OUTBOUND_ADDRESS_REFUSED", "PROVIDER_METADATA_INVALID");

  /** Whether {@code answer} is one of the {@link #GATEWAY_REFUSALS}, as a 502 problem document. */
  static boolean isGatewayRefusal(Answer answer) {
    if (answer.status() != 502) {
      return false;
    }
    if (!answer.header("Content-Type").orElse("").startsWith("application/problem+json")) {
      return false;
    }
    // a HEAD answer has the head of the document only
    if (answer.body().length > 0) {
      try {
        problemDocument(answer);
      } catch (AssertionError notAProblem) {
        return false;
      }
    }
    return answer.header("Callgate-Error").filter(GATEWAY_REFUSALS::contains).isPresent();
  }

  /** A configuration the admin got wrong: refused as a 4xx, or as a gateway refusal (502). */
  static Expectation refusedOrGatewayRefusal() {
    return (answer, atTarget) -> {
      if (!isGatewayRefusal(answer)) {
        problem(answer);
      }
      nothingForwarded(atTarget);
    };
  }

  static void problem(Answer answer) {
    fourHundred(answer);
    problemDocument(answer);
  }

  private static void problemDocument(Answer answer) {
    String type = answer.header("Content-Type").orElse("");
    if (!type.startsWith("application/problem+json")) {
      throw new AssertionError("not application/problem+json: " + answer.summary());
    }
    JsonObject problem;
    try {
      problem = new JsonObject(answer.bodyText());
    } catch (DecodeException | ClassCastException e) {
      throw new AssertionError("the problem document is not a JSON object: " + answer.summary());
    }
    Object code = problem.getValue("code");
    if (!(code instanceof String text) || text.isBlank()) {
      throw new AssertionError("the problem document has no code: " + answer.summary());
    }
    Optional<String> header = answer.header("Callgate-Error");
    if (!header.equals(Optional.of(text))) {
      throw new AssertionError("Callgate-Error " + header + " does not say " + text);
    }
    Object status = problem.getValue("status");
    if (status != null && !status.equals(answer.status())) {
      throw new AssertionError("the document's status " + status + " is not the answer's");
    }
  }

  private static void nothingForwarded(List<Received> atTarget) {
    if (!atTarget.isEmpty()) {
      throw new AssertionError("refused, yet the target got: " + atTarget.get(0).describe());
    }
  }

  private static void forwardedOnce(List<Received> atTarget) {
    if (atTarget.size() != 1) {
      throw new AssertionError(
          "relayed, yet the target got "
              + atTarget.size()
              + " requests: "
              + atTarget.stream().map(Received::describe).toList());
    }
    if (!atTarget.get(0).complete()) {
      throw new AssertionError(
          "the target got an incomplete request: " + atTarget.get(0).describe());
    }
  }
}
