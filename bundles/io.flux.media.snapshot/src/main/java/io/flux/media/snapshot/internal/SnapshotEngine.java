package io.flux.media.snapshot.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.flux.media.api.sample.VideoSample;
import io.flux.media.api.snapshot.Snapshot;
import io.flux.media.api.snapshot.SnapshotMode;
import io.flux.media.api.snapshot.SnapshotProvider;
import io.flux.media.api.snapshot.SnapshotRequest;
import io.flux.media.api.stream.Gop;
import io.flux.media.api.stream.StreamId;
import io.flux.media.api.stream.StreamInfo;
import io.flux.media.api.stream.StreamRegistry;
import io.flux.media.api.stream.StreamState;
import io.flux.media.snapshot.internal.SnapshotFailure.Reason;

/**
 * Produces snapshots: from the cache, or by handing the current GOP (or just its keyframe) to a provider.
 * <p>
 * At most one provider call runs per stream ({@link #flights}): a request that wants the same picture as the
 * call in progress (same size, and the same mode unless it asked for {@code auto}) shares its result; any
 * other request for that stream waits for it to finish first. Provider calls across all streams are limited
 * by a fair semaphore of {@code decode.concurrency} permits. Each request has a hard deadline; the call it
 * started is abandoned (its permit returned, its stage cancelled) when the deadline passes.
 * <p>
 * The snapshot handed out carries the capture time of the frames it shows (the keyframe's arrival for
 * keyframe mode, the newest frame's for decode mode), whatever the provider put there.
 */
final class SnapshotEngine {

    /** The live settings. */
    record Settings(Duration maxAge, Duration timeout, Duration timeoutMax, int decodeConcurrency, Duration cacheTtl,
            int cacheMaxEntries, String overlayText, int maxDimension) {

        Settings {
            Objects.requireNonNull(maxAge, "maxAge");
            if (timeout.isNegative() || timeout.isZero() || timeoutMax.isNegative() || timeoutMax.isZero()) {
                throw new IllegalArgumentException("timeouts must be positive");
            }
            if (decodeConcurrency < 1) {
                throw new IllegalArgumentException("decode.concurrency must be at least 1");
            }
            overlayText = overlayText == null ? "" : overlayText;
        }
    }

    /** One request; null {@code maxAge}/{@code timeout} take the configured defaults. */
    record Query(StreamId stream, SnapshotMode mode, Duration maxAge, Duration timeout, int width, int height) {
        Query {
            Objects.requireNonNull(stream, "stream");
            Objects.requireNonNull(mode, "mode");
        }
    }

    /** A snapshot ({@code snapshot.mode()} is the mode that produced it) and how it was served. */
    record Result(Snapshot snapshot, boolean cacheHit, Duration age) {
    }

    private record Plan(SnapshotMode mode, SnapshotProvider provider, List<VideoSample> frames, Instant frameTime) {
    }

    private record Flight(SnapshotMode mode, int width, int height, CompletableFuture<Snapshot> result) {
        boolean serves(Query q) {
            return width == q.width() && height == q.height() && (q.mode() == SnapshotMode.AUTO || q.mode() == mode);
        }
    }

