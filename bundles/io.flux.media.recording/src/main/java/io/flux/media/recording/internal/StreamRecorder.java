package io.flux.media.recording.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.flux.media.api.sample.AudioSample;
import io.flux.media.api.sample.VideoSample;
import io.flux.media.api.stream.AudioFormat;
import io.flux.media.api.stream.StreamId;
import io.flux.media.api.stream.VideoFormat;
import io.flux.media.codec.CodecException;

/**
 * Cuts one stream into segments. A segment opens at a keyframe and ends at the first keyframe where the policy says
 * so, where the parameter sets change, at a timestamp discontinuity (the next segment then waits for a keyframe),
 * when GOPs were dropped upstream, or when recording stops. Segments that follow each other without a gap get
 * contiguous wall-clock times (start = previous start + media duration), so the time index has neither overlaps
 * nor holes. Calls are serialized on this object; they never do storage I/O beyond handing chunks to the target.
 */
final class StreamRecorder {

    private static final Logger LOG = LoggerFactory.getLogger(StreamRecorder.class);

    /** A decode-time jump larger than this (90 kHz ticks, 10 s) is a discontinuity. */
    static final long MAX_GAP_TICKS = 10L * 90_000;
    /** Wall clock and media clock may drift apart this far (ms) before the wall clock is taken again. */
    static final long MAX_DRIFT_MS = 5_000;

    /** Settings read at every segment start and fragment cut. */
    record Settings(SegmentPolicy policy, long fragmentMaxTicks) {
    }

    /** What the media core knows about the stream's formats (fallback parameter sets, AAC config), may be null. */
    interface Formats {
        VideoFormat video();

        AudioFormat audio();
    }

    private final StreamId stream;
    private final SegmentTarget.Store store;
    private final Supplier<Settings> settings;
    private final Supplier<Formats> formats;
    private final LongSupplier clock;

    private SegmentWriter writer;
    private SegmentTarget target;
    private Settings segmentSettings;
    private long segmentStartMillis;
    private long sequence;
    private boolean anchored;
    private long anchorMillis;
    private long anchorDts;
    private boolean codecProblemLogged;
    /** Set by {@link #close()}: a sample racing with a stop must not open a segment nobody would close. */
    private boolean closed;
    // Read by the status endpoint without taking this object's lock (which may wait on a slow backend).
    private volatile boolean open;
    private volatile String openKey;
    private volatile long openStartMillis;
    private volatile long openBytes;
    private volatile long segmentsCompleted;
    private volatile String lastError;

    /**
     * A point-in-time view for the status endpoint: whether a segment is open, its key (null when it is being
     * dropped for want of a storage backend), start, bytes so far, segments completed, the last problem.
     */
    record Status(boolean open, String segmentKey, long segmentStartMillis, long segmentBytes,
            long segmentsCompleted, String lastError) {
    }

    StreamRecorder(StreamId stream, SegmentTarget.Store store, Supplier<Settings> settings, Supplier<Formats> formats,
            LongSupplier clock) {
        this.stream = stream;
        this.store = store;
        this.settings = settings;
        this.formats = formats;
        this.clock = clock;
    }

    StreamId stream() {
        return stream;
    }

    Status status() {
        return open ? new Status(true, openKey, openStartMillis, openBytes, segmentsCompleted, lastError)
                : new Status(false, null, 0, 0, segmentsCompleted, lastError);
    }

    synchronized void onVideo(VideoSample s) {
        if (closed) {
            return;
        }
        if (writer != null) {
            long last = writer.lastDts();
            if (s.dts() < last || s.dts() - last > MAX_GAP_TICKS) {
                endSegment(-1);
                anchored = false;
            }
        }
        if (writer == null) {
            if (s.keyframe()) {
                openSegment(s);
            }
            return;
        }
        if (!s.keyframe() && s.codec() != writer.video().codec()) {
            return;
        }
        if (s.keyframe()) {
            List<ByteBuffer> inBand = VideoConfig.parameterSetsOfAccessUnit(s.codec(), s.payload());
            boolean changed = s.codec() != writer.video().codec()
                    || !inBand.isEmpty() && !writer.video().sameParameterSets(inBand);
            if (changed || segmentSettings.policy().due(writer.baseDts(), s.dts(), writer.size(), writer.gops())) {
                endSegment(s.dts() - writer.lastDts());
                openSegment(s);
                return;
            }
        }
        try {
            writer.addVideo(s.pts(), s.dts(), s.keyframe(), s.payload());
            openBytes = writer.size();
        } catch (IOException e) {
            abortSegment(e);
        }
    }

