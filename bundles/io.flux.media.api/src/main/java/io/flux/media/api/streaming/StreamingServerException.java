package io.flux.media.api.streaming;

import java.util.Map;

import io.flux.media.api.rest.ApiException;

/**
 * A streaming-server call that failed. The reason gives the HTTP status and error code, so the REST layer renders it
 * like any {@link ApiException}.
 */
public class StreamingServerException extends ApiException {

    private static final long serialVersionUID = 1L;

    /** Why, with the HTTP status and error code the REST API answers. */
    public enum Reason {
        /** A path name or value the server refuses. */
        INVALID(400, "bad_request"),
        /** No such path or recording. */
        NOT_FOUND(404, "not_found"),
        /** The path exists already. */
        CONFLICT(409, "conflict"),
        /** Connection refused, timeout, 5xx or authentication refused: the server cannot be used now. */
        UNAVAILABLE(503, "streaming_server_unavailable");

        private final int status;
        private final String code;

        Reason(int status, String code) {
            this.status = status;
            this.code = code;
        }

        public int status() {
            return status;
        }

        public String code() {
            return code;
        }
    }

    private final Reason reason;

    public StreamingServerException(Reason reason, String message) {
        this(reason, message, null);
    }

    public StreamingServerException(Reason reason, String message, Throwable cause) {
        super(reason.status(), reason.code(), message, Map.of(), cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
