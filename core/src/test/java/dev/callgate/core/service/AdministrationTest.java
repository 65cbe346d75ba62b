package dev.callgate.core.service;

import static dev.callgate.core.service.ServiceFixture.ADMIN_ACTOR;
import static dev.callgate.core.service.ServiceFixture.authorizationCode;
import static dev.callgate.core.service.ServiceFixture.join;
import static dev.callgate.core.service.ServiceFixture.valid;
import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.core.credential.AuthProvider;
import dev.callgate.core.credential.NamedCredential;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.diagnosis.DiagnosisCode;
import dev.callgate.core.token.TokenKey;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Administering providers, credentials and API keys: the rules an admin's request meets. */
class AdministrationTest {
  private final ServiceFixture f = new ServiceFixture();

  // ---- providers ----

  @Test
  void saveProviderWhenCreatingANewOneThenSavedAsCreated() {
    AuthProvider provider = provider();

    Providers.SaveOutcome outcome = join(f.providers.save(create(provider)));

    assertThat(outcome).isEqualTo(new Providers.SaveOutcome.Saved(provider, true, 0));
    assertThat(join(f.credentials.findProvider("idp"))).contains(provider);
  }

  @Test
  void saveProviderWhenCreatingOneThatExistsThenRejectedAlreadyExists() {
    AuthProvider provider = provider();
    join(f.providers.save(create(provider)));

    assertThat(code(join(f.providers.save(create(provider)))))
        .isEqualTo(DiagnosisCode.ALREADY_EXISTS);
  }

  @Test
  void saveProviderWhenReplacingOneThatDoesNotExistThenRejectedNotFound() {
    Providers.SaveOutcome outcome =
        join(
            f.providers.save(
                new Providers.SaveProvider(provider(), new SaveMode.Replace("idp"), ADMIN_ACTOR)));

    assertThat(code(outcome)).isEqualTo(DiagnosisCode.PROVIDER_NOT_FOUND);
    assertThat(join(f.credentials.findProvider("idp"))).isEmpty();
  }

  @Test
  void saveProviderWhenReplacingUnderAnotherNameThenRejectedAsARenameAndNothingChanges() {
    join(f.providers.save(create(provider())));

    Providers.SaveOutcome outcome =
        join(
            f.providers.save(
                new Providers.SaveProvider(
                    provider(), new SaveMode.Replace("other"), ADMIN_ACTOR)));

    Diagnosis rejected = outcome.fold(saved -> null, d -> d);
    assertThat(rejected.code()).isEqualTo(DiagnosisCode.INVALID_VALUE);
    assertThat(rejected.message()).contains("renaming is not supported");
  }

  @Test
  void deleteProviderWhenACredentialUsesItThenRejectedNamingTheCredentialAndKept() {
    f.provider(List.of("openid"), null);
    f.credential(authorizationCode("crm"));

    Providers.DeleteOutcome outcome =
        join(f.providers.delete(new Providers.DeleteProvider("idp", ADMIN_ACTOR)));

    Diagnosis rejected = outcome.fold(() -> null, d -> d);
    assertThat(rejected.code()).isEqualTo(DiagnosisCode.PROVIDER_IN_USE);
    assertThat(rejected.fact("credentials")).isEqualTo("crm");
    assertThat(join(f.credentials.findProvider("idp"))).isPresent();
  }

  @Test
  void deleteProviderWhenUnusedThenDeletedAndWhenGoneThenRejectedNotFound() {
    f.provider(List.of("openid"), null);

    Providers.DeleteOutcome first =
        join(f.providers.delete(new Providers.DeleteProvider("idp", ADMIN_ACTOR)));
    Providers.DeleteOutcome second =
        join(f.providers.delete(new Providers.DeleteProvider("idp", ADMIN_ACTOR)));

    assertThat(first).isEqualTo(new Providers.DeleteOutcome.Deleted());
    assertThat(second.fold(() -> null, Diagnosis::code))
        .isEqualTo(DiagnosisCode.PROVIDER_NOT_FOUND);
  }

  @Test
  void findProviderWhenUnknownThenRejectedNotFound() {
    assertThat(join(f.providers.find("idp")).fold(p -> null, Diagnosis::code))
        .isEqualTo(DiagnosisCode.PROVIDER_NOT_FOUND);
    assertThat(join(f.providers.check("idp")).fold(c -> null, Diagnosis::code))
        .isEqualTo(DiagnosisCode.PROVIDER_NOT_FOUND);
  }

  // ---- credentials ----

  @Test
  void saveCredentialWhenItsProviderDoesNotExistThenRejectedProviderNotFoundAndNothingStored() {
    NamedCredential crm = valid(authorizationCode("crm"));

    Credentials.SaveOutcome outcome =
        join(
            f.credentialUseCases.save(
                new Credentials.SaveCredential(crm, new SaveMode.Create(), ADMIN_ACTOR)));

    assertThat(outcome.fold(saved -> null, Diagnosis::code))
        .isEqualTo(DiagnosisCode.PROVIDER_NOT_FOUND);
    assertThat(join(f.credentials.findCredential("crm"))).isEmpty();
  }

  @Test
  void saveCredentialWhenCreatingThenSavedAndCreatingAgainThenRejectedAlreadyExists() {
    f.provider(List.of("openid"), null);
    NamedCredential crm = valid(authorizationCode("crm"));
    Credentials.SaveCredential create =
        new Credentials.SaveCredential(crm, new SaveMode.Create(), ADMIN_ACTOR);

    Credentials.SaveOutcome first = join(f.credentialUseCases.save(create));
    Credentials.SaveOutcome second = join(f.credentialUseCases.save(create));

    assertThat(first).isEqualTo(new Credentials.SaveOutcome.Saved(crm, true, 0));
    assertThat(second.fold(saved -> null, Diagnosis::code)).isEqualTo(DiagnosisCode.ALREADY_EXISTS);
  }

