package dev.callgate.app.http;

import static dev.callgate.core.diagnosis.DiagnosisCode.INVALID_VALUE;
import static dev.callgate.core.diagnosis.DiagnosisCode.MALFORMED_REQUEST;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import dev.callgate.core.callout.RefreshRuleDraft;
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

  JsonObject objectField(String field) {
    Object value = body.getValue(field);
    if (value == null || value instanceof JsonObject) {
      return (JsonObject) value;
    }
    problems.add(problem(field, "must be an object"));
    return null;
  }

  /** An object whose values are all strings, in the order given; {@code null} when absent. */
  Map<String, String> stringMap(String field) {
    JsonObject object = objectField(field);
    if (object == null) {
      return null;
    }
    if (!object.stream().allMatch(e -> e.getValue() instanceof String)) {
      problems.add(problem(field, "must be an object whose values are strings"));
      return null;
    }
    Map<String, String> strings = new LinkedHashMap<>();
    object.forEach(e -> strings.put(e.getKey(), (String) e.getValue()));
    return strings;
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

  /**
   * {@code refreshOn}: an array of rules {@code {"status": [500, "5xx"], "bodyPattern": "…",
   * "header": {"name": "…", "pattern": "…"}}}, status codes as numbers or text; null when absent. A
   * rule of the wrong shape is reported here and left out; its values are checked by the draft.
   */
  List<RefreshRuleDraft> refreshRules(String field) {
    Object value = body.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof JsonArray array)) {
      problems.add(problem(field, "must be an array of rules"));
      return null;
    }
    List<RefreshRuleDraft> rules = new ArrayList<>();
    for (int index = 0; index < array.size(); index++) {
      String at = field + "[" + index + "]";
      if (!(array.getValue(index) instanceof JsonObject rule)) {
        problems.add(problem(at, "must be an object with status, bodyPattern and header"));
        continue;
      }
      int before = problems.size();
      JsonFields fields = new JsonFields(rule, RULE_FIELDS);
      List<String> status = null;
      Object codes = rule.getValue("status");
      if (codes instanceof JsonArray list
          && list.stream().allMatch(c -> c instanceof String || c instanceof Integer)) {
        status = list.stream().map(String::valueOf).toList();
      } else if (codes != null) {
        fields.problems.add(problem("status", "must be an array of status codes or classes"));
      }
      String bodyPattern = fields.string("bodyPattern");
      String headerName = null;
      String headerPattern = null;
      Object header = rule.getValue("header");
      if (header instanceof JsonObject headerObject) {
        JsonFields headerFields = new JsonFields(headerObject, HEADER_FIELDS);
        headerName = headerFields.string("name");
        headerPattern = headerFields.string("pattern");
        headerFields.problems.forEach(p -> fields.problems.add(renamed(p, "header.")));
      } else if (header != null) {
        fields.problems.add(problem("header", "must be an object with name and pattern"));
      }
      fields.problems.forEach(p -> problems.add(renamed(p, at + ".")));
      if (problems.size() == before) {
        rules.add(new RefreshRuleDraft(status, bodyPattern, headerName, headerPattern));
      }
    }
    return rules;
  }

  static final Set<String> RULE_FIELDS = Set.of("status", "bodyPattern", "header");
  static final Set<String> HEADER_FIELDS = Set.of("name", "pattern");

  /** The same problem, its field named from the outer object: {@code refreshOn[0].header.name}. */
  private static Diagnosis renamed(Diagnosis inner, String prefix) {
    return Diagnosis.of(
        INVALID_VALUE, "field", prefix + inner.fact("field"), "problem", inner.fact("problem"));
  }

  List<Diagnosis> problems() {
    return problems;
  }

  private static Diagnosis problem(String field, String problem) {
    return Diagnosis.of(INVALID_VALUE, "field", field, "problem", "it " + problem);
  }
}
