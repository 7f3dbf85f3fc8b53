package io.flux.media.protocol.gb28181.internal.media;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.flux.media.api.gb28181.Transport;
import io.flux.media.api.ingest.MediaSink;
import io.flux.media.api.sample.MediaSample;
import io.flux.media.mpegps.GbMediaPipeline;
import io.flux.media.mpegps.PipelineStats;

/**
 * One session's receiver. Its channels, pipeline input and watchdog live on one {@link MediaLoop}; {@link #start},
 * {@link #stats} and {@link #close} may be called from any thread.
 * <p>
 * States: prepared (port bound, nothing read) → started (registered with the loop, watchdog running) → flowing
 * (a packet with the session's SSRC arrived) → closed, either by {@link #close} or by itself with an end reason.
 */
final class SessionReceiver implements RtpReceiver, MediaLoop.Ticking {

    private static final Logger LOG = LoggerFactory.getLogger(SessionReceiver.class);

    /** Datagrams read per readiness before the loop serves other receivers. */
    private static final int UDP_BUDGET = 64;
    /** TCP reads per readiness (each up to the loop's 64 KiB buffer). */
    private static final int TCP_BUDGET = 8;
    private static final int UDP_RECEIVE_BUFFER = 512 * 1024;
    private static final long CLOSE_WAIT_SECONDS = 5;

    private final RtpReceiverPool pool;
    private final ReceiverSpec spec;
    private final MediaLoop loop;
    private final int port;
    private final DatagramChannel udp;
    private final ServerSocketChannel server;

    private final AtomicBoolean open = new AtomicBoolean(true);
    private final AtomicBoolean startCalled = new AtomicBoolean();
    /** Completes when the sockets are closed and the port returned to the pool. */
    private final CompletableFuture<Void> released = new CompletableFuture<>();

    // Written before the start task is queued (happens-before via the loop's queue) or read from any thread.
    private volatile GbMediaPipeline pipeline;
    /** The SSRC media must carry: the offer's, or the device's own when its answer names another. */
    private volatile long expectedSsrc;
    private volatile EndListener onEnd;
    private volatile InetSocketAddress deviceMedia;
    /** {@link #deviceMedia} as {@code host:port} for messages. */
    private volatile String device = "unknown";
    private volatile long startNanos;
    private volatile Instant firstPacketAt;
    private volatile long firstPacketNanos;
    private volatile long lastPacketNanos;
    private volatile String remote;
    private volatile long samples;

    // TCP active: the connecting thread and its last error.
    private volatile Thread connector;
    private volatile SocketChannel connecting;
    private volatile String connectError;
    private volatile int connectAttempts;

    // Loop thread only.
    private MediaSink.StreamHandle handle;
    private boolean sinkFailed;
    private boolean handlerFailed;
    private SocketChannel connection;
    private String peer;
    private SelectionKey udpKey;
    private SelectionKey serverKey;
    private SelectionKey connectionKey;
    private boolean flowing;
    private boolean drained = true;
    private boolean wrongSsrcWarned;
    private SocketAddress lastSource;
    private SocketAddress wrongSource;
    /** The pipeline's counters after the previous read: what grew since says what a read brought. */
    private long seenRtpPackets;
    private long seenWrongSsrcPackets;
    private long reportedPackets;
    private long reportedBytes;
    private long reportedLost;
    private long reportedWrongSsrc;
    private long reportedInvalid;

    SessionReceiver(RtpReceiverPool pool, ReceiverSpec spec, MediaLoop loop, int port, DatagramChannel udp,
            ServerSocketChannel server) {
        this.pool = pool;
        this.spec = spec;
        this.expectedSsrc = spec.ssrc();
        this.loop = loop;
        this.port = port;
        this.udp = udp;
        this.server = server;
    }

    @Override
    public int localPort() {
        return port;
    }

    @Override
    public void expectSsrc(long ssrc) {
        if (startCalled.get()) {
            throw new IllegalStateException("the SSRC is fixed once the receiver started");
        }
        this.expectedSsrc = ssrc;
    }

