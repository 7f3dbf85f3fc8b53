package io.flux.media.sources.internal;

import java.util.LinkedHashMap;
import java.util.Map;

import io.flux.media.api.rest.ApiException;

/** Collects what is wrong with a request, field by field, so one 400 names every bad field. */
final class Problems {

    private final Map<String, Object> byField = new LinkedHashMap<>();

    void add(String field, String problem) {
        byField.putIfAbsent(field, problem);
    }

    boolean has(String field) {
        return byField.containsKey(field);
    }

    /** Throws a 400 naming every field with a problem, in the order they were found; nothing when all is well. */
    void throwIfAny() {
        if (byField.isEmpty()) {
            return;
        }
        StringBuilder m = new StringBuilder("invalid request: ");
        String sep = "";
        for (Map.Entry<String, Object> e : byField.entrySet()) {
            m.append(sep).append(e.getKey()).append(' ').append(e.getValue());
            sep = "; ";
        }
        throw new ApiException(400, "bad_request", m.toString(), byField, null);
    }
}
