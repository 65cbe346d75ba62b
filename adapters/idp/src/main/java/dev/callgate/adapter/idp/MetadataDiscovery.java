package dev.callgate.adapter.idp;

import dev.callgate.core.credential.AuthProvider;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.diagnosis.DiagnosisCode;
import dev.callgate.core.port.GrantOutcome;
import dev.callgate.core.port.ProviderMetadata;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds an authorization server's metadata: the OpenID Connect discovery document, else the RFC
 * 8414 one, checked against the configured issuer and cached per issuer for a bounded time;
 * endpoints given on the provider override discovered ones. A provider without an issuer is its
 * explicit endpoints alone.
 */
final class MetadataDiscovery {

  private record Cached(Future<ProviderMetadata> metadata, Instant fetchedAt) {}

  /**
   * One GET of a metadata document: the metadata, or a failure; {@code tryOther} when there is no
   * usable document at this URL but the other well-known URL may have one.
   */
  private record Attempt(
      URI url,
      Optional<ProviderMetadata> metadata,
      DiscoveryFailedException failure,
      String reason,
      boolean tryOther) {

    static Attempt found(URI url, ProviderMetadata metadata) {
      return new Attempt(url, Optional.of(metadata), null, "", false);
    }

    static Attempt failed(URI url, DiscoveryFailedException failure, String reason, boolean other) {
      return new Attempt(url, Optional.empty(), failure, reason, other);
    }
  }

  private final WebClient client;
  private final IdentityProviderOptions options;
  private final Map<String, Cached> cache = new ConcurrentHashMap<>();

  MetadataDiscovery(WebClient client, IdentityProviderOptions options) {
    this.client = client;
    this.options = options;
  }

  Future<ProviderMetadata> discover(AuthProvider provider) {
    if (provider.issuer().isEmpty()) {
      return Future.succeededFuture(explicit(provider));
    }
    return discovered(provider.issuer().get()).map(metadata -> withOverrides(metadata, provider));
  }

  private Future<ProviderMetadata> discovered(URI issuer) {
    Instant now = options.clock().instant();
    Cached cached =
        cache.compute(
            issuer.toString(),
            (key, current) ->
                current != null && usable(current, now) ? current : new Cached(fetch(issuer), now));
    // A failed discovery is not remembered: the next call asks again.
    cached.metadata().onFailure(failure -> cache.remove(issuer.toString(), cached));
    return cached.metadata();
  }

  private boolean usable(Cached cached, Instant now) {
    if (cached.metadata().failed()) {
      return false;
    }
    return !cached.metadata().isComplete()
        || now.isBefore(cached.fetchedAt().plus(options.discoveryLifetime()));
  }

  private Future<ProviderMetadata> fetch(URI issuer) {
    URI openIdConfiguration =
        URI.create(trimSlash(issuer.toString()) + "/.well-known/openid-configuration");
    return attempt(issuer, openIdConfiguration)
        .compose(
            first -> {
              if (first.metadata().isPresent()) {
                return Future.succeededFuture(first.metadata().get());
              }
              if (!first.tryOther()) {
                return Future.failedFuture(first.failure());
              }
              return attempt(issuer, authorizationServerMetadataUrl(issuer))
                  .compose(
                      second ->
                          second.metadata().isPresent()
                              ? Future.succeededFuture(second.metadata().get())
                              : Future.failedFuture(bothFailed(issuer, first, second)));
            });
  }

  private Future<Attempt> attempt(URI issuer, URI url) {
    return client
        .getAbs(url.toString())
        .putHeader(HttpHeaders.ACCEPT.toString(), "application/json")
        .timeout(options.requestTimeout().toMillis())
        .send()
        .map(response -> read(issuer, url, response))
        .recover(
            failure -> {
              // Unreachable: another URL on the same host cannot help.
              GrantOutcome.Failed failed =
                  TransportFailures.toFailed(failure, url, options.requestTimeout());
              return Future.succeededFuture(
                  Attempt.failed(
                      url,
                      new DiscoveryFailedException(
                          Diagnosis.of(DiagnosisCode.IDP_UNAVAILABLE, "reason", failed.reason()),
                          failed.failure(),
                          failed.reason(),
                          Optional.empty()),
                      failed.reason(),
                      false));
            });
  }

