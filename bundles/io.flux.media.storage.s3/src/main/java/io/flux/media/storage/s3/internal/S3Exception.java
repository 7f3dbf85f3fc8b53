package io.flux.media.storage.s3.internal;

import java.io.IOException;

/**
 * An S3 request answered with an error: the HTTP status, S3's error code (or the status's reason when the
 * answer has no body, as for HEAD) and S3's message. The message never contains credentials.
 */
final class S3Exception extends IOException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;

    S3Exception(String what, int status, String code, String s3Message) {
        super(what + " failed: HTTP " + status + " " + code + (s3Message == null || s3Message.isBlank() ? ""
                : ": " + s3Message));
        this.status = status;
        this.code = code;
    }

    int status() {
        return status;
    }

    String code() {
        return code;
    }

    /** Statuses and codes worth another attempt: server errors, throttling and timeouts. */
    static boolean retryable(int status, String code) {
        if (status >= 500 || status == 408 || status == 429) {
            return true;
        }
        return switch (code == null ? "" : code) {
            case "SlowDown", "Throttling", "ThrottlingException", "RequestTimeout", "RequestLimitExceeded",
                    "TooManyRequestsException", "InternalError", "ServiceUnavailable" -> true;
            default -> false;
        };
    }

    boolean retryable() {
        return retryable(status, code);
    }

    /** The metric reason of this failure. */
    String reason() {
        if (status == 401 || status == 403) {
            return "auth";
        }
        return status >= 500 || retryable() ? "server" : "client";
    }
}
