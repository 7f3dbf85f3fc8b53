package io.flux.media.api.gb28181;

import java.util.Map;

import io.flux.media.api.rest.ApiException;

/**
 * A GB28181 request that cannot be served. The reason gives the HTTP status and error code, so the REST layer
 * renders it like any {@link ApiException}, whichever backend (embedded or remote) threw it.
 */
public class Gb28181Exception extends ApiException {

    private static final long serialVersionUID = 1L;

    /** Why, with the HTTP status and error code the REST API answers. */
    public enum Reason {
        /** A malformed id or request field. */
        INVALID(400, "bad_request"),
        /** No such device. */
        UNKNOWN_DEVICE(404, "unknown_device"),
        /** No such session. */
        UNKNOWN_SESSION(404, "unknown_session"),
        /** The device is known but offline. */
        OFFLINE(409, "device_offline"),
        /** The device answered with a SIP error (the message names the status). */
        REJECTED(502, "device_rejected"),
        /** No media port, SSRC or session slot left, or the backend is not running. */
        UNAVAILABLE(503, "unavailable"),
        /** The device did not answer in time. */
        TIMEOUT(504, "device_timeout");

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

    public Gb28181Exception(Reason reason, String message) {
        this(reason, message, null);
    }

    public Gb28181Exception(Reason reason, String message, Throwable cause) {
        super(reason.status(), reason.code(), message, Map.of(), cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
