package io.flux.media.publish.rtsp.internal;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import io.flux.media.api.sample.AudioSample;
import io.flux.media.api.sample.MediaSample;
import io.flux.media.api.sample.VideoSample;

/**
 * Samples waiting for one publisher's sender. {@link #offer} never blocks (the media core's delivery thread calls
 * it): when {@code maxGops} GOPs are queued and another keyframe arrives, the oldest whole GOP goes (with any rest
 * of the GOP being sent), so the sender always resumes at a keyframe. A GOP that grows past {@code maxSamples}
 * without a keyframe empties the queue and everything waits for the next keyframe. Payloads are copied: the media
 * core owns the ones it hands over.
 */
final class SampleQueue {

    /**
     * A queued sample with its payload copy. The sample's own {@code payload()} is a read-only view, which hides the
     * array; {@code payload} is the same bytes, array-backed, so that the sender can write them to the socket buffer
     * without another copy. Only the sender reads it, and nothing writes it after queueing.
     */
    record Queued(MediaSample sample, ByteBuffer payload) {
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Queued> samples = new ArrayDeque<>();
    private final int maxGops;
    private final int maxSamples;
    private int gops;
    private boolean waitForKeyframe;
    private boolean closed;
    private long droppedGops;

    SampleQueue(int maxGops, int maxSamples) {
        if (maxGops < 1 || maxSamples < 1) {
            throw new IllegalArgumentException("limits must be positive");
        }
        this.maxGops = maxGops;
        this.maxSamples = maxSamples;
    }

    /** Queues a copy of the sample; returns how many whole GOPs were dropped to make room. */
    int offer(MediaSample sample) {
        boolean keyframe = sample instanceof VideoSample v && v.keyframe();
        lock.lock();
        try {
            if (closed) {
                return 0;
            }
            int dropped = 0;
            if (keyframe) {
                while (gops >= maxGops) {
                    dropOldestGop();
                    dropped++;
                }
                waitForKeyframe = false;
            } else if (waitForKeyframe) {
                return 0;
            } else if (samples.size() >= maxSamples) {
                dropped = gops + (samples.isEmpty() || isKeyframe(samples.peekFirst()) ? 0 : 1);
                samples.clear();
                gops = 0;
                waitForKeyframe = true;
                droppedGops += dropped;
                return dropped;
            }
            samples.addLast(copy(sample));
            if (keyframe) {
                gops++;
            }
            droppedGops += dropped;
            changed.signalAll();
            return dropped;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The next sample, waiting up to {@code timeoutMillis}; null on timeout or once the queue is closed and
     * empty.
     */
    Queued poll(long timeoutMillis) throws InterruptedException {
        long nanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        lock.lock();
        try {
            while (samples.isEmpty()) {
                if (closed || nanos <= 0) {
                    return null;
                }
                nanos = changed.awaitNanos(nanos);
            }
            Queued q = samples.pollFirst();
            if (isKeyframe(q)) {
                gops--;
            }
            return q;
        } finally {
            lock.unlock();
        }
    }

    /** Waits up to {@code millis}; true as soon as the queue is closed. */
    boolean awaitClosed(long millis) throws InterruptedException {
        long nanos = TimeUnit.MILLISECONDS.toNanos(millis);
        lock.lock();
        try {
            while (!closed && nanos > 0) {
                nanos = changed.awaitNanos(nanos);
            }
            return closed;
        } finally {
            lock.unlock();
        }
    }

    /** Stops taking samples; {@code discard} drops those queued, otherwise the sender drains them first. */
    void close(boolean discard) {
        lock.lock();
        try {
            closed = true;
            if (discard) {
                samples.clear();
                gops = 0;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    int size() {
        lock.lock();
        try {
            return samples.size();
        } finally {
            lock.unlock();
        }
    }

    long droppedGops() {
        lock.lock();
        try {
            return droppedGops;
        } finally {
            lock.unlock();
        }
    }

    /** Drops the partial GOP at the head (being sent) and the first whole GOP after it. */
    private void dropOldestGop() {
        while (!samples.isEmpty() && !isKeyframe(samples.peekFirst())) {
            samples.pollFirst();
        }
        if (!samples.isEmpty()) {
            samples.pollFirst();
            gops--;
        }
        while (!samples.isEmpty() && !isKeyframe(samples.peekFirst())) {
            samples.pollFirst();
        }
    }

    private static boolean isKeyframe(Queued q) {
        return q.sample() instanceof VideoSample v && v.keyframe();
    }

    private static Queued copy(MediaSample s) {
        ByteBuffer p = s.payload();
        ByteBuffer c = ByteBuffer.allocate(p.remaining()).put(p.duplicate()).flip();
        MediaSample copy = switch (s) {
            case VideoSample v -> new VideoSample(v.codec(), v.pts(), v.dts(), v.keyframe(), c);
            case AudioSample a -> new AudioSample(a.codec(), a.pts(), a.sampleRate(), a.channels(), c);
        };
        return new Queued(copy, c);
    }
}
