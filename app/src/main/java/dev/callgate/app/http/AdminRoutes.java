package dev.callgate.app.http;

import dev.callgate.core.credential.AuthProvider;
import dev.callgate.core.credential.NamedCredential;
import dev.callgate.core.credential.ProviderTemplates;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.diagnosis.Validated;
import dev.callgate.core.service.ApiKeySummary;
import dev.callgate.core.service.ApiKeys;
import dev.callgate.core.service.Credentials;
import dev.callgate.core.service.Providers;
import dev.callgate.core.service.SaveMode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * API keys, auth providers and named credentials: create, read, replace, delete (admins). Each
 * route maps its JSON to a use case's command and the outcome back to HTTP; the rules are the use
 * cases'.
 */
final class AdminRoutes {
  private final ApiServices services;

  AdminRoutes(ApiServices services) {
    this.services = services;
  }

  void mount(Router router) {
    router.post("/v1/keys").handler(Http.admin(this::createKey));
    router.get("/v1/keys").handler(Http.admin(this::listKeys));
    router.delete("/v1/keys/:id").handler(Http.admin(this::deleteKey));

    router.post("/v1/providers").handler(Http.admin(ctx -> saveProvider(ctx, Optional.empty())));
    router.get("/v1/providers").handler(Http.admin(this::listProviders));
    router.get("/v1/providers/:name").handler(Http.admin(this::getProvider));
    router
        .put("/v1/providers/:name")
        .handler(Http.admin(ctx -> saveProvider(ctx, Optional.of(ctx.pathParam("name")))));
    router.delete("/v1/providers/:name").handler(Http.admin(this::deleteProvider));
    router.post("/v1/providers/:name/test").handler(Http.admin(this::testProvider));
    router.get("/v1/provider-templates").handler(Http.admin(this::listProviderTemplates));

    router
        .post("/v1/credentials")
        .handler(Http.admin(ctx -> saveCredential(ctx, Optional.empty())));
    router.get("/v1/credentials").handler(Http.admin(this::listCredentials));
    router.get("/v1/credentials/:name").handler(Http.admin(this::getCredential));
    router
        .put("/v1/credentials/:name")
        .handler(Http.admin(ctx -> saveCredential(ctx, Optional.of(ctx.pathParam("name")))));
    router.delete("/v1/credentials/:name").handler(Http.admin(this::deleteCredential));
  }

  private void createKey(RoutingContext ctx) {
    Optional<JsonObject> body = Http.jsonBody(ctx);
    if (body.isEmpty()) {
      return;
    }
    JsonFields fields = new JsonFields(body.get(), Set.of("subject", "roles"));
    ApiKeys.IssueApiKey command =
        new ApiKeys.IssueApiKey(
            Optional.ofNullable(fields.string("subject")),
            Optional.ofNullable(fields.strings("roles")),
            Http.actor(ctx));
    if (!fields.problems().isEmpty()) {
      Problems.send(ctx.response(), fields.problems());
      return;
    }
    Http.respond(
        ctx,
        services.apiKeys().issue(command),
        outcome ->
            outcome.fold(
                (summary, key) -> {
                  Http.json(ctx, 201, keyJson(summary).put("key", key.reveal()));
                  return null;
                },
                problems -> {
                  Problems.send(ctx.response(), problems);
                  return null;
                }));
  }

  private void listKeys(RoutingContext ctx) {
    Http.respond(
        ctx,
        services.apiKeys().list(),
        keys -> {
          JsonArray array = new JsonArray();
          keys.forEach(k -> array.add(keyJson(k)));
          Http.json(ctx, 200, array);
        });
  }

  private static JsonObject keyJson(ApiKeySummary key) {
    return new JsonObject()
        .put("id", key.id())
        .put("subject", key.subject())
        .put("roles", new JsonArray(key.roles().stream().sorted().toList()))
        .put("createdAt", key.createdAt().toString());
  }

  private void deleteKey(RoutingContext ctx) {
    Http.respond(
        ctx,
        services.apiKeys().delete(new ApiKeys.DeleteApiKey(ctx.pathParam("id"), Http.actor(ctx))),
        refusal -> noContent(ctx, refusal));
  }

  private void saveProvider(RoutingContext ctx, Optional<String> pathName) {
    SaveMode mode = SaveMode.of(pathName);
    Optional<AuthProvider> valid =
        validBody(
            ctx,
            pathName,
            body ->
                ResourceJson.provider(
                    body,
                    services.providers().endpointRule(),
                    services.providers().clientKeyRule()));
    if (valid.isEmpty()) {
      return;
    }
    Http.respond(
        ctx,
        services.providers().save(new Providers.SaveProvider(valid.get(), mode, Http.actor(ctx))),
        outcome ->
            outcome.fold(
                saved -> {
                  JsonObject json = ResourceJson.json(saved.provider());
                  if (saved.rearmed() > 0) {
                    json.put("rearmedTokens", saved.rearmed());
                  }
                  Http.json(ctx, saved.created() ? 201 : 200, json);
                  return null;
                },
                rejected -> problem(ctx, rejected)));
  }

  private void listProviderTemplates(RoutingContext ctx) {
    JsonArray array = new JsonArray();
    ProviderTemplates.all().forEach(t -> array.add(ResourceJson.json(t)));
    Http.json(ctx, 200, array);
  }