    @Override
    public void start(InetSocketAddress deviceMedia, EndListener onEnd) {
        Objects.requireNonNull(onEnd, "onEnd");
        if (spec.transport() == Transport.TCP_ACTIVE) {
            Objects.requireNonNull(deviceMedia, "deviceMedia is required for tcp_active");
            if (deviceMedia.isUnresolved()) {
                throw new IllegalArgumentException("unresolved device media address " + deviceMedia);
            }
        }
        if (!startCalled.compareAndSet(false, true)) {
            throw new IllegalStateException("receiver already started");
        }
        if (!open.get()) {
            return;
        }
        this.deviceMedia = deviceMedia;
        this.device = deviceMedia == null ? "unknown" : address(deviceMedia);
        this.onEnd = onEnd;
        this.pipeline = GbMediaPipeline.builder().ssrc(expectedSsrc).reorderWindow(pool.settings().reorderWindow())
                .build(this::onSample);
        this.startNanos = System.nanoTime();
        if (!loop.execute(this::begin)) {
            // The pool is closing: it closes this receiver too.
            return;
        }
        if (spec.transport() == Transport.TCP_ACTIVE) {
            connector = Thread.ofVirtual().name("gb28181-rtp-connect-" + spec.callId()).start(this::connect);
        }
    }

    @Override
    public ReceiverStats stats() {
        GbMediaPipeline p = pipeline;
        if (p == null) {
            return ReceiverStats.NONE;
        }
        PipelineStats s = p.stats();
        Instant first = firstPacketAt;
        Instant last = first == null ? null : first.plusNanos(lastPacketNanos - firstPacketNanos);
        return new ReceiverStats(s.rtpPackets(), s.rtpBytes(), s.lost(), s.wrongSsrcPackets(), samples, first, last,
                remote);
    }

    @Override
    public void close() {
        if (open.compareAndSet(true, false)) {
            try (var m = mdc()) {
                ReceiverStats s = stats();
                LOG.info("media receiver closed: {} RTP packets, {} samples, {} lost, {} with a wrong SSRC",
                        s.rtpPackets(), s.samples(), s.lost(), s.wrongSsrcPackets());
            }
            release();
        }
        if (!loop.inLoop()) {
            awaitReleased();
        }
    }

    // ---------------------------------------------------------------- loop thread

    /** Registers the channels; for TCP active the connector hands its channel over later. */
    private void begin() {
        if (!open.get()) {
            return;
        }
        try (var m = mdc()) {
            switch (spec.transport()) {
                case UDP -> {
                    udp.configureBlocking(false);
                    udpKey = udp.register(loop.selector(), SelectionKey.OP_READ, (MediaLoop.KeyHandler) k -> onUdp());
                    LOG.info("media receiver started: udp port {}, SSRC {}, device media {}", port, expectedSsrc,
                            device);
                }
                case TCP_PASSIVE -> {
                    server.configureBlocking(false);
                    serverKey = server.register(loop.selector(), SelectionKey.OP_ACCEPT,
                            (MediaLoop.KeyHandler) k -> onAccept());
                    LOG.info("media receiver started: tcp_passive port {} (waiting for the device to connect), "
                            + "SSRC {}, device media {}", port, expectedSsrc, device);
                }
                case TCP_ACTIVE -> LOG.info("media receiver started: tcp_active, connecting to {}, SSRC {}",
                        device, expectedSsrc);
            }
            loop.addTicking(this);
        } catch (IOException | RuntimeException e) {
            end(spec.transport() == Transport.UDP ? RtpReceiverPool.NO_RTP : RtpReceiverPool.TCP_NOT_CONNECTED,
                    "could not listen on " + spec.transport().apiName() + " port " + port + ": " + e);
        }
    }

    private void onUdp() {
        ByteBuffer buf = loop.buffer;
        GbMediaPipeline p = pipeline;
        long now = System.nanoTime();
        for (int i = 0; i < UDP_BUDGET && open.get(); i++) {
            buf.clear();
            SocketAddress from;
            try {
                from = udp.receive(buf);
            } catch (IOException e) {
                failedOnce("receiving on udp port " + port, e);
                return;
            }
            if (from == null) {
                return;
            }
            buf.flip();
            lastSource = from;
            try {
                p.onDatagram(buf);
            } catch (RuntimeException e) {
                failedOnce("handling a datagram from " + from, e);
            }
            afterRead(p, from, now);
        }
    }

