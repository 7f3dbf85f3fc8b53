package io.flux.media.protocol.gb28181.internal;

import java.util.HashSet;
import java.util.Set;

/**
 * GB/T 28181 SSRCs for live sessions: {@code 0} (live), digits 4-8 of the domain, then a 4-digit sequence. A
 * sequence number in use by a live session is skipped; at most 10,000 live sessions per domain can exist.
 */
final class SsrcAllocator {

    private final String prefix;
    private final Set<String> inUse = new HashSet<>();
    private int next = 1;

    SsrcAllocator(String domain) {
        this.prefix = "0" + domain.substring(3, 8);
    }

    /** A free SSRC, or null when all 10,000 are taken. */
    synchronized String allocate() {
        for (int i = 0; i < 10_000; i++) {
            String candidate = prefix + String.format("%04d", next);
            next = (next + 1) % 10_000;
            if (inUse.add(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /** Marks an SSRC a device chose itself as taken. */
    synchronized void reserve(String ssrc) {
        inUse.add(ssrc);
    }

    synchronized void release(String ssrc) {
        inUse.remove(ssrc);
    }

    synchronized int inUse() {
        return inUse.size();
    }
}
