package io.flux.media.api.streaming;

import java.time.Instant;

/** A stretch of recording the playback server can play, and the URL that plays it. */
public record PlaybackSegment(Instant start, double duration_s, String url) {
}
