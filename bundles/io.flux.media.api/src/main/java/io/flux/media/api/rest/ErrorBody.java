package io.flux.media.api.rest;

import java.util.Map;

/** The JSON error shape: {@code {"error":{"status":..,"code":..,"message":..,"details":{..}}}}. */
public record ErrorBody(Error error) {

    public record Error(int status, String code, String message, Map<String, Object> details) {
    }

    public static ErrorBody of(int status, String code, String message, Map<String, Object> details) {
        return new ErrorBody(new Error(status, code, message, details == null || details.isEmpty() ? null : details));
    }
}
