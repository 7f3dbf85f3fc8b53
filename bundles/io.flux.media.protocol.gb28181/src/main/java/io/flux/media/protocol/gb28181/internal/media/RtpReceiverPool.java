package io.flux.media.protocol.gb28181.internal.media;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.flux.media.api.gb28181.Transport;
import io.flux.media.api.ingest.MediaSink;
import io.flux.media.mpegps.RtpReorderBuffer;

/**
 * The RTP receivers of the embedded GB28181 platform: hands out media ports from a range and runs the receivers
 * on a few selector threads ({@link MediaLoop}, one per core up to four), each serving many sessions. A receiver
 * ends itself when media does not come or stops (see {@link RtpReceiver.EndListener} and the reasons below).
 */
public final class RtpReceiverPool implements RtpReceivers, AutoCloseable {

    /** Nothing with the session's SSRC arrived, and nothing with another SSRC either. */
    public static final String NO_RTP = "no_rtp";
    /** Only packets with another SSRC arrived. */
    public static final String WRONG_SSRC = "wrong_ssrc";
    /** TCP: the device never connected (passive), or could not be connected to (active). */
    public static final String TCP_NOT_CONNECTED = "tcp_not_connected";
    /** Media flowed, then stopped for the media timeout. */
    public static final String MEDIA_TIMEOUT = "media_timeout";
    /** TCP: the connection was closed or reset by the device. */
    public static final String TCP_CLOSED = "tcp_closed";
    /** TCP: the RFC 4571 framing broke (length beyond the maximum, a frame that is not RTP). */
    public static final String TCP_FRAMING = "tcp_framing";

    /** Protocol name of the streams opened on the media core. */
    static final String PROTOCOL = "gb28181";

    private static final Logger LOG = LoggerFactory.getLogger(RtpReceiverPool.class);
    private static final int MAX_LOOPS = 4;
    private static final long MIN_TICK_NANOS = 5_000_000L;
    private static final long MAX_TICK_NANOS = 250_000_000L;
    private static final long MAX_DRAIN_AFTER_NANOS = 500_000_000L;

