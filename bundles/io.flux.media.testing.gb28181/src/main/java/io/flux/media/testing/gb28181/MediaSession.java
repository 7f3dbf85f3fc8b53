package io.flux.media.testing.gb28181;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One answered INVITE of a device: the dialog's identifiers (for a BYE of either side), the media sockets and the
 * stream. Media starts once the ACK has arrived and, over TCP, the connection is up.
 */
final class MediaSession {

    private static final Logger LOG = LoggerFactory.getLogger(MediaSession.class);

    final String deviceId;
    final String channelId;
    final String callId;
    final long ssrc;
    final MediaTransport transport;
    final InetSocketAddress remote;
    /** The INVITE's From (the platform, with its tag): the To of our BYE. */
    final String remoteParty;
    /** The INVITE's To with our tag: the From of our BYE. */
    final String localParty;
    /** Where in-dialog requests go: the INVITE's Contact URI. */
    final String remoteTarget;
    final AtomicLong localCseq = new AtomicLong(1);

    private final GbSimulator sim;
    private final SimFaults faults;
    private RtpPacer.Lane lane;
    private SocketChannel tcp;
    private ServerSocketChannel listener;
    private int localPort;
    private volatile boolean acked;
    private volatile boolean connected;
    private volatile boolean started;
    private volatile boolean closed;
    private volatile MediaStream stream;
    private volatile String endReason;
    volatile ScheduledFuture<?> okRetransmit;

    MediaSession(GbSimulator sim, SimFaults faults, String deviceId, String channelId, String callId, long ssrc,
            Sdp.Offer offer, String remoteParty, String localParty, String remoteTarget) {
        this.sim = sim;
        this.faults = faults;
        this.deviceId = deviceId;
        this.channelId = channelId;
        this.callId = callId;
        this.ssrc = ssrc;
        this.transport = offer.transport();
        this.remote = new InetSocketAddress(offer.address(), offer.port());
        this.remoteParty = remoteParty;
        this.localParty = localParty;
        this.remoteTarget = remoteTarget;
    }

    /** Allocates the device's media port for the answer. */
    void prepare() throws IOException {
        switch (transport) {
            case UDP -> {
                lane = sim.pacer().lane();
                localPort = lane.udpPort();
            }
            case TCP_PASSIVE -> {
                // Bound now so that the answer names the port the connection will come from.
                tcp = SocketChannel.open();
                tcp.setOption(StandardSocketOptions.SO_SNDBUF, 1 << 20);
                tcp.bind(new InetSocketAddress(sim.localAddress(), 0));
                localPort = ((InetSocketAddress) tcp.getLocalAddress()).getPort();
            }
            case TCP_ACTIVE -> {
                listener = ServerSocketChannel.open();
                listener.bind(new InetSocketAddress(sim.localAddress(), 0), 1);
                listener.configureBlocking(false);
                localPort = ((InetSocketAddress) listener.getLocalAddress()).getPort();
                sim.reactor().register(listener, SelectionKey.OP_ACCEPT, key -> accept());
            }
        }
    }

    int localPort() {
        return localPort;
    }

    private void accept() throws IOException {
        SocketChannel ch = listener.accept();
        if (ch == null) {
            return;
        }
        listener.close(); // a=connection:new: exactly one connection per session
        synchronized (this) {
            if (closed) {
                ch.close();
                return;
            }
            tcp = ch;
            connected(ch);
        }
        maybeStart();
    }

    /** The platform's ACK for our 200. */
    void acked() {
        ScheduledFuture<?> r = okRetransmit;
        if (r != null) {
            r.cancel(false);
        }
        acked = true;
        if (transport == MediaTransport.TCP_PASSIVE) {
            connect();
        }
        maybeStart();
    }

    boolean isAcked() {
        return acked;
    }

