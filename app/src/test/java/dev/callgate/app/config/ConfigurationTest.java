package dev.callgate.app.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.app.http.InboundLimits;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.diagnosis.DiagnosisCode;
import dev.callgate.core.diagnosis.Validated;
import dev.callgate.core.outbound.OutboundAddressPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigurationTest {
  private static final String KEY32 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

  private static Configuration valid(Map<String, String> env) {
    Validated<Configuration> validated = Configuration.fromEnvironment(env);
    assertThat(validated.problems()).isEmpty();
    return ((Validated.Valid<Configuration>) validated).value();
  }

  private static String problems(Map<String, String> env) {
    Validated<Configuration> validated = Configuration.fromEnvironment(env);
    assertThat(validated.problems())
        .isNotEmpty()
        .allMatch(d -> d.code() == DiagnosisCode.INVALID_CONFIGURATION);
    return String.join("\n", validated.problems().stream().map(Diagnosis::message).toList());
  }

  @Test
  void fromEnvironmentWhenNothingIsSetThenEmbeddedDefaults() {
    Configuration config = valid(Map.of());

    assertThat(config.httpPort()).isEqualTo(8080);
    assertThat(config.httpHost()).isEqualTo("127.0.0.1");
    assertThat(config.publicUrl()).hasToString("http://127.0.0.1:8080");
    assertThat(config.redirectUri()).hasToString("http://127.0.0.1:8080/v1/oauth/callback");
    assertThat(config.dataDir()).isEqualTo(Path.of("./data"));
    assertThat(config.embedded()).isTrue();
    assertThat(config.masterKey()).isEmpty();
    assertThat(config.adminKey()).isEmpty();
    assertThat(config.instanceId()).matches("callgate-[0-9a-f]{8}");
    assertThat(config.refreshLease()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.tokenEndpointTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.cacheMaxStaleness()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.databasePoolSize()).isEqualTo(16);
    assertThat(config.eventRetention()).isEqualTo(Duration.ofDays(30));
  }

  @Test
  void fromEnvironmentWhenEventRetentionIsGivenThenUsesItAndRefusesLessThanAnHour() {
    assertThat(valid(Map.of(Configuration.EVENT_RETENTION, "P90D")).eventRetention())
        .isEqualTo(Duration.ofDays(90));
    assertThat(problems(Map.of(Configuration.EVENT_RETENTION, "PT10M")))
        .contains(Configuration.EVENT_RETENTION + " is invalid: it must be at least PT1H");
    assertThat(problems(Map.of(Configuration.EVENT_RETENTION, "30 days")))
        .contains("is not an ISO-8601 duration");
  }

  @Test
  void fromEnvironmentWhenWebhookSettingsAreGivenThenUsesThemAndRefusesAHorizonUnderAMinute() {
    Configuration defaults = valid(Map.of());
    assertThat(defaults.webhookRetryHorizon()).isEqualTo(Duration.ofHours(24));
    assertThat(defaults.webhookTimeout()).isEqualTo(Duration.ofSeconds(10));
    Configuration given =
        valid(
            Map.of(
                Configuration.WEBHOOK_RETRY_HORIZON, "PT6H",
                Configuration.WEBHOOK_TIMEOUT, "PT3S"));
    assertThat(given.webhookRetryHorizon()).isEqualTo(Duration.ofHours(6));
    assertThat(given.webhookTimeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(problems(Map.of(Configuration.WEBHOOK_RETRY_HORIZON, "PT30S")))
        .contains(Configuration.WEBHOOK_RETRY_HORIZON + " is invalid: it must be at least PT1M");
    assertThat(problems(Map.of(Configuration.WEBHOOK_TIMEOUT, "PT0S")))
        .contains(Configuration.WEBHOOK_TIMEOUT);
  }

  @Test
  void fromEnvironmentWhenConsoleSessionTtlIsGivenThenUsesItAndRefusesZeroOrText() {
    assertThat(valid(Map.of()).consoleSessionTtl()).isEqualTo(Duration.ofHours(8));
    assertThat(valid(Map.of(Configuration.CONSOLE_SESSION_TTL, "PT30M")).consoleSessionTtl())
        .isEqualTo(Duration.ofMinutes(30));
    assertThat(problems(Map.of(Configuration.CONSOLE_SESSION_TTL, "PT0S")))
        .contains(Configuration.CONSOLE_SESSION_TTL + " is invalid: it must be longer than zero");
    assertThat(problems(Map.of(Configuration.CONSOLE_SESSION_TTL, "8 hours")))
        .contains("is not an ISO-8601 duration");
  }

  @Test
  void fromEnvironmentWhenAConnectLinkTtlIsGivenThenUsesItAndRefusesZero() {
    assertThat(valid(Map.of()).connectLinkTtl()).isEqualTo(Duration.ofMinutes(15));
    assertThat(valid(Map.of(Configuration.CONNECT_LINK_TTL, "PT2H")).connectLinkTtl())
        .isEqualTo(Duration.ofHours(2));
    assertThat(problems(Map.of(Configuration.CONNECT_LINK_TTL, "PT0S")))
        .contains(Configuration.CONNECT_LINK_TTL);
    assertThat(problems(Map.of(Configuration.CONNECT_LINK_TTL, "15 minutes")))
        .contains("is not an ISO-8601 duration");
  }

  @Test
  void fromEnvironmentWhenClusterSettingsAreGivenThenUsesThem() {
    Configuration config =
        valid(
            Map.of(
                Configuration.INSTANCE_ID, "callgate-a.zone-1",
                Configuration.REFRESH_LEASE, "PT6S",
                Configuration.CACHE_MAX_STALENESS, "PT0S",
                Configuration.DB_POOL_SIZE, "4"));

    assertThat(config.instanceId()).isEqualTo("callgate-a.zone-1");
    assertThat(config.refreshLease()).isEqualTo(Duration.ofSeconds(6));
    assertThat(config.tokenEndpointTimeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(config.cacheMaxStaleness()).isZero();
    assertThat(config.databasePoolSize()).isEqualTo(4);
  }

  @Test
  void fromEnvironmentWhenInboundLimitsAreGivenThenUsesThemAndDefaultsAreSane() {
    Configuration config =
        valid(
            Map.of(
                Configuration.HTTP_IDLE_TIMEOUT, "PT2M",
                Configuration.HTTP_HEADER_TIMEOUT, "PT5S",
                Configuration.HTTP_BODY_TIMEOUT, "PT15S",
                Configuration.HTTP_MAX_CONNECTIONS, "64",
                Configuration.HTTP_MAX_REQUEST_LINE, "2048",
                Configuration.HTTP_MAX_HEADER_SIZE, "16384",
                Configuration.METRICS_REQUIRE_KEY, "true"));

    assertThat(config.inbound())
        .isEqualTo(
            new InboundLimits(
                Duration.ofMinutes(2),
                Duration.ofSeconds(5),
                Duration.ofSeconds(15),
                64,
                2048,
                16384));
    assertThat(config.metricsRequireKey()).isTrue();
    assertThat(valid(Map.of()).inbound()).isEqualTo(InboundLimits.defaults());
    assertThat(valid(Map.of()).metricsRequireKey()).isFalse();
  }

  @Test
  void fromEnvironmentWhenInboundLimitsAreBadThenNamesEachVariable() {
    String problems =
        problems(
            Map.of(
                Configuration.HTTP_IDLE_TIMEOUT, "PT0S",
                Configuration.HTTP_HEADER_TIMEOUT, "ten",
                Configuration.HTTP_MAX_CONNECTIONS, "0",
                Configuration.HTTP_MAX_HEADER_SIZE, "100",
                Configuration.METRICS_REQUIRE_KEY, "yes"));

    assertThat(problems)
        .contains(
            Configuration.HTTP_IDLE_TIMEOUT + " is invalid: it must be longer than zero",
            Configuration.HTTP_HEADER_TIMEOUT + " is invalid: 'ten' is not an ISO-8601",
            Configuration.HTTP_MAX_CONNECTIONS + " is invalid: '0' is not a number from 1",
            Configuration.HTTP_MAX_HEADER_SIZE + " is invalid: '100' is not a number from 1024",
            Configuration.METRICS_REQUIRE_KEY + " is invalid: 'yes' is not true or false");
  }

  @Test
  void fromEnvironmentWhenLogLevelIsUnknownThenRefusesItRatherThanLoggingAtDebug() {
    assertThat(problems(Map.of(Configuration.LOG_LEVEL, "verbose")))
        .contains(
            Configuration.LOG_LEVEL
                + " is invalid: 'verbose' is not one of TRACE, DEBUG, INFO, WARN, ERROR, OFF");
    assertThat(problems(Map.of(Configuration.LOG_LEVEL, "INFO ")))
        .contains(Configuration.LOG_LEVEL);
    valid(Map.of(Configuration.LOG_LEVEL, "warn"));
    valid(Map.of(Configuration.LOG_LEVEL, "DEBUG"));
  }

  @Test
  void fromEnvironmentWhenClusterSettingsAreBadThenNamesEachVariable() {
    String problems =
        problems(
            Map.of(
                Configuration.INSTANCE_ID, "two words",
                Configuration.REFRESH_LEASE, "PT1S",
                Configuration.CACHE_MAX_STALENESS, "10 seconds",
                Configuration.DB_POOL_SIZE, "0"));

    assertThat(problems)
        .contains(
            Configuration.INSTANCE_ID + " is invalid",
            Configuration.REFRESH_LEASE + " is invalid: it must be at least PT2S",
            Configuration.CACHE_MAX_STALENESS + " is invalid: '10 seconds' is not an ISO-8601",
            Configuration.DB_POOL_SIZE + " is invalid: '0' is not a number from 1 to 1024");
  }

  @Test
  void fromEnvironmentWhenCalloutPoolSettingsAreGivenThenUsesThemAndNamesBadOnes() {
    Configuration defaults = valid(Map.of());
    Configuration config =
        valid(Map.of(Configuration.CALLOUT_POOL_SIZE, "8", Configuration.CALLOUT_POOL_QUEUE, "0"));
    String problems =
        problems(
            Map.of(Configuration.CALLOUT_POOL_SIZE, "0", Configuration.CALLOUT_POOL_QUEUE, "lots"));

    assertThat(defaults.calloutPoolSize()).isEqualTo(32);
    assertThat(defaults.calloutPoolQueue()).isEqualTo(1024);
    assertThat(config.calloutPoolSize()).isEqualTo(8);
    assertThat(config.calloutPoolQueue()).isZero();
    assertThat(problems)
        .contains(
            Configuration.CALLOUT_POOL_SIZE + " is invalid: '0' is not a number from 1 to 1024",
            Configuration.CALLOUT_POOL_QUEUE
                + " is invalid: 'lots' is not a number from 0 to 65536");
  }

  @Test
  void fromEnvironmentWhenEventLoopsAreGivenThenUsesThemElseOnePerCoreAndNamesBadOnes() {
    assertThat(valid(Map.of()).eventLoops()).isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(valid(Map.of(Configuration.EVENT_LOOPS, "3")).eventLoops()).isEqualTo(3);
    for (String bad : new String[] {"0", "-2", "two", "1.5"}) {
      assertThat(problems(Map.of(Configuration.EVENT_LOOPS, bad)))
          .contains(
              Configuration.EVENT_LOOPS + " is invalid: '" + bad + "' is not a number from 1 to");
    }
  }

  @Test
  void fromEnvironmentWhenPublicUrlHasATrailingSlashThenTheRedirectUriHasOneSlash() {
    Configuration config = valid(Map.of(Configuration.PUBLIC_URL, "https://callgate.example.com/"));

    assertThat(config.redirectUri()).hasToString("https://callgate.example.com/v1/oauth/callback");
  }

  @Test
  void fromEnvironmentWhenEveryValueIsBadThenNamesEachVariable() {
    String problems =
        problems(
            Map.of(
                Configuration.HTTP_PORT, "80800",
                Configuration.PUBLIC_URL, "ftp://x",
                Configuration.DB_URL, "mysql://db/callgate",
                Configuration.MASTER_KEY, "not base64!",
                Configuration.ADMIN_KEY, "short"));

    assertThat(problems)
        .contains(
            Configuration.HTTP_PORT,
            Configuration.PUBLIC_URL,
            Configuration.DB_URL,
            Configuration.MASTER_KEY,
            Configuration.ADMIN_KEY);
  }

  @Test
  void fromEnvironmentWhenPostgresWithoutMasterKeyThenRefuses() {
    assertThat(problems(Map.of(Configuration.DB_URL, "postgresql://127.0.0.1:5432/callgate")))
        .contains(Configuration.MASTER_KEY, "required with PostgreSQL");
  }

  @Test
  void fromEnvironmentWhenMasterKeyIsNot256BitsThenRefuses() {
    assertThat(problems(Map.of(Configuration.MASTER_KEY, "AAEC"))).contains("3 bytes");
  }

  @Test
  void fromEnvironmentWhenAPreviousMasterKeyIsNot256BitsThenRefusesNamingIt() {
    String good = java.util.Base64.getEncoder().encodeToString(new byte[32]);
    assertThat(problems(Map.of(Configuration.MASTER_KEY_PREVIOUS, good + ",AAEC")))
        .contains(Configuration.MASTER_KEY_PREVIOUS, "3 bytes");
  }

  @Test
  void fromEnvironmentWhenPostgresAndMasterKeyThenValidAndNoPasswordInToString() {
    Configuration config =
        valid(
            Map.of(
                Configuration.DB_URL, "postgresql://callgate:hunter2@127.0.0.1:5432/callgate",
                Configuration.MASTER_KEY, KEY32,
                Configuration.HTTP_PORT, "0"));

    assertThat(config.embedded()).isFalse();
    assertThat(config.toString()).doesNotContain("hunter2").contains("postgresql");
  }

  @Test
  void
      fromEnvironmentWhenOutboundSettingsAreUnsetThenPublicAddressesHttpsProvidersAndOneMebibyte() {
    Configuration config = valid(Map.of());

    assertThat(config.outbound()).isEqualTo(OutboundAddressPolicy.publicOnly());
    assertThat(config.providerEndpoints().allowHttp()).isFalse();
    assertThat(config.providerMaxResponseBytes()).isEqualTo(1024 * 1024);
  }

  @Test
  void fromEnvironmentWhenOutboundSettingsAreGivenThenUsesThem() {
    Configuration config =
        valid(
            Map.of(
                Configuration.OUTBOUND_ALLOW, "127.0.0.0/8, ::1/128,idp.internal",
                Configuration.PROVIDER_ALLOW_HTTP, "true",
                Configuration.PROVIDER_MAX_RESPONSE_BYTES, "65536"));

    assertThat(config.outbound().allowedRanges()).hasSize(2);
    assertThat(config.outbound().allowedHosts()).containsExactly("idp.internal");
    assertThat(config.providerEndpoints().allowHttp()).isTrue();
    assertThat(config.providerMaxResponseBytes()).isEqualTo(65536);
  }

  @Test
  void fromEnvironmentWhenOutboundSettingsAreInvalidThenNamesEach() {
    String problems =
        problems(
            Map.of(
                Configuration.OUTBOUND_ALLOW, "127.0.0.0/33",
                Configuration.PROVIDER_ALLOW_HTTP, "yes",
                Configuration.PROVIDER_MAX_RESPONSE_BYTES, "10"));

    assertThat(problems)
        .contains("CALLGATE_OUTBOUND_ALLOW", "127.0.0.0/33")
        .contains("CALLGATE_PROVIDER_ALLOW_HTTP", "'yes'")
        .contains("CALLGATE_PROVIDER_MAX_RESPONSE_BYTES", "'10'");
  }
}
