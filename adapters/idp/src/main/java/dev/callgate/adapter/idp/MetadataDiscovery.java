package dev.callgate.adapter.idp;

import dev.callgate.adapter.http.ClientTlsOptions;
import dev.callgate.core.credential.AuthProvider;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.diagnosis.DiagnosisCode;
import dev.callgate.core.port.GrantOutcome;
import dev.callgate.core.port.ProviderMetadata;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
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
      RuntimeException failure,
      String reason,
      boolean tryOther) {

    static Attempt found(URI url, ProviderMetadata metadata) {
      return new Attempt(url, Optional.of(metadata), null, "", false);
    }

    static Attempt failed(URI url, RuntimeException failure, String reason, boolean other) {
      return new Attempt(url, Optional.empty(), failure, reason, other);
    }

    boolean serverError() {
      return failure instanceof DiscoveryFailedException discovery
          && discovery.failure().filter(GrantOutcome.Failure.SERVER_ERROR::equals).isPresent();
    }
  }

  /**
   * A value that breaks a rule for provider metadata: the {@code source} that gave it (the
   * configuration, or a discovery document), the {@code field}, the {@code value} and the {@code
   * rule}. It becomes a diagnosis once the provider it concerns is known.
   */
  private static final class MetadataInvalid extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String source;
    private final String field;
    private final String value;
    private final String rule;

    MetadataInvalid(String source, String field, String value, String rule) {
      super(field + ": " + rule, null, false, false);
      this.source = source;
      this.field = field;
      this.value = withoutUserInfo(value);
      this.rule = rule;
    }

    Diagnosis diagnosis(String provider) {
      return Diagnosis.of(
          DiagnosisCode.PROVIDER_METADATA_INVALID,
          "provider",
          provider,
          "source",
          source,
          "field",
          field,
          "value",
          value,
          "rule",
          rule);
    }
  }

  private static final String CONFIGURATION = "provider's configuration";

  private final ProviderHttp http;
  private final IdentityProviderOptions options;
  private final Map<String, Cached> cache = new ConcurrentHashMap<>();

  MetadataDiscovery(ProviderHttp http, IdentityProviderOptions options) {
    this.http = http;
    this.options = options;
  }

  /**
   * The provider's metadata, its endpoints checked against the endpoint rule wherever they come
   * from, so that no client secret, code or token goes to a URL the rule refuses; a broken rule
   * fails with a {@link GrantOutcome.Misconfigured} discovery failure.
   */
  Future<ProviderMetadata> discover(AuthProvider provider) {
    Future<ProviderMetadata> metadata;
    try {
      provider.issuer().ifPresent(issuer -> check(CONFIGURATION, "issuer", issuer));
      if (provider.issuer().isEmpty()) {
        metadata = Future.succeededFuture(explicit(provider));
      } else {
        URI issuer = provider.issuer().get();
        metadata = discovered(provider, issuer).map(found -> withOverrides(found, provider));
      }
    } catch (MetadataInvalid invalid) {
      metadata = Future.failedFuture(invalid);
    }
    return metadata
        .map(effective -> checked(provider, effective))
        .recover(
            failure ->
                Future.failedFuture(
                    failure instanceof MetadataInvalid invalid
                        ? DiscoveryFailedException.misconfigured(invalid.diagnosis(provider.name()))
                        : failure));
  }

  /** {@code metadata} once each endpoint it names passes the endpoint rule. */
  private ProviderMetadata checked(AuthProvider provider, ProviderMetadata metadata) {
    String discovered =
        "discovery document of " + provider.issuer().map(URI::toString).orElse("(none)");
    check(
        provider.tokenEndpoint().isPresent() ? CONFIGURATION : discovered,
        provider.tokenEndpoint().isPresent() ? "tokenEndpoint" : "token_endpoint",
        metadata.tokenEndpoint());
    metadata
        .authorizationEndpoint()
        .ifPresent(
            endpoint ->
                check(
                    provider.authorizationEndpoint().isPresent() ? CONFIGURATION : discovered,
                    provider.authorizationEndpoint().isPresent()
                        ? "authorizationEndpoint"
                        : "authorization_endpoint",
                    endpoint));
    metadata
        .revocationEndpoint()
        .ifPresent(
            endpoint ->
                check(
                    provider.revocationEndpoint().isPresent() ? CONFIGURATION : discovered,
                    provider.revocationEndpoint().isPresent()
                        ? "revocationEndpoint"
                        : "revocation_endpoint",
                    endpoint));
    metadata
        .deviceAuthorizationEndpoint()
        .ifPresent(
            endpoint ->
                check(
                    provider.deviceAuthorizationEndpoint().isPresent() ? CONFIGURATION : discovered,
                    provider.deviceAuthorizationEndpoint().isPresent()
                        ? "deviceAuthorizationEndpoint"
                        : "device_authorization_endpoint",
                    endpoint));
    return metadata;
  }

  private void check(String source, String field, URI endpoint) {
    Optional<String> violation = options.endpoints().violation(endpoint);
    if (violation.isPresent()) {
      throw new MetadataInvalid(source, field, endpoint.toString(), violation.get());
    }
  }

  private Future<ProviderMetadata> discovered(AuthProvider provider, URI issuer) {
    Instant now = options.clock().instant();
    // read with the provider's TLS (a private CA's trust, a client certificate that selects the
    // RFC 8705 aliases): kept apart from the document read without them
    String tls = ClientTlsOptions.cacheKey(provider.tls());
    String cacheKey = tls.isEmpty() ? issuer.toString() : issuer + " " + tls;
    Cached cached =
        cache.compute(
            cacheKey,
            (key, current) ->
                current != null && usable(current, now)
                    ? current
                    : new Cached(fetch(provider, issuer), now));
    // A failed discovery is not remembered: the next call asks again.
    cached.metadata().onFailure(failure -> cache.remove(cacheKey, cached));
    return cached.metadata();
  }

  private boolean usable(Cached cached, Instant now) {
    if (cached.metadata().failed()) {
      return false;
    }
    return !cached.metadata().isComplete()
        || now.isBefore(cached.fetchedAt().plus(options.discoveryLifetime()));
  }

  private Future<ProviderMetadata> fetch(AuthProvider provider, URI issuer) {
    URI openIdConfiguration =
        URI.create(trimSlash(issuer.toString()) + "/.well-known/openid-configuration");
    return attempt(provider, issuer, openIdConfiguration)
        .compose(
            first -> {
              if (first.metadata().isPresent()) {
                return Future.succeededFuture(first.metadata().get());
              }
              if (!first.tryOther()) {
                return Future.failedFuture(first.failure());
              }
              return attempt(provider, issuer, authorizationServerMetadataUrl(issuer))
                  .compose(
                      second ->
                          second.metadata().isPresent()
                              ? Future.succeededFuture(second.metadata().get())
                              : Future.failedFuture(bothFailed(issuer, first, second)));
            });
  }

  private Future<Attempt> attempt(AuthProvider provider, URI issuer, URI url) {
    return http.exchange(HttpMethod.GET, url, provider, HttpRequest::send)
        .map(response -> read(issuer, url, response, provider.tls().hasClientCertificate()))
        .recover(
            failure -> {
              // Unreachable, refused or oversized: another URL on the same host cannot help.
              GrantOutcome outcome = TransportFailures.toOutcome(failure, url, options);
              if (outcome instanceof GrantOutcome.Misconfigured misconfigured) {
                return Future.succeededFuture(
                    Attempt.failed(
                        url,
                        DiscoveryFailedException.misconfigured(misconfigured.diagnosis()),
                        misconfigured.diagnosis().message(),
                        false));
              }
              GrantOutcome.Failed failed = (GrantOutcome.Failed) outcome;
              Diagnosis diagnosis =
                  failed.failure() == GrantOutcome.Failure.INVALID_RESPONSE
                      ? Diagnosis.of(
                          DiagnosisCode.IDP_RESPONSE_INVALID,
                          "endpoint",
                          url,
                          "reason",
                          failed.reason())
                      : Diagnosis.of(DiagnosisCode.IDP_UNAVAILABLE, "reason", failed.reason());
              return Future.succeededFuture(
                  Attempt.failed(
                      url,
                      new DiscoveryFailedException(
                          diagnosis, failed.failure(), failed.reason(), Optional.empty()),
                      failed.reason(),
                      false));
            });
  }

  private Attempt read(URI issuer, URI url, HttpResponse<Buffer> response, boolean mutualTls) {
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
    String source = "discovery document at " + url;
    try {
      ProviderMetadata metadata = metadata(source, json.get(), mutualTls);
      String advertised = metadata.issuer().orElse("(none)");
      if (trimSlash(advertised).equals(trimSlash(issuer.toString()))) {
        return Attempt.found(url, metadata);
      }
      // RFC 8414 §3.3, OpenID Connect Discovery §4.3: a document for another issuer, or for
      // none, must not be used; its endpoints would receive this client's secret.
      MetadataInvalid mismatch =
          new MetadataInvalid(
              source,
              "issuer",
              advertised,
              "it must equal the configured issuer "
                  + issuer
                  + " (RFC 8414 §3.3, OpenID Connect Discovery §4.3)");
      return Attempt.failed(url, mismatch, mismatch.getMessage(), false);
    } catch (MetadataInvalid invalid) {
      return Attempt.failed(url, invalid, invalid.getMessage(), false);
    } catch (ClassCastException e) {
      String reason = "a field has the wrong JSON type";
      return Attempt.failed(url, invalid(url, reason, status), reason, false);
    }
  }

  private static DiscoveryFailedException invalid(URI url, String reason, int status) {
    return new DiscoveryFailedException(
        Diagnosis.of(DiagnosisCode.IDP_RESPONSE_INVALID, "endpoint", url, "reason", reason),
        GrantOutcome.Failure.INVALID_RESPONSE,
        url + ": " + reason,
        Optional.of(status));
  }

  private static RuntimeException bothFailed(URI issuer, Attempt first, Attempt second) {
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
    Optional<Integer> status =
        second.failure() instanceof DiscoveryFailedException discovery
            ? discovery.httpStatus()
            : Optional.empty();
    if (first.serverError() || second.serverError()) {
      return new DiscoveryFailedException(
          Diagnosis.of(DiagnosisCode.IDP_UNAVAILABLE, "reason", reason),
          GrantOutcome.Failure.SERVER_ERROR,
          reason,
          status);
    }
    return new DiscoveryFailedException(
        Diagnosis.of(DiagnosisCode.IDP_RESPONSE_INVALID, "endpoint", issuer, "reason", reason),
        GrantOutcome.Failure.INVALID_RESPONSE,
        reason,
        status);
  }

  /**
   * The metadata of a discovery document; for a client with a certificate ({@code mutualTls}), the
   * token and revocation endpoints its {@code mtls_endpoint_aliases} name instead (RFC 8705 §5).
   */
  private static ProviderMetadata metadata(String source, JsonObject json, boolean mutualTls) {
    Object aliases = json.getValue("mtls_endpoint_aliases");
    if (mutualTls && aliases instanceof JsonObject aliased) {
      JsonObject merged = json.copy();
      for (String field : List.of("token_endpoint", "revocation_endpoint")) {
        if (aliased.getValue(field) instanceof String alias) {
          merged.put(field, alias);
        }
      }
      return metadata(source, merged, false);
    }
    Object tokenEndpoint = json.getValue("token_endpoint");
    if (!(tokenEndpoint instanceof String)) {
      throw new MetadataInvalid(
          source,
          "token_endpoint",
          String.valueOf(tokenEndpoint),
          "a discovery document names the token endpoint as a URL (RFC 8414 §2)");
    }
    return new ProviderMetadata(
        Optional.ofNullable(json.getString("issuer")),
        endpoint(source, json, "authorization_endpoint"),
        absolute(source, (String) tokenEndpoint, "token_endpoint"),
        endpoint(source, json, "revocation_endpoint"),
        strings(json, "scopes_supported"),
        strings(json, "grant_types_supported"),
        strings(json, "code_challenge_methods_supported"),
        endpoint(source, json, "device_authorization_endpoint"));
  }

  private static Optional<URI> endpoint(String source, JsonObject json, String field) {
    return Optional.ofNullable(json.getString(field)).map(value -> absolute(source, value, field));
  }

  private static URI absolute(String source, String value, String field) {
    try {
      URI uri = new URI(value);
      if (uri.isAbsolute() && uri.getHost() != null) {
        return uri;
      }
    } catch (java.net.URISyntaxException e) {
      // reported below
    }
    throw new MetadataInvalid(source, field, value, "an endpoint is an absolute URL with a host");
  }

  /** User info may hold a password, and a diagnosis is shown and logged. */
  private static String withoutUserInfo(String value) {
    return value.replaceFirst("//[^/?#]*@", "//***@");
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
        List.of(),
        provider.deviceAuthorizationEndpoint());
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
        discovered.codeChallengeMethodsSupported(),
        provider.deviceAuthorizationEndpoint().or(discovered::deviceAuthorizationEndpoint));
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
