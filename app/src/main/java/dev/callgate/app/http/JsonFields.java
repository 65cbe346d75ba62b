package dev.callgate.app.http;

import static dev.callgate.core.diagnosis.DiagnosisCode.INVALID_VALUE;
import static dev.callgate.core.diagnosis.DiagnosisCode.MALFORMED_REQUEST;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.diagnosis.Validated;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the fields of a JSON request body by name and type, collecting a diagnosis for each field
 * of the wrong type and for each field the API does not know (a typo must not be ignored silently).
 * A body is strict JSON (RFC 8259): no comments, and no field twice — a repeated field would let
 * one reader see {@code caller} where another sees {@code admin}.
 */
final class JsonFields {
  private static final JsonFactory STRICT =
      JsonFactory.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .disable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
          .disable(JsonReadFeature.ALLOW_YAML_COMMENTS)
          .disable(JsonReadFeature.ALLOW_TRAILING_COMMA)
          .disable(JsonReadFeature.ALLOW_SINGLE_QUOTES)
          .build();

  private final JsonObject body;
  private final List<Diagnosis> problems = new ArrayList<>();

  JsonFields(JsonObject body, Set<String> known) {
    this.body = body;
    for (String field : body.fieldNames()) {
      if (!known.contains(field)) {
        problems.add(problem(field, "is not a field of this resource"));
      }
    }
  }

  String string(String field) {
    Object value = body.getValue(field);
    if (value == null || value instanceof String) {
      return (String) value;
    }
    problems.add(problem(field, "must be a string"));
    return null;
  }

  Boolean bool(String field) {
    Object value = body.getValue(field);
    if (value == null || value instanceof Boolean) {
      return (Boolean) value;
    }
    problems.add(problem(field, "must be true or false"));
    return null;
  }

  List<String> strings(String field) {
    Object value = body.getValue(field);
    if (value == null) {
      return null;
    }
    if (value instanceof JsonArray array && array.stream().allMatch(v -> v instanceof String)) {
      return array.stream().map(String.class::cast).toList();
    }
    problems.add(problem(field, "must be an array of strings"));
    return null;
  }

  /** An object whose values are all strings, in the order given; {@code null} when absent. */
  Map<String, String> stringMap(String field) {
    Object value = body.getValue(field);
    if (value == null) {
      return null;
    }
    if (value instanceof JsonObject object
        && object.stream().allMatch(e -> e.getValue() instanceof String)) {
      Map<String, String> map = new LinkedHashMap<>();
      object.forEach(e -> map.put(e.getKey(), (String) e.getValue()));
      return map;
    }
    problems.add(problem(field, "must be an object whose values are strings"));
    return null;
  }

  /**
   * {@code text} as a JSON object, or why it is not one: not JSON, a comment, a field given twice,
   * JSON of another type. The reason names a repeated field but never quotes the body.
   */
  static Validated<JsonObject> object(String text) {
    try (JsonParser parser = STRICT.createParser(text)) {
      while (parser.nextToken() != null) {
        // reading every token is the check: the parser refuses what strict JSON does not allow
      }
    } catch (StreamReadException e) {
      String message = String.valueOf(e.getOriginalMessage());
      String reason;
      if (message.startsWith("Duplicate field")) {
        reason = "a field is given twice (" + message.replaceAll("^Duplicate field ", "") + ")";
      } else if (message.contains("comment")) {
        reason = "it holds a comment, which JSON does not allow";
      } else {
        reason = "the body is not valid JSON";
      }
      return malformed(reason);
    } catch (IOException e) {
      return malformed("the body is not valid JSON");
    }
    Object parsed;
    try {
      parsed = Json.decodeValue(text);
    } catch (DecodeException e) {
      return malformed("the body is not valid JSON");
    }
    if (parsed instanceof JsonObject object) {
      return Validated.valid(object);
    }
    return malformed("the body is JSON but not an object");
  }

  private static Validated<JsonObject> malformed(String reason) {
    return Validated.invalid(List.of(Diagnosis.of(MALFORMED_REQUEST, "reason", reason)));
  }

  List<Diagnosis> problems() {
    return problems;
  }

  private static Diagnosis problem(String field, String problem) {
    return Diagnosis.of(INVALID_VALUE, "field", field, "problem", "it " + problem);
  }
}
