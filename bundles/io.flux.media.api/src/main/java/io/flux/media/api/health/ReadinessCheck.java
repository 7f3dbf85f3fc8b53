package io.flux.media.api.health;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A component that can say whether it is ready registers one of these; {@code GET /api/v1/health}
 * lists every registered check. Checks must be cheap and must not block for long.
 */
@ConsumerType
public interface ReadinessCheck {

    /** Service property: the name the health report lists the check under. */
    String NAME = "flux.health.name";

    String name();

    Readiness check();
}
