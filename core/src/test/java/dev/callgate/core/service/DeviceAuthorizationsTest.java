package dev.callgate.core.service;

import static dev.callgate.core.service.ServiceFixture.ADMIN;
import static dev.callgate.core.service.ServiceFixture.ADMIN_ACTOR;
import static dev.callgate.core.service.ServiceFixture.join;
import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.diagnosis.DiagnosisCode;
import dev.callgate.core.event.EventSource;
import dev.callgate.core.port.DeviceAuthorization;
import dev.callgate.core.port.GrantOutcome;
import dev.callgate.core.testkit.InMemoryDeviceAuthorizationStore;
import dev.callgate.core.testkit.InMemoryIdentityProvider;
import dev.callgate.core.token.TokenKey;
import dev.callgate.core.token.TokenRecord;
import dev.callgate.core.token.TokenState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DeviceAuthorizationsTest {
  private static final TokenKey KEY = TokenKey.named("crm");

  private final ServiceFixture fixture = new ServiceFixture();
  private final InMemoryDeviceAuthorizationStore store =
      new InMemoryDeviceAuthorizationStore(fixture.events);
  private final DeviceAuthorizations devices =
      new DeviceAuthorizations(
          fixture.credentials,
          store,
          fixture.idp,
          fixture.authorizations,
          new EventSource("instance-1", fixture.clock),
          new SplittableRandom(3));

  @BeforeEach
  void credential() {
    fixture.idp.metadata(withDeviceEndpoint(InMemoryIdentityProvider.defaultMetadata(), true));
    fixture.provider(List.of("openid", "offline_access"), null);
    fixture.credential(ServiceFixture.authorizationCode("crm"));
  }

  private static dev.callgate.core.port.ProviderMetadata withDeviceEndpoint(
      dev.callgate.core.port.ProviderMetadata m, boolean with) {
    return new dev.callgate.core.port.ProviderMetadata(
        m.issuer(),
        m.authorizationEndpoint(),
        m.tokenEndpoint(),
        m.revocationEndpoint(),
        m.scopesSupported(),
        m.grantTypesSupported(),
        m.codeChallengeMethodsSupported(),
        with
            ? Optional.of(InMemoryIdentityProvider.DEVICE_AUTHORIZATION_ENDPOINT)
            : Optional.empty());
  }

  private DeviceAuthorization start() {
    return join(devices.start(ADMIN, "crm", Optional.empty(), false, ADMIN_ACTOR))
        .fold(
            started -> join(store.find(KEY)).orElseThrow(),
            refused -> {
              throw new AssertionError(refused.toString());
            });
  }

  private Diagnosis refusal() {
    return join(devices.start(ADMIN, "crm", Optional.empty(), false, ADMIN_ACTOR))
        .fold(
            started -> {
              throw new AssertionError("started");
            },
            refused -> refused);
  }

  /** Runs polling rounds every second for {@code duration}. */
  private void pollFor(Duration duration) {
    for (long s = 0; s < duration.toSeconds(); s++) {
      fixture.clock.advance(Duration.ofSeconds(1));
      join(devices.pollDue());
    }
  }

  private TokenRecord token() {
    return join(fixture.tokens.find(KEY)).orElseThrow();
  }

  private static GrantOutcome refused(String error) {
    return new GrantOutcome.Refused(error, Optional.empty(), 400);
  }

  private List<Duration> pollGaps(Instant from) {
    List<Duration> gaps = new ArrayList<>();
    Instant previous = from;
    for (Instant poll : fixture.idp.devicePolls()) {
      gaps.add(Duration.between(previous, poll));
      previous = poll;
    }
    return gaps;
  }

  @Test
  void pollDueWhenTheProviderAnswersSlowDownThenEveryLaterPollWaitsFiveSecondsMore() {
    Instant startedAt = fixture.clock.now();
    start();
    fixture.idp.scriptNext(
        refused("authorization_pending"),
        refused("slow_down"),
        refused("authorization_pending"),
        refused("slow_down"),
        refused("authorization_pending"));

    pollFor(Duration.ofSeconds(5 + 5 + 10 + 10 + 15 + 15));

    // RFC 8628 §3.5: 5 s, then slow_down makes it 10 s for this and every later poll, then 15 s
    assertThat(pollGaps(startedAt))
        .containsExactly(
            Duration.ofSeconds(5),
            Duration.ofSeconds(5),
            Duration.ofSeconds(10),
            Duration.ofSeconds(10),
            Duration.ofSeconds(15),
            Duration.ofSeconds(15));
    assertThat(join(store.find(KEY)).orElseThrow().interval()).isEqualTo(Duration.ofSeconds(15));
  }

  @Test
  void slowedDownWhenRepeatedThenTheIntervalGrowsByFiveSecondsEachTime() {
    DeviceAuthorization pending = start();
    Instant now = fixture.clock.now();

    DeviceAuthorization once = pending.slowedDown(now);
    DeviceAuthorization twice = once.slowedDown(now).pollAgain(now);

    assertThat(once.interval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(once.nextPollAt()).isEqualTo(now.plusSeconds(10));
    assertThat(twice.interval()).isEqualTo(Duration.ofSeconds(15));
    assertThat(twice.nextPollAt()).isEqualTo(now.plusSeconds(15));
  }

  @Test
  void pollDueWhenTheUserApprovesThenTheTokenIsActiveAndThePendingOneGone() {
    DeviceAuthorization pending = start();
    pollFor(Duration.ofSeconds(6));
    fixture.idp.answerDevice(pending.userCode(), "alice", true);

    pollFor(Duration.ofSeconds(5));

    assertThat(token().state()).isEqualTo(TokenState.ACTIVE);
    assertThat(token().tokens().orElseThrow().hasRefreshToken()).isTrue();
    assertThat(join(store.find(KEY))).isEmpty();
  }

  @Test
  void pollDueWhenTheUserDeniesThenDeviceAuthorizationDeniedIsRecorded() {
    DeviceAuthorization pending = start();
    fixture.idp.answerDevice(pending.userCode(), "alice", false);

    pollFor(Duration.ofSeconds(5));

    assertThat(token().diagnoses())
        .extracting(Diagnosis::code)
        .containsExactly(DiagnosisCode.DEVICE_AUTHORIZATION_DENIED);
    assertThat(join(store.find(KEY))).isEmpty();
  }

  @Test
  void pollDueWhenTheCodeExpiresBeforeTheUserFinishesThenDeviceCodeExpiredAndPollingStops() {
    start();

    pollFor(InMemoryIdentityProvider.DEVICE_CODE_LIFETIME.plusSeconds(5));
    int polls = fixture.idp.devicePolls().size();
    pollFor(Duration.ofSeconds(30));

    assertThat(token().diagnoses())
        .extracting(Diagnosis::code)
        .containsExactly(DiagnosisCode.DEVICE_CODE_EXPIRED);
    assertThat(fixture.idp.devicePolls()).hasSize(polls);
    assertThat(join(store.find(KEY))).isEmpty();
  }

  @Test
  void pollDueWhenTheProviderRefusesTheClientTheGrantThenGrantTypeNotAllowed() {
    start();
    fixture.idp.scriptNext(
        new GrantOutcome.Refused(
            "unauthorized_client", Optional.of("device grant disabled for the client"), 400));

    pollFor(Duration.ofSeconds(5));

    Diagnosis recorded = token().diagnoses().get(0);
    assertThat(recorded.code()).isEqualTo(DiagnosisCode.GRANT_TYPE_NOT_ALLOWED);
    assertThat(recorded.message()).contains(DeviceAuthorizations.DEVICE_CODE_GRANT);
  }

  @Test
  void pollDueWhenTheProviderIsUnreachableThenPollingGoesOn() {
    DeviceAuthorization pending = start();
    fixture.idp.scriptNext(
        new GrantOutcome.Failed(
            GrantOutcome.Failure.UNREACHABLE,
            "connection refused",
            Optional.empty(),
            Optional.empty()));
    pollFor(Duration.ofSeconds(5));
    fixture.idp.answerDevice(pending.userCode(), "alice", true);

    pollFor(Duration.ofSeconds(5));

    assertThat(token().state()).isEqualTo(TokenState.ACTIVE);
  }

  @Test
  void pollDueWhenAnotherPollerHoldsTheClaimThenItIsNotPolledTwice() {
    start();
    fixture.clock.advance(Duration.ofSeconds(5));
    List<DeviceAuthorization> first =
        join(store.claimDue(fixture.clock.now(), Duration.ofMinutes(2), 10));

    join(devices.pollDue());

    assertThat(first).hasSize(1);
    assertThat(fixture.idp.devicePolls()).isEmpty();
  }

  @Test
  void startWhenTheProviderHasNoDeviceEndpointThenNotSupportedWithTheRemedy() {
    fixture.idp.metadata(withDeviceEndpoint(InMemoryIdentityProvider.defaultMetadata(), false));

    Diagnosis refused = refusal();

    assertThat(refused.code()).isEqualTo(DiagnosisCode.DEVICE_AUTHORIZATION_NOT_SUPPORTED);
    assertThat(refused.remedy()).contains("deviceAuthorizationEndpoint", "PUT /v1/providers/idp");
  }
}
