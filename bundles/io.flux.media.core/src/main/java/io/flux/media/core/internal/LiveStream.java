package io.flux.media.core.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.flux.media.api.ingest.MediaSink;
import io.flux.media.api.sample.AudioSample;
import io.flux.media.api.sample.MediaSample;
import io.flux.media.api.sample.VideoSample;
import io.flux.media.api.stream.Gop;
import io.flux.media.api.stream.StreamId;
import io.flux.media.api.stream.StreamInfo;
import io.flux.media.api.stream.StreamState;
import io.flux.media.codec.CodecException;

/**
 * One generation of a live stream (from open to close): codec state, statistics, the current GOP and the lanes
 * of the subscriptions that receive it. Everything mutable is guarded by {@code this}; the lock is held for
 * in-memory work only (parsing headers, queueing), never for I/O or a listener call.
 */
final class LiveStream {

    private static final Logger LOG = LoggerFactory.getLogger(LiveStream.class);
    private static final Lane[] NO_LANES = {};
    /** An audio-only stream becomes live once this long has passed since it opened without any video. */
    static final long AUDIO_ONLY_GRACE_MS = 2000;
    /** At most one log line per stream and this period about corrupt samples; the rest are counted. */
    static final long CORRUPT_LOG_PERIOD_MS = 60_000;

    final StreamId id;
    final String protocol;
    private final MediaCore core;
    private final long startedAtMs;

    private final VideoTrack video = new VideoTrack();
    private final AudioTrack audio = new AudioTrack();
    private final RateWindow rates = new RateWindow();

    private StreamState state = StreamState.STARTING;
    private boolean ended;
    private long endedAtMs;
    private boolean videoSeen;
    private long lastArrivalMs = -1;
    private long lastKeyframeAtMs = -1;
    private long samples;
    private long gopsDropped;

    // Counts for the metrics, flushed as deltas by the periodic check (no metric call per sample).
    private long videoSamples;
    private long audioSamples;
    private long corrupt;
    private long noParameterSets;
    private long beforeKeyframe;
    private long noPicture;
    private final long[] flushed = new long[7];
    private long lastCorruptLogMs = Long.MIN_VALUE;
    private boolean warnedNoParameterSets;

    // The current GOP: keyframe first, then the video frames after it, as consumers got them.
    private final ArrayList<VideoSample> gop = new ArrayList<>();
    private long gopBytes;
    private boolean gopTruncated;
    private long gopNewestMs;

    private Lane[] lanes = NO_LANES;
    private CoreSubscription[] laneOwners = new CoreSubscription[0];

    LiveStream(StreamId id, String protocol, MediaCore core, long startedAtMs) {
        this.id = id;
        this.protocol = protocol;
        this.core = core;
        this.startedAtMs = startedAtMs;
    }

    /** The handle a protocol handler pushes into; a stale handle (stream reopened or closed) does nothing. */
    MediaSink.StreamHandle handle() {
        return new MediaSink.StreamHandle() {
            @Override
            public StreamId id() {
                return id;
            }

            @Override
            public void push(MediaSample sample) {
                LiveStream.this.push(sample);
            }

            @Override
            public void close() {
                core.closed(LiveStream.this);
            }

            @Override
            public String toString() {
                return "StreamHandle[" + id + "]";
            }
        };
    }

    void push(MediaSample sample) {
        if (sample == null) {
            throw new NullPointerException("sample");
        }
        String warning = null;
        CoreSubscription[] dropLogs = null;
        synchronized (this) {
            if (ended) {
                return;
            }
            long now = core.clock().millis();
            lastArrivalMs = now;
            if (state == StreamState.STALLED) {
                state = video.started() || (!videoSeen && audio.format() != null) ? StreamState.LIVE
                        : StreamState.STARTING;
            }
            MediaSample out;
            try {
                out = switch (sample) {
                    case VideoSample v -> video(v, now);
                    case AudioSample a -> audio(a, now);
                };
            } catch (CodecException | RuntimeException e) {
                // Never let bad input (or a parser bug) reach the protocol handler's thread: count and skip.
                corrupt++;
                if (now - lastCorruptLogMs >= CORRUPT_LOG_PERIOD_MS || lastCorruptLogMs == Long.MIN_VALUE) {
                    lastCorruptLogMs = now;
                    warning = "Skipping corrupt sample on stream " + id + ": "
                            + (e.getMessage() == null ? e.toString() : e.getMessage()) + " (further ones within "
                            + CORRUPT_LOG_PERIOD_MS / 1000 + " s are only counted in media_sample_errors_total)";
                }
                out = null;
            }
            if (out == null && noParameterSets > 0 && !warnedNoParameterSets) {
                warnedNoParameterSets = true;
                warning = "Keyframes on stream " + id + " come without parameter sets and none were seen before: "
                        + "the stream stays STARTING until they arrive (counted in media_sample_errors_total)";
            }
            if (out != null) {
                dropLogs = fanOut(out, now);
            }
        }
        if (warning != null) {
            String message = warning;
            CoreSubscription.withStreamId(id, () -> LOG.warn(message));
        }
        if (dropLogs != null) {
            for (CoreSubscription s : dropLogs) {
                if (s != null) {
                    s.logDropStart(id);
                }
            }
        }
    }

