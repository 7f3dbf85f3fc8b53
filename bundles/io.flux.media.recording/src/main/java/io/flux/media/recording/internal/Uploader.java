package io.flux.media.recording.internal;

import java.io.IOException;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import io.flux.media.api.storage.StorageBackend;

/**
 * Moves finished segments from the spool to their storage backend. A few worker threads take the oldest waiting
 * segment whose stream has no upload running (each stream's segments arrive in order) and whose backend is not
 * backing off. A failed upload puts the segment back in its place and makes that backend wait, 1 s doubling up to
 * 30 s, so a backend that is down or refuses the credentials sees a handful of attempts a minute, not a storm.
 */
final class Uploader {

    private static final Logger LOG = LoggerFactory.getLogger(Uploader.class);
    static final long FIRST_BACKOFF_MILLIS = 1_000;
    static final long MAX_BACKOFF_MILLIS = 30_000;
    private static final long IDLE_WAIT_MILLIS = 1_000;

    /** Records that a backend holds a segment now (the index follows it). */
    interface Stored {
        void stored(Spool.Entry e, StorageBackend backend) throws SQLException;
    }

    /** A backend's upload health for the storage status endpoint. */
    record BackendState(String backend, boolean healthy, int failures, String last_error, Instant retry_at) {
    }

    private static final class Health {
        volatile int failures;
        volatile long retryAtMillis;
        volatile String lastError;
    }

    private final Spool spool;
    private final Function<Spool.Entry, StorageBackend> route;
    private final Stored stored;
    private final int workers;
    private final Map<String, Health> health = new ConcurrentHashMap<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running;

    Uploader(Spool spool, Function<Spool.Entry, StorageBackend> route, Stored stored, int workers) {
        this.spool = spool;
        this.route = route;
        this.stored = stored;
        this.workers = workers;
    }

    synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        for (int i = 0; i < workers; i++) {
            Thread t = new Thread(this::work, "flux-recording-upload-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    /** Lets running uploads finish until {@code deadlineNanos}, then interrupts them; waiting segments stay. */
    synchronized void stop(long deadlineNanos) {
        running = false;
        spool.wake();
        for (Thread t : threads) {
            try {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            if (t.isAlive()) {
                LOG.warn("An upload is still running at shutdown; its segment stays in the spool");
                t.interrupt();
            }
        }
        threads.clear();
    }

    private void work() {
        while (running) {
            try {
                Spool.Entry e = spool.next(this::ready);
                if (e == null) {
                    spool.awaitChange(waitMillis());
                    continue;
                }
                upload(e);
            } catch (InterruptedException e) {
                if (!running) {
                    return;
                }
                Thread.interrupted();
            } catch (RuntimeException | Error e) {
                // A worker must survive anything one segment does to it, or uploads stop for good.
                LOG.error("Upload worker failed; continuing", e);
            }
        }
    }

    private boolean ready(Spool.Entry e) {
        StorageBackend b = route.apply(e);
        if (b == null) {
            return false;
        }
        Health h = health.get(b.type());
        return h == null || h.retryAtMillis <= System.currentTimeMillis();
    }

    /** Until the earliest backoff ends, within bounds; new segments and backend changes wake the workers anyway. */
    private long waitMillis() {
        long now = System.currentTimeMillis();
        long wait = IDLE_WAIT_MILLIS;
        for (Health h : health.values()) {
            if (h.retryAtMillis > now) {
                wait = Math.min(wait, h.retryAtMillis - now);
            }
        }
        return Math.max(10, wait);
    }

    private void upload(Spool.Entry e) {
        StorageBackend b = route.apply(e);
        if (b == null) {
            spool.requeue(e);
            return;
        }
        String type = b.type();
        try (MDC.MDCCloseable c = MDC.putCloseable("stream_id", e.stream)) {
            try {
                b.writeFile(e.key, spool.path(e.key));
            } catch (IOException | RuntimeException ex) {
                spool.requeue(e);
                failed(type, ex, e);
                return;
            }
            try {
                stored.stored(e, b);
            } catch (SQLException | RuntimeException ex) {
                // The backend has it; the row still says spool until a reindex of that backend finds it.
                LOG.warn("Segment {} is stored on {} but the index could not follow it: {}", e.key, type,
                        ex.getMessage());
            }
            spool.uploaded(e);
            succeeded(type);
        }
    }

    private void failed(String type, Exception ex, Spool.Entry e) {
        Health h = health.computeIfAbsent(type, k -> new Health());
        int failures;
        long delay;
        synchronized (h) {
            failures = ++h.failures;
            delay = Math.min(MAX_BACKOFF_MILLIS, FIRST_BACKOFF_MILLIS << Math.min(failures - 1, 10));
            h.retryAtMillis = System.currentTimeMillis() + delay;
            h.lastError = ex.getMessage();
        }
        if (failures == 1) {
            LOG.warn("Storage backend {} failed to take segment {} ({}); segments wait in the spool and are retried "
                    + "in order, backing off up to {} s", type, e.key, ex.getMessage(), MAX_BACKOFF_MILLIS / 1000);
        } else {
            LOG.debug("Storage backend {} still failing (attempt {}, next in {} ms): {}", type, failures, delay,
                    ex.getMessage());
        }
    }

    private void succeeded(String type) {
        Health h = health.get(type);
        if (h == null) {
            return;
        }
        int failures;
        synchronized (h) {
            failures = h.failures;
            h.failures = 0;
            h.retryAtMillis = 0;
            h.lastError = null;
        }
        if (failures > 0) {
            LOG.info("Storage backend {} takes segments again after {} failed attempts; {} segments wait in the spool",
                    type, failures, spool.waiting());
        }
    }

    /** True when {@code backend} is there and not backing off after a failure. */
    boolean canTake(StorageBackend backend) {
        if (backend == null) {
            return false;
        }
        Health h = health.get(backend.type());
        return h == null || h.failures == 0;
    }

    /** Upload health of the given backends (and of any other that failed recently). */
    List<BackendState> states(List<String> bound) {
        List<BackendState> out = new ArrayList<>();
        for (String type : bound) {
            Health h = health.get(type);
            if (h == null) {
                out.add(new BackendState(type, true, 0, null, null));
            } else {
                synchronized (h) {
                    out.add(new BackendState(type, h.failures == 0, h.failures, h.lastError,
                            h.retryAtMillis > 0 ? Instant.ofEpochMilli(h.retryAtMillis) : null));
                }
            }
        }
        return out;
    }
}
