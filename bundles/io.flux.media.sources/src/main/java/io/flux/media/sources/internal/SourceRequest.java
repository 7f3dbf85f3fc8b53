package io.flux.media.sources.internal;

/**
 * Body of {@code POST /sources} and {@code PUT /sources/{id}}. On PUT, a field left out keeps its value.
 *
 * @param type     {@code pull} (MediaMTX pulls {@code url}) or {@code push} (clients publish to {@code push_url})
 * @param protocol rtsp, rtmp, hls, webrtc or srt; for pull sources inferred from the URL scheme when left out
 */
public record SourceRequest(String name, String type, String url, String protocol, Boolean enabled,
        Boolean record_enabled) {
}
