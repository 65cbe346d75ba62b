/**
 * Classes that exist only so that the app's architecture rules can be seen to bite: {@code
 * violating} breaks each rule once, {@code compliant} depends on core and the adapters the way the
 * app may. They mirror the app's package layout under their own root and are never part of the app.
 */
package dev.callgate.archfixture;
