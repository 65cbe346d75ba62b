package dev.callgate.core.service;

import static dev.callgate.core.service.ServiceFixture.ADMIN;
import static dev.callgate.core.service.ServiceFixture.join;
import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.core.credential.CredentialDraft;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.diagnosis.DiagnosisCode;
import dev.callgate.core.event.EventSource;
import dev.callgate.core.event.EventType;
import dev.callgate.core.port.FlowHash;
import dev.callgate.core.testkit.Concurrently;
import dev.callgate.core.testkit.InMemoryConnectLinkStore;
import dev.callgate.core.testkit.InMemoryIdentityProvider;
import dev.callgate.core.token.TokenKey;
import dev.callgate.core.token.TokenState;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ConnectLinksTest {
  private static final URI PUBLIC_URL = URI.create("https://callgate.test");
  private static final String RETURN_URL = "https://app.example.com/connected/done";

  private ServiceFixture f;
  private InMemoryConnectLinkStore store;
  private ConnectLinks links;

  @BeforeEach
  void setUp() {
    f = new ServiceFixture();
    f.provider(List.of("openid", "offline_access"), null);
    store = new InMemoryConnectLinkStore(f.events);
    links =
        new ConnectLinks(
            f.credentials,
            store,
            f.authorizations,
            f.idp,
            new EventSource("instance-1", f.clock),
            new SplittableRandom(3),
            new ConnectLinks.Settings(PUBLIC_URL, Duration.ofMinutes(15)));
    f.credential(perUser("reports"));
  }

  private static CredentialDraft perUser(String name) {
    CredentialDraft base =
        ServiceFixture.draft(
            name, "oauth2_authorization_code", "per_user", true, false, List.of("app"), true);
    return new CredentialDraft(
        base.name(),
        base.url(),
        base.protocol(),
        base.principal(),
        base.provider(),
        base.generateAuthorizationHeader(),
        base.allowMergeFieldsInHeaders(),
        base.allowMergeFieldsInBody(),
        base.allowedCallers(),
        base.keepAlive(),
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        List.of("https://app.example.com/connected"),
        "Acme Reports");
  }

  private ConnectLinkCreation create(Caller caller, String credential, String user, String url) {
    return join(
        links.create(
            new ConnectLinks.CreateLink(
                caller, credential, user, Optional.ofNullable(url), caller.actor("req-7"))));
  }

  private String token(ConnectLinkCreation creation) {
    URI url = creation.fold(ConnectLinkCreation.Created::url, refused -> null);
    assertThat(url).as(String.valueOf(creation)).isNotNull();
    return url.getPath().substring("/connect/".length());
  }

  private static Diagnosis refusal(ConnectLinkCreation creation) {
    return creation.fold(created -> null, ConnectLinkCreation.Refused::diagnosis);
  }

  private static Optional<Diagnosis> refusal(AuthorizationOpening opening) {
    return opening.fold(opened -> Optional.empty(), refused -> Optional.of(refused.diagnosis()));
  }

  @Test
  void createWhenAnAdminAsksThenTheLinkCarries256BitsOfWhichOnlyTheHashIsStored() {
    ConnectLinkCreation created = create(ADMIN, "reports", "dora", RETURN_URL);
    String token = token(created);

    assertThat(created.<String>fold(c -> c.url().toString(), r -> ""))
        .isEqualTo("https://callgate.test/connect/" + token);
    assertThat(token).matches("[A-Za-z0-9_-]{43}");
    assertThat(join(store.find(FlowHash.of(token)))).isPresent();
    assertThat(join(store.find(new FlowHash(token)))).isEmpty();
    assertThat(created.fold(ConnectLinkCreation.Created::expiresAt, r -> null))
        .isEqualTo(f.clock.now().plus(Duration.ofMinutes(15)));
    assertThat(f.events(EventType.AUDIT_CONNECT_LINK_CREATED))
        .singleElement()
        .satisfies(
            event -> {
              assertThat(event.user()).contains("dora");
              assertThat(event.actor().orElseThrow().subject()).isEqualTo("admin");
              assertThat(event.details()).containsEntry("returnUrl", RETURN_URL);
            });
  }

  @Test
  void createWhenTheRequestIsWrongThenRefusedWithTheReason() {
    f.credential(ServiceFixture.authorizationCode("shared"));

    assertThat(refusal(create(Caller.caller("app"), "reports", "dora", null)).code())
        .isEqualTo(DiagnosisCode.FORBIDDEN);
    assertThat(refusal(create(ADMIN, "nothing", "dora", null)).code())
        .isEqualTo(DiagnosisCode.CREDENTIAL_NOT_FOUND);
    assertThat(refusal(create(ADMIN, "shared", "dora", null)).code())
        .isEqualTo(DiagnosisCode.CONNECT_LINK_NOT_SUPPORTED);
    assertThat(refusal(create(ADMIN, "reports", null, null)).code())
        .isEqualTo(DiagnosisCode.INVALID_VALUE);
    assertThat(refusal(create(ADMIN, "reports", "dora smith", null)).code())
        .isEqualTo(DiagnosisCode.INVALID_VALUE);
    assertThat(refusal(create(ADMIN, "reports", "dora", "https://evil.example.com/")).code())
        .isEqualTo(DiagnosisCode.RETURN_URL_NOT_ALLOWED);
    assertThat(refusal(create(ADMIN, "reports", "dora", "/console/")).code())
        .isEqualTo(DiagnosisCode.RETURN_URL_NOT_ALLOWED);
    assertThat(f.events(EventType.AUDIT_CONNECT_LINK_CREATED)).isEmpty();
  }

  @Test
  void describeWhenTheLinkIsFreshThenSaysWhoAsksForWhatAndChangesNothing() {
    String token = token(create(ADMIN, "reports", "dora", null));

    ConnectLinkDescription first = join(links.describe(token));
    ConnectLinkDescription second = join(links.describe(token));

    ConnectLinkDescription.Described described = first.fold(d -> d, refused -> null);
    assertThat(described).isNotNull();
    assertThat(described.applicationName()).isEqualTo("Acme Reports");
    assertThat(described.credentialName()).isEqualTo("reports");
    assertThat(described.apiHost()).isEqualTo("api.test");
    assertThat(described.providerName()).isEqualTo("idp");
    assertThat(described.scopes()).containsExactly("openid", "offline_access");
    assertThat(described.user()).isEqualTo("dora");
    assertThat(described.providerOrigin()).contains(URI.create(InMemoryIdentityProvider.ISSUER));
    assertThat(second).isEqualTo(first);
    assertThat(join(store.find(FlowHash.of(token))))
        .hasValueSatisfying(l -> assertThat(l.usedAt()).isEmpty());
  }

  @Test
  void redeemWhenTheEndUserSignsInThenTheirTokenIsAuthorizedAndTheFlowReturnsToTheUrl() {
    String token = token(create(ADMIN, "reports", "dora", RETURN_URL));

    AuthorizationOpening opening = join(links.redeem(token, "req-9"));
    AuthorizationOpening.Opened opened = opening.fold(o -> o, r -> null);
    assertThat(opened).as(String.valueOf(opening)).isNotNull();
    InMemoryIdentityProvider.Approval approval = f.idp.approve(opened.providerUrl(), "dora-at-idp");
    AuthorizationCompletion done =
        join(
            f.authorizations.complete(
                AuthorizationCallback.withCode(
                    approval.state(), approval.code(), opened.binding().secret().reveal())));

    AuthorizationCompletion.Authorized authorized = done.fold(a -> a, r -> null);
    assertThat(authorized).as(String.valueOf(done)).isNotNull();
    assertThat(authorized.returnUrl()).contains(URI.create(RETURN_URL));
    assertThat(authorized.record().key()).isEqualTo(TokenKey.perUser("reports", "dora"));
    assertThat(f.stored(TokenKey.perUser("reports", "dora")).state()).isEqualTo(TokenState.ACTIVE);
    assertThat(f.events(EventType.CONNECT_LINK_USED)).hasSize(1);
    assertThat(f.events(EventType.AUDIT_AUTHORIZATION_STARTED))
        .singleElement()
        .satisfies(
            event -> {
              assertThat(event.actor().orElseThrow().subject()).isEqualTo("admin");
              assertThat(event.actor().orElseThrow().requestId()).isEqualTo("req-9");
            });
  }

  @Test
  void redeemWhenUsedExpiredOrUnknownThenRefusedWithTheMatchingCode() {
    String used = token(create(ADMIN, "reports", "dora", null));
    join(links.redeem(used, "req-1"));
    String expired = token(create(ADMIN, "reports", "erin", null));
    f.clock.advance(Duration.ofMinutes(15));

    assertThat(refusal(join(links.redeem(used, "req-2"))))
        .map(Diagnosis::code)
        .contains(DiagnosisCode.CONNECT_LINK_USED);
    assertThat(join(links.describe(used)).<DiagnosisCode>fold(d -> null, r -> r.diagnosis().code()))
        .isEqualTo(DiagnosisCode.CONNECT_LINK_USED);
    assertThat(refusal(join(links.redeem(expired, "req-3"))))
        .map(Diagnosis::code)
        .contains(DiagnosisCode.CONNECT_LINK_EXPIRED);
    assertThat(refusal(join(links.redeem("unknown-token", "req-4"))))
        .map(Diagnosis::code)
        .contains(DiagnosisCode.CONNECT_LINK_UNKNOWN);
    assertThat(refusal(join(links.redeem("", "req-5"))))
        .map(Diagnosis::code)
        .contains(DiagnosisCode.CONNECT_LINK_UNKNOWN);
    assertThat(f.events(EventType.CONNECT_LINK_USED)).hasSize(1);
  }

  @Test
  void redeemWhenTwentyBrowsersRaceForOneLinkThenExactlyOneIsSentToSignIn() {
    String token = token(create(ADMIN, "reports", "dora", null));

    List<AuthorizationOpening> openings =
        Concurrently.race(20, i -> join(links.redeem(token, "req-" + i)));

    assertThat(openings.stream().filter(o -> refusal(o).isEmpty())).hasSize(1);
    assertThat(openings.stream().map(ConnectLinksTest::refusal).flatMap(Optional::stream))
        .hasSize(19)
        .allMatch(d -> d.code() == DiagnosisCode.CONNECT_LINK_USED);
    assertThat(f.events(EventType.AUTHORIZATION_STARTED)).hasSize(1);
  }

  @Test
  void purgeSpentWhenLinksExpiredOrWereUsedALifetimeAgoThenRemovesThem() {
    String used = token(create(ADMIN, "reports", "dora", null));
    join(links.redeem(used, "req-1"));
    token(create(ADMIN, "reports", "erin", null));
    f.clock.advance(Duration.ofMinutes(31));
    String fresh = token(create(ADMIN, "reports", "finn", null));

    assertThat(join(links.purgeSpent())).isEqualTo(2);
    assertThat(join(store.find(FlowHash.of(used)))).isEmpty();
    assertThat(join(store.find(FlowHash.of(fresh)))).isPresent();
  }
}
