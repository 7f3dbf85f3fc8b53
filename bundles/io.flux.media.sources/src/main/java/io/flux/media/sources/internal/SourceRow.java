package io.flux.media.sources.internal;

import java.time.Instant;

/** One row of {@code media_source}. */
record SourceRow(String id, String name, String pathName, String type, String url, String protocol, boolean enabled,
        boolean recordEnabled, Instant createdAt, Instant updatedAt) {

    static final String PULL = "pull";
    static final String PUSH = "push";

    boolean isPush() {
        return PUSH.equals(type);
    }

    SourceRow withEnabled(boolean on, Instant now) {
        return new SourceRow(id, name, pathName, type, url, protocol, on, recordEnabled, createdAt, now);
    }

    SourceRow withRecordEnabled(boolean on, Instant now) {
        return new SourceRow(id, name, pathName, type, url, protocol, enabled, on, createdAt, now);
    }
}