    /**
     * After every UDP datagram or TCP read: the growth of the pipeline's counters (read without allocating) says
     * whether the read brought the session's packets (arrival time, the first packet) or packets with another SSRC
     * (who sends them), exactly as the pipeline judged them. {@code from} is the datagram's source, null over TCP
     * (the connection's peer).
     */
    private void afterRead(GbMediaPipeline p, SocketAddress from, long now) {
        long rtp = p.rtpPackets();
        if (rtp != seenRtpPackets) {
            seenRtpPackets = rtp;
            lastPacketNanos = now;
            drained = false;
            if (!flowing) {
                firstPacket(from, now);
            }
        }
        long wrong = p.wrongSsrcPackets();
        if (wrong != seenWrongSsrcPackets) {
            seenWrongSsrcPackets = wrong;
            wrongSource = from;
            if (!wrongSsrcWarned) {
                warnWrongSsrc(p.lastWrongSsrc(), from);
            }
        }
    }

    private void onAccept() {
        SocketChannel accepted;
        try {
            accepted = server.accept();
        } catch (IOException e) {
            failedOnce("accepting on tcp port " + port, e);
            return;
        }
        if (accepted == null) {
            return;
        }
        String from = address(accepted);
        try (var m = mdc()) {
            if (connection != null) {
                LOG.warn("refused a second TCP connection from {} on port {}: the session already has one from {}",
                        from, port, peer);
                closeQuietly(accepted);
                return;
            }
            LOG.info("device connected from {} to tcp port {}", from, port);
        }
        attach(accepted, from);
    }

    /** Takes a connected channel (accepted, or connected by the TCP active connector). */
    private void attach(SocketChannel ch, String from) {
        if (!open.get()) {
            closeQuietly(ch);
            return;
        }
        try {
            ch.configureBlocking(false);
            connection = ch;
            peer = from;
            remote = from;
            connectionKey = ch.register(loop.selector(), SelectionKey.OP_READ, (MediaLoop.KeyHandler) k -> onTcp());
        } catch (IOException | RuntimeException e) {
            closeQuietly(ch);
            connection = null;
            end(RtpReceiverPool.TCP_CLOSED, "TCP connection from " + from + " could not be used: " + e);
        }
    }

    private void onTcp() {
        ByteBuffer buf = loop.buffer;
        GbMediaPipeline p = pipeline;
        long now = System.nanoTime();
        for (int i = 0; i < TCP_BUDGET && open.get(); i++) {
            buf.clear();
            int n;
            try {
                n = connection.read(buf);
            } catch (IOException e) {
                peerClosed(e.toString());
                return;
            }
            if (n < 0) {
                peerClosed(null);
                return;
            }
            if (n == 0) {
                return;
            }
            buf.flip();
            try {
                p.onTcpData(buf);
            } catch (RuntimeException e) {
                failedOnce("handling TCP data from " + peer, e);
            }
            afterRead(p, null, now);
            if (p.tcpFailed()) {
                PipelineStats s = p.stats();
                end(RtpReceiverPool.TCP_FRAMING, s.tcpFailure() + " (TCP connection " + connectionText() + ", after "
                        + s.rtpPackets() + " RTP packets and " + s.datagramBytes() + " bytes)");
                return;
            }
        }
    }

    private void peerClosed(String error) {
        PipelineStats s = pipeline.stats();
        if (!flowing && s.wrongSsrcPackets() > 0) {
            end(RtpReceiverPool.WRONG_SSRC, wrongSsrcDetail(s) + "; then the device closed the TCP connection");
            return;
        }
        String how = error == null ? "the device closed the TCP connection " + connectionText()
                : "the TCP connection " + connectionText() + " failed (" + error + ")";
        end(RtpReceiverPool.TCP_CLOSED, how + " after " + s.rtpPackets() + " RTP packets, " + s.datagramBytes()
                + " bytes, " + samples + " samples");
    }

