package io.flux.media.protocol.gb28181.internal.media;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One selector thread serving many receivers: reads their sockets, feeds their pipelines, runs their watchdogs on
 * a fixed tick, and runs tasks handed in from other threads. Everything of a receiver that touches its channels
 * runs here, so receivers need no locks on the packet path; the receive buffer is shared by the loop's receivers
 * (the pipeline copies what must outlive a call).
 */
final class MediaLoop implements Runnable {

    /** Receives a ready key; implemented by the receivers. */
    interface KeyHandler {
        void ready(SelectionKey key);
    }

    /** What the loop asks of its receivers on every tick. */
    interface Ticking {
        void tick(long nowNanos);
    }

    /** A datagram or a TCP read never exceeds this (the largest UDP payload fits). */
    static final int BUFFER_SIZE = 65_536;

    private static final Logger LOG = LoggerFactory.getLogger(MediaLoop.class);

    private final Selector selector;
    private final Thread thread;
    private final long tickNanos;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    /** Receivers to tick; touched on the loop thread only. */
    private final List<Ticking> ticking = new ArrayList<>();
    /** Work to run once closed channels are flushed from the selector (their sockets really closed). */
    private final List<Runnable> afterFlush = new ArrayList<>();
    final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_SIZE);

    private boolean stopped;
    private volatile boolean running = true;

    MediaLoop(String name, long tickNanos) throws IOException {
        this.selector = Selector.open();
        this.tickNanos = tickNanos;
        this.thread = Thread.ofPlatform().name(name).daemon(true).unstarted(this);
    }

    void start() {
        thread.start();
    }

    boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    Selector selector() {
        return selector;
    }

    /**
     * Runs the task on the loop thread. Returns false when the loop has stopped: the caller then runs it itself
     * (the selector is closed by then, so nothing of the loop is in use any more).
     */
    boolean execute(Runnable task) {
        synchronized (this) {
            if (stopped) {
                return false;
            }
            tasks.add(task);
        }
        selector.wakeup();
        return true;
    }

    /** Loop thread only. */
    void addTicking(Ticking t) {
        ticking.add(t);
    }

    /** Loop thread only. */
    void removeTicking(Ticking t) {
        ticking.remove(t);
    }

    /**
     * Loop thread only: runs {@code action} after the selector has dropped the cancelled keys, which is when the
     * channels closed since really release their sockets (a registered channel's close is deferred until then).
     */
    void afterFlush(Runnable action) {
        afterFlush.add(action);
    }

    @Override
    public void run() {
        long nextTick = System.nanoTime() + tickNanos;
        try {
            while (running) {
                long wait = nextTick - System.nanoTime();
                if (wait > 0) {
                    selector.select(this::dispatch, Math.max(1, TimeUnit.NANOSECONDS.toMillis(wait)));
                } else {
                    selector.selectNow(this::dispatch);
                }
                runTasks();
                long now = System.nanoTime();
                if (now - nextTick >= 0) {
                    nextTick = now + tickNanos;
                    tick(now);
                }
                while (!afterFlush.isEmpty()) {
                    selector.selectNow(this::dispatch);
                    runAfterFlush();
                    runTasks();
                }
            }
        } catch (IOException | RuntimeException | Error e) {
            LOG.error("GB28181 media loop {} failed; its receivers stop receiving", thread.getName(), e);
        } finally {
            shutdown();
        }
    }

    /** Stops the loop and waits for its thread (receivers are closed before). */
    void stop() {
        running = false;
        selector.wakeup();
        if (!inLoop()) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void shutdown() {
        synchronized (this) {
            stopped = true;
        }
        runTasks();
        try {
            // Deregisters every key: closed channels release their sockets now.
            selector.close();
        } catch (IOException e) {
            LOG.warn("closing the selector of {}: {}", thread.getName(), e.toString());
        }
        runAfterFlush();
    }

    private void dispatch(SelectionKey key) {
        try {
            if (key.isValid()) {
                ((KeyHandler) key.attachment()).ready(key);
            }
        } catch (RuntimeException e) {
            // Receivers catch their own failures; this is the last line that keeps the other sessions alive.
            LOG.error("GB28181 media loop {}: unexpected failure of a receiver", thread.getName(), e);
        }
    }

    private void runTasks() {
        for (Runnable r = tasks.poll(); r != null; r = tasks.poll()) {
            try {
                r.run();
            } catch (RuntimeException e) {
                LOG.error("GB28181 media loop {}: task failed", thread.getName(), e);
            }
        }
    }

    private void tick(long now) {
        // Copy: a tick may end a receiver, which removes it from the list.
        for (Ticking t : ticking.toArray(new Ticking[0])) {
            try {
                t.tick(now);
            } catch (RuntimeException e) {
                LOG.error("GB28181 media loop {}: watchdog failed", thread.getName(), e);
            }
        }
    }

    private void runAfterFlush() {
        List<Runnable> due = new ArrayList<>(afterFlush);
        afterFlush.clear();
        for (Runnable r : due) {
            try {
                r.run();
            } catch (RuntimeException e) {
                LOG.error("GB28181 media loop {}: release failed", thread.getName(), e);
            }
        }
    }
}
