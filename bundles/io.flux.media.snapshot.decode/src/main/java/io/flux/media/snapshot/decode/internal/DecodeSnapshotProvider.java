package io.flux.media.snapshot.decode.internal;

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
 * Snapshot mode {@code decode}: decodes every frame of the request (the last keyframe and all frames
 * after it) with FFmpeg and returns the newest picture. Freshest, and the most expensive.
 * <p>
 * The stage fails with {@link java.util.concurrent.TimeoutException} past the request's timeout (queue
 * wait included; a running decode stops at its next frame), {@link java.util.concurrent.RejectedExecutionException}
 * when the queue is full or the provider is stopping, {@link DecodeException} when the frames give no
 * undamaged picture, and {@link IllegalArgumentException} for a size beyond {@value JpegOptions#MAX_DIMENSION}.
 */
@Component(service = SnapshotProvider.class, immediate = true,
        configurationPid = DecodeSnapshotProvider.Config.PID,
        property = SnapshotProvider.MODE + "=decode")
@Designate(ocd = DecodeSnapshotProvider.Config.class)
@HotUpdatable({"threads", "decoder.threads", "jpeg.quality"})
public class DecodeSnapshotProvider implements SnapshotProvider {

    private static final Logger LOG = LoggerFactory.getLogger(DecodeSnapshotProvider.class);

    @ObjectClassDefinition(name = "Flux snapshot provider: decode",
            description = "Decodes a stream from its last keyframe to its newest frame with FFmpeg and returns the"
                    + " newest picture as a JPEG (snapshot mode decode).")
    public @interface Config {
        String PID = "io.flux.media.snapshot.decode";

        @AttributeDefinition(name = "Decode threads",
                description = "GOP decodes running at once; further requests wait in the queue. Hot-updatable.",
                min = "1", max = "64")
        int threads() default 2;

        @AttributeDefinition(name = "Decoder threads per decode",
                description = "libavcodec threads inside one GOP decode (1 keeps each decode on one thread)."
                        + " Hot-updatable.", min = "1", max = "16")
        int decoder_threads() default 1;

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
    private volatile int decoderThreads;

    @Activate
    public DecodeSnapshotProvider(Config config) throws DecodeException {
        // Without the natives there is nothing to offer: failing here keeps the service unregistered.
        this.decoder = new SnapshotDecoder("flux-snapshot-decode", config.threads(), config.queue_length());
        apply(config);
        LOG.info("decode snapshots ready (libavcodec {}, {} threads)", decoder.version(), decoder.threads());
    }

    @Modified
    void modified(Config config) {
        decoder.threads(config.threads());
        apply(config);
    }

    private void apply(Config config) {
        quality = decoder.clamp(config.jpeg_quality(), JpegOptions.MIN_QUALITY, JpegOptions.MAX_QUALITY,
                "jpeg.quality");
        decoderThreads = decoder.clamp(config.decoder_threads(), 1, JpegOptions.MAX_DECODER_THREADS,
                "decoder.threads");
    }

    @Deactivate
    void deactivate() {
        decoder.close();
    }

    @Override
    public SnapshotMode mode() {
        return SnapshotMode.DECODE;
    }

    @Override
    public CompletionStage<Snapshot> snapshot(SnapshotRequest request) {
        return decoder.snapshot(request, SnapshotMode.DECODE, request.frames(), quality, decoderThreads,
                JpegOptions.Picture.LAST);
    }
}
