package io.flux.media.protocol.gb28181.remote.internal;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * W3C Trace Context {@code traceparent}: {@code 00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>}. The
 * gateway keeps the trace id of the request it serves (or starts a trace when the client sent none) and gives
 * every call to a node its own parent id, as a participant in the trace should.
 */
record Traceparent(String traceId, String parentId, String flags) {

    static final String HEADER = "traceparent";
    private static final Pattern FORMAT = Pattern.compile("([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})");
    private static final String ZERO_TRACE = "0".repeat(32);
    private static final String ZERO_PARENT = "0".repeat(16);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ThreadLocal<Traceparent> CURRENT = new ThreadLocal<>();

    /** Parses a header value; empty when absent or invalid (version ff, all-zero ids, wrong shape). */
    static Optional<Traceparent> parse(String header) {
        if (header == null) {
            return Optional.empty();
        }
        var m = FORMAT.matcher(header.strip());
        if (!m.matches() || "ff".equals(m.group(1)) || ZERO_TRACE.equals(m.group(2)) || ZERO_PARENT.equals(m.group(3))) {
            return Optional.empty();
        }
        return Optional.of(new Traceparent(m.group(2), m.group(3), m.group(4)));
    }

    /** A new trace: version 00, random trace and parent ids, sampled. */
    static Traceparent create() {
        return new Traceparent(randomHex(16), randomHex(8), "01");
    }

    /** The same trace with a fresh parent id, for one outgoing call. */
    Traceparent child() {
        return new Traceparent(traceId, randomHex(8), flags);
    }

    String header() {
        return "00-" + traceId + "-" + parentId + "-" + flags;
    }

    /** The trace of the request this thread serves, if the request filter set one. */
    static Optional<Traceparent> current() {
        return Optional.ofNullable(CURRENT.get());
    }

    static void setCurrent(Traceparent traceparent) {
        CURRENT.set(traceparent);
    }

    static void clearCurrent() {
        CURRENT.remove();
    }

    /** What to send on a call made now: a child of the current trace, else a new trace. */
    static Traceparent forOutgoingCall() {
        return current().map(Traceparent::child).orElseGet(Traceparent::create);
    }

    private static String randomHex(int bytes) {
        byte[] b = new byte[bytes];
        do {
            RANDOM.nextBytes(b);
        } while (allZero(b));
        return HexFormat.of().formatHex(b);
    }

    private static boolean allZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }
}
