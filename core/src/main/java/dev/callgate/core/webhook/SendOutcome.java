package dev.callgate.core.webhook;

import java.util.Objects;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * What became of one attempt to send a webhook: the receiver answered with a status, or no answer
 * came (no connection, a refused address, a timeout), said in a short reason with no secret in it.
 */
public sealed interface SendOutcome {

  <R> R fold(IntFunction<R> answered, Function<String, R> notAnswered);

  /** Whether the receiver took the event: any 2xx. */
  default boolean delivered() {
    return fold(status -> status >= 200 && status < 300, reason -> false);
  }

  /** How the outcome reads in the deliveries API and the webhook's health. */
  default String describe() {
    return fold(status -> "HTTP " + status, reason -> reason);
  }

  record Answered(int status) implements SendOutcome {
    public Answered {
      if (status < 100 || status > 999) {
        throw new IllegalArgumentException("not an HTTP status: " + status);
      }
    }

    @Override
    public <R> R fold(IntFunction<R> answered, Function<String, R> notAnswered) {
      return answered.apply(status);
    }
  }

  record NotAnswered(String reason) implements SendOutcome {
    public NotAnswered {
      Objects.requireNonNull(reason, "reason");
    }

    @Override
    public <R> R fold(IntFunction<R> answered, Function<String, R> notAnswered) {
      return notAnswered.apply(reason);
    }
  }
}
