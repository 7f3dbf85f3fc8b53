package io.flux.media.protocol.replay.internal;

/**
 * Body of {@code POST /api/v1/replays}.
 *
 * @param file relative path under the media directory (required)
 * @param name stream name, the last segment of {@code replay/<name>}; defaults to the file's base name
 * @param loop loop forever (default) or play once
 * @param fps  frame rate for Annex B files without timing information (default: the SPS's, else 25)
 */
public record ReplayRequest(String file, String name, Boolean loop, Double fps) {
}
