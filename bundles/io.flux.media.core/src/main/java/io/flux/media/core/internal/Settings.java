package io.flux.media.core.internal;

/** The configuration as the media path reads it: one immutable snapshot, swapped whole on a change. */
record Settings(int queueMaxGops, long queueMaxBytes, long stallTimeoutMs, long endedRetentionMs,
        long gopCacheMaxBytes) {

    static Settings of(MediaCore.Config config) {
        return new Settings(Math.max(1, config.queue_max_gops()),
                Math.max(64 * 1024L, config.queue_max_bytes()),
                Math.max(100L, config.stall_timeout_ms()),
                Math.max(0L, config.ended_retention_ms()),
                Math.max(0L, config.gop_cache_max_bytes()));
    }
}
