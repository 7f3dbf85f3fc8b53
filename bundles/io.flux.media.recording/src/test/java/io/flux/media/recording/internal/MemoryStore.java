package io.flux.media.recording.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import io.flux.media.api.stream.StreamId;

/** Segments kept in memory, in the order they were opened. */
final class MemoryStore implements SegmentTarget.Store {

    final List<Segment> segments = new ArrayList<>();
    /** When positive, the output of the next segment opened fails once it has taken this many bytes. */
    long failAfterBytes;

    static final class Segment implements SegmentTarget {
        final String key;
        final long startDts;
        final ByteArrayOutputStream data = new ByteArrayOutputStream();
        Summary summary;
        IOException aborted;
        private final long failAfter;

        Segment(String key, long startDts, long failAfter) {
            this.key = key;
            this.startDts = startDts;
            this.failAfter = failAfter;
        }

        @Override
        public String key() {
            return key;
        }

        @Override
        public SegmentWriter.Output output() {
            return (bytes, length) -> {
                if (failAfter > 0 && data.size() + length > failAfter) {
                    throw new IOException("disk on fire");
                }
                data.write(bytes, 0, length);
            };
        }

        @Override
        public void complete(Summary s) {
            summary = s;
        }

        @Override
        public void abort(IOException cause) {
            aborted = cause;
        }

        boolean completed() {
            return summary != null;
        }
    }

    @Override
    public SegmentTarget open(StreamId stream, long startMillis, long sequence, long startDts) {
        Segment s = new Segment(SegmentKeys.key(stream, startMillis, sequence), startDts, failAfterBytes);
        failAfterBytes = 0;
        segments.add(s);
        return s;
    }

    List<Segment> completed() {
        return segments.stream().filter(Segment::completed).toList();
    }
}
