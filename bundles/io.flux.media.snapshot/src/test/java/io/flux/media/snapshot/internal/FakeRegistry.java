package io.flux.media.snapshot.internal;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

import io.flux.media.api.sample.Codec;
import io.flux.media.api.sample.VideoSample;
import io.flux.media.api.stream.Gop;
import io.flux.media.api.stream.MediaListener;
import io.flux.media.api.stream.StreamId;
import io.flux.media.api.stream.StreamInfo;
import io.flux.media.api.stream.StreamRegistry;
import io.flux.media.api.stream.StreamState;
import io.flux.media.api.stream.VideoFormat;

/** A stream registry holding whatever streams and GOPs a test puts in. */
final class FakeRegistry implements StreamRegistry {

    static final VideoFormat FORMAT = new VideoFormat(Codec.H264, 320, 240, "High", List.of());

    final Map<StreamId, StreamInfo> streams = new ConcurrentHashMap<>();
    final Map<StreamId, Gop> gops = new ConcurrentHashMap<>();

    /** A live stream whose current GOP is a keyframe plus {@code following} frames. */
    StreamId live(String id, Instant keyframeAt, Instant newestAt, int following) {
        StreamId sid = StreamId.of(id);
        streams.put(sid, info(sid, StreamState.LIVE));
        List<VideoSample> frames = new ArrayList<>();
        frames.add(frame(0, true));
        for (int i = 1; i <= following; i++) {
            frames.add(frame(i * 3000L, false));
        }
        gops.put(sid, new Gop(sid, FORMAT, frames, keyframeAt, newestAt));
        return sid;
    }

    StreamId starting(String id) {
        StreamId sid = StreamId.of(id);
        streams.put(sid, info(sid, StreamState.STARTING));
        return sid;
    }

    static StreamInfo info(StreamId id, StreamState state) {
        return new StreamInfo(id, id.protocol(), state, FORMAT, null, 25, 1_000_000, Instant.EPOCH, Instant.EPOCH,
                null, 0, 0);
    }

    static VideoSample frame(long pts, boolean keyframe) {
        return new VideoSample(Codec.H264, pts, pts, keyframe, ByteBuffer.wrap(new byte[] { 0, 0, 0, 1, 0x65 }));
    }

    @Override
    public List<StreamInfo> streams() {
        return List.copyOf(streams.values());
    }

    @Override
    public Optional<StreamInfo> stream(StreamId id) {
        return Optional.ofNullable(streams.get(id));
    }

    @Override
    public Optional<Gop> currentGop(StreamId id) {
        return Optional.ofNullable(gops.get(id));
    }

    @Override
    public Subscription subscribe(String name, Predicate<StreamId> filter, int maxQueuedGops, MediaListener listener) {
        throw new UnsupportedOperationException("the snapshot service reads current GOPs only");
    }
}
