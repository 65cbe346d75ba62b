package dev.callgate.adapter.idp;

import dev.callgate.core.credential.AuthProvider;
import dev.callgate.core.credential.Authentication;
import dev.callgate.core.credential.ClientKeyRule;
import dev.callgate.core.credential.Secret;
import dev.callgate.core.port.DeviceAuthorizationOutcome;
import dev.callgate.core.port.GrantOutcome;
import dev.callgate.core.port.IdentityProvider;
import dev.callgate.core.port.ProviderMetadata;
import dev.callgate.core.port.RevocationOutcome;
import dev.callgate.core.port.TokenExchangeRequest;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpResponse;
import java.net.URI;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * {@link IdentityProvider} over the Vert.x web client. The token endpoint is called with plain form
 * posts so that every answer (status, headers, body) is read here and mapped to a {@link
 * GrantOutcome}; only a discovery that yields nothing usable fails a stage.
 */
final class OidcIdentityProvider implements IdentityProvider {

  static final String JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer";

  static final String TOKEN_EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";
  static final String DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";

  private final Vertx vertx;
  private final ProviderHttp http;
  private final IdentityProviderOptions options;
  private final MetadataDiscovery discovery;

  OidcIdentityProvider(Vertx vertx, ProviderHttp http, IdentityProviderOptions options) {
    this.vertx = vertx;
    this.http = http;
    this.options = options;
    this.discovery = new MetadataDiscovery(http, options);
  }

  @Override
  public ClientKeyRule clientKeyRule() {
    return ClientAssertionKey.rule();
  }

  @Override
  public CompletionStage<ProviderMetadata> discover(AuthProvider provider) {
    Objects.requireNonNull(provider, "provider");
    return discovery.discover(provider).toCompletionStage();
  }

  @Override
  public CompletionStage<GrantOutcome> exchangeCode(
      AuthProvider provider, String code, Secret codeVerifier, URI redirectUri) {
    MultiMap form = MultiMap.caseInsensitiveMultiMap();
    form.set("grant_type", "authorization_code");
    form.set("code", code);
    form.set("redirect_uri", redirectUri.toString());
    form.set("code_verifier", codeVerifier.reveal());
    return grant(provider, metadata -> form);
  }

  @Override
  public CompletionStage<GrantOutcome> refresh(AuthProvider provider, Secret refreshToken) {
    MultiMap form = MultiMap.caseInsensitiveMultiMap();
    form.set("grant_type", "refresh_token");
    form.set("refresh_token", refreshToken.reveal());
    // No scope: RFC 6749 §6 then grants the original scope, while some providers narrow the
    // grant, or refuse the refresh, when the scope is sent again.
    return grant(provider, metadata -> form);
  }

  @Override
  public CompletionStage<GrantOutcome> clientCredentials(AuthProvider provider) {
    MultiMap form = MultiMap.caseInsensitiveMultiMap();
    form.set("grant_type", "client_credentials");
    scope(form, provider.scopes());
    return grant(provider, metadata -> form);
  }

  @Override
  public CompletionStage<GrantOutcome> jwtBearer(
      AuthProvider provider, Authentication.JwtBearer jwt, String subject, List<String> scopes) {
    return grant(
        provider,
        metadata -> {
          MultiMap form = MultiMap.caseInsensitiveMultiMap();
          form.set("grant_type", JWT_BEARER_GRANT);
          form.set(
              "assertion",
              JwtBearerAssertion.sign(
                  vertx, jwt, subject, metadata.tokenEndpoint(), options.clock().instant()));
          scope(form, scopes);
          return form;
        });
  }

  @Override
  public CompletionStage<GrantOutcome> tokenExchange(
      AuthProvider provider, TokenExchangeRequest request) {
    MultiMap form = MultiMap.caseInsensitiveMultiMap();
    form.set("grant_type", TOKEN_EXCHANGE_GRANT);
    form.set("subject_token", request.subjectToken().reveal());
    form.set("subject_token_type", request.subjectTokenType());
    request.audience().forEach(audience -> form.add("audience", audience));
    request.resource().forEach(resource -> form.add("resource", resource.toString()));
    request.requestedTokenType().ifPresent(type -> form.set("requested_token_type", type));
    scope(form, request.scopes());
    return grant(provider, metadata -> form);
  }

  @Override
  public CompletionStage<DeviceAuthorizationOutcome> requestDeviceAuthorization(
      AuthProvider provider, List<String> scopes) {
    return call(
        provider,
        metadata ->
            metadata
                .deviceAuthorizationEndpoint()
                .orElseThrow(
                    () ->
                        new IllegalStateException(
                            "provider '" + provider.name() + "' has no device endpoint")),
        metadata -> {
          MultiMap form = MultiMap.caseInsensitiveMultiMap();
          scope(form, scopes);
          return form;
        },
        new Answers<>() {
          @Override
          public DeviceAuthorizationOutcome answered(URI endpoint, HttpResponse<Buffer> answer) {
            return DeviceAuthorizationResponses.toOutcome(
                endpoint,
                answer.statusCode(),
                answer.getHeader(HttpHeaders.CONTENT_TYPE.toString()),
                answer.getHeader(HttpHeaders.RETRY_AFTER.toString()),
                answer.body(),
                options.clock().instant());
          }

          @Override
          public DeviceAuthorizationOutcome notAnswered(GrantOutcome outcome) {
            return new DeviceAuthorizationOutcome.NotIssued(outcome);
          }
        });
  }

  @Override
  public CompletionStage<GrantOutcome> pollDeviceCode(AuthProvider provider, Secret deviceCode) {
    MultiMap form = MultiMap.caseInsensitiveMultiMap();
    form.set("grant_type", DEVICE_CODE_GRANT);
    form.set("device_code", deviceCode.reveal());
    return grant(provider, metadata -> form);
  }

