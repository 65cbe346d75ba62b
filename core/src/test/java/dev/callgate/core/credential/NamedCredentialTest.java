package dev.callgate.core.credential;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NamedCredentialTest {
  private static final String DIGITS =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

  @Test
  void aCredentialListingTenThousandShortSubjectsAllowsEachOfThemAndNoOther() {
    List<String> subjects = threeCharacterSubjects(10_000);
    NamedCredential credential = credential(new LinkedHashSet<>(subjects));

    assertThat(subjects).allMatch(credential::allowsCaller);
    assertThat(credential.allowsCaller("999")).isFalse();
    assertThat(credential.allowsCaller("aaaa")).isFalse();
    assertThat(credential.allowedCallers()).hasSize(10_000);
  }

  @Test
  void theSameCallersListedInAnotherOrderMakeAnEqualCredential() {
    List<String> subjects = threeCharacterSubjects(2_000);
    List<String> reversed = new ArrayList<>(subjects);
    Collections.reverse(reversed);

    assertThat(credential(new LinkedHashSet<>(subjects)))
        .isEqualTo(credential(new LinkedHashSet<>(reversed)))
        .hasSameHashCodeAs(credential(new LinkedHashSet<>(reversed)));
  }

  @Test
  void itsCallersCannotBeChangedThroughTheSetItWasBuiltFromNorTheOneItGives() {
    Set<String> listed = new HashSet<>(Set.of("billing"));
    NamedCredential credential = credential(listed);
    listed.add("intruder");

    assertThat(credential.allowsCaller("intruder")).isFalse();
    assertThatThrownBy(() -> credential.allowedCallers().add("intruder"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void aNullCallerIsRefused() {
    assertThatThrownBy(() -> credential(new HashSet<>(Arrays.asList("billing", null))))
        .isInstanceOf(NullPointerException.class);
  }

  private static List<String> threeCharacterSubjects(int count) {
    List<String> subjects = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      subjects.add(
          "" + DIGITS.charAt(i / 3844 % 62) + DIGITS.charAt(i / 62 % 62) + DIGITS.charAt(i % 62));
    }
    return subjects;
  }

  private static NamedCredential credential(Set<String> callers) {
    return new NamedCredential(
        "svc",
        URI.create("https://api.example.com"),
        new Authentication.None(),
        PrincipalType.NAMED,
        true,
        false,
        false,
        callers,
        true,
        Optional.empty());
  }
}
