package io.flux.media.ffmpeg.internal;

import static org.bytedeco.ffmpeg.global.avcodec.avcodec_version;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_ERROR;
import static org.bytedeco.ffmpeg.global.avutil.av_log_set_level;
import static org.bytedeco.ffmpeg.global.avutil.setLogCallback;
import static org.bytedeco.ffmpeg.global.swscale.swscale_version;

import org.bytedeco.ffmpeg.avutil.LogCallback;
import org.bytedeco.javacpp.BytePointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.flux.media.ffmpeg.DecodeException;

/** Loads the natives once and routes FFmpeg's log to SLF4J. */
public final class Natives {

    private static final Logger LOG = LoggerFactory.getLogger("io.flux.media.ffmpeg.FFmpeg");

    private static volatile String version;
    private static Throwable failure;
    // FFmpeg keeps a raw pointer to this callback: it must stay reachable for the life of the JVM.
    private static LogCallback logCallback;

    private Natives() {
    }

    public static String load() throws DecodeException {
        String loaded = version;
        return loaded != null ? loaded : loadOnce();
    }

    private static synchronized String loadOnce() throws DecodeException {
        if (version != null) {
            return version;
        }
        if (failure != null) {
            throw unavailable(failure);
        }
        try {
            int v = avcodec_version(); // runs Loader.load() for libavutil, libswresample, libavcodec
            swscale_version();
            // Decode errors reach callers as exceptions; FFmpeg's own lines are only useful when debugging.
            av_log_set_level(AV_LOG_ERROR);
            logCallback = new LogCallback() {
                @Override
                public void call(int level, BytePointer msg) {
                    if (LOG.isDebugEnabled()) {
                        LOG.debug("{}", msg.getString().strip());
                    }
                }
            };
            setLogCallback(logCallback);
            version = (v >>> 16) + "." + ((v >>> 8) & 0xff) + "." + (v & 0xff);
            LOG.info("FFmpeg natives loaded: libavcodec {}", version);
            return version;
        } catch (LinkageError | RuntimeException e) {
            failure = e;
            DecodeException unavailable = unavailable(e);
            LOG.error("{}", unavailable.getMessage(), e);
            throw unavailable;
        }
    }

    private static DecodeException unavailable(Throwable cause) {
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String hint = root instanceof java.lang.reflect.InaccessibleObjectException
                ? " (JavaCPP loads libraries through java.lang.Runtime: start the JVM with"
                        + " --add-opens java.base/java.lang=ALL-UNNAMED)"
                : "";
        return new DecodeException(DecodeException.Reason.UNAVAILABLE,
                "FFmpeg natives are not available: " + root + hint, cause);
    }
}
