package dev.callgate.app.keycloak;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * The lifetimes and refresh-token rotation of a Keycloak realm, rendered into the same realm
 * representation as the imported {@code callgate} realm (its users, its {@code callgate} client and
 * that client's secret), so a test can make a realm of its own with other lifetimes and leave the
 * shared realm alone. {@link #callgate()} is the imported realm's own settings; the {@code with…}
 * methods change one setting.
 */
public record RealmSpec(
    String name,
    Duration accessTokenLifespan,
    Duration ssoSessionIdle,
    Duration ssoSessionMax,
    Duration offlineSessionIdle,
    boolean offlineSessionMaxLimited,
    Duration offlineSessionMax,
    boolean revokeRefreshToken,
    int refreshTokenMaxReuse) {

  /** The realm representation the imported realm is made from, on the test classpath. */
  public static final String TEMPLATE = "/keycloak/callgate-realm.json";

  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

  public RealmSpec {
    if (!NAME.matcher(Objects.requireNonNull(name, "name")).matches()) {
      throw new IllegalArgumentException("realm name must match " + NAME + ": " + name);
    }
    for (Duration lifetime :
        new Duration[] {
          accessTokenLifespan, ssoSessionIdle, ssoSessionMax, offlineSessionIdle, offlineSessionMax
        }) {
      // Keycloak counts lifetimes in whole seconds; zero means "use the realm default" there
      if (lifetime == null || lifetime.toSeconds() < 1) {
        throw new IllegalArgumentException("lifetimes are whole seconds, at least 1: " + lifetime);
      }
    }
    if (refreshTokenMaxReuse < 0) {
      throw new IllegalArgumentException("refreshTokenMaxReuse < 0: " + refreshTokenMaxReuse);
    }
  }

  /** The settings of the imported {@code callgate} realm. */
  public static RealmSpec callgate() {
    return new RealmSpec(
        "callgate",
        Duration.ofSeconds(60),
        Duration.ofSeconds(120),
        Duration.ofHours(10),
        Duration.ofDays(30),
        false,
        Duration.ofDays(60),
        true,
        0);
  }

  /**
   * The imported realm's settings under a name of its own: {@code prefix} and a random suffix, so
   * that test classes sharing one server never meet in a realm.
   */
  public static RealmSpec unique(String prefix) {
    byte[] suffix = new byte[4];
    ThreadLocalRandom.current().nextBytes(suffix);
    return callgate().withName(prefix + "-" + HexFormat.of().formatHex(suffix));
  }

  public RealmSpec withName(String newName) {
    return new RealmSpec(
        newName,
        accessTokenLifespan,
        ssoSessionIdle,
        ssoSessionMax,
        offlineSessionIdle,
        offlineSessionMaxLimited,
        offlineSessionMax,
        revokeRefreshToken,
        refreshTokenMaxReuse);
  }

  public RealmSpec withAccessTokenLifespan(Duration lifespan) {
    return new RealmSpec(
        name,
        lifespan,
        ssoSessionIdle,
        ssoSessionMax,
        offlineSessionIdle,
        offlineSessionMaxLimited,
        offlineSessionMax,
        revokeRefreshToken,
        refreshTokenMaxReuse);
  }

  public RealmSpec withSsoSessionIdle(Duration idle) {
    return new RealmSpec(
        name,
        accessTokenLifespan,
        idle,
        ssoSessionMax,
        offlineSessionIdle,
        offlineSessionMaxLimited,
        offlineSessionMax,
        revokeRefreshToken,
        refreshTokenMaxReuse);
  }

  public RealmSpec withSsoSessionMax(Duration max) {
    return new RealmSpec(
        name,
        accessTokenLifespan,
        ssoSessionIdle,
        max,
        offlineSessionIdle,
        offlineSessionMaxLimited,
        offlineSessionMax,
        revokeRefreshToken,
        refreshTokenMaxReuse);
  }

  public RealmSpec withOfflineSessionIdle(Duration idle) {
    return new RealmSpec(
        name,
        accessTokenLifespan,
        ssoSessionIdle,
        ssoSessionMax,
        idle,
        offlineSessionMaxLimited,
        offlineSessionMax,
        revokeRefreshToken,
        refreshTokenMaxReuse);
  }

  /** Limits offline sessions to {@code max} from their start, whatever their use. */
  public RealmSpec withOfflineSessionMax(Duration max) {
    return new RealmSpec(
        name,
        accessTokenLifespan,
        ssoSessionIdle,
        ssoSessionMax,
        offlineSessionIdle,
        true,
        max,
        revokeRefreshToken,
        refreshTokenMaxReuse);
  }

  public RealmSpec withRefreshTokenRotation(boolean revoke, int maxReuse) {
    return new RealmSpec(
        name,
        accessTokenLifespan,
        ssoSessionIdle,
        ssoSessionMax,
        offlineSessionIdle,
        offlineSessionMaxLimited,
        offlineSessionMax,
        revoke,
        maxReuse);
  }

  /** The realm representation for {@code POST /admin/realms}. */
  public JsonObject json() {
    JsonObject realm = template();
    realm
        .put("realm", name)
        .put("accessTokenLifespan", seconds(accessTokenLifespan))
        .put("ssoSessionIdleTimeout", seconds(ssoSessionIdle))
        .put("ssoSessionMaxLifespan", seconds(ssoSessionMax))
        .put("offlineSessionIdleTimeout", seconds(offlineSessionIdle))
        .put("offlineSessionMaxLifespanEnabled", offlineSessionMaxLimited)
        .put("offlineSessionMaxLifespan", seconds(offlineSessionMax))
        .put("revokeRefreshToken", revokeRefreshToken)
        .put("refreshTokenMaxReuse", refreshTokenMaxReuse);
    // the default role is named after the realm; a user without it may not have offline tokens
    for (Object user : realm.getJsonArray("users")) {
      ((JsonObject) user).put("realmRoles", new JsonArray().add("default-roles-" + name));
    }
    return realm;
  }

  private static JsonObject template() {
    try (InputStream in = RealmSpec.class.getResourceAsStream(TEMPLATE)) {
      if (in == null) {
        throw new IllegalStateException(TEMPLATE + " is not on the test classpath");
      }
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int seconds(Duration duration) {
    return Math.toIntExact(duration.toSeconds());
  }
}
