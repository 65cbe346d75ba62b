package dev.callgate.archfixture.violating.core.port;

/** A port type that is neither an interface nor a value. */
public class MutableHolder {
  public String value;
}
