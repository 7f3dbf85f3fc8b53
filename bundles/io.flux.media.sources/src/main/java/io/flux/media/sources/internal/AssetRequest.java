package io.flux.media.sources.internal;

import java.util.List;

/**
 * Body of {@code POST /assets}: {@code {type: stream, source_type: live, name, stream_url, tags}} creates a pull
 * source for {@code stream_url} and the asset together; {@code {source_id, name, tags}} adds an asset to an existing
 * source. On {@code PUT /assets/{id}} only {@code name} and {@code tags} can change; fields left out keep their value.
 */
public record AssetRequest(String type, String source_type, String name, String stream_url, String source_id,
        List<String> tags) {
}