    private void connect() {
        synchronized (this) {
            if (closed || faults.tcpNeverConnect() || tcp.isConnectionPending() || tcp.isConnected()) {
                return;
            }
            try {
                tcp.configureBlocking(false);
                if (tcp.connect(remote)) {
                    connected(tcp);
                } else {
                    sim.reactor().register(tcp, SelectionKey.OP_CONNECT, key -> {
                        try {
                            tcp.finishConnect();
                        } catch (IOException e) {
                            key.cancel();
                            mediaEnded("tcp connect failed: " + e.getMessage());
                            return;
                        }
                        synchronized (this) {
                            connected = true;
                            key.interestOps(SelectionKey.OP_READ);
                            key.attach(closeWatcher());
                        }
                        maybeStart();
                    });
                    return;
                }
            } catch (IOException e) {
                mediaEnded("tcp connect failed: " + e.getMessage());
                return;
            }
        }
        maybeStart();
    }

    private void connected(SocketChannel ch) throws IOException {
        ch.configureBlocking(false);
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        connected = true;
        sim.reactor().register(ch, SelectionKey.OP_READ, closeWatcher());
    }

    /** Reads and discards what the platform sends (RTCP, nothing) to notice when it closes the connection. */
    private Reactor.IoHandler closeWatcher() {
        ByteBuffer scratch = ByteBuffer.allocate(2048);
        return new Reactor.IoHandler() {
            @Override
            public void ready(SelectionKey key) throws IOException {
                scratch.clear();
                if (((SocketChannel) key.channel()).read(scratch) < 0) {
                    key.cancel();
                    mediaEnded("tcp closed by platform");
                }
            }

            @Override
            public void failed(SelectionKey key, Exception e) {
                key.cancel();
                mediaEnded("tcp failed: " + e.getMessage());
            }
        };
    }

    private void maybeStart() {
        MediaStream s;
        synchronized (this) {
            if (closed || started || !acked) {
                return;
            }
            if (transport == MediaTransport.UDP) {
                connected = true;
            } else if (!connected) {
                return;
            }
            started = true;
            if (faults.noMedia()) {
                return;
            }
            PsMediaFile media = sim.media();
            if (transport == MediaTransport.UDP) {
                s = new MediaStream(media, ssrc, faults, remote, null, this::mediaEnded);
            } else {
                s = new MediaStream(media, ssrc, faults, null, tcp, this::mediaEnded);
                lane = sim.pacer().lane();
            }
            stream = s;
        }
        lane.add(s);
        try (MDC.MDCCloseable d = MDC.putCloseable("device_id", deviceId);
                MDC.MDCCloseable c = MDC.putCloseable("channel_id", channelId);
                MDC.MDCCloseable i = MDC.putCloseable("call_id", callId)) {
            LOG.debug("streaming {} to {} with SSRC {}", transport, remote, ssrc);
        }
    }

    private void mediaEnded(String reason) {
        if (endReason == null) {
            endReason = reason;
        }
        MediaStream s = stream;
        if (s != null) {
            s.stop();
        }
        try (MDC.MDCCloseable d = MDC.putCloseable("device_id", deviceId);
                MDC.MDCCloseable c = MDC.putCloseable("channel_id", channelId);
                MDC.MDCCloseable i = MDC.putCloseable("call_id", callId)) {
            LOG.debug("media ended: {}", reason);
        }
    }

    /** Stops the stream but keeps the dialog and connection (a camera whose encoder stopped). */
    void stopMedia() {
        mediaEnded("stopped by the device");
    }

    /** Ends the session: stops media and releases its sockets. */
    void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        ScheduledFuture<?> r = okRetransmit;
        if (r != null) {
            r.cancel(false);
        }
        MediaStream s = stream;
        if (s != null) {
            s.stop();
        }
        closeQuietly(tcp);
        closeQuietly(listener);
    }

    boolean closed() {
        return closed;
    }

    private static void closeQuietly(java.nio.channels.Channel c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException ignored) {
                // releasing
            }
        }
    }

    SimSession snapshot() {
        MediaStream s = stream;
        return new SimSession(channelId, callId, ssrc, transport, remote, localPort, acked, connected,
                s == null ? 0 : s.packetsSent.get(), s == null ? 0 : s.bytesSent.get(), endReason);
    }
}
