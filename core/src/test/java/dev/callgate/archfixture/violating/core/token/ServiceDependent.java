package dev.callgate.archfixture.violating.core.token;

import dev.callgate.archfixture.violating.core.service.Refresher;

/** A domain type that reaches up into a use case. */
public record ServiceDependent(Refresher refresher) {}
