package dev.callgate.core.credential;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import dev.callgate.core.token.TokenSet;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class SecretTest {

  @Property
  void toStringWhenAnyValueThenPrintsStarsOnly(@ForAll String value) {
    assertThat(Secret.of(value)).hasToString("***");
  }

  @Test
  void revealWhenCalledThenReturnsTheValue() {
    assertThat(Secret.of("s3cr3t").reveal()).isEqualTo("s3cr3t");
  }

  @Test
  void ofWhenValueIsNullThenRefuses() {
    assertThatNullPointerException().isThrownBy(() -> Secret.of(null));
  }

  @Test
  void equalsWhenSameValueThenEqualWithTheSameHashCode() {
    assertThat(Secret.of("s3cr3t")).isEqualTo(Secret.of("s3cr3t"));
    assertThat(Secret.of("s3cr3t")).hasSameHashCodeAs(Secret.of("s3cr3t"));
  }

  @Test
  void equalsWhenValuesDifferThenNotEqual() {
    assertThat(Secret.of("s3cr3t")).isNotEqualTo(Secret.of("s3cr3T"));
    assertThat(Secret.of("s3cr3t")).isNotEqualTo(Secret.of("s3cr3t "));
    assertThat(Secret.of("")).isNotEqualTo(Secret.of(" "));
  }

  @Test
  void equalsWhenOtherIsNotASecretThenNotEqual() {
    assertThat(Secret.of("s3cr3t")).isNotEqualTo("s3cr3t").isNotEqualTo(null);
  }

  @Test
  void isBlankWhenOnlyWhitespaceThenTrue() {
    assertThat(Secret.of(" \t").isBlank()).isTrue();
    assertThat(Secret.of("x").isBlank()).isFalse();
  }

  @Test
  void toStringWhenRecordsHoldSecretsThenNoneOfTheValuesIsPrinted() {
    AuthProvider provider =
        new AuthProvider(
            "okta",
            Optional.of(URI.create("https://idp.example.com")),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            "callgate",
            Optional.of(Secret.of("client-s3cret")),
            ClientAuthMethod.CLIENT_SECRET_BASIC,
            List.of("openid"),
            Optional.empty());
    Authentication basic = new Authentication.Basic("svc", Secret.of("basic-s3cret"));
    Authentication apiKey = new Authentication.ApiKey("X-API-Key", Secret.of("key-s3cret"));
    Instant now = Instant.parse("2024-05-01T10:00:00Z");
    TokenSet tokens =
        new TokenSet(
            Secret.of("access-s3cret"),
            "Bearer",
            now,
            now.plusSeconds(60),
            Optional.of(Secret.of("refresh-s3cret")),
            Optional.empty(),
            List.of());

    String printed = provider + " " + basic + " " + apiKey + " " + tokens;

    assertThat(printed).doesNotContain("s3cret").contains("***");
  }
}
