package io.flux.media.protocol.replay.internal;

import java.time.Instant;
import java.util.concurrent.TimeUnit;

import io.flux.media.api.ingest.MediaSink;
import io.flux.media.api.stream.StreamId;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running replay: pushes a {@link MediaFile}'s samples into its stream handle on an absolute schedule, each
 * sample due at the start instant plus its decoding time (pushed in decoding order, so B-frames arrive before the
 * pictures that are presented earlier), so timing errors never accumulate. Looping adds one file period per
 * pass to every timestamp, keeping them monotonic.
 */
final class Replay implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(Replay.class);

    /** Falling further behind than this (a suspended machine, a long pause) restarts the schedule from now. */
    static final long MAX_LAG_NANOS = TimeUnit.SECONDS.toNanos(2);

    enum State { RUNNING, FINISHED, STOPPED, FAILED }

    private final String name;
    private final StreamId streamId;
    private final String file;
    private final Summary summary;
    private final boolean loop;
    private final Runnable onEnd;
    private volatile MediaFile media;
    private final MediaSink.StreamHandle handle;
    private final ReplayClock clock;
    private final Instant startedAt;
    private volatile State state = State.RUNNING;
    private volatile String error;
    private volatile long samples;
    private volatile long loops;
    private volatile long lagResets;
    private volatile Thread thread;

    /** What the API shows about the file; kept after the replay ends, when the media itself is released. */
    record Summary(String codec, String audioCodec, int width, int height, String profile, double frameRate,
            long periodMillis) {
    }

    Replay(String name, StreamId streamId, String file, MediaFile media, boolean loop, MediaSink.StreamHandle handle,
            ReplayClock clock, Instant startedAt, Runnable onEnd) {
        this.name = name;
        this.streamId = streamId;
        this.file = file;
        this.media = media;
        this.onEnd = onEnd;
        this.summary = new Summary(media.videoCodec().name(),
                media.audioCodec() == null ? null : media.audioCodec().name(), media.width(), media.height(),
                media.profile(), Math.round(media.frameRate() * 1000) / 1000.0, media.period() / 90);
        this.loop = loop;
        this.handle = handle;
        this.clock = clock;
        this.startedAt = startedAt;
    }

    void attach(Thread t) {
        this.thread = t;
    }

    @Override
    public void run() {
        MediaFile media = this.media;
        int n = media.size();
        long start = clock.nanoTime();
        long sent = 0;
        try {
            for (long pass = 0; ; pass++) {
                long offset = pass * media.period();
                for (int i = 0; i < n; i++) {
                    long due = start + toNanos(media.dts(i) + offset);
                    long now = clock.nanoTime();
                    if (now - due > MAX_LAG_NANOS) {
                        start += now - due;
                        due = now;
                        lagResets++;
                    }
                    if (due > now) {
                        clock.awaitNanos(due);
                    }
                    if (Thread.currentThread().isInterrupted()) {
                        throw new InterruptedException();
                    }
                    handle.push(media.sample(i, offset));
                    samples = ++sent;
                }
                loops = pass + 1;
                if (!loop) {
                    state = State.FINISHED;
                    LOG.info("replay {} of {} finished ({} samples)", name, file, sent);
                    return;
                }
            }
        } catch (InterruptedException e) {
            state = State.STOPPED;
        } catch (RuntimeException e) {
            state = State.FAILED;
            error = e.toString();
            LOG.warn("replay {} of {} failed after {} samples", name, file, sent, e);
        } finally {
            try {
                handle.close();
            } finally {
                this.media = null;
                onEnd.run();
            }
        }
    }

    /** Stops the replay and waits (bounded) until its stream handle is closed. */
    void stop() {
        Thread t = thread;
        if (t != null) {
            t.interrupt();
            try {
                if (!t.join(java.time.Duration.ofSeconds(5))) {
                    LOG.warn("replay {} did not stop within 5 s", name);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static long toNanos(long ticks90k) {
        // 1 tick = 100000/9 ns; split to avoid overflow for long runs.
        return (ticks90k / 9) * 100_000 + (ticks90k % 9) * 100_000 / 9;
    }

    String name() {
        return name;
    }

    StreamId streamId() {
        return streamId;
    }

    String file() {
        return file;
    }

    Summary summary() {
        return summary;
    }

    boolean loop() {
        return loop;
    }

    State state() {
        return state;
    }

    boolean running() {
        return state == State.RUNNING;
    }

    String error() {
        return error;
    }

    long samples() {
        return samples;
    }

    long loops() {
        return loops;
    }

    long lagResets() {
        return lagResets;
    }

    Instant startedAt() {
        return startedAt;
    }
}
