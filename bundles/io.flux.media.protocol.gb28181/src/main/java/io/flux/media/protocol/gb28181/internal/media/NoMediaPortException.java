package io.flux.media.protocol.gb28181.internal.media;

/** Every port of the configured media range is in use (or cannot be bound). */
public final class NoMediaPortException extends Exception {

    private static final long serialVersionUID = 1L;

    public NoMediaPortException(String message) {
        super(message);
    }
}
