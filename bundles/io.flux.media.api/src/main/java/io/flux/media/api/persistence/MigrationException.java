package io.flux.media.api.persistence;

/** A migration could not be applied, or an applied one no longer matches its recorded checksum. */
public class MigrationException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public MigrationException(String message) {
        super(message);
    }

    public MigrationException(String message, Throwable cause) {
        super(message, cause);
    }
}
