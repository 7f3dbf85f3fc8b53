package io.flux.media.core.internal;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import io.flux.media.api.sample.MediaSample;
import io.flux.media.api.sample.VideoSample;
import io.flux.media.api.stream.MediaListener;
import io.flux.media.api.stream.StreamId;
import io.flux.media.api.stream.StreamInfo;
import io.flux.media.api.stream.StreamRegistry;

/**
 * One subscriber: a lane (bounded queue) per stream and one virtual thread that delivers them, so a slow or
 * failing listener only ever hurts itself. Producers (ingest threads) and the delivery thread share one lock,
 * held for queue operations only, never while a listener runs or while logging.
 */
final class CoreSubscription implements StreamRegistry.Subscription {

    private static final Logger LOG = LoggerFactory.getLogger(CoreSubscription.class);

    /** Events taken from a lane at once, so that one busy stream cannot starve the others. */
    private static final int BATCH = 32;
    /** For audio-only streams, which have no GOPs: this many frames count as one GOP. */
    static final int AUDIO_FRAMES_PER_GOP = 64;
    /** A drop episode ends once nothing was dropped for this long and at most the current GOP is queued. */
    static final long RECOVERY_QUIET_MS = 1000;
    /** A listener failure episode ends with the first success after this long without failures. */
    static final long ERROR_QUIET_MS = 5000;
    /** How long close() waits for a callback in progress to return. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

    final String name;
    final Predicate<StreamId> filter;
    private final int maxQueuedGops;
    private final MediaListener listener;
    private final MediaCore core;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition readyCondition = lock.newCondition();
    // Guarded by lock.
    private final Map<StreamId, Lane> lanes = new HashMap<>();
    private final ArrayDeque<Lane> ready = new ArrayDeque<>();
    private volatile boolean closed;
    private Thread thread;

    // Listener failures; only the delivery thread touches these.
    private boolean failing;
    private long failures;
    private long lastFailureMs;
    private long failingSinceMs;

    CoreSubscription(String name, Predicate<StreamId> filter, int maxQueuedGops, MediaListener listener,
            MediaCore core) {
        this.name = name;
        this.filter = filter;
        this.maxQueuedGops = maxQueuedGops;
        this.listener = listener;
        this.core = core;
    }

    void start() {
        thread = Thread.ofVirtual().name("media-subscription-" + name).start(this::run);
    }

    boolean isClosed() {
        return closed;
    }

    /** The GOP limit in force: the subscriber's own, or the configured default when it asked for none. */
    int gopLimit() {
        return maxQueuedGops > 0 ? maxQueuedGops : core.settings().queueMaxGops();
    }

    /** Filters can be any code: one that throws matches nothing. */
    boolean accepts(StreamId id) {
        try {
            return filter.test(id);
        } catch (RuntimeException e) {
            LOG.warn("Filter of subscription '{}' failed for stream {}; not delivering it", name, id, e);
            return false;
        }
    }

    /** Attaches a stream (generation) to this subscription: the lane for its id, with its start queued. */
    Lane attach(StreamInfo info, String protocol) {
        lock.lock();
        try {
            if (closed) {
                return null;
            }
            Lane lane = lanes.get(info.id());
            if (lane == null || lane.retired) {
                lane = new Lane(info.id());
                lanes.put(info.id(), lane);
            }
            lane.protocol = protocol;
            lane.awaitingKeyframe = true;
            lane.ended = false;
            lane.events.add(new Lane.Start(info));
            schedule(lane);
            return lane;
        } finally {
            lock.unlock();
        }
    }