    private static final DateTimeFormatter OVERLAY_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss",
            Locale.ROOT);

    private final StreamRegistry registry;
    private final Clock clock;
    private final SnapshotMetrics metrics;
    private final Providers providers = new Providers();
    private final Map<StreamId, Flight> flights = new ConcurrentHashMap<>();
    private final DecodeSlots slots;
    /** Requests that shared another request's provider call (observability for tests and debugging). */
    private final AtomicLong sharedJoins = new AtomicLong();
    private final SnapshotCache cache;
    private volatile Settings settings;

    SnapshotEngine(StreamRegistry registry, Clock clock, Settings settings, SnapshotMetrics metrics) {
        this.registry = registry;
        this.clock = clock;
        this.metrics = metrics;
        this.settings = settings;
        this.slots = new DecodeSlots(settings.decodeConcurrency());
        this.cache = new SnapshotCache(settings.cacheTtl(), settings.cacheMaxEntries());
    }

    void update(Settings updated) {
        settings = updated;
        slots.resize(updated.decodeConcurrency());
        cache.configure(updated.cacheTtl(), updated.cacheMaxEntries());
    }

    Settings settings() {
        return settings;
    }

    Providers providers() {
        return providers;
    }

    SnapshotCache cache() {
        return cache;
    }

    long sharedJoins() {
        return sharedJoins.get();
    }

    int availableSlots() {
        return slots.availablePermits();
    }

    /** Blocks until the snapshot is there or the query's deadline passes; throws {@link SnapshotFailure}. */
    Result take(Query q) {
        long start = System.nanoTime();
        try {
            Result r = produce(q, start);
            metrics.answered(label(r.snapshot().mode()), r.cacheHit(), (System.nanoTime() - start) / 1e6);
            return r;
        } catch (SnapshotFailure f) {
            metrics.failed(f.reason().label());
            throw f;
        }
    }

    void failedRequest(String reason) {
        metrics.failed(reason);
    }

    private Result produce(Query q, long start) {
        Settings s = settings;
        Duration timeout = q.timeout() == null ? s.timeout() : q.timeout();
        if (timeout.compareTo(s.timeoutMax()) > 0) {
            timeout = s.timeoutMax();
        }
        long deadline = start + timeout.toNanos();
        Duration maxAge = q.maxAge() == null ? s.maxAge() : q.maxAge();

        Optional<StreamInfo> info = registry.stream(q.stream());
        if (info.isEmpty()) {
            throw new SnapshotFailure(Reason.UNKNOWN_STREAM, "unknown stream '" + q.stream() + "'");
        }
        SnapshotCache.Key key = new SnapshotCache.Key(q.stream(), q.width(), q.height());
        if (q.mode() == SnapshotMode.AUTO) {
            Instant now = clock.instant();
            Snapshot cached = cache.get(key, now);
            if (cached != null && age(cached, now).compareTo(maxAge) <= 0) {
                return new Result(cached, true, age(cached, now));
            }
        }
        while (true) {
            Plan plan = plan(q, info.get(), maxAge);
            Flight existing = flights.get(q.stream());
            if (existing != null && existing.result.isDone()) {
                flights.remove(q.stream(), existing);
                continue;
            }
            if (existing != null) {
                if (existing.serves(q)) {
                    sharedJoins.incrementAndGet();
                    return result(await(existing.result, deadline, q, timeout));
                }
                // One provider call per stream: queue behind the other picture, then plan afresh.
                awaitQuietly(existing.result, deadline, q, timeout);
                continue;
            }
            Flight mine = new Flight(plan.mode, q.width(), q.height(), new CompletableFuture<>());
            if (flights.putIfAbsent(q.stream(), mine) != null) {
                continue;
            }
            mine.result.whenComplete((v, e) -> flights.remove(q.stream(), mine));
            launch(q, plan, key, mine.result, deadline, timeout);
            return result(await(mine.result, deadline, q, timeout));
        }
    }

    private Plan plan(Query q, StreamInfo info, Duration maxAge) {
        Gop gop = registry.currentGop(q.stream()).orElseThrow(() -> new SnapshotFailure(Reason.NO_KEYFRAME,
                info.state() == StreamState.ENDED ? "stream '" + q.stream() + "' has ended without a keyframe"
                        : "stream '" + q.stream() + "' has no keyframe yet"));
        SnapshotProvider keyframe = providers.best(SnapshotMode.KEYFRAME);
        SnapshotProvider decode = providers.best(SnapshotMode.DECODE);
        return switch (q.mode()) {
            case KEYFRAME -> {
                // The decode provider decodes a lone keyframe just as well.
                SnapshotProvider p = keyframe != null ? keyframe : decode;
                if (p == null) {
                    throw noProvider();
                }
                yield keyframePlan(gop, p);
            }
            case DECODE -> {
                if (decode == null) {
                    throw new SnapshotFailure(Reason.PROVIDER_UNAVAILABLE,
                            "decode snapshot provider not available (bundle stopped?)");
                }
                yield decodePlan(gop, decode);
            }
            case AUTO -> {
                boolean keyframeFresh = age(gop.keyframeAt(), clock.instant()).compareTo(maxAge) <= 0;
                if (keyframe != null && (keyframeFresh || decode == null)) {
                    yield keyframePlan(gop, keyframe);
                }
                if (decode != null) {
                    yield decodePlan(gop, decode);
                }
                throw noProvider();
            }
        };
    }

    private static SnapshotFailure noProvider() {
        return new SnapshotFailure(Reason.PROVIDER_UNAVAILABLE,
                "no snapshot provider available (keyframe and decode bundles stopped?)");
    }

    private static Plan keyframePlan(Gop gop, SnapshotProvider p) {
        return new Plan(SnapshotMode.KEYFRAME, p, List.of(gop.keyframe()), gop.keyframeAt());
    }

    private static Plan decodePlan(Gop gop, SnapshotProvider p) {
        return new Plan(SnapshotMode.DECODE, p, gop.frames(), gop.newestAt() == null ? gop.keyframeAt()
                : gop.newestAt());
    }

    /** Takes a decode slot and calls the provider; everything after that completes {@code result}. */
    private void launch(Query q, Plan plan, SnapshotCache.Key key, CompletableFuture<Snapshot> result, long deadline,
            Duration timeout) {
        long remaining = deadline - System.nanoTime();
        try {
            if (remaining <= 0 || !slots.tryAcquire(remaining, TimeUnit.NANOSECONDS)) {
                result.completeExceptionally(new SnapshotFailure(Reason.TIMEOUT, "no decode slot free within "
                        + timeout.toMillis() + " ms (decode.concurrency=" + slots.size() + ")"));
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            result.completeExceptionally(new SnapshotFailure(Reason.INTERNAL, "interrupted"));
            return;
        }
        AtomicBoolean released = new AtomicBoolean();
        Runnable release = () -> {
            if (released.compareAndSet(false, true)) {
                slots.release();
            }
        };
        long left = Math.max(1, deadline - System.nanoTime());
        CompletionStage<Snapshot> stage;
        try {
            SnapshotRequest request = new SnapshotRequest(q.stream(), plan.frames, q.width(), q.height(),
                    overlay(q.stream(), plan.frameTime), Duration.ofNanos(left));
            stage = Objects.requireNonNull(plan.provider.snapshot(request), "the provider returned no result");
        } catch (RuntimeException e) {
            release.run();
            result.completeExceptionally(providerFailed(plan.mode, e));
            return;
        }
        // The hard timeout: abandon the call, give its slot back, ask the provider to stop.
        result.orTimeout(left, TimeUnit.NANOSECONDS).whenComplete((v, e) -> {
            release.run();
            if (unwrap(e) instanceof TimeoutException) {
                cancel(stage);
            }
        });
        stage.whenComplete((snapshot, error) -> {
            release.run();
            if (error != null) {
                result.completeExceptionally(providerFailed(plan.mode, unwrap(error)));
            } else if (snapshot == null || snapshot.jpeg() == null || snapshot.jpeg().length == 0) {
                result.completeExceptionally(new SnapshotFailure(Reason.PROVIDER_FAILED,
                        label(plan.mode) + " snapshot provider returned an empty picture"));
            } else {
                Snapshot taken = new Snapshot(snapshot.jpeg(), snapshot.width(), snapshot.height(), plan.mode,
                        plan.frameTime);
                cache.put(key, taken, clock.instant());
                result.complete(taken);
            }
        });
    }

    private Result result(Snapshot s) {
        return new Result(s, false, age(s, clock.instant()));
    }

    private static Snapshot await(CompletableFuture<Snapshot> f, long deadline, Query q, Duration timeout) {
        try {
            return f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw timedOut(q, timeout);
        } catch (ExecutionException e) {
            throw translate(e.getCause(), q, timeout);
        } catch (CancellationException e) {
            throw timedOut(q, timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SnapshotFailure(Reason.INTERNAL, "interrupted while waiting for the snapshot");
        }
    }

    /** Waits for another request's call to end, however it ends; only our own deadline matters. */
    private static void awaitQuietly(CompletableFuture<Snapshot> f, long deadline, Query q, Duration timeout) {
        try {
            f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new SnapshotFailure(Reason.TIMEOUT, "snapshot of '" + q.stream() + "' not ready within "
                    + timeout.toMillis() + " ms (another snapshot of the stream was in progress)");
        } catch (ExecutionException | CancellationException e) {
            // Its failure is its requester's business.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SnapshotFailure(Reason.INTERNAL, "interrupted while waiting for the snapshot");
        }
    }

    private static SnapshotFailure translate(Throwable cause, Query q, Duration timeout) {
        Throwable c = unwrap(cause);
        if (c instanceof SnapshotFailure f) {
            // A shared failure: a fresh exception per waiter, with the original as cause.
            return new SnapshotFailure(f.reason(), f.getMessage(), f);
        }
        if (c instanceof TimeoutException || c instanceof CancellationException) {
            return timedOut(q, timeout);
        }
        return new SnapshotFailure(Reason.INTERNAL, "snapshot failed: " + c, c);
    }

    private static SnapshotFailure timedOut(Query q, Duration timeout) {
        return new SnapshotFailure(Reason.TIMEOUT, "snapshot of '" + q.stream() + "' not ready within "
                + timeout.toMillis() + " ms");
    }

    private static SnapshotFailure providerFailed(SnapshotMode mode, Throwable cause) {
        String why = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        if (cause instanceof RejectedExecutionException) {
            // A provider that is being stopped (bundle stop/update) or is at capacity: unavailable, not broken.
            return new SnapshotFailure(Reason.PROVIDER_UNAVAILABLE,
                    label(mode) + " snapshot provider not available (stopping or at capacity): " + why, cause);
        }
        return new SnapshotFailure(Reason.PROVIDER_FAILED, label(mode) + " snapshot provider failed: " + why, cause);
    }

    private static Throwable unwrap(Throwable t) {
        Throwable c = t;
        while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }

    private static void cancel(CompletionStage<Snapshot> stage) {
        try {
            stage.toCompletableFuture().cancel(true);
        } catch (UnsupportedOperationException notACompletableFuture) {
            // Nothing to cancel through: the provider's own timeout has to end it.
        }
    }

    String overlay(StreamId stream, Instant frameTime) {
        String template = settings.overlayText();
        if (template.isEmpty()) {
            return "";
        }
        return template.replace("{stream_id}", stream.value())
                .replace("{time}", OVERLAY_TIME.format(frameTime.atZone(clock.getZone())));
    }

    private static Duration age(Snapshot s, Instant now) {
        return age(s.capturedAt(), now);
    }

    private static Duration age(Instant capturedAt, Instant now) {
        if (capturedAt == null) {
            return Duration.ZERO;
        }
        Duration d = Duration.between(capturedAt, now);
        return d.isNegative() ? Duration.ZERO : d;
    }

    static String label(SnapshotMode mode) {
        return mode.name().toLowerCase(Locale.ROOT);
    }
}
