package io.flux.media.api.stream;

/** Where a live stream is in its life. */
public enum StreamState {
    /** Opened, no keyframe yet: nothing can be recorded or decoded. */
    STARTING,
    /** Samples arriving, at least one keyframe seen. */
    LIVE,
    /** Opened but no sample for longer than the stall timeout. */
    STALLED,
    /** Closed by its protocol handler. */
    ENDED
}
