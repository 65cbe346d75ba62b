package dev.callgate.core.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AuthorizationRequestTest {

  private static Map<String, String> query(Map<String, String> authorizationParameters) {
    return query(authorizationParameters, Map.of());
  }

  private static Map<String, String> query(
      Map<String, String> authorizationParameters, Map<String, String> tokenRequestParameters) {
    URI uri =
        new AuthorizationRequest(
                URI.create("https://idp.example.com/authorize"),
                "callgate",
                URI.create("https://callgate.example.com/v1/oauth/callback"),
                List.of("openid"),
                "state-1",
                "challenge-1",
                Optional.of("https://idp.example.com"),
                authorizationParameters,
                tokenRequestParameters)
            .toUri();
    Map<String, String> query = new LinkedHashMap<>();
    for (String pair : uri.getRawQuery().split("&")) {
      String[] kv = pair.split("=", 2);
      query.put(kv[0], URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
    }
    return query;
  }

  @Test
  void toUriWhenTheProvidersTemplateAddsParametersThenTheUrlCarriesThem() {
    Map<String, String> query = query(Map.of("access_type", "offline", "prompt", "consent"));

    assertThat(query).containsEntry("access_type", "offline").containsEntry("prompt", "consent");
  }

  @Test
  void toUriWhenAProviderParameterNamesAProtocolOneThenTheProtocolsValueStays() {
    Map<String, String> query =
        query(Map.of("client_id", "someone-else", "redirect_uri", "https://evil.example.com"));

    assertThat(query)
        .containsEntry("client_id", "callgate")
        .containsEntry("redirect_uri", "https://callgate.example.com/v1/oauth/callback");
  }

  @Test
  void toUriWhenTheProviderHasTokenRequestParametersThenTheyAreAddedWithoutReplacingAny() {
    Map<String, String> query =
        query(
            Map.of("prompt", "select_account"),
            Map.of("resource", "https://api.example.com", "prompt", "none", "state", "forged"));

    assertThat(query)
        .containsEntry("resource", "https://api.example.com")
        .containsEntry("prompt", "select_account")
        .containsEntry("state", "state-1");
  }

  @Test
  void toUriWhenNoProviderParametersThenOnlyTheProtocolsOnes() {
    assertThat(query(Map.of()).keySet())
        .containsExactly(
            "response_type",
            "client_id",
            "redirect_uri",
            "scope",
            "state",
            "code_challenge",
            "code_challenge_method");
  }
}