  /** Discovery and proof of client authentication, answered whatever their result. */
  private void testProvider(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    Http.respond(
        ctx,
        services.providers().check(name),
        outcome ->
            outcome.fold(
                check -> {
                  JsonArray checks = new JsonArray();
                  check
                      .checks()
                      .forEach(
                          c ->
                              checks.add(
                                  new JsonObject()
                                      .put("name", c.name())
                                      .put("ok", c.ok())
                                      .put("detail", c.detail())));
                  JsonArray diagnoses = new JsonArray();
                  check.diagnoses().forEach(d -> diagnoses.add(Problems.diagnosisJson(d)));
                  Http.json(
                      ctx,
                      200,
                      new JsonObject()
                          .put("provider", name)
                          .put("ok", check.ok())
                          .put("checks", checks)
                          .put("diagnoses", diagnoses));
                  return null;
                },
                rejected -> problem(ctx, rejected)));
  }

  private void listProviders(RoutingContext ctx) {
    Http.respond(
        ctx,
        services.providers().list(),
        providers -> {
          JsonArray array = new JsonArray();
          providers.forEach(p -> array.add(ResourceJson.json(p)));
          Http.json(ctx, 200, array);
        });
  }

  private void getProvider(RoutingContext ctx) {
    Http.respond(
        ctx,
        services.providers().describe(ctx.pathParam("name")),
        outcome ->
            outcome.fold(
                provider -> {
                  Http.json(ctx, 200, ResourceJson.json(provider));
                  return null;
                },
                rejected -> problem(ctx, rejected)));
  }

  private void deleteProvider(RoutingContext ctx) {
    Http.respond(
        ctx,
        services
            .providers()
            .delete(new Providers.DeleteProvider(ctx.pathParam("name"), Http.actor(ctx))),
        outcome ->
            outcome.fold(
                () -> {
                  ctx.response().setStatusCode(204).end();
                  return null;
                },
                rejected -> problem(ctx, rejected)));
  }

  private void saveCredential(RoutingContext ctx, Optional<String> pathName) {
    SaveMode mode = SaveMode.of(pathName);
    Optional<NamedCredential> valid = validBody(ctx, pathName, ResourceJson::credential);
    if (valid.isEmpty()) {
      return;
    }
    Http.respond(
        ctx,
        services
            .namedCredentials()
            .save(new Credentials.SaveCredential(valid.get(), mode, Http.actor(ctx))),
        outcome ->
            outcome.fold(
                saved -> {
                  JsonObject json = ResourceJson.json(saved.credential());
                  if (saved.rearmed() > 0) {
                    json.put("rearmedTokens", saved.rearmed());
                  }
                  Http.json(ctx, saved.created() ? 201 : 200, json);
                  return null;
                },
                rejected -> problem(ctx, rejected)));
  }

  private void listCredentials(RoutingContext ctx) {
    Http.respond(
        ctx,
        services.namedCredentials().list(),
        credentials -> {
          JsonArray array = new JsonArray();
          credentials.forEach(c -> array.add(ResourceJson.json(c)));
          Http.json(ctx, 200, array);
        });
  }

  private void getCredential(RoutingContext ctx) {
    Http.respond(
        ctx,
        services.namedCredentials().find(ctx.pathParam("name")),
        outcome ->
            outcome.fold(
                credential -> {
                  Http.json(ctx, 200, ResourceJson.json(credential));
                  return null;
                },
                rejected -> problem(ctx, rejected)));
  }

  /**
   * Revokes the credential's grants at the provider, then deletes it: 204 when it held none, else
   * 200 with the grants that may live on at the provider (no revocation endpoint, or it failed).
   */
  private void deleteCredential(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    Http.respond(
        ctx,
        services.namedCredentials().delete(new Credentials.DeleteCredential(name, Http.actor(ctx))),
        outcome ->
            outcome.fold(
                deletion -> {
                  if (deletion.grants() == 0) {
                    ctx.response().setStatusCode(204).end();
                    return null;
                  }
                  JsonArray mayLiveOn = new JsonArray();
                  deletion
                      .grantsThatMayLiveOn()
                      .forEach(d -> mayLiveOn.add(Problems.diagnosisJson(d)));
                  Http.json(
                      ctx,
                      200,
                      new JsonObject()
                          .put("credential", name)
                          .put("grants", deletion.grants())
                          .put("revoked", deletion.grants() - mayLiveOn.size())
                          .put("grantsThatMayLiveOn", mayLiveOn));
                  return null;
                },
                rejected -> problem(ctx, rejected)));
  }

  private static Void problem(RoutingContext ctx, Diagnosis diagnosis) {
    Problems.send(ctx.response(), diagnosis);
    return null;
  }

  /** 204 when nothing was refused, else the refusal. */
  private static void noContent(RoutingContext ctx, Optional<Diagnosis> refusal) {
    refusal.ifPresentOrElse(
        diagnosis -> Problems.send(ctx.response(), diagnosis),
        () -> ctx.response().setStatusCode(204).end());
  }

  /**
   * The request body as a resource, its name taken from the path of a PUT when it names none; empty
   * after answering with every problem found in it. Whether the name may differ from the path's is
   * the use case's rule, not the body's.
   */
  private static <T> Optional<T> validBody(
      RoutingContext ctx, Optional<String> pathName, Function<JsonObject, Validated<T>> parse) {
    Optional<JsonObject> body = Http.jsonBody(ctx);
    if (body.isEmpty()) {
      return Optional.empty();
    }
    pathName.ifPresent(name -> body.get().put("name", body.get().getValue("name", name)));
    return parse
        .apply(body.get())
        .fold(
            Optional::of,
            problems -> {
              Problems.send(ctx.response(), problems);
              return Optional.empty();
            });
  }
}
