package dev.callgate.core.credential;

import java.util.Objects;
import java.util.function.Function;

/**
 * Where a callout carries the access token of an OAuth credential: {@code Authorization: Bearer
 * <token>} (RFC 6750 §2.1, the default), a header of the API's own with an optional prefix before
 * the token (for example {@code X-Auth-Token: <token>}), or a query parameter (RFC 6750 §2.3, for
 * APIs that read nothing else). Build it from input with {@link TokenPlacementDraft#validate}.
 */
public sealed interface TokenPlacement {

  /** The default: {@code Authorization: Bearer <token>}. */
  TokenPlacement BEARER = new Bearer();

  <T> T fold(
      Function<Bearer, T> bearer, Function<InHeader, T> inHeader, Function<InQuery, T> inQuery);

  /** {@code Authorization: Bearer <token>}. */
  record Bearer() implements TokenPlacement {
    @Override
    public <T> T fold(
        Function<Bearer, T> bearer, Function<InHeader, T> inHeader, Function<InQuery, T> inQuery) {
      return bearer.apply(this);
    }
  }

  /** {@code <name>: <prefix><token>}; the name an RFC 9110 token Callgate may set. */
  record InHeader(String name, String prefix) implements TokenPlacement {
    public InHeader {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(prefix, "prefix");
    }

    @Override
    public <T> T fold(
        Function<Bearer, T> bearer, Function<InHeader, T> inHeader, Function<InQuery, T> inQuery) {
      return inHeader.apply(this);
    }
  }

  /** {@code ?<name>=<token>}, both percent-encoded, after the request's own query. */
  record InQuery(String name) implements TokenPlacement {
    public InQuery {
      Objects.requireNonNull(name, "name");
    }

    @Override
    public <T> T fold(
        Function<Bearer, T> bearer, Function<InHeader, T> inHeader, Function<InQuery, T> inQuery) {
      return inQuery.apply(this);
    }
  }
}
