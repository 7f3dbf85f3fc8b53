package io.flux.media.api.health;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Adds a section to {@code GET /api/v1/info}: active features, backend choices and the like. The value
 * is rendered as JSON (records, maps, lists, strings, numbers); it must never contain secrets.
 */
@ConsumerType
public interface InfoContributor {

    /** The key of the section in the info document, e.g. {@code features} or {@code database}. */
    String name();

    Object info();
}
