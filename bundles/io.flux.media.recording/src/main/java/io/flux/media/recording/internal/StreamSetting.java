package io.flux.media.recording.internal;

/**
 * A stream's persisted recording choice: on or off, its own segment policy (null: the configured default), and its
 * priority when the spool is full (higher is kept longer; 0 by default).
 */
record StreamSetting(String streamId, boolean enabled, SegmentPolicy policy, int priority) {

    StreamSetting(String streamId, boolean enabled, SegmentPolicy policy) {
        this(streamId, enabled, policy, 0);
    }
}