  @Override
  public CompletionStage<RevocationOutcome> revoke(
      AuthProvider provider, Secret token, String tokenTypeHint) {
    return discovery
        .discover(provider)
        .compose(
            metadata -> {
              if (metadata.revocationEndpoint().isEmpty()) {
                return Future.<RevocationOutcome>succeededFuture(
                    new RevocationOutcome.NotSupported());
              }
              URI endpoint = metadata.revocationEndpoint().get();
              MultiMap form = MultiMap.caseInsensitiveMultiMap();
              form.set("token", token.reveal());
              form.set("token_type_hint", tokenTypeHint);
              return post(provider, metadata.tokenEndpoint(), endpoint, form)
                  .transform(answer -> Future.succeededFuture(revocation(endpoint, answer)));
            },
            failure ->
                Future.succeededFuture(
                    new RevocationOutcome.Failed(
                        failure instanceof DiscoveryFailedException discoveryFailed
                            ? TransportFailures.reason(discoveryFailed.asGrantOutcome())
                            : "discovery failed (" + failure.getClass().getSimpleName() + ")")))
        .toCompletionStage();
  }

  /** RFC 7009 §2.2: 200 means revoked (an unknown token included); anything else did not. */
  private RevocationOutcome revocation(
      URI endpoint, io.vertx.core.AsyncResult<HttpResponse<Buffer>> answer) {
    if (answer.failed()) {
      return new RevocationOutcome.Failed(
          TransportFailures.reason(TransportFailures.toOutcome(answer.cause(), endpoint, options)));
    }
    int status = answer.result().statusCode();
    if (status == 200) {
      return new RevocationOutcome.Revoked();
    }
    Optional<String> error =
        TokenResponseMapper.jsonObject(answer.result().body())
            .map(json -> json.getString("error"))
            .filter(text -> !text.isBlank());
    return new RevocationOutcome.Failed(
        "the revocation endpoint answered HTTP "
            + status
            + error.map(text -> " with " + text).orElse(""));
  }

  private interface FormBuilder {
    MultiMap form(ProviderMetadata metadata);
  }

  private CompletionStage<GrantOutcome> grant(AuthProvider provider, FormBuilder formBuilder) {
    return call(
        provider,
        ProviderMetadata::tokenEndpoint,
        formBuilder,
        new Answers<>() {
          @Override
          public GrantOutcome answered(URI endpoint, HttpResponse<Buffer> answer) {
            return TokenResponseMapper.toGrantOutcome(
                answer.statusCode(),
                answer.getHeader(HttpHeaders.CONTENT_TYPE.toString()),
                answer.getHeader(HttpHeaders.RETRY_AFTER.toString()),
                answer.body(),
                options.clock().instant());
          }

          @Override
          public GrantOutcome notAnswered(GrantOutcome outcome) {
            return outcome;
          }
        });
  }

  /** What an endpoint's answer comes to, or the failure that kept it from coming. */
  private interface Answers<T> {
    T answered(URI endpoint, HttpResponse<Buffer> answer);

    T notAnswered(GrantOutcome outcome);
  }

  /**
   * Posts the form to the endpoint {@code endpointOf} picks from the provider's metadata, as the
   * client: a failed discovery and a transport failure are outcomes like the answer.
   */
  private <T> CompletionStage<T> call(
      AuthProvider provider,
      Function<ProviderMetadata, URI> endpointOf,
      FormBuilder formBuilder,
      Answers<T> answers) {
    Objects.requireNonNull(provider, "provider");
    return discovery
        .discover(provider)
        .compose(
            metadata -> {
              URI endpoint = endpointOf.apply(metadata);
              return post(
                      provider,
                      metadata.tokenEndpoint(),
                      endpoint,
                      withProviderParameters(provider, formBuilder.form(metadata)))
                  .transform(
                      answer ->
                          Future.succeededFuture(
                              answer.succeeded()
                                  ? answers.answered(endpoint, answer.result())
                                  : answers.notAnswered(
                                      TransportFailures.toOutcome(
                                          answer.cause(), endpoint, options))));
            },
            failure ->
                failure instanceof DiscoveryFailedException discoveryFailed
                    ? Future.succeededFuture(answers.notAnswered(discoveryFailed.asGrantOutcome()))
                    : Future.failedFuture(failure))
        .toCompletionStage();
  }

  /**
   * Posts {@code form} to {@code endpoint} with the client's authentication, whose assertions name
   * {@code tokenEndpoint}; an unusable key throws before anything is sent.
   */
  private Future<HttpResponse<Buffer>> post(
      AuthProvider provider, URI tokenEndpoint, URI endpoint, MultiMap form) {
    ClientAuthentication authentication =
        ClientAuthentication.of(provider, tokenEndpoint, options.clock().instant());
    return http.exchange(
        HttpMethod.POST,
        endpoint,
        provider,
        request -> {
          authentication.apply(request, form);
          return request.sendForm(form);
        });
  }

  /**
   * The provider's own parameters (an RFC 8707 {@code resource}, an {@code audience}) on every
   * token request; validation keeps them from naming the protocol's, and none replaces one here
   * either.
   */
  private static MultiMap withProviderParameters(AuthProvider provider, MultiMap form) {
    provider
        .tokenRequestParameters()
        .forEach(
            (name, value) -> {
              if (!form.contains(name)) {
                form.set(name, value);
              }
            });
    return form;
  }

  private static void scope(MultiMap form, List<String> scopes) {
    if (!scopes.isEmpty()) {
      form.set("scope", String.join(" ", scopes));
    }
  }
}
