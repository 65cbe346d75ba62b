package dev.callgate.core.callout;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class SecretEchoScannerTest {
  private static final String SECRET = "Bearer eyJ-secret-token-0123";

  private static EchoGuard guard(String... secrets) {
    return EchoGuard.of(List.of(secrets));
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** Scans the chunks; returns what was released, or null once an echo is seen. */
  private static String relayed(SecretEchoScanner scanner, List<byte[]> chunks) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] chunk : chunks) {
      SecretEchoScanner.Verdict verdict = scanner.scan(chunk);
      if (verdict instanceof SecretEchoScanner.Verdict.Echoed) {
        assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain(SECRET);
        return null;
      }
      SecretEchoScanner.Verdict.Release release = (SecretEchoScanner.Verdict.Release) verdict;
      out.writeBytes(release.carried());
      out.write(chunk, 0, release.fromChunk());
    }
    out.writeBytes(scanner.finish());
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void scanWhenTheSecretIsSplitAtEveryPossibleBoundaryThenEchoedAndNeverReleasedWhole() {
    String body = "{\"headers\":{\"authorization\":\"" + SECRET + "\"}}";
    byte[] all = bytes(body);
    for (int cut = 0; cut <= all.length; cut++) {
      List<byte[]> chunks =
          List.of(Arrays.copyOf(all, cut), Arrays.copyOfRange(all, cut, all.length));
      assertThat(relayed(guard(SECRET).scanner(), chunks)).as("cut at %d", cut).isNull();
    }
  }

  @Test
  void scanWhenTheChunkIsPartOfALargerArrayThenOnlyItsOwnBytesCount() {
    byte[] array = bytes(SECRET + " the chunk " + SECRET);
    int offset = SECRET.length();
    int length = " the chunk ".length();

    SecretEchoScanner.Verdict clean = guard(SECRET).scanner().scan(array, offset, length);
    SecretEchoScanner.Verdict echoed =
        guard(SECRET).scanner().scan(array, offset, length + SECRET.length());

    assertThat(clean).isInstanceOf(SecretEchoScanner.Verdict.Release.class);
    assertThat(echoed).isInstanceOf(SecretEchoScanner.Verdict.Echoed.class);
  }

  @Test
  void scanWhenTheBodyArrivesByteByByteThenTheEchoIsSeenAtItsLastByteAndNothingOfItLeft() {
    byte[] all = bytes("prefix " + SECRET + " suffix");
    SecretEchoScanner scanner = guard(SECRET).scanner();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int echoedAt = -1;
    for (int i = 0; i < all.length; i++) {
      SecretEchoScanner.Verdict verdict = scanner.scan(new byte[] {all[i]});
      if (verdict instanceof SecretEchoScanner.Verdict.Echoed) {
        echoedAt = i;
        break;
      }
      SecretEchoScanner.Verdict.Release release = (SecretEchoScanner.Verdict.Release) verdict;
      out.writeBytes(release.carried());
      out.write(all, i, release.fromChunk());
    }
    assertThat(echoedAt).isEqualTo("prefix ".length() + SECRET.length() - 1);
    // everything but the secret's first len-1 bytes passed; those were held back
    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("prefix ");
  }

  @Test
  void scanWhenNoSecretThenEveryByteIsReleasedInOrder() {
    String body = "a body that mentions Bearer eyJ-secret but not the whole token".repeat(10);
    byte[] all = bytes(body);
    List<byte[]> chunks = new ArrayList<>();
    for (int i = 0; i < all.length; i += 7) {
      chunks.add(Arrays.copyOfRange(all, i, Math.min(all.length, i + 7)));
    }
    assertThat(relayed(guard(SECRET).scanner(), chunks)).isEqualTo(body);
  }

  @Test
  void scanWhenAnyOfSeveralSecretsSpansThreeChunksThenEchoed() {
    EchoGuard guard = guard(SECRET, "api-key-123456789");
    List<byte[]> chunks = List.of(bytes("x api-ke"), bytes("y-1234"), bytes("56789 y"));
    assertThat(relayed(guard.scanner(), chunks)).isNull();
  }

  @Test
  void scanWhenAfterAnEchoThenStaysEchoedAndFinishReleasesNothing() {
    SecretEchoScanner scanner = guard(SECRET).scanner();
    scanner.scan(bytes("abc " + SECRET));
    assertThat(scanner.scan(bytes("more"))).isInstanceOf(SecretEchoScanner.Verdict.Echoed.class);
    assertThat(scanner.finish()).isEmpty();
    assertThat(scanner.echoed()).isTrue();
  }

  @Test
  void scanWhenChunksAreShorterThanTheHeldBytesThenTheyAreHeldAndReleasedInOrder() {
    SecretEchoScanner scanner = guard(SECRET).scanner();
    List<byte[]> chunks = new ArrayList<>();
    for (String piece : List.of("ab", "cdefghijklmnopqrstuvwxyz0123456789", "A", "", "BCDEFGHIJ")) {
      chunks.add(bytes(piece));
    }
    assertThat(relayed(scanner, chunks))
        .isEqualTo("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ");
  }

  @Test
  void guardWhenOneSecretContainsAnotherThenTheShorterOneStillCatchesBoth() {
    EchoGuard guard = guard("Basic c3ZjOnBhNTV3b3Jk", "c3ZjOnBhNTV3b3Jk");
    assertThat(guard.echoedIn(Body.of("Basic c3ZjOnBhNTV3b3Jk"))).isTrue();
    assertThat(guard.echoedIn(Body.of("xx c3ZjOnBhNTV3b3Jk"))).isTrue();
    assertThat(relayed(guard.scanner(), List.of(bytes("c3ZjOnBh"), bytes("NTV3b3Jk")))).isNull();
  }

  @Test
  void guardWhenSecretsAreShorterThanTheMinimumThenTheyAreNotWatched() {
    EchoGuard guard = guard("short", "");
    assertThat(guard.isEmpty()).isTrue();
    assertThat(relayed(guard.scanner(), List.of(bytes("short short")))).isEqualTo("short short");
  }

  @Test
  void guardWhenAHeaderNameOrValueHoldsASecretThenNamesThatHeader() {
    EchoGuard guard = guard(SECRET);
    assertThat(guard.echoedIn(Headers.of("X-Seen", "got " + SECRET))).contains("X-Seen");
    assertThat(guard.echoedIn(Headers.of("Content-Type", "text/plain"))).isEmpty();
  }

  @Property(tries = 300)
  void scanWhenTheSecretIsPlacedAnywhereAndChunkedAnyhowThenEchoedAndNothingLostOtherwise(
      @ForAll @Size(max = 200) List<@IntRange(min = 'a', max = 'z') Integer> filler,
      @ForAll @IntRange(min = 0, max = 200) int at,
      @ForAll @Size(min = 1, max = 40) List<@IntRange(min = 1, max = 50) Integer> sizes,
      @ForAll boolean withSecret) {
    StringBuilder text = new StringBuilder();
    filler.forEach(c -> text.append((char) c.intValue()));
    if (withSecret) {
      text.insert(Math.min(at, text.length()), SECRET);
    }
    byte[] all = bytes(text.toString());
    List<byte[]> chunks = new ArrayList<>();
    int from = 0;
    for (int i = 0; from < all.length; i++) {
      int size = sizes.get(i % sizes.size());
      chunks.add(Arrays.copyOfRange(all, from, Math.min(all.length, from + size)));
      from += size;
    }
    String relayed = relayed(guard(SECRET).scanner(), chunks);
    if (withSecret) {
      assertThat(relayed).isNull();
    } else {
      assertThat(relayed).isEqualTo(text.toString());
    }
  }

  /**
   * Header text is searched as the octets it arrived as (ISO-8859-1, a character beyond U+00FF as
   * {@code '?'}) and as UTF-8, whatever the characters: the same answer as encoding each.
   */
  @Property
  void headerEchoIsFoundInTheOctetsAndTheUtf8OfAnyText(
      @ForAll @Size(max = 3)
          List<@net.jqwik.api.constraints.CharRange(from = 'a', to = 'f') String> around,
      @ForAll("headerSecrets") String secret,
      @ForAll boolean latin1Copy) {
    String shown =
        latin1Copy
            ? new String(bytes(secret), StandardCharsets.ISO_8859_1)
            : secret.replace('\u00e9', '\u0229');
    String value = String.join(shown, around.isEmpty() ? List.of("", "") : around);
    Headers headers = Headers.of("X-Reflected", value);
    EchoGuard guard = guard(secret);
    boolean expected =
        !guard.isEmpty()
            && (contains(value.getBytes(StandardCharsets.ISO_8859_1), bytes(secret))
                || contains(bytes(value), bytes(secret)));
    assertThat(guard.echoedIn(headers).isPresent()).isEqualTo(expected);
  }

  @net.jqwik.api.Provide
  net.jqwik.api.Arbitrary<String> headerSecrets() {
    return net.jqwik.api.Arbitraries.of(
        "plain-ascii-secret-01",
        "s\u00e9cret-with-accent",
        "\u0229-beyond-latin1-secret",
        "pass?word-0123");
  }

  private static boolean contains(byte[] text, byte[] part) {
    return part.length >= EchoGuard.MIN_SECRET_BYTES && SecretEchoScanner.indexOf(text, part) >= 0;
  }

  @Test
  void aSecretInAHeaderValueIsFoundWhenTheValueHoldsCharactersBeyondLatin1() {
    EchoGuard guard = guard("api-key-0123456789");
    assertThat(guard.echoedIn(Headers.of("X-Echo", "\u0229\u20ac api-key-0123456789 \u20ac")))
        .contains("X-Echo");
    assertThat(guard.echoedIn(Headers.of("X-Echo", "\u20acapi-key-012345678\u20ac"))).isEmpty();
    // as octets, a character beyond U+00FF arrives as '?'
    assertThat(guard("pass?word-0123").echoedIn(Headers.of("X-Echo", "pass\u0229word-0123")))
        .contains("X-Echo");
  }
}
