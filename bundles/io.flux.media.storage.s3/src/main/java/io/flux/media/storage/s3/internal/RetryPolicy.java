package io.flux.media.storage.s3.internal;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with full jitter: before retry {@code n} (1-based) wait a random time in
 * {@code [0, min(max, base * 2^(n-1))]}, so clients that failed together do not come back together.
 */
record RetryPolicy(int maxRetries, Duration baseDelay, Duration maxDelay) {

    RetryPolicy {
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries must not be negative: " + maxRetries);
        }
    }

    /** The upper bound of the wait before retry {@code retry} (1-based). */
    long ceilingMillis(int retry) {
        int shift = Math.min(30, Math.max(0, retry - 1));
        long ceiling = baseDelay.toMillis() << shift;
        return Math.min(maxDelay.toMillis(), ceiling < 0 ? Long.MAX_VALUE : ceiling);
    }

    long delayMillis(int retry) {
        long ceiling = ceilingMillis(retry);
        return ceiling <= 0 ? 0 : ThreadLocalRandom.current().nextLong(ceiling + 1);
    }
}
