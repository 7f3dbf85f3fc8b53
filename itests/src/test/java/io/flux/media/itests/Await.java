package io.flux.media.itests;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits for a condition instead of sleeping a fixed time. */
public final class Await {

    private Await() {
    }

    public static void until(String what, Duration timeout, BooleanSupplier condition) {
        until(() -> what, timeout, condition);
    }

    public static void until(Supplier<String> what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = 10;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what.get());
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what.get());
            }
            pause = Math.min(pause * 2, 200);
        }
    }

    /** Polls until the supplier returns a value that is accepted; returns it. */
    public static <T> T value(String what, Duration timeout, Supplier<T> supplier, java.util.function.Predicate<T> ok) {
        Object[] last = new Object[1];
        until(() -> what + " (last: " + last[0] + ")", timeout, () -> {
            // A failed call or a predicate that cannot read the answer yet is "not yet", not the end of the wait.
            try {
                T v = supplier.get();
                last[0] = v;
                return ok.test(v);
            } catch (RuntimeException e) {
                last[0] = last[0] != null ? last[0] + " then " + e : e;
                return false;
            }
        });
        @SuppressWarnings("unchecked")
        T v = (T) last[0];
        return v;
    }
}
