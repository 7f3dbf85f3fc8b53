package io.flux.media.ffmpeg;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.flux.media.api.sample.VideoSample;
import io.flux.media.api.snapshot.Snapshot;
import io.flux.media.api.snapshot.SnapshotMode;
import io.flux.media.api.snapshot.SnapshotRequest;

/**
 * What the FFmpeg snapshot providers share: the natives loaded, a {@link DecodePool}, configuration values
 * clamped to their ranges (with a warning), and a {@link SnapshotRequest}'s frames turned into a
 * {@link Snapshot}.
 */
public final class SnapshotDecoder implements AutoCloseable {

    public static final int MAX_THREADS = 64;
    public static final int MAX_QUEUE_LENGTH = 10_000;

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotDecoder.class);

    private final String name;
    private final String version;
    private final DecodePool pool;

    /**
     * Loads the natives and starts the pool.
     *
     * @param name        names the pool's threads and prefixes warnings
     * @param threads     decodes running at once, clamped to 1..{@value #MAX_THREADS}
     * @param queueLength requests waiting for a thread, clamped to 1..{@value #MAX_QUEUE_LENGTH}
     * @throws DecodeException when the natives do not load: nothing could be decoded
     */
    public SnapshotDecoder(String name, int threads, int queueLength) throws DecodeException {
        this.name = name;
        this.version = JpegSnapshotter.load();
        this.pool = new DecodePool(name, clamp(threads, 1, MAX_THREADS, "threads"),
                clamp(queueLength, 1, MAX_QUEUE_LENGTH, "queue.length"));
    }

    /** The libavcodec version the natives report. */
    public String version() {
        return version;
    }

    public int threads() {
        return pool.threads();
    }

    /** Resizes the pool live, clamped to 1..{@value #MAX_THREADS}. */
    public void threads(int threads) {
        pool.threads(clamp(threads, 1, MAX_THREADS, "threads"));
    }

    /** {@code value} if within {@code min..max}, else the nearest bound, with a warning naming {@code key}. */
    public int clamp(int value, int min, int max, String key) {
        if (value < min || value > max) {
            int clamped = Math.max(min, Math.min(max, value));
            LOG.warn("{}: {}={} is outside {}..{}; using {}", name, key, value, min, max, clamped);
            return clamped;
        }
        return value;
    }

    /**
     * Decodes {@code frames} (a keyframe first) at the request's size, overlay and timeout. The stage fails
     * as {@link DecodePool#submit} says, and with {@link IllegalArgumentException} for a size beyond
     * {@value JpegOptions#MAX_DIMENSION}.
     *
     * @param mode reported in the snapshot
     */
    public CompletionStage<Snapshot> snapshot(SnapshotRequest request, SnapshotMode mode, List<VideoSample> frames,
            int quality, int decoderThreads, JpegOptions.Picture picture) {
        Instant requested = Instant.now();
        JpegOptions options;
        try {
            options = new JpegOptions(request.width(), request.height(), request.overlayText(), quality,
                    decoderThreads, picture);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedStage(e);
        }
        List<ByteBuffer> accessUnits = new ArrayList<>(frames.size());
        for (VideoSample frame : frames) {
            accessUnits.add(frame.payload());
        }
        return pool.submit(frames.get(0).codec(), accessUnits, options, request.timeout())
                .thenApply(p -> new Snapshot(p.jpeg(), p.width(), p.height(), mode, requested));
    }

    /**
     * Stops the pool: queued and running requests fail with
     * {@link java.util.concurrent.RejectedExecutionException}.
     */
    @Override
    public void close() {
        pool.close();
    }
}