    synchronized void onAudio(AudioSample s) {
        if (writer != null) {
            writer.addAudio(s);
        }
    }

    /** Upstream dropped whole GOPs: end the segment here (its timeline would have a hole) and wait for a keyframe. */
    synchronized void onGap() {
        if (writer != null) {
            endSegment(-1);
        }
        anchored = false;
    }

    /** Ends the open segment normally (stream ended, recording stopped, shutdown); later samples are ignored. */
    synchronized void close() {
        closed = true;
        if (writer != null) {
            endSegment(-1);
        }
        anchored = false;
    }

    private void openSegment(VideoSample key) {
        Settings st = settings.get();
        VideoConfig config;
        try {
            List<ByteBuffer> sets = VideoConfig.parameterSetsOfAccessUnit(key.codec(), key.payload());
            if (sets.isEmpty()) {
                Formats f = formats.get();
                VideoFormat vf = f != null ? f.video() : null;
                if (vf != null && vf.codec() == key.codec()) {
                    sets = vf.parameterSets();
                }
            }
            config = VideoConfig.of(key.codec(), sets);
            codecProblemLogged = false;
        } catch (CodecException | RuntimeException e) {
            lastError = "cannot build the video track: " + e.getMessage();
            if (!codecProblemLogged) {
                codecProblemLogged = true;
                LOG.warn("Stream {}: keyframe without usable parameter sets ({}); waiting for the next keyframe",
                        stream, e.getMessage());
            }
            updateStatus();
            return;
        }
        long now = clock.getAsLong();
        if (anchored && Math.abs(anchorMillis + (key.dts() - anchorDts) / 90 - now) > MAX_DRIFT_MS) {
            anchored = false;
        }
        if (!anchored) {
            anchored = true;
            anchorMillis = now;
            anchorDts = key.dts();
        }
        long start = anchorMillis + (key.dts() - anchorDts) / 90;
        Formats f = formats.get();
        SegmentTarget t = store.open(stream, start, sequence++, key.dts());
        SegmentWriter w = new SegmentWriter(config, key.dts(), st.fragmentMaxTicks(), f != null ? f.audio() : null,
                t.output());
        target = t;
        writer = w;
        segmentSettings = st;
        segmentStartMillis = start;
        try {
            w.addVideo(key.pts(), key.dts(), true, key.payload());
            updateStatus();
            lastError = null;
        } catch (IOException e) {
            abortSegment(e);
        }
    }

    private void endSegment(long lastDuration) {
        SegmentWriter w = writer;
        SegmentTarget t = target;
        writer = null;
        target = null;
        try {
            w.finish(lastDuration);
        } catch (IOException e) {
            lastError = "segment lost: " + e.getMessage();
            t.abort(e);
            anchored = false;
            updateStatus();
            return;
        }
        t.complete(new SegmentTarget.Summary(segmentStartMillis, w.baseDts(), w.finishedDurationTicks(),
                w.writtenBytes(), w.keyframes()));
        segmentsCompleted++;
        updateStatus();
    }

    private void abortSegment(IOException e) {
        SegmentTarget t = target;
        writer = null;
        target = null;
        anchored = false;
        lastError = "segment lost: " + e.getMessage();
        if (t != null) {
            t.abort(e);
        }
        updateStatus();
    }

    private void updateStatus() {
        if (writer == null) {
            open = false;
            openKey = null;
            openBytes = 0;
        } else {
            openStartMillis = segmentStartMillis;
            openBytes = writer.size();
            openKey = target.key();
            open = true;
        }
    }
}