  @Test
  void saveCredentialWhenReplacingOneThatDoesNotExistOrUnderAnotherNameThenRejected() {
    f.provider(List.of("openid"), null);
    NamedCredential crm = valid(authorizationCode("crm"));

    Credentials.SaveOutcome missing =
        join(
            f.credentialUseCases.save(
                new Credentials.SaveCredential(crm, new SaveMode.Replace("crm"), ADMIN_ACTOR)));
    f.credential(authorizationCode("crm"));
    Credentials.SaveOutcome renamed =
        join(
            f.credentialUseCases.save(
                new Credentials.SaveCredential(crm, new SaveMode.Replace("erp"), ADMIN_ACTOR)));

    assertThat(missing.fold(saved -> null, Diagnosis::code))
        .isEqualTo(DiagnosisCode.CREDENTIAL_NOT_FOUND);
    assertThat(renamed.fold(saved -> null, Diagnosis::code)).isEqualTo(DiagnosisCode.INVALID_VALUE);
  }

  @Test
  void deleteCredentialWhenItHoldsAGrantThenRevokesItAndWhenGoneThenRejectedNotFound() {
    f.provider(List.of("openid", "offline_access"), "PT24H");
    f.credential(authorizationCode("crm"));
    f.authorize("crm", ServiceFixture.ADMIN);

    Credentials.DeleteOutcome first =
        join(f.credentialUseCases.delete(new Credentials.DeleteCredential("crm", ADMIN_ACTOR)));
    Credentials.DeleteOutcome second =
        join(f.credentialUseCases.delete(new Credentials.DeleteCredential("crm", ADMIN_ACTOR)));

    assertThat(first)
        .isEqualTo(
            new Credentials.DeleteOutcome.Deleted(new Revocations.Deletion("crm", 1, List.of())));
    assertThat(f.tokens.stored(TokenKey.named("crm"))).isEmpty();
    assertThat(second.fold(deletion -> null, Diagnosis::code))
        .isEqualTo(DiagnosisCode.CREDENTIAL_NOT_FOUND);
  }

  @Test
  void findCredentialWhenUnknownThenRejectedNotFound() {
    assertThat(join(f.credentialUseCases.find("crm")).fold(c -> null, Diagnosis::code))
        .isEqualTo(DiagnosisCode.CREDENTIAL_NOT_FOUND);
  }

  // ---- API keys ----

  @Test
  void issueApiKeyWhenSubjectMissingAndARoleUnknownThenRejectedWithBothProblems() {
    ApiKeys keys = apiKeys();

    ApiKeys.IssueOutcome outcome =
        join(
            keys.issue(
                new ApiKeys.IssueApiKey(
                    Optional.of(" "), Optional.of(List.of("root")), ADMIN_ACTOR)));

    List<Diagnosis> problems = outcome.fold((summary, key) -> List.of(), p -> p);
    assertThat(problems)
        .extracting(d -> d.fact("field"))
        .containsExactlyInAnyOrder("subject", "roles");
    assertThat(join(keys.list())).isEmpty();
  }

  @Test
  void issueApiKeyWhenValidThenTheKeyAuthenticatesItsSubjectAndTheListShowsNoSecret() {
    ApiKeys keys = apiKeys();

    ApiKeys.IssueOutcome outcome =
        join(
            keys.issue(
                new ApiKeys.IssueApiKey(Optional.of("billing"), Optional.empty(), ADMIN_ACTOR)));

    ApiKeySummary summary = outcome.fold((s, key) -> s, p -> null);
    dev.callgate.core.credential.Secret key = outcome.fold((s, k) -> k, p -> null);
    assertThat(summary.roles()).containsExactly("caller");
    assertThat(join(keys.authenticate(key)))
        .contains(new Caller("billing", summary.id(), java.util.Set.of(Caller.Role.CALLER)));
    assertThat(join(keys.list())).containsExactly(summary);
    assertThat(join(keys.delete(new ApiKeys.DeleteApiKey(summary.id(), ADMIN_ACTOR)))).isEmpty();
    assertThat(
            join(keys.delete(new ApiKeys.DeleteApiKey(summary.id(), ADMIN_ACTOR)))
                .map(Diagnosis::code))
        .contains(DiagnosisCode.API_KEY_NOT_FOUND);
  }

  private ApiKeys apiKeys() {
    return new ApiKeys(
        new dev.callgate.core.testkit.InMemoryApiKeyStore(f.events),
        new dev.callgate.core.event.EventSource("instance-1", f.clock),
        new java.util.SplittableRandom(5),
        Optional.empty());
  }

  /** The fixture's provider, not stored. */
  private AuthProvider provider() {
    f.provider(List.of("openid"), null);
    AuthProvider provider = f.provider();
    join(f.credentials.deleteProvider("idp"));
    return provider;
  }

  private static Providers.SaveProvider create(AuthProvider provider) {
    return new Providers.SaveProvider(provider, new SaveMode.Create(), ADMIN_ACTOR);
  }

  private static DiagnosisCode code(Providers.SaveOutcome outcome) {
    return outcome.fold(saved -> null, Diagnosis::code);
  }
}
