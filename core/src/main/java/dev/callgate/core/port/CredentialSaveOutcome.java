package dev.callgate.core.port;

/**
 * What saving a named credential came to: stored, or refused by the store because the auth provider
 * it names does not exist — decided in the same write, so that a provider deleted at the same
 * moment cannot leave the credential pointing at nothing.
 */
public enum CredentialSaveOutcome {
  SAVED,
  PROVIDER_MISSING
}
