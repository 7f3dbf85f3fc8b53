package io.flux.media.sources.internal;

import java.time.Instant;
import java.util.List;

/** One row of {@code media_asset} with its tags in order. */
record AssetRow(String id, String type, String sourceType, String sourceId, String path, String name,
        List<String> tags, Instant createdAt, Instant updatedAt) {

    static final String STREAM = "stream";
    static final String LIVE = "live";

    AssetRow {
        tags = List.copyOf(tags);
    }
}
