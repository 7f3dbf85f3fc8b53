package io.flux.media.recording.internal;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import io.flux.media.api.rest.FluxApi;
import io.flux.media.api.stream.StreamId;

/** JSON shapes of the recording endpoints (snake_case component names are the JSON field names). */
final class RecordingViews {

    private RecordingViews() {
    }

    /** {@code GET streams/{id}/record}. */
    record StatusView(String stream_id, boolean enabled, String source, boolean recording, PolicyView policy,
            int priority, OpenSegmentView segment, long segments_completed, StorageView storage, String last_error) {
    }

    /** A segment policy and whether it is the stream's own ({@code stream}) or the configured one ({@code default}). */
    record PolicyView(String strategy, long value, String unit, String source) {
    }

    /** The segment being written (into the spool). */
    record OpenSegmentView(String key, Instant started_at, long bytes) {
    }

    record StorageView(boolean available, String backend) {
    }

    /** One recorded segment. */
    record SegmentView(String id, String key, String backend, Instant start_time, Instant end_time, long duration_ms,
            long bytes, int keyframes, String url) {
    }

    /** {@code GET streams/{id}/recordings}. */
    record SegmentListView(String stream_id, Instant from, Instant to, int count, List<SegmentView> segments) {
    }

    /** {@code GET streams/{id}/recordings/locate}: where to start reading for time t. */
    record LocationView(String stream_id, Instant t, SegmentView segment, long offset, Instant keyframe_time) {
    }

    /** {@code POST|GET recordings/reindex}. */
    record ReindexView(String state, Instant started_at, Instant finished_at, String backend, Integer listed,
            Integer added, Integer removed, Integer failed, String error) {
    }

    /** {@code GET recordings/storage/{backend}/objects}. */
    record ObjectPageView(String backend, List<ObjectView> objects, String next_token) {
    }

    record ObjectView(String key, long size, Instant last_modified) {
    }

    static StatusView status(RecordingService.Status s) {
        StreamRecorder.Status r = s.recorder();
        boolean recording = r != null && r.open();
        return new StatusView(s.stream().value(), s.enabled(), s.explicit() ? "stream" : "default", recording,
                policy(s.policy(), s.policyExplicit()), s.priority(),
                recording ? new OpenSegmentView(r.segmentKey(), Instant.ofEpochMilli(r.segmentStartMillis()),
                        r.segmentBytes()) : null,
                r != null ? r.segmentsCompleted() : 0, new StorageView(s.backend() != null, s.backend()),
                r != null ? r.lastError() : null);
    }

    static PolicyView policy(SegmentPolicy p, boolean explicit) {
        return new PolicyView(p.strategy().jsonName(), p.value(), p.strategy().unit, explicit ? "stream" : "default");
    }

    static SegmentView segment(SegmentRecord s) {
        StreamId id = StreamId.of(s.streamId());
        return new SegmentView(s.name(), s.key(), s.backend(), Instant.ofEpochMilli(s.startTime()),
                Instant.ofEpochMilli(s.endTime()), s.durationMs(), s.bytes(), s.keyframes(), url(id, s.name()));
    }

    static LocationView location(StreamId id, long t, RecordingIndex.Location l) {
        return new LocationView(id.value(), Instant.ofEpochMilli(t), segment(l.segment()), l.byteOffset(),
                Instant.ofEpochMilli(l.keyframeTime()));
    }

    static ReindexView reindex(RecordingService.ReindexState s) {
        Reindexer.Report r = s.report();
        return new ReindexView(s.state(), s.startedAt(), s.finishedAt(), s.backend(), r != null ? r.listed() : null,
                r != null ? r.added() : null, r != null ? r.removed() : null, r != null ? r.failed() : null,
                s.error());
    }

    /** The download URL of a segment; stream id segments are URL-safe by construction but encoded anyway. */
    static String url(StreamId id, String name) {
        StringBuilder sb = new StringBuilder(FluxApi.BASE_PATH).append("/streams");
        for (String part : id.value().split("/")) {
            sb.append('/').append(URLEncoder.encode(part, StandardCharsets.UTF_8));
        }
        return sb.append("/recordings/").append(name).toString();
    }
}
