package io.flux.media.core.internal;

import java.util.ArrayDeque;

import io.flux.media.api.sample.MediaSample;
import io.flux.media.api.sample.VideoSample;
import io.flux.media.api.stream.StreamId;
import io.flux.media.api.stream.StreamInfo;

/**
 * The queue of one stream within one subscription: samples and stream events waiting for the subscription's
 * delivery thread, in order. It outlives a stream's generation (close and reopen) so that the end of the old
 * one is delivered before the start of the new one. Guarded by its subscription's lock.
 */
final class Lane {

    /** Stream events queued between samples. */
    sealed interface Event permits Start, End, Dropped {
    }

    record Start(StreamInfo info) implements Event {
    }

    record End() implements Event {
    }

    /** Sits right before the keyframe that follows the dropped GOPs. */
    record Dropped(int gops) implements Event {
    }

    static final End END = new End();

    final StreamId id;
    final ArrayDeque<Object> events = new ArrayDeque<>();
    /** Keyframes in {@link #events}: the GOPs waiting whose delivery has not begun. */
    int queuedGops;
    /** Payload bytes of the samples in {@link #events}. */
    long queuedBytes;
    /** Skip samples until the next keyframe: a new subscriber, a new stream generation, or after a drop. */
    boolean awaitingKeyframe = true;
    /** Dropped GOPs not reported yet; reported right before the next keyframe. */
    int pendingDropped;
    /** In the subscription's ready queue (or being drained by the delivery thread). */
    boolean scheduled;
    /** Taken out of its subscription; a new lane is made for the id if it starts again. */
    boolean retired;
    /** The last event queued was an end of stream. */
    boolean ended;

    // Drop episode, for logging once at its start and once when the subscriber has caught up.
    boolean dropping;
    long episodeStartMs;
    long lastDropMs;
    long episodeGops;
    String protocol = "";

    Lane(StreamId id) {
        this.id = id;
    }

    static boolean isKeyframe(Object event) {
        return event instanceof VideoSample v && v.keyframe();
    }

    static int size(Object event) {
        return event instanceof MediaSample s ? s.payload().remaining() : 0;
    }

    /**
     * Removes the oldest {@code gops} queued GOPs (each from its keyframe up to the next keyframe), keeping stream
     * events and the tail of a GOP whose delivery has begun. The drop is reported right before the first keyframe
     * kept, or, when none is left, before the next keyframe queued. Audio queued inside a removed GOP goes with
     * it.
     *
     * @return the GOPs removed
     */
    int removeOldestGops(int gops) {
        if (gops <= 0 || queuedGops == 0) {
            return 0;
        }
        ArrayDeque<Object> kept = new ArrayDeque<>(events.size());
        int keys = 0;
        int removed = 0;
        int carried = 0;
        boolean removing = false;
        boolean reported = false;
        for (Object e : events) {
            if (isKeyframe(e)) {
                keys++;
                removing = keys <= gops;
                if (removing) {
                    removed++;
                    queuedGops--;
                } else if (!reported) {
                    kept.add(new Dropped(removed + carried));
                    reported = true;
                }
            }
            if (e instanceof Dropped d) {
                // A report sits right before its keyframe: it goes when that keyframe goes, and is merged when
                // that keyframe is the first one kept.
                if (keys < gops || !reported) {
                    carried += d.gops();
                    continue;
                }
            }
            if (removing && e instanceof MediaSample) {
                queuedBytes -= size(e);
                continue;
            }
            kept.add(e);
        }
        if (!reported) {
            pendingDropped += removed + carried;
        }
        events.clear();
        events.addAll(kept);
        return removed;
    }

    /**
     * Removes every queued sample, also the tail of a GOP in delivery: for a GOP that alone exceeds the byte
     * limit. The lane then waits for the next keyframe.
     *
     * @return the GOPs this cut into or removed (at least 1)
     */
    int removeAllSamples() {
        int removed = Math.max(1, queuedGops);
        ArrayDeque<Object> kept = new ArrayDeque<>();
        for (Object e : events) {
            if (e instanceof Dropped d) {
                pendingDropped += d.gops();
            } else if (!(e instanceof MediaSample)) {
                kept.add(e);
            }
        }
        events.clear();
        events.addAll(kept);
        queuedGops = 0;
        queuedBytes = 0;
        pendingDropped += removed;
        awaitingKeyframe = true;
        return removed;
    }

    /**
     * For audio-only streams, which have no GOPs: removes the oldest {@code samples} samples, keeping stream
     * events, and reports them as one dropped GOP right before the first sample kept.
     *
     * @return whether anything was removed
     */
    boolean removeOldestSamples(int samples) {
        if (!hasSample()) {
            return false;
        }
        ArrayDeque<Object> kept = new ArrayDeque<>(events.size() + 1);
        int left = samples;
        int reported = 1;
        boolean marked = false;
        for (Object e : events) {
            if (left > 0 && e instanceof MediaSample) {
                left--;
                queuedBytes -= size(e);
                continue;
            }
            if (left > 0 && e instanceof Dropped d) {
                reported += d.gops();
                continue;
            }
            if (!marked && e instanceof MediaSample) {
                kept.add(new Dropped(reported));
                marked = true;
            }
            kept.add(e);
        }
        if (!marked) {
            pendingDropped += reported;
        }
        events.clear();
        events.addAll(kept);
        return true;
    }

    private boolean hasSample() {
        for (Object e : events) {
            if (e instanceof MediaSample) {
                return true;
            }
        }
        return false;
    }
}
