package io.flux.media.recording.internal;

/** A stream's persisted recording choice: on or off, and its own segment policy (null: the configured default). */
record StreamSetting(String streamId, boolean enabled, SegmentPolicy policy) {
}
