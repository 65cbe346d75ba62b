package dev.callgate.app.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** The credential's fields as openapi.json documents them are the ones the API reads. */
class OpenApiCredentialSchemaTest {
  private static JsonObject schema(String name) {
    return OpenApi.document()
        .getJsonObject("components")
        .getJsonObject("schemas")
        .getJsonObject(name);
  }

  @Test
  void credentialInputWhenDocumentedThenListsEveryFieldTheApiReads() {
    assertThat(schema("CredentialInput").getJsonObject("properties").fieldNames())
        .containsExactlyInAnyOrderElementsOf(ResourceJson.CREDENTIAL_FIELDS);
    assertThat(schema("Credential").getJsonObject("properties").fieldNames()).contains("refreshOn");
  }

  @Test
  void refreshRuleWhenDocumentedThenListsTheFieldsOfARuleAndOfItsHeader() {
    JsonObject rule = schema("RefreshRule");

    assertThat(rule.getJsonObject("properties").fieldNames())
        .containsExactlyInAnyOrderElementsOf(JsonFields.RULE_FIELDS);
    assertThat(
            rule.getJsonObject("properties")
                .getJsonObject("header")
                .getJsonObject("properties")
                .fieldNames())
        .containsExactlyInAnyOrderElementsOf(JsonFields.HEADER_FIELDS);
    assertThat(rule.getString("description")).contains("16 KiB", "streamed");
  }
}
