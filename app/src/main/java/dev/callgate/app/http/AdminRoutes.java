package dev.callgate.app.http;

import static dev.callgate.core.diagnosis.DiagnosisCode.ALREADY_EXISTS;
import static dev.callgate.core.diagnosis.DiagnosisCode.API_KEY_NOT_FOUND;
import static dev.callgate.core.diagnosis.DiagnosisCode.CALLER_NOT_ALLOWED;
import static dev.callgate.core.diagnosis.DiagnosisCode.CREDENTIAL_NOT_FOUND;
import static dev.callgate.core.diagnosis.DiagnosisCode.INVALID_VALUE;
import static dev.callgate.core.diagnosis.DiagnosisCode.PROVIDER_IN_USE;
import static dev.callgate.core.diagnosis.DiagnosisCode.PROVIDER_NOT_FOUND;

import dev.callgate.core.credential.AuthProvider;
import dev.callgate.core.credential.NamedCredential;
import dev.callgate.core.credential.PrincipalType;
import dev.callgate.core.diagnosis.Diagnosis;
import dev.callgate.core.diagnosis.Validated;
import dev.callgate.core.service.Caller;
import dev.callgate.core.token.TokenKey;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
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
    Optional<AuthProvider> valid = validBody(ctx, pathName, ResourceJson::provider);
    if (valid.isEmpty()) {
      return;
    }
    AuthProvider provider = valid.get();
    Http.respond(
        ctx,
        services.credentials().findProvider(provider.name()),
        existing -> {
          if (pathName.isEmpty() && existing.isPresent()) {
            Problems.send(
                ctx.response(),
                Diagnosis.of(ALREADY_EXISTS, "kind", "provider", "name", provider.name()));
            return;
          }
          if (pathName.isPresent() && existing.isEmpty()) {
            Problems.send(
                ctx.response(), Diagnosis.of(PROVIDER_NOT_FOUND, "provider", provider.name()));
            return;
          }
          Http.respond(
              ctx,
              services.credentials().saveProvider(provider),
              saved -> Http.json(ctx, pathName.isEmpty() ? 201 : 200, ResourceJson.json(provider)));
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
        services.credentials().findProvider(name),
        provider -> {
          if (provider.isEmpty()) {
            Problems.send(ctx.response(), Diagnosis.of(PROVIDER_NOT_FOUND, "provider", name));
          } else {
            Http.json(ctx, 200, ResourceJson.json(provider.get()));
          }
        });
  }

  private void deleteProvider(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    Http.respond(
        ctx,
        services.credentials().listCredentials(),
        credentials -> {
          List<String> users =
              credentials.stream()
                  .filter(c -> c.authentication().providerName().filter(name::equals).isPresent())
                  .map(NamedCredential::name)
                  .toList();
          if (!users.isEmpty()) {
            Problems.send(
                ctx.response(),
                Diagnosis.of(
                    PROVIDER_IN_USE, "provider", name, "credentials", String.join(", ", users)));
            return;
          }
          Http.respond(
              ctx,
              services.credentials().deleteProvider(name),
              deleted -> {
                if (deleted) {
                  ctx.response().setStatusCode(204).end();
                } else {
                  Problems.send(ctx.response(), Diagnosis.of(PROVIDER_NOT_FOUND, "provider", name));
                }
              });
        });
  }

  private void saveCredential(RoutingContext ctx, Optional<String> pathName) {
    Optional<NamedCredential> valid = validBody(ctx, pathName, ResourceJson::credential);
    if (valid.isEmpty()) {
      return;
    }
    NamedCredential credential = valid.get();
    CompletionStage<Boolean> providerExists =
        credential
            .authentication()
            .providerName()
            .map(p -> services.credentials().findProvider(p).thenApply(Optional::isPresent))
            .orElse(java.util.concurrent.CompletableFuture.completedStage(true));
    Http.respond(
        ctx,
        providerExists.thenCombine(
            services.credentials().findCredential(credential.name()),
            (ok, existing) -> List.of(ok, existing)),
        checks -> {
          boolean providerOk = (Boolean) checks.get(0);
          boolean exists = ((Optional<?>) checks.get(1)).isPresent();
          if (!providerOk) {
            Problems.send(
                ctx.response(),
                Diagnosis.of(
                    PROVIDER_NOT_FOUND,
                    "provider",
                    credential.authentication().providerName().orElseThrow()));
          } else if (pathName.isEmpty() && exists) {
            Problems.send(
                ctx.response(),
                Diagnosis.of(ALREADY_EXISTS, "kind", "credential", "name", credential.name()));
          } else if (pathName.isPresent() && !exists) {
            Problems.send(
                ctx.response(),
                Diagnosis.of(CREDENTIAL_NOT_FOUND, "credential", credential.name()));
          } else {
            Http.respond(
                ctx,
                services.credentials().saveCredential(credential),
                saved ->
                    Http.json(ctx, pathName.isEmpty() ? 201 : 200, ResourceJson.json(credential)));
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

  private void deleteCredential(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    Http.respond(
        ctx,
        services.credentials().deleteCredential(name),
        deleted -> {
          if (deleted) {
            ctx.response().setStatusCode(204).end();
          } else {
            Problems.send(ctx.response(), Diagnosis.of(CREDENTIAL_NOT_FOUND, "credential", name));
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

  static TokenKey tokenKey(NamedCredential credential, Caller caller, Optional<String> user) {
    if (credential.principal() == PrincipalType.NAMED) {
      return TokenKey.named(credential.name());
    }
    return TokenKey.perUser(
        credential.name(), user.filter(u -> caller.isAdmin()).orElse(caller.subject()));
  }

  static boolean mayUse(NamedCredential credential, Caller caller) {
    return caller.isAdmin() || credential.allowsCaller(caller.subject());
  }

  static Diagnosis notAllowed(NamedCredential credential, Caller caller) {
    return Diagnosis.of(
        CALLER_NOT_ALLOWED, "subject", caller.subject(), "credential", credential.name());
  }
}