    @Override
    public void tick(long now) {
        if (!open.get()) {
            return;
        }
        GbMediaPipeline p = pipeline;
        PipelineStats s = p.stats();
        report(s);
        RtpReceiverPool.Settings settings = pool.settings();
        long waited = now - startNanos;
        if (!flowing) {
            if (spec.transport() != Transport.UDP && connection == null) {
                tcpNotConnectedYet(waited, settings);
            } else if (waited >= settings.noRtpTimeout().toNanos()) {
                if (s.wrongSsrcPackets() > 0) {
                    end(RtpReceiverPool.WRONG_SSRC, wrongSsrcDetail(s));
                } else {
                    end(RtpReceiverPool.NO_RTP, noRtpDetail(s, waited));
                }
            }
            return;
        }
        long idle = now - lastPacketNanos;
        if (idle >= settings.mediaTimeout().toNanos()) {
            end(RtpReceiverPool.MEDIA_TIMEOUT, "no RTP packet for " + millis(idle) + " ms on " + where() + " after "
                    + s.rtpPackets() + " packets from " + remote + " (first at " + firstPacketAt + ", " + samples
                    + " samples, " + s.lost() + " lost" + (s.wrongSsrcPackets() > 0
                            ? ", " + s.wrongSsrcPackets() + " with another SSRC, last " + ssrc(s.lastWrongSsrc())
                            : "")
                    + ")");
        } else if (!drained && idle >= pool.drainAfterNanos()) {
            // Idle stream: hand over what the reorder buffer holds instead of waiting for the next packet.
            drained = true;
            p.drain();
        }
    }

    private void tcpNotConnectedYet(long waited, RtpReceiverPool.Settings settings) {
        long limit = settings.noRtpTimeout().toNanos();
        if (spec.transport() == Transport.TCP_PASSIVE) {
            limit = Math.min(limit, settings.tcpConnectTimeout().toNanos());
            if (waited >= limit) {
                end(RtpReceiverPool.TCP_NOT_CONNECTED, "the device did not connect to tcp port " + port + " within "
                        + millis(waited) + " ms (device media " + device + " in its answer)");
            }
        } else if (waited >= limit) {
            // The connector gives up at tcpConnectTimeout; no RTP is due earlier than noRtpTimeout either.
            end(RtpReceiverPool.TCP_NOT_CONNECTED, "still not connected to " + device + " after " + millis(waited)
                    + " ms (" + connectAttempts + " attempts" + (connectError == null ? "" : ", last error: "
                            + connectError) + ")");
        }
    }

    private String noRtpDetail(PipelineStats s, long waited) {
        if (s.datagrams() == 0) {
            if (spec.transport() == Transport.UDP) {
                return "no packets at all on udp port " + port + " from anyone within " + millis(waited)
                        + " ms (device media " + device + " in its answer)";
            }
            return "TCP connection " + connectionText() + " but no RTP frame within " + millis(waited) + " ms ("
                    + s.datagramBytes() + " bytes received)";
        }
        return s.datagrams() + (spec.transport() == Transport.UDP ? " datagrams" : " TCP frames") + " on " + where()
                + " within " + millis(waited) + " ms but no RTP packet of SSRC " + ssrc(expectedSsrc) + ": "
                + s.invalidPackets() + " not RTP, " + s.rtcpPackets() + " RTCP, last from "
                + (spec.transport() == Transport.UDP ? address(lastSource) : peer);
    }

    private String wrongSsrcDetail(PipelineStats s) {
        String from = spec.transport() == Transport.UDP ? address(wrongSource) : peer;
        return s.wrongSsrcPackets() + " RTP packets with SSRC " + ssrc(s.lastWrongSsrc()) + " from " + from + " on "
                + where() + ", expected SSRC " + ssrc(expectedSsrc) + " (the y= line of the INVITE); none with the "
                + "expected SSRC within " + millis(System.nanoTime() - startNanos) + " ms";
    }

    /** {@code from}: the datagram's source, null over TCP (the connection's peer). */
    private void firstPacket(SocketAddress from, long now) {
        flowing = true;
        firstPacketNanos = now;
        lastPacketNanos = now;
        firstPacketAt = Instant.now();
        String source = from == null ? peer : address(from);
        remote = source;
        try (var m = mdc()) {
            LOG.info("first RTP packet from {} on {}, {} ms after start", source, where(), millis(now - startNanos));
        }
    }

