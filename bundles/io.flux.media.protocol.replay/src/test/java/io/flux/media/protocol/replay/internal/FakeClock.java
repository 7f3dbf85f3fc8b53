package io.flux.media.protocol.replay.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/** A clock that jumps to each deadline instead of waiting, or (frozen) waits until interrupted. */
final class FakeClock implements ReplayClock {

    private volatile long now = 1_000_000_000L;
    private final boolean frozen;
    final List<Long> waits = new ArrayList<>();

    private FakeClock(boolean frozen) {
        this.frozen = frozen;
    }

    static FakeClock jumping() {
        return new FakeClock(false);
    }

    /** Never reaches a future deadline: a replay pushes what is due now and then waits to be stopped. */
    static FakeClock frozen() {
        return new FakeClock(true);
    }

    @Override
    public long nanoTime() {
        return now;
    }

    void advance(long nanos) {
        now += nanos;
    }

    @Override
    public void awaitNanos(long deadline) throws InterruptedException {
        if (frozen) {
            new CountDownLatch(1).await();
        }
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedException();
        }
        synchronized (waits) {
            waits.add(deadline);
        }
        now = Math.max(now, deadline);
    }
}
