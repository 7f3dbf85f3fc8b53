package io.flux.media.snapshot.internal;

import java.util.concurrent.Semaphore;

/**
 * The global decode limit: a fair semaphore whose size can change while permits are out. Shrinking takes
 * permits away as they come back; growing hands new ones out at once.
 */
final class DecodeSlots extends Semaphore {

    private static final long serialVersionUID = 1L;

    private int size;

    DecodeSlots(int size) {
        super(size, true);
        this.size = size;
    }

    synchronized void resize(int newSize) {
        if (newSize < 1) {
            throw new IllegalArgumentException("decode.concurrency must be at least 1");
        }
        int delta = newSize - size;
        size = newSize;
        if (delta > 0) {
            release(delta);
        } else if (delta < 0) {
            reducePermits(-delta);
        }
    }

    synchronized int size() {
        return size;
    }
}
