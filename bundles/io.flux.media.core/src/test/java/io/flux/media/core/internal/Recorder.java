package io.flux.media.core.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.flux.media.api.sample.AudioSample;
import io.flux.media.api.sample.MediaSample;
import io.flux.media.api.sample.VideoSample;
import io.flux.media.api.stream.MediaListener;
import io.flux.media.api.stream.StreamId;
import io.flux.media.api.stream.StreamInfo;

/** A listener that records what it gets; optionally blocks in its first sample until released. */
class Recorder implements MediaListener {

    /** One callback. {@code pts} for samples, {@code gops} for drops. */
    record Event(String kind, StreamId stream, MediaSample sample, StreamInfo info, int gops) {

        boolean isSample() {
            return kind.equals("sample");
        }

        boolean isVideo() {
            return sample instanceof VideoSample;
        }

        boolean isKeyframe() {
            return sample instanceof VideoSample v && v.keyframe();
        }

        boolean isAudio() {
            return sample instanceof AudioSample;
        }

        long pts() {
            return sample.pts();
        }

        @Override
        public String toString() {
            return switch (kind) {
                case "sample" -> (isKeyframe() ? "K" : isVideo() ? "v" : "a") + pts() / Samples.FRAME;
                case "dropped" -> "dropped(" + gops + ")";
                default -> kind;
            };
        }
    }

    private final List<Event> events = new ArrayList<>();
    private final CountDownLatch release;
    private volatile boolean blocked;

    Recorder() {
        this(null);
    }

    /** With a latch, the first onSample call waits for it. */
    Recorder(CountDownLatch release) {
        this.release = release;
    }

    boolean isBlocked() {
        return blocked;
    }

    synchronized List<Event> events() {
        return List.copyOf(events);
    }

    synchronized List<Event> samples() {
        return events.stream().filter(Event::isSample).toList();
    }

    synchronized int sampleCount() {
        return (int) events.stream().filter(Event::isSample).count();
    }

    synchronized String kinds() {
        return String.join(" ", events.stream().map(Event::toString).toList());
    }

    private synchronized void add(Event e) {
        events.add(e);
    }

    @Override
    public void onStreamStart(StreamInfo stream) {
        add(new Event("start", stream.id(), null, stream, 0));
    }

    @Override
    public void onSample(StreamId stream, MediaSample sample) {
        add(new Event("sample", stream, sample, null, 0));
        if (release != null && release.getCount() > 0) {
            blocked = true;
            try {
                release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            blocked = false;
        }
    }

    @Override
    public void onStreamEnd(StreamId stream) {
        add(new Event("end", stream, null, null, 0));
    }

    @Override
    public void onGopsDropped(StreamId stream, int gops) {
        add(new Event("dropped", stream, null, null, gops));
    }
}
