package io.flux.media.ffmpeg;

import java.util.Objects;

/** The frames could not be turned into a picture; {@link #reason()} says why. */
public class DecodeException extends Exception {

    private static final long serialVersionUID = 1L;

    /** Why decoding failed. */
    public enum Reason {
        /** The FFmpeg natives could not be loaded on this machine. */
        UNAVAILABLE,
        /** The input was refused by the decoder (corrupt, truncated, or not the stated codec). */
        INVALID_INPUT,
        /** The decoder accepted the input but produced no undamaged picture. */
        NO_PICTURE,
        /** FFmpeg failed for a reason unrelated to the input (out of memory, unsupported format). */
        FAILED
    }

    private final Reason reason;

    public DecodeException(Reason reason, String message) {
        this(reason, message, null);
    }

    public DecodeException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public Reason reason() {
        return reason;
    }
}
