/**
 * Classes that exist only so that the architecture rules can be seen to bite: {@code violating}
 * breaks each rule once, {@code compliant} uses the JDK the way core may. They mirror core's
 * package layout under their own root and are never part of core.
 */
package dev.callgate.archfixture;
