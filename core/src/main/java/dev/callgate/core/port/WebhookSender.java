package dev.callgate.core.port;

import dev.callgate.core.credential.Secret;
import dev.callgate.core.event.RecordedEvent;
import dev.callgate.core.webhook.SendOutcome;
import java.net.URI;
import java.time.Instant;
import java.util.concurrent.CompletionStage;

/**
 * Sends one event to one webhook receiver as the Standard Webhooks specification has it: a POST of
 * the event's JSON, signed with the webhook's {@code whsec_…} secret under the event's id and the
 * attempt's time ({@code webhook-id}, {@code webhook-timestamp}, {@code webhook-signature}),
 * obeying the outbound address rules of every connection Callgate opens. The stage never fails for
 * the receiver's sake: no answer is a {@link SendOutcome.NotAnswered}.
 */
public interface WebhookSender {
  CompletionStage<SendOutcome> send(URI url, Secret secret, RecordedEvent event, Instant attemptAt);
}
