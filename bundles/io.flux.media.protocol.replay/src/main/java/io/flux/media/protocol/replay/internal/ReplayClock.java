package io.flux.media.protocol.replay.internal;

import java.time.Duration;

/** The monotonic clock replays are paced against; tests substitute one that does not really wait. */
interface ReplayClock {

    long nanoTime();

    /** Returns once {@link #nanoTime()} has reached {@code deadline}; interruption stops the wait. */
    void awaitNanos(long deadline) throws InterruptedException;

    ReplayClock SYSTEM = new ReplayClock() {

        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public void awaitNanos(long deadline) throws InterruptedException {
            long left;
            while ((left = deadline - System.nanoTime()) > 0) {
                Thread.sleep(Duration.ofNanos(left));
            }
        }
    };
}
