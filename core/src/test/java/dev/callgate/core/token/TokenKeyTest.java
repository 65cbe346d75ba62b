package dev.callgate.core.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import org.junit.jupiter.api.Test;

class TokenKeyTest {

  @Test
  void namedWhenCreatedThenHasTheEmptySubjectAndIsTheNamedPrincipal() {
    TokenKey key = TokenKey.named("crm");

    assertThat(key.userSubject()).isEmpty();
    assertThat(key.isNamedPrincipal()).isTrue();
    assertThat(key.principalDescription()).isEqualTo("the named principal");
    assertThat(key).hasToString("crm");
  }

  @Test
  void perUserWhenCreatedThenCarriesTheSubject() {
    TokenKey key = TokenKey.perUser("crm", "alice");

    assertThat(key.isNamedPrincipal()).isFalse();
    assertThat(key.principalDescription()).isEqualTo("user 'alice'");
    assertThat(key).hasToString("crm/alice");
  }

  @Test
  void perUserWhenSubjectIsEmptyThenRefuses() {
    assertThatIllegalArgumentException().isThrownBy(() -> TokenKey.perUser("crm", ""));
  }

  @Test
  void constructorWhenPartIsNullThenRefuses() {
    assertThatNullPointerException().isThrownBy(() -> new TokenKey(null, ""));
    assertThatNullPointerException().isThrownBy(() -> new TokenKey("crm", null));
  }

  @Test
  void equalsWhenSameCredentialAndSubjectThenEqualAndOtherwiseNot() {
    assertThat(TokenKey.perUser("crm", "alice")).isEqualTo(new TokenKey("crm", "alice"));
    assertThat(TokenKey.named("crm")).isEqualTo(new TokenKey("crm", ""));
    assertThat(TokenKey.perUser("crm", "alice")).isNotEqualTo(TokenKey.perUser("crm", "bob"));
    assertThat(TokenKey.named("crm")).isNotEqualTo(TokenKey.named("erp"));
  }
}
