package dev.callgate.core.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.core.diagnosis.DiagnosisCode;
import dev.callgate.core.diagnosis.Validated;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class OutboundAddressPolicyTest {

  private static OutboundAddressPolicy policy(String setting) {
    Validated<OutboundAddressPolicy> parsed = OutboundAddressPolicy.parse(setting);
    assertThat(parsed.problems()).isEmpty();
    return ((Validated.Valid<OutboundAddressPolicy>) parsed).value();
  }

  private static InetAddress address(String literal) {
    return AddressRange.literal(literal).orElseThrow(() -> new AssertionError(literal));
  }

  private static String verdict(OutboundAddressPolicy policy, String host, String literal) {
    OutboundAddressPolicy.Verdict verdict = policy.judge(host, address(literal));
    return verdict instanceof OutboundAddressPolicy.Verdict.Refused refused
        ? "refused: " + refused.rule()
        : "allowed";
  }

  /** Every address class, with nothing allowed, then with loopback and private ranges allowed. */
  @ParameterizedTest(name = "{0}: {1} / {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        // address                   | nothing allowed                                          |
        // 127/8,::1,10/8,fc00::/7 allowed
        "93.184.216.34               | allowed                                                  | allowed",
        "2606:4700::1111             | allowed                                                  | allowed",
        "127.0.0.1                   | refused: a loopback address, not named in CALLGATE_OUTBOUND_ALLOW | allowed",
        "127.255.255.255             | refused: a loopback address, not named in CALLGATE_OUTBOUND_ALLOW | allowed",
        "128.0.0.0                   | allowed                                                  | allowed",
        "126.255.255.255             | allowed                                                  | allowed",
        "::1                         | refused: a loopback address, not named in CALLGATE_OUTBOUND_ALLOW | allowed",
        "::ffff:127.0.0.1            | refused: a loopback address, not named in CALLGATE_OUTBOUND_ALLOW | allowed",
        "::127.0.0.1                 | refused: a loopback address, not named in CALLGATE_OUTBOUND_ALLOW | allowed",
        "64:ff9b::7f00:1             | refused: a loopback address, not named in CALLGATE_OUTBOUND_ALLOW | allowed",
        "2002:7f00:1::               | refused: a loopback address, not named in CALLGATE_OUTBOUND_ALLOW | allowed",
        "0.0.0.0                     | refused: an unspecified address, which reaches this host, not named in CALLGATE_OUTBOUND_ALLOW | refused: an unspecified address, which reaches this host, not named in CALLGATE_OUTBOUND_ALLOW",
        "::                          | refused: an unspecified address, which reaches this host, not named in CALLGATE_OUTBOUND_ALLOW | refused: an unspecified address, which reaches this host, not named in CALLGATE_OUTBOUND_ALLOW",
        "::2                         | refused: an unspecified address, which reaches this host, not named in CALLGATE_OUTBOUND_ALLOW | refused: an unspecified address, which reaches this host, not named in CALLGATE_OUTBOUND_ALLOW",
        "10.0.0.0                    | refused: a private address, not named in CALLGATE_OUTBOUND_ALLOW | allowed",
        "10.255.255.255              | refused: a private address, not named in CALLGATE_OUTBOUND_ALLOW | allowed",
        "11.0.0.0                    | allowed                                                  | allowed",
        "9.255.255.255               | allowed                                                  | allowed",
        "172.15.255.255              | allowed                                                  | allowed",
        "172.16.0.0                  | refused: a private address, not named in CALLGATE_OUTBOUND_ALLOW | refused: a private address, not named in CALLGATE_OUTBOUND_ALLOW",
        "172.31.255.255              | refused: a private address, not named in CALLGATE_OUTBOUND_ALLOW | refused: a private address, not named in CALLGATE_OUTBOUND_ALLOW",
        "172.32.0.0                  | allowed                                                  | allowed",
        "192.168.0.1                 | refused: a private address, not named in CALLGATE_OUTBOUND_ALLOW | refused: a private address, not named in CALLGATE_OUTBOUND_ALLOW",
        "192.169.0.1                 | allowed                                                  | allowed",
        "100.63.255.255              | allowed                                                  | allowed",
        "100.64.0.0                  | refused: a shared (carrier-grade NAT) address, not named in CALLGATE_OUTBOUND_ALLOW | refused: a shared (carrier-grade NAT) address, not named in CALLGATE_OUTBOUND_ALLOW",
        "100.127.255.255             | refused: a shared (carrier-grade NAT) address, not named in CALLGATE_OUTBOUND_ALLOW | refused: a shared (carrier-grade NAT) address, not named in CALLGATE_OUTBOUND_ALLOW",
        "100.128.0.0                 | allowed                                                  | allowed",
        "::ffff:10.1.2.3             | refused: a private address, not named in CALLGATE_OUTBOUND_ALLOW | allowed",
        "fc00::1                     | refused: a private (unique local) address, not named in CALLGATE_OUTBOUND_ALLOW | allowed",
        "fdff:ffff::1                | refused: a private (unique local) address, not named in CALLGATE_OUTBOUND_ALLOW | allowed",
        "fe00::1                     | allowed                                                  | allowed",
        "169.254.169.254             | refused: a link-local address, where cloud metadata services answer, never reached | refused: a link-local address, where cloud metadata services answer, never reached",
        "169.254.0.0                 | refused: a link-local address, where cloud metadata services answer, never reached | refused: a link-local address, where cloud metadata services answer, never reached",
        "169.255.0.0                 | allowed                                                  | allowed",
        "169.253.255.255             | allowed                                                  | allowed",
        "::ffff:169.254.169.254      | refused: a link-local address, where cloud metadata services answer, never reached | refused: a link-local address, where cloud metadata services answer, never reached",
        "fe80::1                     | refused: a link-local address, never reached             | refused: a link-local address, never reached",
        "febf:ffff::1                | refused: a link-local address, never reached             | refused: a link-local address, never reached",
        "fec0::1                     | allowed                                                  | allowed",
        "fd00:ec2::254               | refused: the AWS metadata service, never reached         | refused: the AWS metadata service, never reached",
        "100.100.100.200             | refused: the Alibaba Cloud metadata service, never reached | refused: the Alibaba Cloud metadata service, never reached",
        "224.0.0.1                   | refused: a multicast address, never reached              | refused: a multicast address, never reached",
        "255.255.255.255             | refused: the broadcast address, never reached            | refused: the broadcast address, never reached",
      })
  void judgeWhenAddressIsOfAClassThenVerdictFollowsTheTable(
      String literal, String nothingAllowed, String loopbackAndPrivateAllowed) {
    assertThat(verdict(OutboundAddressPolicy.publicOnly(), "target.example", literal))
        .isEqualTo(nothingAllowed);
    assertThat(
            verdict(policy("127.0.0.0/8,::1/128,10.0.0.0/8,fc00::/7"), "target.example", literal))
        .isEqualTo(loopbackAndPrivateAllowed);
  }

  @Test
  void judgeWhenAllowListNamesTheHostThenItsPrivateAddressIsAllowedButNeverLinkLocal() {
    OutboundAddressPolicy policy = policy("idp.internal");

    assertThat(verdict(policy, "idp.internal", "10.1.2.3")).isEqualTo("allowed");
    assertThat(verdict(policy, "IDP.Internal.", "10.1.2.3")).isEqualTo("allowed");
    assertThat(verdict(policy, "other.internal", "10.1.2.3")).startsWith("refused");
    assertThat(verdict(policy, "idp.internal", "169.254.169.254")).startsWith("refused");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "metadata.google.internal",
        "Metadata.Google.Internal.",
        "metadata.goog",
        "metadata",
        "instance-data.ec2.internal"
      })
  void judgeNameWhenHostIsAMetadataServiceThenRefusedWhatever(String host) {
    OutboundAddressPolicy everything = policy("0.0.0.0/0,::/0," + host.replaceAll("\\.$", ""));

    assertThat(everything.judgeName(host))
        .isInstanceOf(OutboundAddressPolicy.Verdict.Refused.class);
    assertThat(verdict(everything, host, "93.184.216.34")).startsWith("refused");
  }

  @Test
  void judgeWhenRefusedThenDiagnosisNamesHostAddressAndSetting() {
    OutboundAddressPolicy.Verdict verdict =
        OutboundAddressPolicy.publicOnly().judge("api.example", address("::ffff:127.0.0.1"));

    OutboundAddressPolicy.Verdict.Refused refused = (OutboundAddressPolicy.Verdict.Refused) verdict;
    assertThat(refused.diagnosis().code()).isEqualTo(DiagnosisCode.OUTBOUND_ADDRESS_REFUSED);
    assertThat(refused.diagnosis().message())
        .contains("api.example", "127.0.0.1", "loopback", "CALLGATE_OUTBOUND_ALLOW");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "10.0.0.0/33",
        "::1/129",
        "10.0.0.0/",
        "http://x",
        "a b",
        "10.0.0.0/-1",
        "1.2.3.4.5",
        "127.1"
      })
  void parseWhenEntryIsNeitherRangeNorHostThenInvalidConfiguration(String entry) {
    Validated<OutboundAddressPolicy> parsed = OutboundAddressPolicy.parse("127.0.0.0/8," + entry);

    assertThat(parsed.problems()).hasSize(1);
    assertThat(parsed.problems().get(0).code()).isEqualTo(DiagnosisCode.INVALID_CONFIGURATION);
    assertThat(parsed.problems().get(0).message()).contains("CALLGATE_OUTBOUND_ALLOW");
  }

  @Test
  void parseWhenBlankThenPublicOnly() {
    assertThat(policy(" ")).isEqualTo(OutboundAddressPolicy.publicOnly());
    assertThat(policy(" 127.0.0.1 , [::1] ,, idp.internal").allowedRanges()).hasSize(2);
    assertThat(policy("idp2.internal,host1").allowedHosts()).hasSize(2);
  }

  @ParameterizedTest(name = "{0} contains {1}: {2}")
  @CsvSource({
    "10.0.0.0/8, 10.255.255.255, true",
    "10.0.0.0/8, 11.0.0.0, false",
    "172.16.0.0/12, 172.31.0.1, true",
    "172.16.0.0/12, 172.32.0.1, false",
    "192.168.1.128/25, 192.168.1.128, true",
    "192.168.1.128/25, 192.168.1.127, false",
    "0.0.0.0/0, 8.8.8.8, true",
    "0.0.0.0/0, ::1, false",
    "::/0, ::1, true",
    "fe80::/10, febf::1, true",
    "fe80::/10, fec0::1, false",
    "1.2.3.4, 1.2.3.4, true",
    "1.2.3.4, 1.2.3.5, false",
  })
  void containsWhenAddressIsAtTheRangeEdgeThenByPrefix(String range, String literal, boolean in) {
    assertThat(AddressRange.parse(range).orElseThrow().contains(address(literal))).isEqualTo(in);
  }

  @ParameterizedTest
  @ValueSource(strings = {"example.com", "127.1", "0x7f.1", "2130706433", "", "1.2.3"})
  void literalWhenTextIsNotADottedQuadOrIpv6ThenEmptyWithoutALookup(String text) {
    assertThat(AddressRange.literal(text)).isEmpty();
  }

  @ParameterizedTest(name = "{0} is {1}")
  @CsvSource({
    "127.0.0.1, 127.0.0.1",
    "127.1, 127.0.0.1",
    "127.0.1, 127.0.0.1",
    "0x7f.1, 127.0.0.1",
    "0x7F.0.0.0x1, 127.0.0.1",
    "2130706433, 127.0.0.1",
    "0x7f000001, 127.0.0.1",
    "0177.0.0.1, 127.0.0.1",
    "017700000001, 127.0.0.1",
    "0, 0.0.0.0",
    "0.0.0.0, 0.0.0.0",
    "169.254.43518, 169.254.169.254",
    "127.0.0.1., 127.0.0.1",
    "[::ffff:127.0.0.1], 127.0.0.1",
    "[::], 0:0:0:0:0:0:0:0",
  })
  void numericHostWhenHostIsAnyNumericFormThenTheAddressInetAtonReads(String host, String is) {
    assertThat(AddressRange.numericHost(host).orElseThrow().getHostAddress()).isEqualTo(is);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "example.com",
        "256.0.0.1",
        "1.2.3.4.5",
        "4294967296",
        "08.1",
        "0x.1",
        "1..2",
        "a1"
      })
  void numericHostWhenHostIsANameOrOutOfRangeThenEmpty(String host) {
    assertThat(AddressRange.numericHost(host)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "127.1",
        "0x7f.1",
        "2130706433",
        "0177.0.0.1",
        "[::ffff:127.0.0.1]",
        "0.0.0.0",
        "[::]"
      })
  void judgeWhenUrlHostIsALoopbackFormThenRefused(String host) {
    assertThat(
            OutboundAddressPolicy.publicOnly()
                .judge(host, AddressRange.numericHost(host).orElseThrow()))
        .isInstanceOf(OutboundAddressPolicy.Verdict.Refused.class);
  }
}
