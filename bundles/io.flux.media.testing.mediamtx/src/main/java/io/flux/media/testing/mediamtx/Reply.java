package io.flux.media.testing.mediamtx;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/** An HTTP answer: status, headers and body. */
record Reply(int status, Map<String, String> headers, byte[] body) {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final String JSON_TYPE = "application/json; charset=utf-8";

    static Reply json(int status, Object value) {
        try {
            return new Reply(status, Map.of("Content-Type", JSON_TYPE), JSON.writeValueAsBytes(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static Reply ok() {
        return json(200, Map.of("status", "ok"));
    }

    /** The error body every MediaMTX endpoint uses. */
    static Reply error(int status, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "error");
        body.put("error", message);
        return json(status, body);
    }

    /** What Go's router answers for a route it does not have. */
    static Reply noRoute() {
        return new Reply(404, Map.of("Content-Type", "text/plain"),
                "404 page not found".getBytes(StandardCharsets.UTF_8));
    }

    Reply withHeader(String name, String value) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put(name, value);
        return new Reply(status, h, body);
    }
}
