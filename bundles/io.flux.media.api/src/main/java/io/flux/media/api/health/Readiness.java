package io.flux.media.api.health;

import java.util.Map;
import java.util.Objects;

/** Result of one {@link ReadinessCheck}: up or down, a human message, optional details. */
public record Readiness(boolean ready, String message, Map<String, Object> details) {

    public Readiness {
        Objects.requireNonNull(message, "message");
        details = details == null ? Map.of() : Map.copyOf(details);
    }

    public static Readiness up(String message) {
        return new Readiness(true, message, Map.of());
    }

    public static Readiness down(String message) {
        return new Readiness(false, message, Map.of());
    }
}
