package dev.callgate.core.port;

/**
 * What deleting an auth provider came to: deleted, there was none, or refused because a named
 * credential uses it — decided in the same write, so that a credential saved at the same moment
 * cannot end up pointing at a deleted provider.
 */
public enum ProviderDeletionOutcome {
  DELETED,
  NOT_FOUND,
  IN_USE
}
