package dev.callgate.app.http;

import static dev.callgate.core.diagnosis.DiagnosisCode.INVALID_VALUE;

import dev.callgate.core.diagnosis.Diagnosis;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads the fields of a JSON request body by name and type, collecting a diagnosis for each field
 * of the wrong type and for each field the API does not know (a typo must not be ignored silently).
 */
final class JsonFields {
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

  List<Diagnosis> problems() {
    return problems;
  }

  private static Diagnosis problem(String field, String problem) {
    return Diagnosis.of(INVALID_VALUE, "field", field, "problem", "it " + problem);
  }
}
