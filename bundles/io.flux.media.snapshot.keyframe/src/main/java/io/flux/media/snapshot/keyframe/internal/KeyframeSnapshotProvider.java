package io.flux.media.snapshot.keyframe.internal;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.flux.media.api.config.HotUpdatable;
import io.flux.media.api.sample.VideoSample;
import io.flux.media.api.snapshot.Snapshot;
import io.flux.media.api.snapshot.SnapshotMode;
import io.flux.media.api.snapshot.SnapshotProvider;
import io.flux.media.api.snapshot.SnapshotRequest;
import io.flux.media.ffmpeg.DecodeException;
import io.flux.media.ffmpeg.DecodePool;
import io.flux.media.ffmpeg.JpegOptions;
import io.flux.media.ffmpeg.JpegSnapshotter;

/**
 * Snapshot mode {@code keyframe}: decodes only the request's first frame (the stream's last keyframe,
 * parameter sets in-band) with FFmpeg. Cheap, and up to one GOP old.
 * <p>
 * The stage fails with {@link java.util.concurrent.TimeoutException} past the request's timeout (queue
 * wait included), {@link java.util.concurrent.RejectedExecutionException} when the queue is full or the
 * provider is stopping, {@link DecodeException} when the keyframe gives no picture, and
 * {@link IllegalArgumentException} for a size beyond {@value JpegOptions#MAX_DIMENSION}.
 */
@Component(service = SnapshotProvider.class, immediate = true,
        configurationPid = KeyframeSnapshotProvider.Config.PID,
        property = SnapshotProvider.MODE + "=keyframe")
@Designate(ocd = KeyframeSnapshotProvider.Config.class)
@HotUpdatable({"threads", "jpeg.quality"})
public class KeyframeSnapshotProvider implements SnapshotProvider {

    private static final Logger LOG = LoggerFactory.getLogger(KeyframeSnapshotProvider.class);

    @ObjectClassDefinition(name = "Flux snapshot provider: keyframe",
            description = "Decodes a stream's last keyframe with FFmpeg into a JPEG (snapshot mode keyframe).")
    public @interface Config {
        String PID = "io.flux.media.snapshot.keyframe";

        @AttributeDefinition(name = "Decode threads",
                description = "Keyframe decodes running at once; further requests wait in the queue. Hot-updatable.",
                min = "1", max = "64")
        int threads() default 2;

        @AttributeDefinition(name = "Queue length",
                description = "Requests that may wait for a decode thread; beyond that a request fails at once."
                        + " Restart-only.", min = "1", max = "10000")
        int queue_length() default 64;

        @AttributeDefinition(name = "JPEG quality",
                description = "JPEG quantizer scale: 2 is the best quality and the largest file, 31 the smallest."
                        + " Hot-updatable.", min = "2", max = "31")
        int jpeg_quality() default JpegOptions.DEFAULT_QUALITY;
    }

    private final DecodePool pool;
    private volatile int quality;

    @Activate
    public KeyframeSnapshotProvider(Config config) throws DecodeException {
        // Without the natives there is nothing to offer: failing here keeps the service unregistered.
        String version = JpegSnapshotter.load();
        this.pool = new DecodePool("flux-snapshot-keyframe", clamp(config.threads(), 1, 64, "threads"),
                clamp(config.queue_length(), 1, 10_000, "queue.length"));
        this.quality = clamp(config.jpeg_quality(), JpegOptions.MIN_QUALITY, JpegOptions.MAX_QUALITY, "jpeg.quality");
        LOG.info("keyframe snapshots ready (libavcodec {}, {} threads)", version, pool.threads());
    }

    @Modified
    void modified(Config config) {
        pool.threads(clamp(config.threads(), 1, 64, "threads"));
        quality = clamp(config.jpeg_quality(), JpegOptions.MIN_QUALITY, JpegOptions.MAX_QUALITY, "jpeg.quality");
    }

    @Deactivate
    void deactivate() {
        pool.close();
    }

    @Override
    public SnapshotMode mode() {
        return SnapshotMode.KEYFRAME;
    }

    @Override
    public CompletionStage<Snapshot> snapshot(SnapshotRequest request) {
        Instant requested = Instant.now();
        VideoSample keyframe = request.frames().get(0);
        JpegOptions options;
        try {
            options = new JpegOptions(request.width(), request.height(), request.overlayText(), quality, 1,
                    JpegOptions.Picture.FIRST);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedStage(e);
        }
        return pool.submit(keyframe.codec(), List.of(keyframe.payload()), options, request.timeout())
                .thenApply(p -> new Snapshot(p.jpeg(), p.width(), p.height(), SnapshotMode.KEYFRAME, requested));
    }

    private static int clamp(int value, int min, int max, String key) {
        if (value < min || value > max) {
            int clamped = Math.max(min, Math.min(max, value));
            LOG.warn("{}={} is outside {}..{}; using {}", key, value, min, max, clamped);
            return clamped;
        }
        return value;
    }
}
