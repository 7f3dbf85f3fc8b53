package io.flux.media.snapshot.internal;

import java.util.Locale;

/** Why a snapshot could not be produced; the REST resource turns the reason into a status. */
final class SnapshotFailure extends RuntimeException {

    private static final long serialVersionUID = 1L;

    enum Reason {
        UNKNOWN_STREAM(404, "not_found"),
        NO_KEYFRAME(409, "no_keyframe"),
        PROVIDER_UNAVAILABLE(503, "unavailable"),
        PROVIDER_FAILED(502, "snapshot_failed"),
        TIMEOUT(504, "timeout"),
        INTERNAL(500, "internal_error");

        final int status;
        final String code;

        Reason(int status, String code) {
            this.status = status;
            this.code = code;
        }

        /** The {@code reason} label of {@code snapshot_errors_total}. */
        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Reason reason;

    SnapshotFailure(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    SnapshotFailure(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    Reason reason() {
        return reason;
    }
}
