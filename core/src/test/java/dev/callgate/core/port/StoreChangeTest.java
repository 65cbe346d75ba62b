package dev.callgate.core.port;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callgate.core.token.TokenKey;
import org.junit.jupiter.api.Test;

class StoreChangeTest {

  @Test
  void mayBringEventsWhenEventsWereAppendedOrTheFeedResumedThenTrue() {
    assertThat(new StoreChange.EventsAppended().mayBringEvents()).isTrue();
    assertThat(new StoreChange.Resumed().mayBringEvents()).isTrue();
  }

  @Test
  void mayBringEventsWhenARecordChangedThenFalse() {
    assertThat(new StoreChange.TokenChanged(TokenKey.named("crm")).mayBringEvents()).isFalse();
    assertThat(new StoreChange.CredentialChanged("crm").mayBringEvents()).isFalse();
    assertThat(new StoreChange.ProviderChanged("idp").mayBringEvents()).isFalse();
    assertThat(new StoreChange.ApiKeyChanged("k1").mayBringEvents()).isFalse();
  }
}
