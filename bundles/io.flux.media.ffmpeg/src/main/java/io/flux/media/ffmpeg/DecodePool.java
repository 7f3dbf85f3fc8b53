package io.flux.media.ffmpeg;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import io.flux.media.api.sample.Codec;

/**
 * Runs {@link JpegSnapshotter} on a bounded pool: a fixed number of decode threads (resizable live),
 * a bounded queue, and a deadline per request that covers both the wait in the queue and the decode.
 * <p>
 * A returned stage fails with {@link TimeoutException} when the deadline passes (at that moment, even
 * while the request still waits in the queue; a running decode stops at its next check), with
 * {@link RejectedExecutionException} when the queue is full or the pool is closed, and with
 * {@link DecodeException} when the input gives no picture.
 */
public final class DecodePool implements AutoCloseable {

    private final String name;
    private final ThreadPoolExecutor workers;
    private final ScheduledThreadPoolExecutor timers;
    private final int queueCapacity;

    /**
     * @param name          names the threads ({@code name-1}, ...) and appears in error messages
     * @param threads       decodes running at once, at least 1
     * @param queueCapacity requests waiting for a thread, at least 1
     */
    public DecodePool(String name, int threads, int queueCapacity) {
        this.name = Objects.requireNonNull(name, "name");
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("queue capacity must be at least 1, got " + queueCapacity);
        }
        this.queueCapacity = queueCapacity;
        this.workers = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(queueCapacity), daemonThreads(name));
        this.workers.allowCoreThreadTimeOut(true);
        this.timers = new ScheduledThreadPoolExecutor(1, daemonThreads(name + "-deadline"));
        this.timers.setRemoveOnCancelPolicy(true);
        this.timers.setKeepAliveTime(30, TimeUnit.SECONDS);
        this.timers.allowCoreThreadTimeOut(true);
    }

    /** Changes the number of decode threads; running decodes finish undisturbed. */
    public synchronized void threads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        if (threads > workers.getMaximumPoolSize()) {
            workers.setMaximumPoolSize(threads);
            workers.setCorePoolSize(threads);
        } else {
            workers.setCorePoolSize(threads);
            workers.setMaximumPoolSize(threads);
        }
    }

    public int threads() {
        return workers.getMaximumPoolSize();
    }

    /** Requests waiting for a decode thread. */
    public int queued() {
        return workers.getQueue().size();
    }

    /**
     * Queues a decode of {@code accessUnits}; the caller must not change their content until the stage completes.
     *
     * @param timeout from now until the stage fails with {@link TimeoutException}
     */
    public CompletionStage<JpegPicture> submit(Codec codec, List<ByteBuffer> accessUnits, JpegOptions options,
            Duration timeout) {
        Objects.requireNonNull(codec, "codec");
        Objects.requireNonNull(accessUnits, "accessUnits");
        Objects.requireNonNull(options, "options");
        long timeoutNanos = Math.max(0, Math.min(timeout.toNanos(), TimeUnit.DAYS.toNanos(1)));
        Job job = new Job(codec, accessUnits, options, timeout, System.nanoTime() + timeoutNanos);
        if (timeoutNanos == 0) {
            job.result.completeExceptionally(timedOut(timeout));
            return job.result;
        }
        try {
            workers.execute(job);
        } catch (RejectedExecutionException e) {
            job.result.completeExceptionally(new RejectedExecutionException(workers.isShutdown()
                    ? name + " is closed"
                    : name + " is busy: " + queueCapacity + " snapshot requests already wait for a decoder", e));
            return job.result;
        }
        try {
            ScheduledFuture<?> timer = timers.schedule(job::expire, timeoutNanos, TimeUnit.NANOSECONDS);
            job.result.whenComplete((picture, failure) -> timer.cancel(false));
        } catch (RejectedExecutionException e) {
            job.fail(new RejectedExecutionException(name + " is closed", e));
        }
        return job.result;
    }

    /** Stops the threads; queued and running requests fail with {@link RejectedExecutionException}. */
    @Override
    public void close() {
        timers.shutdownNow();
        for (Runnable queued : workers.shutdownNow()) {
            ((Job) queued).fail(new RejectedExecutionException(name + " is closed"));
        }
    }

    /** One request: the stage it completes and the thread decoding it, which the deadline may interrupt. */
    private final class Job implements Runnable {

        final CompletableFuture<JpegPicture> result = new CompletableFuture<>();
        private final Codec codec;
        private final List<ByteBuffer> accessUnits;
        private final JpegOptions options;
        private final Duration timeout;
        private final long deadline;
        private Thread runner; // guarded by this

        Job(Codec codec, List<ByteBuffer> accessUnits, JpegOptions options, Duration timeout, long deadline) {
            this.codec = codec;
            this.accessUnits = accessUnits;
            this.options = options;
            this.timeout = timeout;
            this.deadline = deadline;
        }

        @Override
        public void run() {
            synchronized (this) {
                if (result.isDone()) {
                    return; // expired or failed while queued
                }
                runner = Thread.currentThread();
            }
            try {
                result.complete(JpegSnapshotter.snapshot(codec, accessUnits, options, deadline));
            } catch (TimeoutException e) {
                result.completeExceptionally(timedOut(timeout));
            } catch (InterruptedException e) {
                result.completeExceptionally(workers.isShutdown()
                        ? new RejectedExecutionException(name + " is closed") : timedOut(timeout));
            } catch (Exception | LinkageError e) {
                result.completeExceptionally(e);
            } finally {
                synchronized (this) {
                    runner = null;
                }
                Thread.interrupted(); // an interrupt aimed at this job must not reach the next one
            }
        }

        void expire() {
            fail(timedOut(timeout));
        }

        synchronized void fail(Exception failure) {
            if (result.completeExceptionally(failure) && runner != null) {
                runner.interrupt();
            }
        }
    }

    private TimeoutException timedOut(Duration timeout) {
        return new TimeoutException("snapshot decode did not finish within " + timeout.toMillis() + " ms");
    }

    private static ThreadFactory daemonThreads(String name) {
        AtomicInteger count = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
