package io.flux.media.core.internal;

import java.time.Instant;
import java.util.Locale;

import io.flux.media.api.stream.AudioFormat;
import io.flux.media.api.stream.StreamInfo;
import io.flux.media.api.stream.VideoFormat;

/**
 * A stream as {@code GET /api/v1/streams} shows it. Fields that are not known yet (no keyframe, no audio) are
 * null and left out of the JSON. Codec and state names are lower case.
 */
public record StreamView(String id, String protocol, String state, String codec, Integer width, Integer height,
        String profile, double frame_rate, long bitrate_bps, Instant started_at, Instant last_sample_at,
        Instant last_keyframe_at, long samples, long gops_dropped, String audio_codec, Integer audio_sample_rate,
        Integer audio_channels) {

    static StreamView of(StreamInfo info) {
        VideoFormat v = info.video();
        AudioFormat a = info.audio();
        return new StreamView(info.id().value(), info.protocol(), lower(info.state().name()),
                v == null ? null : lower(v.codec().name()),
                v == null ? null : v.width(),
                v == null ? null : v.height(),
                v == null ? null : v.profile(),
                Math.round(info.frameRate() * 100) / 100.0,
                info.bitrateBps(),
                info.startedAt(),
                info.lastSampleAt(),
                info.lastKeyframeAt(),
                info.samples(),
                info.gopsDropped(),
                a == null ? null : lower(a.codec().name()),
                a == null ? null : a.sampleRate(),
                a == null ? null : a.channels());
    }

    private static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
