package dev.callgate.app.http;

import static dev.callgate.core.diagnosis.DiagnosisCode.API_KEY_NOT_FOUND;
import static dev.callgate.core.diagnosis.DiagnosisCode.CREDENTIAL_NOT_FOUND;
import static dev.callgate.core.diagnosis.DiagnosisCode.INVALID_VALUE;
import static dev.callgate.core.diagnosis.DiagnosisCode.PROVIDER_NOT_FOUND;

import dev.callgate.core.credential.AuthProvider;
import dev.callgate.core.credential.NamedCredential;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.diagnosis.Validated;
import dev.callgate.core.service.Caller;
import dev.callgate.core.service.Credentials;
import dev.callgate.core.service.Providers;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/** API keys, auth providers and named credentials: create, read, replace, delete (admins). */
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
    String subject = fields.string("subject");
    List<String> roleNames = fields.strings("roles");
    List<Diagnosis> problems = new java.util.ArrayList<>(fields.problems());
    if (subject == null || subject.isBlank()) {
      problems.add(Diagnosis.of(INVALID_VALUE, "field", "subject", "problem", "it is missing"));
    }
    Set<Caller.Role> roles = EnumSet.noneOf(Caller.Role.class);
    for (String role : roleNames == null ? List.of("caller") : roleNames) {
      try {
        roles.add(Caller.Role.valueOf(role.toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        problems.add(
            Diagnosis.of(
                INVALID_VALUE,
                "field",
                "roles",
                "problem",
                "'" + role + "' is not admin or caller"));
      }
    }
    if (!problems.isEmpty()) {
      Problems.send(ctx.response(), problems);
      return;
    }
    Http.respond(
        ctx,
        services.apiKeys().create(subject, roles),
        created ->
            Http.json(ctx, 201, keyJson(created.stored()).put("key", created.key().reveal())));
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

  private static JsonObject keyJson(dev.callgate.core.port.StoredApiKey key) {
    return new JsonObject()
        .put("id", key.id())
        .put("subject", key.subject())
        .put("roles", new JsonArray(key.roles().stream().sorted().toList()))
        .put("createdAt", key.createdAt().toString());
  }

  private void deleteKey(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    Http.respond(
        ctx,
        services.apiKeys().delete(id),
        deleted -> {
          if (deleted) {
            ctx.response().setStatusCode(204).end();
          } else {
            Problems.send(ctx.response(), Diagnosis.of(API_KEY_NOT_FOUND, "id", id));
          }
        });
  }

  private void saveProvider(RoutingContext ctx, Optional<String> pathName) {
    Optional<AuthProvider> valid =
        validBody(
            ctx,
            pathName,
            body -> ResourceJson.provider(body, services.providers().endpointRule()));
    if (valid.isEmpty()) {
      return;
    }
    Http.respond(
        ctx,
        services.providers().save(valid.get(), pathName.isPresent()),
        outcome -> {
          if (outcome instanceof Providers.SaveOutcome.Saved saved) {
            JsonObject json = ResourceJson.json(saved.provider());
            if (saved.rearmed() > 0) {
              json.put("rearmedTokens", saved.rearmed());
            }
            Http.json(ctx, saved.created() ? 201 : 200, json);
          } else if (outcome instanceof Providers.SaveOutcome.Refused refused) {
            Problems.send(ctx.response(), refused.diagnosis());
          }
        });
  }

  /** Discovery and proof of client authentication, answered whatever their result. */
  private void testProvider(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    Http.respond(
        ctx,
        services.providers().check(name),
        check -> {
          if (check.isEmpty()) {
            Problems.send(ctx.response(), Diagnosis.of(PROVIDER_NOT_FOUND, "provider", name));
            return;
          }
          JsonArray checks = new JsonArray();
          check
              .get()
              .checks()
              .forEach(
                  c ->
                      checks.add(
                          new JsonObject()
                              .put("name", c.name())
                              .put("ok", c.ok())
                              .put("detail", c.detail())));
          JsonArray diagnoses = new JsonArray();
          check.get().diagnoses().forEach(d -> diagnoses.add(Problems.diagnosisJson(d)));
          Http.json(
              ctx,
              200,
              new JsonObject()
                  .put("provider", name)
                  .put("ok", check.get().ok())
                  .put("checks", checks)
                  .put("diagnoses", diagnoses));
        });
  }

  private void listProviders(RoutingContext ctx) {
    Http.respond(
        ctx,
        services.credentials().listProviders(),
        providers -> {
          JsonArray array = new JsonArray();
          providers.forEach(p -> array.add(ResourceJson.json(p)));
          Http.json(ctx, 200, array);
        });
  }

  private void getProvider(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    Http.respond(
        ctx,
        services.providers().describe(name),
        provider -> {
          if (provider.isEmpty()) {
            Problems.send(ctx.response(), Diagnosis.of(PROVIDER_NOT_FOUND, "provider", name));
          } else {
            Http.json(ctx, 200, ResourceJson.json(provider.get()));
          }
        });
  }

  private void deleteProvider(RoutingContext ctx) {
    Http.respond(
        ctx,
        services.providers().delete(ctx.pathParam("name")),
        refusal -> {
          if (refusal.isPresent()) {
            Problems.send(ctx.response(), refusal.get());
          } else {
            ctx.response().setStatusCode(204).end();
          }
        });
  }

  private void saveCredential(RoutingContext ctx, Optional<String> pathName) {
    Optional<NamedCredential> valid = validBody(ctx, pathName, ResourceJson::credential);
    if (valid.isEmpty()) {
      return;
    }
    Http.respond(
        ctx,
        services.namedCredentials().save(valid.get(), pathName.isPresent()),
        outcome -> {
          if (outcome instanceof Credentials.SaveOutcome.Saved saved) {
            JsonObject json = ResourceJson.json(saved.credential());
            if (saved.rearmed() > 0) {
              json.put("rearmedTokens", saved.rearmed());
            }
            Http.json(ctx, saved.created() ? 201 : 200, json);
          } else if (outcome instanceof Credentials.SaveOutcome.Refused refused) {
            Problems.send(ctx.response(), refused.diagnosis());
          }
        });
  }

  private void listCredentials(RoutingContext ctx) {
    Http.respond(
        ctx,
        services.credentials().listCredentials(),
        credentials -> {
          JsonArray array = new JsonArray();
          credentials.forEach(c -> array.add(ResourceJson.json(c)));
          Http.json(ctx, 200, array);
        });
  }

  private void getCredential(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    Http.respond(
        ctx,
        services.credentials().findCredential(name),
        credential -> {
          if (credential.isEmpty()) {
            Problems.send(ctx.response(), Diagnosis.of(CREDENTIAL_NOT_FOUND, "credential", name));
          } else {
            Http.json(ctx, 200, ResourceJson.json(credential.get()));
          }
        });
  }

  /**
   * Revokes the credential's grants at the provider, then deletes it: 204 when it held none, else
   * 200 with the grants that may live on at the provider (no revocation endpoint, or it failed).
   */
  private void deleteCredential(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    Http.respond(
        ctx,
        services.revocations().deleteCredential(name),
        deletion -> {
          if (deletion.isEmpty()) {
            Problems.send(ctx.response(), Diagnosis.of(CREDENTIAL_NOT_FOUND, "credential", name));
          } else if (deletion.get().grants() == 0) {
            ctx.response().setStatusCode(204).end();
          } else {
            JsonArray mayLiveOn = new JsonArray();
            deletion
                .get()
                .grantsThatMayLiveOn()
                .forEach(d -> mayLiveOn.add(Problems.diagnosisJson(d)));
            Http.json(
                ctx,
                200,
                new JsonObject()
                    .put("credential", name)
                    .put("grants", deletion.get().grants())
                    .put("revoked", deletion.get().grants() - mayLiveOn.size())
                    .put("grantsThatMayLiveOn", mayLiveOn));
          }
        });
  }

  /**
   * The request body as a valid resource, its name taken from the path for a PUT; empty after
   * answering with every problem found.
   */
  private static <T> Optional<T> validBody(
      RoutingContext ctx, Optional<String> pathName, Function<JsonObject, Validated<T>> parse) {
    Optional<JsonObject> body = Http.jsonBody(ctx);
    if (body.isEmpty()) {
      return Optional.empty();
    }
    pathName.ifPresent(name -> body.get().put("name", body.get().getValue("name", name)));
    Optional<Diagnosis> mismatch = nameMismatch(body.get(), pathName);
    if (mismatch.isPresent()) {
      Problems.send(ctx.response(), mismatch.get());
      return Optional.empty();
    }
    Validated<T> validated = parse.apply(body.get());
    if (!validated.problems().isEmpty()) {
      Problems.send(ctx.response(), validated.problems());
      return Optional.empty();
    }
    return Optional.of(((Validated.Valid<T>) validated).value());
  }

  /** A PUT's body may repeat the name of its path, but not name another resource. */
  private static Optional<Diagnosis> nameMismatch(JsonObject body, Optional<String> pathName) {
    if (pathName.isPresent() && !pathName.get().equals(body.getValue("name"))) {
      return Optional.of(
          Diagnosis.of(
              INVALID_VALUE,
              "field",
              "name",
              "problem",
              "it differs from the name in the path ('"
                  + pathName.get()
                  + "'); renaming is not supported"));
    }
    return Optional.empty();
  }
}