    /**
     * @param bindAddress       address the media ports are bound to ({@code 0.0.0.0} for all); TCP active
     *                          connections leave from it unless it is a wildcard
     * @param portMin           first port of the range (UDP and TCP passive)
     * @param portMax           last port of the range, inclusive
     * @param noRtpTimeout      after start, how long to wait for the session's first RTP packet
     * @param mediaTimeout      once media flowed, how long without a packet ends the session
     * @param tcpConnectTimeout TCP passive: how long the device has to connect; TCP active: how long to keep
     *                          trying to connect
     * @param reorderWindow     packets held for reordering (0-1024)
     */
    public record Settings(String bindAddress, int portMin, int portMax, Duration noRtpTimeout,
            Duration mediaTimeout, Duration tcpConnectTimeout, int reorderWindow) {

        public Settings {
            Objects.requireNonNull(bindAddress, "bindAddress");
            if (portMin < 1 || portMax > 65_535 || portMin > portMax) {
                throw new IllegalArgumentException("media port range must be within 1-65535 with min <= max, got "
                        + portMin + "-" + portMax);
            }
            positive(noRtpTimeout, "noRtpTimeout");
            positive(mediaTimeout, "mediaTimeout");
            positive(tcpConnectTimeout, "tcpConnectTimeout");
            if (reorderWindow < 0 || reorderWindow > RtpReorderBuffer.MAX_WINDOW) {
                throw new IllegalArgumentException("reorderWindow must be 0-" + RtpReorderBuffer.MAX_WINDOW
                        + ", got " + reorderWindow);
            }
        }

        private static void positive(Duration d, String name) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, got " + d);
            }
        }

        String range() {
            return portMin + "-" + portMax;
        }
    }

    private final Settings settings;
    private final MediaSink sink;
    private final RtpMetrics metrics;
    private final InetAddress bindAddress;
    private final long drainAfterNanos;
    private final List<MediaLoop> loops = new ArrayList<>();
    private final AtomicInteger nextLoop = new AtomicInteger();
    private final Set<SessionReceiver> receivers = ConcurrentHashMap.newKeySet();

    /** Ports held by live receivers; guarded by itself, as is {@link #cursor}. */
    private final Set<Integer> portsInUse = new HashSet<>();
    private int cursor;
    private volatile boolean closed;

    public RtpReceiverPool(Settings settings, MediaSink sink, RtpMetrics metrics) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.sink = Objects.requireNonNull(sink, "sink");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        try {
            this.bindAddress = InetAddress.getByName(settings.bindAddress());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("media bind address '" + settings.bindAddress() + "' is not an address",
                    e);
        }
        this.cursor = settings.portMin();
        long shortest = Math.min(settings.noRtpTimeout().toNanos(),
                Math.min(settings.mediaTimeout().toNanos(), settings.tcpConnectTimeout().toNanos()));
        // Timeouts fire within a tenth of the shortest one (or 250 ms) of their due time.
        long tick = Math.max(MIN_TICK_NANOS, Math.min(MAX_TICK_NANOS, shortest / 10));
        this.drainAfterNanos = Math.max(tick, Math.min(MAX_DRAIN_AFTER_NANOS, settings.mediaTimeout().toNanos() / 4));
        int n = Math.max(1, Math.min(MAX_LOOPS, Runtime.getRuntime().availableProcessors()));
        try {
            for (int i = 0; i < n; i++) {
                loops.add(new MediaLoop("gb28181-media-loop-" + i, tick));
            }
        } catch (IOException e) {
            loops.forEach(MediaLoop::stop);
            throw new IllegalStateException("cannot open a selector for GB28181 media", e);
        }
        loops.forEach(MediaLoop::start);
        LOG.info("GB28181 media receivers: ports {} on {}, {} selector threads, no RTP timeout {} ms, media timeout "
                + "{} ms, TCP connect timeout {} ms", settings.range(), settings.bindAddress(), n,
                settings.noRtpTimeout().toMillis(), settings.mediaTimeout().toMillis(),
                settings.tcpConnectTimeout().toMillis());
    }

    @Override
    public RtpReceiver prepare(ReceiverSpec spec) throws NoMediaPortException {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(spec.transport(), "transport");
        Objects.requireNonNull(spec.streamId(), "streamId");
        if (spec.ssrc() < 0 || spec.ssrc() > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("SSRC must be an unsigned 32-bit value, not " + spec.ssrc());
        }
        if (closed) {
            throw new IllegalStateException("the RTP receiver pool is closed");
        }
        MediaLoop loop = loops.get(Math.floorMod(nextLoop.getAndIncrement(), loops.size()));
        SessionReceiver receiver;
        if (spec.transport() == Transport.TCP_ACTIVE) {
            receiver = new SessionReceiver(this, spec, loop, 0, null, null);
        } else {
            receiver = bindFromRange(spec, loop);
        }
        receivers.add(receiver);
        metrics.receivers(receivers.size());
        if (closed) {
            // close() ran meanwhile and may not have seen this one.
            receiver.close();
            throw new IllegalStateException("the RTP receiver pool is closed");
        }
        return receiver;
    }

    /** Receivers open now (prepared, started, not yet closed or ended). */
    public int active() {
        return receivers.size();
    }

    /** Closes every receiver (no end listener is called) and stops the selector threads. */
    @Override
    public void close() {
        closed = true;
        for (SessionReceiver r : List.copyOf(receivers)) {
            r.close();
        }
        loops.forEach(MediaLoop::stop);
    }

    private SessionReceiver bindFromRange(ReceiverSpec spec, MediaLoop loop) throws NoMediaPortException {
        synchronized (portsInUse) {
            int size = settings.portMax() - settings.portMin() + 1;
            int busy = 0;
            int unbindable = 0;
            IOException lastError = null;
            for (int i = 0; i < size; i++) {
                int port = cursor;
                cursor = port == settings.portMax() ? settings.portMin() : port + 1;
                if (portsInUse.contains(port)) {
                    busy++;
                    continue;
                }
                try {
                    SessionReceiver r = spec.transport() == Transport.UDP
                            ? new SessionReceiver(this, spec, loop, port, bindUdp(port), null)
                            : new SessionReceiver(this, spec, loop, port, null, bindTcp(port));
                    portsInUse.add(port);
                    return r;
                } catch (IOException e) {
                    // Taken by another process (or another transport of ours): try the next one.
                    unbindable++;
                    lastError = e;
                }
            }
            String message = "no free media port in " + settings.range() + " on " + settings.bindAddress() + " for "
                    + spec.transport().apiName() + ": " + busy + " held by sessions, " + unbindable
                    + " could not be bound" + (lastError == null ? "" : " (" + lastError.getMessage() + ")");
            LOG.warn("{}", message);
            throw new NoMediaPortException(message);
        }
    }

    private DatagramChannel bindUdp(int port) throws IOException {
        DatagramChannel ch = DatagramChannel.open();
        try {
            SessionReceiver.configureUdp(ch);
            ch.bind(new InetSocketAddress(bindAddress, port));
            return ch;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e instanceof IOException io ? io : new IOException(e);
        }
    }

    private ServerSocketChannel bindTcp(int port) throws IOException {
        ServerSocketChannel ch = ServerSocketChannel.open();
        try {
            // Lets a port be reused while connections of an earlier session linger in TIME_WAIT.
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            ch.bind(new InetSocketAddress(bindAddress, port), 4);
            return ch;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e instanceof IOException io ? io : new IOException(e);
        }
    }

    /** A receiver's sockets are closed: its port may be handed out again. */
    void released(SessionReceiver receiver) {
        if (receiver.localPort() > 0) {
            synchronized (portsInUse) {
                portsInUse.remove(receiver.localPort());
            }
        }
        receivers.remove(receiver);
        metrics.receivers(receivers.size());
    }

    Settings settings() {
        return settings;
    }

    MediaSink sink() {
        return sink;
    }

    RtpMetrics metrics() {
        return metrics;
    }

    long drainAfterNanos() {
        return drainAfterNanos;
    }

    /** Where TCP active connections leave from: the bind address unless it is a wildcard. */
    InetSocketAddress localForConnect() {
        return bindAddress.isAnyLocalAddress() ? null : new InetSocketAddress(bindAddress, 0);
    }
}
