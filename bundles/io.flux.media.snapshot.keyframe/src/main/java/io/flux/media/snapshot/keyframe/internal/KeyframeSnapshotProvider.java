package io.flux.media.snapshot.keyframe.internal;

import java.util.List;
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
import io.flux.media.api.snapshot.Snapshot;
import io.flux.media.api.snapshot.SnapshotMode;
import io.flux.media.api.snapshot.SnapshotProvider;
import io.flux.media.api.snapshot.SnapshotRequest;
import io.flux.media.ffmpeg.DecodeException;
import io.flux.media.ffmpeg.JpegOptions;
import io.flux.media.ffmpeg.SnapshotDecoder;

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

    private final SnapshotDecoder decoder;
    private volatile int quality;

    @Activate
    public KeyframeSnapshotProvider(Config config) throws DecodeException {
        // Without the natives there is nothing to offer: failing here keeps the service unregistered.
        this.decoder = new SnapshotDecoder("flux-snapshot-keyframe", config.threads(), config.queue_length());
        this.quality = quality(config);
        LOG.info("keyframe snapshots ready (libavcodec {}, {} threads)", decoder.version(), decoder.threads());
    }

    @Modified
    void modified(Config config) {
        decoder.threads(config.threads());
        quality = quality(config);
    }

    private int quality(Config config) {
        return decoder.clamp(config.jpeg_quality(), JpegOptions.MIN_QUALITY, JpegOptions.MAX_QUALITY, "jpeg.quality");
    }

    @Deactivate
    void deactivate() {
        decoder.close();
    }

    @Override
    public SnapshotMode mode() {
        return SnapshotMode.KEYFRAME;
    }

    @Override
    public CompletionStage<Snapshot> snapshot(SnapshotRequest request) {
        return decoder.snapshot(request, SnapshotMode.KEYFRAME, List.of(request.frames().get(0)), quality, 1,
                JpegOptions.Picture.FIRST);
    }
}