    /** {@code from}: the datagram's source, null over TCP (the connection's peer). */
    private void warnWrongSsrc(long ssrc, SocketAddress from) {
        wrongSsrcWarned = true;
        try (var m = mdc()) {
            LOG.warn("RTP with SSRC {} from {} on {}, expected {}: dropped (logged once per session)", ssrc(ssrc),
                    from == null ? peer : address(from), where(), ssrc(expectedSsrc));
        }
    }

    private void onSample(MediaSample sample) {
        // Runs inside the pipeline: must not throw, or the rest of the packet would not be parsed.
        try {
            if (handle == null) {
                handle = pool.sink().open(spec.streamId(), RtpReceiverPool.PROTOCOL);
                try (var m = mdc()) {
                    LOG.info("stream {} opened on the media core", spec.streamId());
                }
            }
            handle.push(sample);
            samples++;
        } catch (RuntimeException e) {
            if (!sinkFailed) {
                sinkFailed = true;
                try (var m = mdc()) {
                    LOG.error("the media core refused a sample of stream {}: samples are dropped", spec.streamId(), e);
                }
            }
        }
    }

    /** Adds the growth of the counters to the metrics. */
    private void report(PipelineStats s) {
        pool.metrics().add(spec.transport(), s.rtpPackets() - reportedPackets, s.rtpBytes() - reportedBytes,
                s.lost() - reportedLost, s.wrongSsrcPackets() - reportedWrongSsrc,
                s.invalidPackets() - reportedInvalid);
        reportedPackets = s.rtpPackets();
        reportedBytes = s.rtpBytes();
        reportedLost = s.lost();
        reportedWrongSsrc = s.wrongSsrcPackets();
        reportedInvalid = s.invalidPackets();
    }

    /** Ends on the loop thread: closes everything, then tells the listener (once, on its own thread). */
    private void end(String reason, String detail) {
        if (!open.compareAndSet(true, false)) {
            return;
        }
        try (var m = mdc()) {
            LOG.warn("media receiver ended: {}: {}", reason, detail);
        }
        pool.metrics().ended(reason);
        EndListener listener = onEnd;
        if (listener != null) {
            // Once the port is back in the pool, and never on the loop: the listener may block (a BYE, say).
            released.thenRun(() -> Thread.ofVirtual().name("gb28181-rtp-end-" + spec.callId()).start(() -> {
                try (var m = mdc()) {
                    listener.ended(reason, detail);
                } catch (RuntimeException e) {
                    LOG.error("end listener failed for reason {}", reason, e);
                }
            }));
        }
        release();
    }

    /** Releases everything on the loop thread (or here once the loop has stopped). Called once. */
    private void release() {
        if (loop.inLoop()) {
            cleanup(true);
        } else if (!loop.execute(() -> cleanup(true))) {
            cleanup(false);
        }
    }

    private void cleanup(boolean onLoop) {
        Thread c = connector;
        if (c != null) {
            c.interrupt();
        }
        closeQuietly(connecting);
        if (onLoop) {
            loop.removeTicking(this);
        }
        for (SelectionKey k : new SelectionKey[] {udpKey, serverKey, connectionKey}) {
            if (k != null) {
                k.cancel();
            }
        }
        closeQuietly(connection);
        closeQuietly(udp);
        closeQuietly(server);
        GbMediaPipeline p = pipeline;
        if (p != null) {
            try {
                // Emits the access unit in progress, before the stream closes.
                p.finish();
            } catch (RuntimeException e) {
                failedOnce("finishing the pipeline", e);
            }
            report(p.stats());
        }
        if (handle != null) {
            try {
                handle.close();
            } catch (RuntimeException e) {
                try (var m = mdc()) {
                    LOG.warn("closing stream {} failed: {}", spec.streamId(), e.toString());
                }
            }
        }
        if (onLoop) {
            // A registered channel's socket closes only when the selector drops its key.
            loop.afterFlush(this::returnPort);
        } else {
            returnPort();
        }
    }

    private void returnPort() {
        pool.released(this);
        released.complete(null);
    }

