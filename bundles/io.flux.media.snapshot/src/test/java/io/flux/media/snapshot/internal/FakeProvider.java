package io.flux.media.snapshot.internal;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.flux.media.api.snapshot.Snapshot;
import io.flux.media.api.snapshot.SnapshotMode;
import io.flux.media.api.snapshot.SnapshotProvider;
import io.flux.media.api.snapshot.SnapshotRequest;

/**
 * A provider that answers a JPEG-looking byte array naming the call, either at once, after a latch opens
 * (to hold calls in flight), never, or with a failure.
 */
final class FakeProvider implements SnapshotProvider {

    enum Behaviour { IMMEDIATE, BLOCK, NEVER, FAIL, THROW, STOPPING }

    final SnapshotMode mode;
    final List<SnapshotRequest> requests = new CopyOnWriteArrayList<>();
    final List<CompletableFuture<Snapshot>> pending = new CopyOnWriteArrayList<>();
    final AtomicInteger calls = new AtomicInteger();
    volatile Behaviour behaviour = Behaviour.IMMEDIATE;
    volatile CountDownLatch gate = new CountDownLatch(1);

    FakeProvider(SnapshotMode mode) {
        this.mode = mode;
    }

    Map<String, Object> properties(long serviceId) {
        return Map.of(SnapshotProvider.MODE, mode.name().toLowerCase(), "service.id", serviceId);
    }

    @Override
    public SnapshotMode mode() {
        return mode;
    }

    @Override
    public CompletionStage<Snapshot> snapshot(SnapshotRequest request) {
        int n = calls.incrementAndGet();
        requests.add(request);
        byte[] jpeg = (mode + "#" + n).getBytes();
        int w = request.width() == 0 ? 320 : request.width();
        int h = request.height() == 0 ? 240 : request.height();
        // The engine replaces capturedAt with the frames' time; EPOCH proves it does.
        Snapshot s = new Snapshot(jpeg, w, h, mode, Instant.EPOCH);
        return switch (behaviour) {
            case IMMEDIATE -> CompletableFuture.completedFuture(s);
            case FAIL -> CompletableFuture.failedFuture(new IllegalStateException("corrupt slice data"));
            case THROW -> throw new IllegalStateException("decoder not loaded");
            case STOPPING -> CompletableFuture.failedFuture(
                    new java.util.concurrent.RejectedExecutionException("provider is stopping"));
            case NEVER -> {
                CompletableFuture<Snapshot> f = new CompletableFuture<>();
                pending.add(f);
                yield f;
            }
            case BLOCK -> {
                CountDownLatch g = gate;
                yield CompletableFuture.supplyAsync(() -> {
                    try {
                        if (!g.await(20, TimeUnit.SECONDS)) {
                            throw new IllegalStateException("test never opened the gate");
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException(e);
                    }
                    return s;
                }, r -> Thread.ofPlatform().daemon().name("fake-provider").start(r));
            }
        };
    }
}
