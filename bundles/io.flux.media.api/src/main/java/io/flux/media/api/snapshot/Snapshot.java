package io.flux.media.api.snapshot;

import java.time.Instant;

/** A JPEG picture and where it came from. */
public record Snapshot(byte[] jpeg, int width, int height, SnapshotMode mode, Instant capturedAt) {
}
