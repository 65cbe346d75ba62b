package dev.callgate.core.token;

/**
 * The token lifecycle as one total function: every {@link TokenState} × {@link TokenEvent} pair has
 * an answer, so no event can leave a token in an undefined place. Events that make no sense in a
 * state leave it unchanged — notably, nothing but a new authorization leaves {@code
 * NEEDS_AUTHORIZATION} or {@code REVOKED}, so a refresh can never resurrect a dead grant; a refused
 * client ({@code CLIENT_REJECTED}) keeps its grant and is re-armed by a change of the provider, or
 * retried when a person asks for a refresh.
 */
public final class TokenStateMachine {
  private TokenStateMachine() {}

  public static TokenState next(TokenState state, TokenEvent event) {
    return switch (state) {
      case UNAUTHORIZED ->
          switch (event) {
            case AUTHORIZED -> TokenState.ACTIVE;
            // a first grant without a person (client credentials, JWT bearer) refused for good
            case REFRESH_REJECTED -> TokenState.NEEDS_AUTHORIZATION;
            case CLIENT_REJECTED -> TokenState.CLIENT_REJECTED;
            case ACCESS_TOKEN_EXPIRING,
                ACCESS_TOKEN_REJECTED,
                REFRESH_STARTED,
                REFRESH_SUCCEEDED,
                REFRESH_FAILED_TRANSIENTLY,
                PROVIDER_CHANGED,
                REFRESH_TOKEN_EXPIRED,
                REVOKED ->
                state;
          };
      case ACTIVE, EXPIRING, REFRESHING, REFRESH_FAILED -> live(state, event);
      case CLIENT_REJECTED ->
          switch (event) {
            case AUTHORIZED, REFRESH_SUCCEEDED -> TokenState.ACTIVE;
            // a person's refresh, or the first after the provider changed, tries the client again
            case REFRESH_STARTED -> TokenState.REFRESHING;
            case PROVIDER_CHANGED -> TokenState.EXPIRING;
            case REFRESH_TOKEN_EXPIRED -> TokenState.NEEDS_AUTHORIZATION;
            case REVOKED -> TokenState.REVOKED;
            case ACCESS_TOKEN_EXPIRING,
                ACCESS_TOKEN_REJECTED,
                REFRESH_FAILED_TRANSIENTLY,
                REFRESH_REJECTED,
                CLIENT_REJECTED ->
                state;
          };
      case NEEDS_AUTHORIZATION, REVOKED ->
          switch (event) {
            case AUTHORIZED -> TokenState.ACTIVE;
            case REVOKED -> TokenState.REVOKED;
            case ACCESS_TOKEN_EXPIRING,
                ACCESS_TOKEN_REJECTED,
                REFRESH_STARTED,
                REFRESH_SUCCEEDED,
                REFRESH_FAILED_TRANSIENTLY,
                REFRESH_REJECTED,
                CLIENT_REJECTED,
                PROVIDER_CHANGED,
                REFRESH_TOKEN_EXPIRED ->
                state;
          };
    };
  }

  /** The states in which tokens exist and Callgate works on them by itself. */
  private static TokenState live(TokenState state, TokenEvent event) {
    return switch (event) {
      case AUTHORIZED, REFRESH_SUCCEEDED -> TokenState.ACTIVE;
      case ACCESS_TOKEN_EXPIRING, ACCESS_TOKEN_REJECTED ->
          // a refresh already under way or backing off stays where it is; it will bring a new token
          state == TokenState.ACTIVE ? TokenState.EXPIRING : state;
      case REFRESH_STARTED -> TokenState.REFRESHING;
      case REFRESH_FAILED_TRANSIENTLY -> TokenState.REFRESH_FAILED;
      case REFRESH_REJECTED, REFRESH_TOKEN_EXPIRED -> TokenState.NEEDS_AUTHORIZATION;
      case CLIENT_REJECTED -> TokenState.CLIENT_REJECTED;
      case PROVIDER_CHANGED -> state;
      case REVOKED -> TokenState.REVOKED;
    };
  }
}
