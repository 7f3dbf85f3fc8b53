package io.flux.media.publish.rtsp.internal;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.flux.media.api.metrics.MetricsRegistry;

/**
 * The publisher's metrics, registered while a {@link MetricsRegistry} is bound (dynamic and optional: without one
 * nothing is counted).
 */
final class PublishMetrics {

    static final String SESSIONS_ACTIVE = "rtsp_publish_sessions_active";
    static final String BYTES = "rtsp_publish_bytes_total";
    static final String ERRORS = "rtsp_publish_errors_total";
    static final String GOPS_DROPPED = "rtsp_publish_gops_dropped_total";

    /** Error reasons, a closed set to keep label cardinality bounded. */
    enum Reason {
        /** The streaming server's control API failed (add path, URLs). */
        STREAMING_SERVER,
        /** TCP connect to the RTSP address failed. */
        CONNECT,
        /** The server refused credentials (401) or none are configured. */
        AUTH,
        /** The server answered a request with another non-2xx status. */
        RTSP_STATUS,
        /** The connection broke or timed out while publishing. */
        IO,
        /** The stream's first keyframe lacked parameter sets, or its codec cannot be published. */
        UNSUPPORTED;

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private record Handles(MetricsRegistry registry, MetricsRegistry.Gauge active, MetricsRegistry.Counter bytes,
            MetricsRegistry.Counter errors, MetricsRegistry.Counter gopsDropped) {
    }

    private final AtomicInteger active = new AtomicInteger();
    private volatile Handles handles;

    synchronized void bind(MetricsRegistry registry) {
        Handles h = new Handles(registry,
                registry.gauge(SESSIONS_ACTIVE, "RTSP publish sessions currently recording to the streaming server"),
                registry.counter(BYTES, "Bytes written to the streaming server by RTSP publish sessions (RTP with "
                        + "interleaved framing)"),
                registry.counter(ERRORS, "RTSP publish failures, by reason", "reason"),
                registry.counter(GOPS_DROPPED, "Whole GOPs an RTSP publisher dropped because it fell behind"));
        h.active.set(active.get());
        handles = h;
    }

    synchronized void unbind(MetricsRegistry registry) {
        Handles h = handles;
        if (h != null && h.registry == registry) {
            handles = null;
        }
    }

    synchronized void unregister() {
        Handles h = handles;
        handles = null;
        if (h != null) {
            for (String name : List.of(SESSIONS_ACTIVE, BYTES, ERRORS, GOPS_DROPPED)) {
                h.registry.unregister(name);
            }
        }
    }

    void sessionStarted() {
        setActive(active.incrementAndGet());
    }

    void sessionEnded() {
        setActive(active.decrementAndGet());
    }

    int activeSessions() {
        return active.get();
    }

    void bytes(long n) {
        Handles h = handles;
        if (h != null && n > 0) {
            h.bytes.inc(n);
        }
    }

    void error(Reason reason) {
        Handles h = handles;
        if (h != null) {
            h.errors.inc(reason.label());
        }
    }

    void gopsDropped(int n) {
        Handles h = handles;
        if (h != null && n > 0) {
            h.gopsDropped.inc(n);
        }
    }

    private void setActive(int n) {
        Handles h = handles;
        if (h != null) {
            h.active.set(n);
        }
    }
}
