package dev.callgate.core.webhook;

/**
 * Where one event's delivery to one webhook stands: still to be sent (or sent again), answered with
 * a 2xx, or given up after its retry horizon.
 */
public enum DeliveryStatus {
  PENDING("pending"),
  DELIVERED("delivered"),
  FAILED("failed");

  private final String wireName;

  DeliveryStatus(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }
}
