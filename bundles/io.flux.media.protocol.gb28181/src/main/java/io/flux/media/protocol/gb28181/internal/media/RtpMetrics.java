package io.flux.media.protocol.gb28181.internal.media;

import java.util.List;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.flux.media.api.gb28181.Transport;
import io.flux.media.api.metrics.MetricsRegistry;

/**
 * The RTP receivers' metrics. The registry is optional and dynamic (like the signalling metrics): counts made
 * while none is bound are lost. Receivers add their counters' growth once per watchdog tick and at close, never
 * per packet, so the registry sees a few calls per receiver and second whatever the packet rate. Labels are
 * bounded: {@code transport} (udp, tcp_passive, tcp_active) and the end {@code reason}; never a stream or device.
 */
public final class RtpMetrics {

    static final String PACKETS = "rtp_packets_total";
    static final String BYTES = "rtp_bytes_total";
    static final String LOST = "rtp_packets_lost_total";
    static final String WRONG_SSRC = "rtp_wrong_ssrc_packets_total";
    static final String INVALID = "rtp_invalid_packets_total";
    static final String ENDED = "gb28181_media_ended_total";
    static final String RECEIVERS = "gb28181_media_receivers";

    static final Set<String> REASONS = Set.of(RtpReceiverPool.NO_RTP, RtpReceiverPool.WRONG_SSRC,
            RtpReceiverPool.TCP_NOT_CONNECTED, RtpReceiverPool.MEDIA_TIMEOUT, RtpReceiverPool.TCP_CLOSED,
            RtpReceiverPool.TCP_FRAMING);

    private static final Logger LOG = LoggerFactory.getLogger(RtpMetrics.class);

    /** Label value arrays made once, so counting passes no fresh varargs array. */
    private static final String[][] TRANSPORT_LABELS = new String[Transport.values().length][];

    static {
        for (Transport t : Transport.values()) {
            TRANSPORT_LABELS[t.ordinal()] = new String[] {t.apiName()};
        }
    }

    private record Handles(MetricsRegistry registry, MetricsRegistry.Counter packets, MetricsRegistry.Counter bytes,
            MetricsRegistry.Counter lost, MetricsRegistry.Counter wrongSsrc, MetricsRegistry.Counter invalid,
            MetricsRegistry.Counter ended, MetricsRegistry.Gauge receivers) {
    }

    private volatile Handles handles;

    public synchronized void bind(MetricsRegistry registry) {
        try {
            handles = new Handles(registry,
                    registry.counter(PACKETS, "RTP packets of GB28181 sessions received (expected SSRC), by "
                            + "transport", "transport"),
                    registry.counter(BYTES, "Bytes of those RTP packets, headers included, by transport",
                            "transport"),
                    registry.counter(LOST, "RTP packets of GB28181 sessions declared lost, by transport",
                            "transport"),
                    registry.counter(WRONG_SSRC, "RTP packets dropped because their SSRC is not the session's, "
                            + "by transport", "transport"),
                    registry.counter(INVALID, "Datagrams or TCP frames on GB28181 media ports that are not RTP "
                            + "(garbage, truncated headers), by transport", "transport"),
                    registry.counter(ENDED, "GB28181 media receivers that ended on their own, by reason: no_rtp, "
                            + "wrong_ssrc, tcp_not_connected, media_timeout, tcp_closed, tcp_framing", "reason"),
                    registry.gauge(RECEIVERS, "GB28181 media receivers open (ports reserved or streams received)"));
        } catch (RuntimeException e) {
            LOG.warn("GB28181 media metrics are not available: {}", e.getMessage());
            handles = null;
        }
    }

    public synchronized void unbind(MetricsRegistry registry) {
        Handles h = handles;
        if (h != null && h.registry == registry) {
            handles = null;
        }
    }

    /** Removes the series at deactivation, so that a stopped server leaves none behind. */
    public synchronized void unregister() {
        Handles h = handles;
        handles = null;
        if (h != null) {
            for (String name : List.of(PACKETS, BYTES, LOST, WRONG_SSRC, INVALID, ENDED, RECEIVERS)) {
                h.registry.unregister(name);
            }
        }
    }

    /** Growth of one receiver's counters since its last report. */
    void add(Transport transport, long packets, long bytes, long lost, long wrongSsrc, long invalid) {
        Handles h = handles;
        if (h == null) {
            return;
        }
        String[] labels = TRANSPORT_LABELS[transport.ordinal()];
        try {
            if (packets > 0) {
                h.packets.inc(packets, labels);
            }
            if (bytes > 0) {
                h.bytes.inc(bytes, labels);
            }
            if (lost > 0) {
                h.lost.inc(lost, labels);
            }
            if (wrongSsrc > 0) {
                h.wrongSsrc.inc(wrongSsrc, labels);
            }
            if (invalid > 0) {
                h.invalid.inc(invalid, labels);
            }
        } catch (RuntimeException e) {
            // A registry going away mid-call must not disturb the receive loop.
            LOG.debug("RTP metrics not recorded: {}", e.toString());
        }
    }

    void ended(String reason) {
        Handles h = handles;
        if (h != null && REASONS.contains(reason)) {
            try {
                h.ended.inc(reason);
            } catch (RuntimeException e) {
                LOG.debug("RTP metrics not recorded: {}", e.toString());
            }
        }
    }

    void receivers(int open) {
        Handles h = handles;
        if (h != null) {
            try {
                h.receivers.set(open);
            } catch (RuntimeException e) {
                LOG.debug("RTP metrics not recorded: {}", e.toString());
            }
        }
    }
}