  private Attempt read(URI issuer, URI url, HttpResponse<Buffer> response) {
    int status = response.statusCode();
    String contentType = response.getHeader(HttpHeaders.CONTENT_TYPE.toString());
    String answer =
        "HTTP " + status + (contentType == null ? "" : " with content type " + contentType);
    if (status >= 500) {
      String reason = url + " answered " + answer;
      return Attempt.failed(
          url,
          new DiscoveryFailedException(
              Diagnosis.of(DiagnosisCode.IDP_UNAVAILABLE, "reason", reason),
              GrantOutcome.Failure.SERVER_ERROR,
              reason,
              Optional.of(status)),
          answer,
          true);
    }
    Optional<JsonObject> json = TokenResponseMapper.jsonObject(response.body());
    if (status != 200 || json.isEmpty()) {
      return Attempt.failed(url, invalid(url, answer, status), answer, true);
    }
    String reason;
    try {
      ProviderMetadata metadata = metadata(json.get());
      String advertised = metadata.issuer().orElse("(none)");
      if (trimSlash(advertised).equals(trimSlash(issuer.toString()))) {
        return Attempt.found(url, metadata);
      }
      // OpenID Connect Discovery §4.3: a document for another issuer must not be used.
      reason =
          "the document names the issuer '" + advertised + "', not the configured '" + issuer + "'";
    } catch (IllegalArgumentException | ClassCastException e) {
      reason = e.getMessage();
    }
    return Attempt.failed(url, invalid(url, reason, status), reason, false);
  }

  private static DiscoveryFailedException invalid(URI url, String reason, int status) {
    return new DiscoveryFailedException(
        Diagnosis.of(DiagnosisCode.IDP_RESPONSE_INVALID, "endpoint", url, "reason", reason),
        GrantOutcome.Failure.INVALID_RESPONSE,
        url + ": " + reason,
        Optional.of(status));
  }

  private static DiscoveryFailedException bothFailed(URI issuer, Attempt first, Attempt second) {
    if (!second.tryOther()) {
      return second.failure();
    }
    String reason =
        "no usable metadata at "
            + first.url()
            + " ("
            + first.reason()
            + ") nor at "
            + second.url()
            + " ("
            + second.reason()
            + ")";
    boolean serverError =
        first.failure().asGrantOutcome().failure() == GrantOutcome.Failure.SERVER_ERROR
            || second.failure().asGrantOutcome().failure() == GrantOutcome.Failure.SERVER_ERROR;
    if (serverError) {
      return new DiscoveryFailedException(
          Diagnosis.of(DiagnosisCode.IDP_UNAVAILABLE, "reason", reason),
          GrantOutcome.Failure.SERVER_ERROR,
          reason,
          second.failure().asGrantOutcome().httpStatus());
    }
    return new DiscoveryFailedException(
        Diagnosis.of(DiagnosisCode.IDP_RESPONSE_INVALID, "endpoint", issuer, "reason", reason),
        GrantOutcome.Failure.INVALID_RESPONSE,
        reason,
        second.failure().asGrantOutcome().httpStatus());
  }

  private static ProviderMetadata metadata(JsonObject json) {
    Object tokenEndpoint = json.getValue("token_endpoint");
    if (!(tokenEndpoint instanceof String)) {
      throw new IllegalArgumentException("the document has no token_endpoint");
    }
    return new ProviderMetadata(
        Optional.ofNullable(json.getString("issuer")),
        endpoint(json, "authorization_endpoint"),
        absolute((String) tokenEndpoint, "token_endpoint"),
        endpoint(json, "revocation_endpoint"),
        strings(json, "scopes_supported"),
        strings(json, "grant_types_supported"),
        strings(json, "code_challenge_methods_supported"));
  }

  private static Optional<URI> endpoint(JsonObject json, String field) {
    return Optional.ofNullable(json.getString(field)).map(value -> absolute(value, field));
  }

  private static URI absolute(String value, String field) {
    try {
      URI uri = new URI(value);
      if (!uri.isAbsolute() || uri.getHost() == null) {
        throw new IllegalArgumentException(field + " is not an absolute URL");
      }
      return uri;
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException(field + " is not a URL");
    }
  }

  private static List<String> strings(JsonObject json, String field) {
    JsonArray array = json.getJsonArray(field);
    if (array == null) {
      return List.of();
    }
    return array.stream().filter(String.class::isInstance).map(String.class::cast).toList();
  }

  private static ProviderMetadata explicit(AuthProvider provider) {
    return new ProviderMetadata(
        Optional.empty(),
        provider.authorizationEndpoint(),
        provider.tokenEndpoint().orElseThrow(),
        provider.revocationEndpoint(),
        List.of(),
        List.of(),
        List.of());
  }

  private static ProviderMetadata withOverrides(
      ProviderMetadata discovered, AuthProvider provider) {
    return new ProviderMetadata(
        discovered.issuer(),
        provider.authorizationEndpoint().or(discovered::authorizationEndpoint),
        provider.tokenEndpoint().orElse(discovered.tokenEndpoint()),
        provider.revocationEndpoint().or(discovered::revocationEndpoint),
        discovered.scopesSupported(),
        discovered.grantTypesSupported(),
        discovered.codeChallengeMethodsSupported());
  }

  /** RFC 8414 §3.1: the well-known segment goes between the host and the issuer's path. */
  static URI authorizationServerMetadataUrl(URI issuer) {
    String path = trimSlash(issuer.getRawPath() == null ? "" : issuer.getRawPath());
    String authority = issuer.getScheme() + "://" + issuer.getRawAuthority();
    return URI.create(authority + "/.well-known/oauth-authorization-server" + path);
  }

  private static String trimSlash(String value) {
    return value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
  }
}
