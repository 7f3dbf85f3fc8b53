package io.flux.media.testing.gb28181;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one pacing scheduler of a simulator: every stream's frames are sent in real time by a few lane threads
 * (each with its own UDP socket and streams ordered by due time), never a thread per stream. A frame goes out as
 * a burst of its packets, copied from the precomputed {@link PsMediaFile} into a reused buffer where only
 * sequence number, timestamp and SSRC are written.
 */
final class RtpPacer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RtpPacer.class);
    /** Further behind than this, a stream skips ahead instead of bursting to catch up. */
    private static final long MAX_LATENESS_NANOS = 1_000_000_000L;
    private static final long IDLE_PARK_NANOS = 50_000_000L;

    private final List<Lane> lanes = new ArrayList<>();
    private final AtomicInteger next = new AtomicInteger();
    private final SimStats stats;

    RtpPacer(int laneCount, InetAddress localAddress, SimStats stats) throws IOException {
        this.stats = stats;
        for (int i = 0; i < laneCount; i++) {
            Lane lane = new Lane(i, localAddress);
            lanes.add(lane);
            lane.thread.start();
        }
    }

    /** The lane the next stream goes to (round robin); its UDP port is what the SDP answer announces. */
    Lane lane() {
        return lanes.get(Math.floorMod(next.getAndIncrement(), lanes.size()));
    }

    @Override
    public void close() {
        for (Lane lane : lanes) {
            lane.running = false;
            LockSupport.unpark(lane.thread);
        }
        for (Lane lane : lanes) {
            try {
                lane.thread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            try {
                lane.udp.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    final class Lane {
        final DatagramChannel udp;
        final Thread thread;
        private final ConcurrentLinkedQueue<MediaStream> inbox = new ConcurrentLinkedQueue<>();
        private final PriorityQueue<MediaStream> due = new PriorityQueue<>(Comparator.comparingLong(s -> s.dueNanos));
        private final ByteBuffer datagram = ByteBuffer.allocateDirect(PsMediaFile.RTP_HEADER + PsMediaFile.MAX_PAYLOAD);
        private ByteBuffer tcpFrame = ByteBuffer.allocateDirect(256 * 1024);
        private final byte[] garbage = new byte[64];
        volatile boolean running = true;

        Lane(int index, InetAddress localAddress) throws IOException {
            udp = DatagramChannel.open();
            udp.setOption(StandardSocketOptions.SO_SNDBUF, 4 << 20);
            udp.bind(new InetSocketAddress(localAddress, 0));
            thread = new Thread(this::run, "flux-sim-rtp-" + index);
            thread.setDaemon(true);
        }

        int udpPort() {
            return udp.socket().getLocalPort();
        }

        /** Starts sending the stream's first frame now. */
        void add(MediaStream s) {
            s.startNanos = System.nanoTime();
            s.dueNanos = s.startNanos;
            inbox.add(s);
            LockSupport.unpark(thread);
        }

        private void run() {
            while (running) {
                MediaStream added;
                while ((added = inbox.poll()) != null) {
                    due.add(added);
                }
                MediaStream s = due.peek();
                if (s == null) {
                    LockSupport.parkNanos(IDLE_PARK_NANOS);
                    continue;
                }
                long now = System.nanoTime();
                if (s.stopped()) {
                    due.poll();
                    continue;
                }
                if (s.dueNanos > now) {
                    LockSupport.parkNanos(Math.min(s.dueNanos - now, IDLE_PARK_NANOS));
                    continue;
                }
                due.poll();
                if (now - s.dueNanos > MAX_LATENESS_NANOS) {
                    s.startNanos += now - s.dueNanos;
                    s.dueNanos = now;
                    stats.mediaResyncs.increment();
                }
                try {
                    sendFrame(s);
                } catch (IOException | RuntimeException e) {
                    s.end(s.tcp != null ? "tcp write failed: " + e.getMessage() : "udp send failed: " + e);
                    if (s.tcp == null) {
                        LOG.debug("RTP send failed", e);
                    }
                }
                if (!s.stopped()) {
                    s.advance();
                    due.add(s);
                }
            }
        }

        private void sendFrame(MediaStream s) throws IOException {
            long limit = s.faults.stopMediaAfterPackets();
            if (limit >= 0 && s.packetsSent.get() >= limit) {
                s.end("stopped after " + limit + " packets (fault)"); // the dialog stays up: an encoder that hung
                return;
            }
            PsMediaFile m = s.media;
            int first = m.frameFirstPacket[s.frame];
            int end = m.frameFirstPacket[s.frame + 1];
            long ts = s.rtpTimestamp();
            long ssrc = s.wireSsrc();
            if (s.tcp == null) {
                if (s.faults.garbageMedia()) {
                    ThreadLocalRandom.current().nextBytes(garbage);
                    garbage[0] = 0; // RTP version 0: never a valid packet
                    datagram.clear();
                    datagram.put(garbage).flip();
                    udp.send(datagram, s.udpTarget);
                    stats.garbageSent.increment();
                }
                for (int p = first; p < end; p++) {
                    datagram.clear();
                    datagram.put(m.packets, m.packetOffset[p], m.packetLength[p]);
                    patch(datagram, 0, s.seq++, ts, ssrc);
                    datagram.flip();
                    udp.send(datagram, s.udpTarget);
                    count(s, m.packetLength[p]);
                }
                return;
            }
            if (s.pending != null) {
                s.tcp.write(s.pending);
                if (s.pending.hasRemaining()) {
                    stats.framesDropped.increment(); // the platform reads too slowly: skip, like a camera would
                    return;
                }
                s.pending = null;
            }
            int bytes = 0;
            for (int p = first; p < end; p++) {
                bytes += 2 + m.packetLength[p];
            }
            if (tcpFrame.capacity() < bytes) {
                tcpFrame = ByteBuffer.allocateDirect(Integer.highestOneBit(bytes) << 1);
            }
            tcpFrame.clear();
            for (int p = first; p < end; p++) {
                tcpFrame.putShort((short) m.packetLength[p]);
                int at = tcpFrame.position();
                tcpFrame.put(m.packets, m.packetOffset[p], m.packetLength[p]);
                patch(tcpFrame, at, s.seq++, ts, ssrc);
                count(s, m.packetLength[p]);
            }
            tcpFrame.flip();
            s.tcp.write(tcpFrame);
            if (tcpFrame.hasRemaining()) {
                ByteBuffer rest = ByteBuffer.allocate(tcpFrame.remaining());
                rest.put(tcpFrame).flip();
                s.pending = rest;
            }
        }

        private void count(MediaStream s, int length) {
            s.packetsSent.incrementAndGet();
            s.bytesSent.addAndGet(length);
            stats.rtpPackets.increment();
            stats.rtpBytes.add(length);
        }
    }

    /** Writes sequence number, timestamp and SSRC into the RTP header at {@code at}. */
    static void patch(ByteBuffer b, int at, int seq, long timestamp, long ssrc) {
        b.putShort(at + 2, (short) seq);
        b.putInt(at + 4, (int) timestamp);
        b.putInt(at + 8, (int) ssrc);
    }
}
