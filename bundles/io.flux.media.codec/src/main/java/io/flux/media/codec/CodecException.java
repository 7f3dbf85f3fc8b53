package io.flux.media.codec;

/** Input that is corrupt, truncated or uses a feature this library does not support. */
public class CodecException extends Exception {

    private static final long serialVersionUID = 1L;

    public CodecException(String message) {
        super(message);
    }

    public CodecException(String message, Throwable cause) {
        super(message, cause);
    }
}
