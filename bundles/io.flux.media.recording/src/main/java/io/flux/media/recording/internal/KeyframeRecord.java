package io.flux.media.recording.internal;

/** A keyframe: its wall-clock time (epoch ms) and the byte offset of the moof of the fragment it starts. */
record KeyframeRecord(long timeMs, long byteOffset) {
}
