package io.flux.media.protocol.gb28181.internal.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.flux.media.testing.Await;

/** Records the end listener's calls. */
final class Ends implements RtpReceiver.EndListener {

    record End(String reason, String detail, String thread) {
    }

    final List<End> calls = new CopyOnWriteArrayList<>();

    @Override
    public void ended(String reason, String detail) {
        calls.add(new End(reason, detail, Thread.currentThread().getName()));
    }

    /** Waits for the first call and returns it. */
    End await(Duration timeout) {
        Await.until("the receiver ends on its own", timeout, () -> !calls.isEmpty());
        assertThat(calls).hasSize(1);
        return calls.get(0);
    }
}
