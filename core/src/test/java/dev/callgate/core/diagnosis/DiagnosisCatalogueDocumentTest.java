package dev.callgate.core.diagnosis;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * docs/diagnoses.md is the catalogue people read; it must say what the code says. When this test
 * fails it writes the expected document to target/diagnoses.md, to copy over the old one.
 */
class DiagnosisCatalogueDocumentTest {
  private static final Path DOCUMENT = Path.of("..", "docs", "diagnoses.md");

  static String expectedDocument() {
    StringBuilder doc = new StringBuilder();
    doc.append("# Diagnosis catalogue\n\n")
        .append(
            "Every failure Callgate reports carries one of these codes (in problem+json as `code`,")
        .append(
            " and in the\n`Callgate-Error` header). `{fact}` marks what each occurrence fills in.")
        .append(" This page is checked against\n`core/src/main/java/dev/callgate/core/diagnosis/")
        .append("DiagnosisCode.java` by `DiagnosisCatalogueDocumentTest`.\n\n")
        .append("| code | message | remedy |\n|---|---|---|\n");
    for (DiagnosisCode code : DiagnosisCode.values()) {
      doc.append("| `")
          .append(code.name())
          .append("` | ")
          .append(escape(code.messageTemplate()))
          .append(" | ")
          .append(escape(code.remedyTemplate()))
          .append(" |\n");
    }
    return doc.toString();
  }

  private static String escape(String text) {
    return text.replace("|", "\\|");
  }

  @Test
  void documentWhenComparedWithTheCatalogueThenListsEveryCodeWithItsWords() throws IOException {
    String expected = expectedDocument();
    String actual =
        Files.exists(DOCUMENT) ? Files.readString(DOCUMENT, StandardCharsets.UTF_8) : "";
    if (!actual.equals(expected)) {
      Files.createDirectories(Path.of("target"));
      Files.writeString(Path.of("target", "diagnoses.md"), expected, StandardCharsets.UTF_8);
    }
    assertThat(actual)
        .as("docs/diagnoses.md (expected version in core/target/diagnoses.md)")
        .isEqualTo(expected);
  }
}
