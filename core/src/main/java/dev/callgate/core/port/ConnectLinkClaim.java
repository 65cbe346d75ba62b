package dev.callgate.core.port;

import java.util.Objects;

/**
 * The answer to claiming a connect link: the link as stored, and whether another claim had used it
 * already (then this claim won nothing).
 */
public record ConnectLinkClaim(ConnectLink link, boolean alreadyUsed) {
  public ConnectLinkClaim {
    Objects.requireNonNull(link, "link");
  }
}
