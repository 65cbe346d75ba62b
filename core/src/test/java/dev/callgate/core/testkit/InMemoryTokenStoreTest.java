package dev.callgate.core.testkit;

import static dev.callgate.core.testkit.Concurrently.join;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.callgate.core.port.StoreUnavailableException;
import dev.callgate.core.port.TokenStore;
import dev.callgate.core.token.TokenRecord;
import dev.callgate.core.token.TokenState;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class InMemoryTokenStoreTest extends TokenStoreContract {

  @Override
  protected TokenStore createStore() {
    return new InMemoryTokenStore();
  }

  private InMemoryTokenStore memory() {
    return (InMemoryTokenStore) store;
  }

  @Test
  void writesWhenRecordsAreStoredThenLogsThemInOrderAsStored() {
    TokenRecord first = insert(fullRecord(key("crm")));
    TokenRecord second =
        join(store.compareAndSet(TokenRecords.edit(first).state(TokenState.EXPIRING).build()))
            .get();
    join(store.compareAndSet(TokenRecords.edit(first).state(TokenState.REVOKED).build()));

    assertThat(memory().writes()).containsExactly(first, second);
    assertThat(memory().casConflicts()).isEqualTo(1);
  }

  @Test
  void failWithWhenSetThenEveryCallFailsUntilRecover() {
    TokenRecord stored = insert(fullRecord(key("crm")));
    StoreUnavailableException down = new StoreUnavailableException("connection refused", null);

    memory().failWith(down);

    assertThatThrownBy(() -> store.find(key("crm")).toCompletableFuture().join()).hasCause(down);
    assertThatThrownBy(
            () ->
                store
                    .compareAndSet(TokenRecords.edit(stored).state(TokenState.REVOKED).build())
                    .toCompletableFuture()
                    .join())
        .hasCause(down);
    assertThatThrownBy(() -> store.claimDue(T0, 1, "a", T0).toCompletableFuture().join())
        .hasCause(down);
    assertThat(memory().writes()).containsExactly(stored);

    memory().recover();

    assertThat(join(store.find(key("crm")))).contains(stored);
  }

  @Test
  void leaseHolderWhenLeasedThenNamesTheOwner() {
    insert(fullRecord(key("crm")));

    join(store.tryLease(key("crm"), "instance-a", T0.plusSeconds(30), T0));

    assertThat(memory().leaseHolder(key("crm"))).contains("instance-a");
    assertThat(memory().lease(key("crm")).get().until()).isEqualTo(T0.plusSeconds(30));
    join(store.releaseLease(key("crm"), "instance-a"));
    assertThat(memory().leaseHolder(key("crm"))).isEmpty();
  }

  @Test
  void seedWhenGivenARecordThenStoresItWithoutLoggingAWrite() {
    TokenRecord seeded = fullRecord(key("crm")).withVersion(7);

    memory().seed(seeded);

    assertThat(join(store.find(key("crm")))).contains(seeded);
    assertThat(memory().writes()).isEmpty();
    assertThat(
            join(store.compareAndSet(TokenRecords.edit(seeded).state(TokenState.ACTIVE).build()))
                .get()
                .version())
        .isEqualTo(8);
  }

  @Test
  void claimDueWhenTheClaimerHoldsAnUnexpiredLeaseThenSkipsTheRecord() {
    insert(due("crm", T0.minusSeconds(1)));
    join(store.tryLease(key("crm"), "a", T0.plusSeconds(30), T0));

    assertThat(join(store.claimDue(T0, 10, "a", T0.plusSeconds(60)))).isEmpty();
    assertThat(
            join(
                store.claimDue(
                    Instant.parse("2030-01-01T00:00:30.123Z"), 10, "a", T0.plusSeconds(90))))
        .hasSize(1);
  }
}