    private void awaitReleased() {
        try {
            released.get(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            try (var m = mdc()) {
                LOG.warn("media receiver on port {} not released after {} s", port, CLOSE_WAIT_SECONDS);
            }
        }
    }

    // ---------------------------------------------------------------- TCP active connector (virtual thread)

    /** Devices often open their listener late: retry until the connect timeout. */
    private void connect() {
        Duration timeout = pool.settings().tcpConnectTimeout();
        long deadline = startNanos + timeout.toNanos();
        long backoffMs = 50;
        while (open.get()) {
            long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (remainingMs <= 0) {
                break;
            }
            SocketChannel ch = null;
            try {
                ch = SocketChannel.open();
                connecting = ch;
                if (!open.get()) {
                    // close() ran before it could see this channel.
                    closeQuietly(ch);
                    return;
                }
                InetSocketAddress local = pool.localForConnect();
                if (local != null) {
                    ch.bind(local);
                }
                connectAttempts++;
                ch.socket().connect(deviceMedia, (int) Math.min(Integer.MAX_VALUE, remainingMs));
                SocketChannel connected = ch;
                connecting = null;
                String from = address(connected);
                if (!loop.execute(() -> {
                    try (var m = mdc()) {
                        LOG.info("connected to the device at {} (attempt {})", from, connectAttempts);
                    }
                    attach(connected, from);
                })) {
                    closeQuietly(connected);
                }
                return;
            } catch (IOException e) {
                closeQuietly(ch);
                connecting = null;
                if (!open.get()) {
                    return;
                }
                connectError = e.toString();
                try (var m = mdc()) {
                    LOG.debug("connect attempt {} to {} failed: {}", connectAttempts, device, connectError);
                }
            }
            try {
                Thread.sleep(Math.min(backoffMs, Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline
                        - System.nanoTime()))));
            } catch (InterruptedException e) {
                return;
            }
            backoffMs = Math.min(backoffMs * 2, 500);
        }
        if (open.get()) {
            String detail = "could not connect to " + device + " within " + timeout.toMillis() + " ms ("
                    + connectAttempts + " attempts" + (connectError == null ? "" : ", last error: " + connectError)
                    + ")";
            loop.execute(() -> end(RtpReceiverPool.TCP_NOT_CONNECTED, detail));
        }
    }

    // ---------------------------------------------------------------- helpers

    private String where() {
        return spec.transport() == Transport.TCP_ACTIVE ? "the TCP connection to " + device
                : spec.transport().apiName() + " port " + port;
    }

    /** "from device on tcp_passive port P" or "to device" (TCP active). */
    private String connectionText() {
        return spec.transport() == Transport.TCP_ACTIVE ? "to " + peer : "from " + peer + " on " + where();
    }

    private void failedOnce(String what, Exception e) {
        if (!handlerFailed) {
            handlerFailed = true;
            try (var m = mdc()) {
                LOG.error("media receiver on {}: {} failed (logged once per session)", where(), what, e);
            }
        }
    }

    /** The session's MDC keys for one log statement. */
    private LogContext.Scope mdc() {
        return LogContext.session(spec.deviceId(), spec.channelId(), spec.callId(),
                spec.streamId() == null ? null : spec.streamId().value());
    }

    static String ssrc(long ssrc) {
        return ssrc + " (0x" + String.format("%08x", ssrc) + ")";
    }

    private static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    static String address(SocketAddress a) {
        if (a instanceof InetSocketAddress i) {
            return i.getAddress() == null ? i.getHostString() + ":" + i.getPort()
                    : i.getAddress().getHostAddress() + ":" + i.getPort();
        }
        return String.valueOf(a);
    }

    private static String address(SocketChannel ch) {
        try {
            return address(ch.getRemoteAddress());
        } catch (IOException e) {
            return "an unknown address";
        }
    }

    private static void closeQuietly(java.nio.channels.Channel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException e) {
                LOG.debug("closing {}: {}", ch, e.toString());
            }
        }
    }

    static void configureUdp(DatagramChannel ch) throws IOException {
        ch.setOption(StandardSocketOptions.SO_RCVBUF, UDP_RECEIVE_BUFFER);
    }
}
