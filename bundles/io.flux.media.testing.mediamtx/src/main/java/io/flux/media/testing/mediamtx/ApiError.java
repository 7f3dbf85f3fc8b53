package io.flux.media.testing.mediamtx;

/** A failure the stand-in answers as {@code {"status":"error","error":message}} with this status. */
final class ApiError extends RuntimeException {

    private static final long serialVersionUID = 1L;

    final int status;

    ApiError(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }
}
