package io.flux.media.protocol.replay.internal;

/** A replay as the REST API shows it. */
public record ReplayView(String id, String stream_id, String file, String codec, String audio_codec, int width,
        int height, String profile, double fps, boolean loop, String state, String started_at, long samples_sent,
        long loops_completed, long duration_ms, String error) {

    static ReplayView of(Replay r) {
        Replay.Summary s = r.summary();
        return new ReplayView(r.name(), r.streamId().value(), r.file(), s.codec(), s.audioCodec(), s.width(),
                s.height(), s.profile(), s.frameRate(), r.loop(), r.state().name().toLowerCase(java.util.Locale.ROOT),
                r.startedAt().toString(), r.samples(), r.loops(), s.periodMillis(), r.error());
    }
}
