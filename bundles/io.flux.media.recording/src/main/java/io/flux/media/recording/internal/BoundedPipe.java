package io.flux.media.recording.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Hands a segment's chunks from the recorder to the storage backend's {@code write(key, InputStream)} running on
 * another thread, holding at most {@code capacity} bytes (one chunk larger than that is let through alone, so the
 * recorder always progresses). Chunks are taken over, not copied. A writer that finds the pipe full waits at most the
 * stall timeout and then fails the pipe, so a hung backend costs one segment and never blocks recording for long.
 * {@link #fail} makes the reader's next call throw, which tells the backend to discard its temporary file.
 */
final class BoundedPipe extends InputStream implements SegmentWriter.Output {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition readable = lock.newCondition();
    private final Condition writable = lock.newCondition();
    private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
    private final ArrayDeque<Integer> lengths = new ArrayDeque<>();
    private final long capacity;
    private final long stallNanos;

    private byte[] current;
    private int currentLength;
    private int currentPos;
    private long buffered;
    private boolean finished;
    private boolean readerClosed;
    private IOException failure;

    BoundedPipe(long capacity, long stallTimeoutMillis) {
        this.capacity = Math.max(1, capacity);
        this.stallNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(1, stallTimeoutMillis));
    }

    // ---- writer side ----

    @Override
    public void write(byte[] data, int length) throws IOException {
        if (length <= 0) {
            return;
        }
        lock.lock();
        try {
            long waitNanos = stallNanos;
            while (failure == null && !readerClosed && buffered > 0 && buffered + length > capacity) {
                if (waitNanos <= 0) {
                    failure = new IOException("storage stalled: no progress for "
                            + TimeUnit.NANOSECONDS.toMillis(stallNanos) + " ms");
                    readable.signalAll();
                    break;
                }
                try {
                    waitNanos = writable.awaitNanos(waitNanos);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while the storage backend was busy");
                }
            }
            if (failure != null) {
                throw failure;
            }
            if (readerClosed) {
                throw new IOException("the storage backend stopped reading");
            }
            if (finished) {
                throw new IOException("pipe already finished");
            }
            chunks.addLast(data);
            lengths.addLast(length);
            buffered += length;
            readable.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** End of data: the reader sees end-of-stream after the last chunk. */
    void finish() {
        lock.lock();
        try {
            finished = true;
            readable.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Fails the pipe: both sides see {@code cause} on their next call. */
    void fail(IOException cause) {
        lock.lock();
        try {
            if (failure == null) {
                failure = cause;
            }
            chunks.clear();
            lengths.clear();
            current = null;
            buffered = 0;
            readable.signalAll();
            writable.signalAll();
        } finally {
            lock.unlock();
        }
    }

    long buffered() {
        lock.lock();
        try {
            return buffered;
        } finally {
            lock.unlock();
        }
    }

    // ---- reader side ----

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        lock.lock();
        try {
            while (true) {
                if (failure != null) {
                    throw failure;
                }
                if (readerClosed) {
                    throw new IOException("pipe closed");
                }
                if (current == null && !chunks.isEmpty()) {
                    current = chunks.pollFirst();
                    currentLength = lengths.pollFirst();
                    currentPos = 0;
                }
                if (current != null) {
                    int n = Math.min(len, currentLength - currentPos);
                    System.arraycopy(current, currentPos, b, off, n);
                    currentPos += n;
                    buffered -= n;
                    if (currentPos == currentLength) {
                        current = null;
                    }
                    writable.signalAll();
                    return n;
                }
                if (finished) {
                    return -1;
                }
                try {
                    readable.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while waiting for segment data");
                }
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int available() {
        lock.lock();
        try {
            return (int) Math.min(Integer.MAX_VALUE, buffered);
        } finally {
            lock.unlock();
        }
    }

    /** The reader is done (normally after end-of-stream); later writes fail at once instead of waiting. */
    @Override
    public void close() {
        lock.lock();
        try {
            readerClosed = true;
            chunks.clear();
            lengths.clear();
            current = null;
            buffered = 0;
            writable.signalAll();
            readable.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
