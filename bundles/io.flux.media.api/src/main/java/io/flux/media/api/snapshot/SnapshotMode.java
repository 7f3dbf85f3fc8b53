package io.flux.media.api.snapshot;

/** How a snapshot is produced. */
public enum SnapshotMode {
    /** A cached snapshot when fresh enough, else keyframe, else decode. */
    AUTO,
    /** Decode the last cached keyframe: cheap, up to one GOP old. */
    KEYFRAME,
    /** Decode from the last keyframe to the newest frame: freshest, most expensive. */
    DECODE
}
