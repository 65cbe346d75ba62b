package dev.callgate.app.hostile;

import dev.callgate.core.testkit.TestSecrets;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every secret the suite hands Callgate or learns from it — passwords, API keys, client secrets,
 * tokens the provider minted, OAuth states — each with the forms in which it would travel (as is,
 * and inside an HTTP basic {@code Authorization} value), and whose it is: the credential it belongs
 * to, or {@link #CALLGATE} for what only Callgate and its callers may hold.
 */
final class SuiteSecrets {
  /** The owner of secrets no target may ever see (Callgate's API keys, client secrets, states). */
  static final String CALLGATE = "callgate";

  /** One secret in one of its forms. */
  record Form(String name, String owner, String text) {}

  private final Map<String, Form> forms = new LinkedHashMap<>();

  /** Registers {@code value} as the secret {@code name} of {@code owner}. */
  synchronized void add(String name, String owner, String value) {
    if (value == null || value.length() < 8) {
      throw new IllegalArgumentException(name + " is too short to be searched for reliably");
    }
    forms.putIfAbsent(value, new Form(name, owner, value));
    TestSecrets.register("hostile suite: " + name + " of " + owner, value);
  }

  /** A username and password, as themselves and as the basic scheme encodes them together. */
  synchronized void addBasic(String name, String owner, String username, String password) {
    add(name + " (password)", owner, password);
    add(
        name + " (basic authorization)",
        owner,
        Base64.getEncoder()
            .encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8)));
  }

  synchronized List<Form> forms() {
    return List.copyOf(forms.values());
  }

  /** The secrets in {@code text} that {@code sentByCaller} does not hold itself. */
  List<Form> foundIn(String text, String sentByCaller) {
    List<Form> found = new ArrayList<>();
    for (Form form : forms()) {
      if (text.contains(form.text()) && !sentByCaller.contains(form.text())) {
        found.add(form);
      }
    }
    return found;
  }

  List<Form> foundIn(byte[] bytes, byte[] sentByCaller) {
    return foundIn(
        new String(bytes, StandardCharsets.ISO_8859_1),
        new String(sentByCaller, StandardCharsets.ISO_8859_1));
  }

  static List<String> names(List<Form> found) {
    return found.stream().map(f -> f.name() + " of " + f.owner()).toList();
  }
}
