package dev.callgate.app.http;

import dev.callgate.core.event.Event;
import dev.callgate.core.event.RecordedEvent;
import io.vertx.core.json.JsonObject;
import java.util.TreeMap;

/**
 * An event as the API, live views and webhooks carry it — one shape everywhere:
 *
 * <pre>{@code
 * {"id":"42","type":"grant.lost","time":"2026-01-01T00:00:00Z","credential":"crm","user":null,
 *  "instance":"callgate-1",
 *  "diagnosis":{"code":"REFRESH_TOKEN_REVOKED","message":"…","remedy":"…"},
 *  "actor":{"subject":"ops","keyId":"k_…","requestId":"…"},
 *  "details":{"cause":"revoked"}}
 * }</pre>
 *
 * {@code id} is the decimal id as a string (ids outgrow what JSON numbers carry exactly in some
 * readers) and is the cursor to read on from; {@code credential} and {@code user} are {@code null}
 * where the event has none; {@code diagnosis} and {@code actor} are present only where the event
 * has them; {@code details} is always an object, its keys in order. No secret is ever in an event.
 */
public final class EventJson {
  private EventJson() {}

  public static JsonObject of(RecordedEvent recorded) {
    Event event = recorded.event();
    JsonObject json =
        new JsonObject()
            .put("id", Long.toString(recorded.id()))
            .put("type", event.type().wireName())
            .put("time", event.time().toString())
            .put("credential", event.credential().orElse(null))
            .put("user", event.user().orElse(null))
            .put("instance", event.instance());
    event.diagnosis().ifPresent(d -> json.put("diagnosis", Problems.diagnosisJson(d)));
    event
        .actor()
        .ifPresent(
            actor ->
                json.put(
                    "actor",
                    new JsonObject()
                        .put("subject", actor.subject())
                        .put("keyId", actor.keyId())
                        .put("requestId", actor.requestId())));
    json.put("details", new JsonObject(new TreeMap<String, Object>(event.details())));
    return json;
  }
}
