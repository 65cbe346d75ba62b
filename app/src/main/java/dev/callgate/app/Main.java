package dev.callgate.app;

/** Entry point of the Callgate service. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    // The HTTP service is wired on top of core and the adapters; until then say so plainly.
    System.out.println("Callgate: the core domain is built; the HTTP service is not wired yet.");
    System.exit(2);
  }
}