    /** Guarded by this. */
    private VideoSample video(VideoSample in, long now) throws CodecException {
        videoSeen = true;
        VideoSample out = video.process(in);
        if (out == null) {
            switch (video.skip()) {
                case BEFORE_KEYFRAME -> beforeKeyframe++;
                case NO_PICTURE -> noPicture++;
                case NO_PARAMETER_SETS -> noParameterSets++;
            }
            if (!video.started() && state == StreamState.LIVE) {
                state = StreamState.STARTING;
            }
            return null;
        }
        int size = out.payload().remaining();
        samples++;
        videoSamples++;
        rates.add(now, true, size);
        if (out.keyframe()) {
            lastKeyframeAtMs = now;
            state = StreamState.LIVE;
            gop.clear();
            gop.add(out);
            gopBytes = size;
            gopTruncated = false;
            gopNewestMs = now;
        } else if (!gop.isEmpty() && !gopTruncated) {
            if (gopBytes + size > core.settings().gopCacheMaxBytes()) {
                // Too big to keep whole: keep the keyframe, which alone still decodes.
                VideoSample keyframe = gop.get(0);
                gop.clear();
                gop.add(keyframe);
                gopBytes = keyframe.payload().remaining();
                gopTruncated = true;
                gopNewestMs = lastKeyframeAtMs;
            } else {
                gop.add(out);
                gopBytes += size;
                gopNewestMs = now;
            }
        }
        return out;
    }

    /** Guarded by this. */
    private AudioSample audio(AudioSample in, long now) throws CodecException {
        audio.process(in);
        samples++;
        audioSamples++;
        rates.add(now, false, in.payload().remaining());
        if (state == StreamState.STARTING && !videoSeen && now - startedAtMs >= AUDIO_ONLY_GRACE_MS) {
            state = StreamState.LIVE;
        }
        return in;
    }

    /** Guarded by this. Returns the subscriptions whose drop episode this sample started, or null. */
    private CoreSubscription[] fanOut(MediaSample sample, long now) {
        CoreSubscription[] started = null;
        for (int i = 0; i < lanes.length; i++) {
            if (laneOwners[i].offer(lanes[i], this, sample, videoSeen, now)) {
                if (started == null) {
                    started = new CoreSubscription[lanes.length];
                }
                started[i] = laneOwners[i];
            }
        }
        return started;
    }

    /** Called by a subscription's offer, under this stream's lock. */
    void countDropped(int gops) {
        gopsDropped += gops;
    }

    /** Attaches a subscription (once); nothing happens for an ended stream. */
    synchronized void attach(CoreSubscription subscription) {
        if (ended) {
            return;
        }
        for (CoreSubscription owner : laneOwners) {
            if (owner == subscription) {
                return;
            }
        }
        Lane lane = subscription.attach(info(core.clock().millis()), protocol);
        if (lane == null) {
            return;
        }
        lanes = Arrays.copyOf(lanes, lanes.length + 1);
        lanes[lanes.length - 1] = lane;
        laneOwners = Arrays.copyOf(laneOwners, laneOwners.length + 1);
        laneOwners[laneOwners.length - 1] = subscription;
    }

    synchronized void detach(CoreSubscription subscription) {
        for (int i = 0; i < laneOwners.length; i++) {
            if (laneOwners[i] == subscription) {
                Lane[] l = new Lane[lanes.length - 1];
                CoreSubscription[] o = new CoreSubscription[laneOwners.length - 1];
                System.arraycopy(lanes, 0, l, 0, i);
                System.arraycopy(lanes, i + 1, l, i, l.length - i);
                System.arraycopy(laneOwners, 0, o, 0, i);
                System.arraycopy(laneOwners, i + 1, o, i, o.length - i);
                lanes = l;
                laneOwners = o;
                return;
            }
        }
    }

    /** Ends this generation: subscribers get the end of stream; later pushes are ignored. */
    synchronized boolean end(long nowMs) {
        if (ended) {
            return false;
        }
        ended = true;
        endedAtMs = nowMs;
        state = StreamState.ENDED;
        for (int i = 0; i < lanes.length; i++) {
            laneOwners[i].end(lanes[i]);
        }
        lanes = NO_LANES;
        laneOwners = new CoreSubscription[0];
        gop.clear();
        return true;
    }

    synchronized boolean isEnded() {
        return ended;
    }

    /** Periodic check: stall detection. Returns true when the ended stream has been listed long enough. */
    synchronized boolean check(long nowMs, Settings settings) {
        if (ended) {
            return nowMs - endedAtMs >= settings.endedRetentionMs();
        }
        long last = lastArrivalMs >= 0 ? lastArrivalMs : startedAtMs;
        if (state != StreamState.STALLED && nowMs - last > settings.stallTimeoutMs()) {
            state = StreamState.STALLED;
        }
        return false;
    }

    synchronized StreamState state() {
        return state;
    }

    /** What the metrics have not seen yet, in the order of {@link MediaCore.Metrics#flush}; resets it. */
    synchronized long[] takeCounts() {
        long[] now = {videoSamples, audioSamples, gopsDropped, corrupt, noParameterSets, beforeKeyframe,
            noPicture};
        long[] delta = new long[now.length];
        for (int i = 0; i < now.length; i++) {
            delta[i] = now[i] - flushed[i];
            flushed[i] = now[i];
        }
        return delta;
    }

    synchronized StreamInfo info(long nowMs) {
        return new StreamInfo(id, protocol, state, video.format(), audio.format(), rates.frameRate(nowMs),
                rates.bitrate(nowMs), Instant.ofEpochMilli(startedAtMs), instant(lastArrivalMs),
                instant(lastKeyframeAtMs), samples, gopsDropped);
    }

    synchronized Optional<Gop> currentGop() {
        if (gop.isEmpty() || video.format() == null) {
            return Optional.empty();
        }
        return Optional.of(new Gop(id, video.format(), gop, Instant.ofEpochMilli(lastKeyframeAtMs),
                Instant.ofEpochMilli(gopNewestMs)));
    }

    private static Instant instant(long ms) {
        return ms < 0 ? null : Instant.ofEpochMilli(ms);
    }
}
