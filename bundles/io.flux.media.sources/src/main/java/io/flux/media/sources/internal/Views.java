package io.flux.media.sources.internal;

import java.time.Instant;
import java.util.List;

/** The JSON bodies the endpoints answer (snake_case components serialize as they are; nulls are left out). */
final class Views {

    private Views() {
    }

    /**
     * A media source. {@code url} has its password replaced by {@code ***}; {@code push_url} is set for push sources
     * while a streaming server is bound; {@code status} only when asked for ({@code with_status=true}).
     */
    public record SourceView(String id, String name, String path_name, String type, String url, String protocol,
            boolean enabled, boolean record_enabled, Instant created_at, Instant updated_at, String push_url,
            StatusView status) {
    }

    /**
     * Live state of a source's path. {@code state}: {@code online} (a publisher or pull is live), {@code offline}
     * (path configured, nothing live), {@code missing} (enabled, but the streaming server has no such path, e.g.
     * after it restarted: enable the source again to re-create it), {@code disabled}.
     */
    public record StatusView(String source_id, String path_name, String state, boolean online, Instant online_time,
            String source_type, List<String> tracks, Long bytes_received, Long bytes_sent, Integer readers) {
    }

    /** Where to watch a source; {@code push_url} (where to publish) for push sources only. */
    public record PreviewView(String source_id, String path_name, boolean enabled, String hls, String rtsp,
            String rtmp, String webrtc, String srt, String push_url) {
    }

    public record ReadyView(String source_id, String path_name, boolean ready) {
    }

    /** {@code record_enabled} is what Flux stores; {@code recording} what the streaming server's path says. */
    public record RecordStatusView(String source_id, String path_name, boolean enabled, boolean record_enabled,
            boolean recording) {
    }

    /** A stretch of contiguous recording (as the playback server reports it) and how many files it spans. */
    public record SessionView(Instant start, Instant end, double duration_s, int file_count, String url) {
    }

    /**
     * One recorded segment file. {@code end}/{@code duration_s} are known when the file lies inside a session;
     * {@code url} plays it (or, without a known duration, the default playback duration from its start).
     */
    public record FileView(Instant start, Instant end, Double duration_s, String url) {
    }

    public record RecordingsView(String source_id, String path_name, List<SessionView> sessions,
            List<FileView> files) {
    }

    public record PlaybackView(String source_id, String path_name, Instant start, double duration_s, String url) {
    }

    public record AssetView(String id, String type, String source_type, String source_id, String path, String name,
            List<String> tags, Instant created_at, Instant updated_at) {

        static AssetView of(AssetRow r) {
            return new AssetView(r.id(), r.type(), r.sourceType(), r.sourceId(), r.path(), r.name(), r.tags(),
                    r.createdAt(), r.updatedAt());
        }
    }
}