    /** Queues the end of the stream's generation. */
    void end(Lane lane) {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            if (lane.pendingDropped > 0) {
                lane.events.add(new Lane.Dropped(lane.pendingDropped));
                lane.pendingDropped = 0;
            }
            lane.events.add(Lane.END);
            lane.ended = true;
            schedule(lane);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Queues one sample, dropping whole GOPs when the subscriber is too far behind. Called under the stream's
     * lock; never blocks beyond the short queue lock.
     *
     * @param streamHasVideo whether the stream carries video: then audio also waits for a keyframe
     * @return true when this offer started a drop episode (the caller logs it once it holds no lock)
     */
    boolean offer(Lane lane, LiveStream stream, MediaSample sample, boolean streamHasVideo, long nowMs) {
        boolean video = sample instanceof VideoSample;
        boolean key = video && ((VideoSample) sample).keyframe();
        int size = sample.payload().remaining();
        Settings settings = core.settings();
        lock.lock();
        try {
            if (closed || lane.retired) {
                return false;
            }
            if (lane.awaitingKeyframe) {
                if (key) {
                    lane.awaitingKeyframe = false;
                } else if (video || streamHasVideo) {
                    return false;
                }
            }
            int dropped = 0;
            if (key) {
                int limit = gopLimit();
                if (lane.queuedGops >= limit) {
                    dropped += lane.removeOldestGops(lane.queuedGops - limit + 1);
                }
                if (lane.pendingDropped > 0) {
                    lane.events.add(new Lane.Dropped(lane.pendingDropped));
                    lane.pendingDropped = 0;
                }
                lane.queuedGops++;
            } else if (!streamHasVideo && lane.events.size() >= gopLimit() * AUDIO_FRAMES_PER_GOP
                    && lane.removeOldestSamples(AUDIO_FRAMES_PER_GOP)) {
                dropped++;
            }
            if (!video && lane.pendingDropped > 0 && !streamHasVideo) {
                lane.events.add(new Lane.Dropped(lane.pendingDropped));
                lane.pendingDropped = 0;
            }
            lane.events.add(sample);
            lane.queuedBytes += size;
            if (lane.queuedBytes > settings.queueMaxBytes()) {
                dropped += dropForBytes(lane, streamHasVideo, settings.queueMaxBytes());
            }
            schedule(lane);
            if (dropped == 0) {
                return false;
            }
            stream.countDropped(dropped);
            lane.lastDropMs = nowMs;
            lane.episodeGops += dropped;
            if (!lane.dropping) {
                lane.dropping = true;
                lane.episodeStartMs = nowMs;
                return true;
            }
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** Over the byte limit: older GOPs first, then the GOP being filled, then whatever is left. */
    private static int dropForBytes(Lane lane, boolean streamHasVideo, long maxBytes) {
        if (!streamHasVideo) {
            int dropped = 0;
            while (lane.queuedBytes > maxBytes / 2 && lane.removeOldestSamples(AUDIO_FRAMES_PER_GOP)) {
                dropped++;
            }
            return dropped;
        }
        int dropped = 0;
        if (lane.queuedGops > 1) {
            dropped += lane.removeOldestGops(lane.queuedGops - 1);
        }
        if (lane.queuedBytes > maxBytes && lane.queuedGops > 0) {
            dropped += lane.removeOldestGops(lane.queuedGops);
            lane.awaitingKeyframe = true;
        }
        if (lane.queuedBytes > maxBytes) {
            dropped += lane.removeAllSamples();
        }
        return dropped;
    }

    /** Guarded by lock. */
    private void schedule(Lane lane) {
        if (!lane.scheduled && !lane.events.isEmpty()) {
            lane.scheduled = true;
            ready.add(lane);
            readyCondition.signal();
        }
    }

    private void run() {
        List<Object> batch = new ArrayList<>(BATCH);
        while (true) {
            Lane lane;
            lock.lock();
            try {
                while (!closed && ready.isEmpty()) {
                    readyCondition.awaitUninterruptibly();
                }
                if (closed) {
                    return;
                }
                lane = ready.poll();
                for (int i = 0; i < BATCH && !lane.events.isEmpty(); i++) {
                    Object e = lane.events.poll();
                    if (e instanceof MediaSample s) {
                        lane.queuedBytes -= s.payload().remaining();
                        if (Lane.isKeyframe(e)) {
                            lane.queuedGops--;
                        }
                    }
                    batch.add(e);
                }
                if (lane.events.isEmpty()) {
                    lane.scheduled = false;
                    if (lane.ended && !lane.dropping) {
                        lane.retired = true;
                        lanes.remove(lane.id, lane);
                    }
                } else {
                    ready.add(lane);
                }
            } finally {
                lock.unlock();
            }
            for (int i = 0, n = batch.size(); i < n && !closed; i++) {
                deliver(lane.id, batch.get(i));
            }
            batch.clear();
        }
    }

    private void deliver(StreamId id, Object event) {
        try {
            switch (event) {
                case MediaSample s -> listener.onSample(id, s);
                case Lane.Start s -> listener.onStreamStart(s.info());
                case Lane.End e -> listener.onStreamEnd(id);
                case Lane.Dropped d -> listener.onGopsDropped(id, d.gops());
                default -> throw new IllegalStateException("unknown event " + event);
            }
            if (failing && core.clock().millis() - lastFailureMs >= ERROR_QUIET_MS) {
                failing = false;
                LOG.info("Listener of subscription '{}' works again after {} failed calls in {} ms", name, failures,
                        lastFailureMs - failingSinceMs);
            }
        } catch (RuntimeException | LinkageError | AssertionError e) {
            // Errors other than these (out of memory and the like) are not the listener's alone: let them go.
            long now = core.clock().millis();
            core.metrics().listenerError(name);
            lastFailureMs = now;
            if (!failing) {
                failing = true;
                failures = 1;
                failingSinceMs = now;
                withStreamId(id, () -> LOG.warn("Listener of subscription '{}' failed on stream {}; further "
                        + "failures are counted, not logged, until it recovers", name, id, e));
            } else {
                failures++;
            }
        }
    }

    /**
     * Ends drop episodes whose subscriber has caught up and logs them; also retires idle lanes of ended streams
     * that were kept only for their episode. Called by the core's periodic check.
     */
    void tick(long nowMs) {
        List<Object[]> recovered = null;
        lock.lock();
        try {
            for (var it = lanes.values().iterator(); it.hasNext();) {
                Lane lane = it.next();
                if (lane.dropping && lane.queuedGops <= 1 && nowMs - lane.lastDropMs >= RECOVERY_QUIET_MS) {
                    lane.dropping = false;
                    if (recovered == null) {
                        recovered = new ArrayList<>();
                    }
                    recovered.add(new Object[] {lane.id, lane.episodeGops, lane.lastDropMs - lane.episodeStartMs});
                    lane.episodeGops = 0;
                }
                if (lane.ended && !lane.dropping && !lane.scheduled && lane.events.isEmpty()) {
                    lane.retired = true;
                    it.remove();
                }
            }
        } finally {
            lock.unlock();
        }
        if (recovered != null) {
            for (Object[] r : recovered) {
                withStreamId((StreamId) r[0], () -> LOG.info("Subscription '{}' caught up on stream {}: {} GOPs "
                        + "dropped over {} ms", name, r[0], r[1], r[2]));
            }
        }
    }

    /** Logs the start of a drop episode; called with no lock held. */
    void logDropStart(StreamId id) {
        withStreamId(id, () -> LOG.warn("Subscription '{}' fell behind on stream {}: dropping whole GOPs (more "
                + "than {} queued); logged once until it catches up", name, id, gopLimit()));
    }

    /**
     * Stops delivery: queued events are discarded, the lanes are detached from their streams, and a callback in
     * progress is waited for (up to {@link #CLOSE_WAIT}, unless the listener itself is closing), so that no
     * callback runs after this returns.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            readyCondition.signalAll();
        } finally {
            lock.unlock();
        }
        core.unsubscribe(this);
        Thread t = thread;
        if (t != null && t != Thread.currentThread()) {
            try {
                if (!t.join(CLOSE_WAIT)) {
                    LOG.warn("Listener of subscription '{}' still busy {} after close; it gets no further calls",
                            name, CLOSE_WAIT);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Queued events across lanes, for tests and diagnostics. */
    int queuedEvents() {
        lock.lock();
        try {
            int n = 0;
            for (Lane lane : lanes.values()) {
                n += lane.events.size();
            }
            return n;
        } finally {
            lock.unlock();
        }
    }

    static void withStreamId(StreamId id, Runnable log) {
        String previous = MDC.get("stream_id");
        MDC.put("stream_id", id.value());
        try {
            log.run();
        } finally {
            if (previous == null) {
                MDC.remove("stream_id");
            } else {
                MDC.put("stream_id", previous);
            }
        }
    }
}
