package io.flux.media.ffmpeg;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeoutException;

import io.flux.media.api.sample.Codec;
import io.flux.media.ffmpeg.internal.JpegPipeline;
import io.flux.media.ffmpeg.internal.Natives;

/**
 * Decodes H.264/H.265 access units with libavcodec and encodes one picture as JPEG: scaled with
 * libswscale to fit the requested size keeping the aspect ratio, with an optional text overlay drawn
 * in a built-in 8x8 bitmap font.
 * <p>
 * Access units are Annex B (start-code delimited) in decoding order; the first must be a keyframe
 * carrying its parameter sets in-band. Every native resource is released before a call returns,
 * whatever the input. Stateless and thread-safe: each call has its own decoder.
 */
public final class JpegSnapshotter {

    private JpegSnapshotter() {
    }

    /**
     * Loads the FFmpeg natives (once per JVM, unpacking them to JavaCPP's cache directory on first use).
     *
     * @return the libavcodec version, such as {@code "62.11.100"}
     * @throws DecodeException with {@link DecodeException.Reason#UNAVAILABLE} when they cannot be loaded
     */
    public static String load() throws DecodeException {
        return Natives.load();
    }

    /**
     * Decodes {@code accessUnits} and returns the picture {@link JpegOptions#picture()} selects as JPEG.
     *
     * @param deadlineNanos a {@link System#nanoTime()} value; checked before each access unit and each
     *                      decoded picture, and before scaling and encoding
     * @throws DecodeException      when the input yields no undamaged picture or FFmpeg fails
     * @throws TimeoutException     when the deadline passes first
     * @throws InterruptedException when the calling thread is interrupted (checked with the deadline)
     */
    public static JpegPicture snapshot(Codec codec, List<ByteBuffer> accessUnits, JpegOptions options,
            long deadlineNanos) throws DecodeException, TimeoutException, InterruptedException {
        Objects.requireNonNull(codec, "codec");
        Objects.requireNonNull(accessUnits, "accessUnits");
        Objects.requireNonNull(options, "options");
        if (codec != Codec.H264 && codec != Codec.H265) {
            throw new IllegalArgumentException("not a video codec JpegSnapshotter decodes: " + codec);
        }
        if (accessUnits.isEmpty()) {
            throw new IllegalArgumentException("no access units");
        }
        Natives.load();
        return JpegPipeline.run(codec, accessUnits, options, deadlineNanos);
    }
}
