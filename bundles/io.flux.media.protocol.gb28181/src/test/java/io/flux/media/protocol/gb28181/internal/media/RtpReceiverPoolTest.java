package io.flux.media.protocol.gb28181.internal.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.flux.media.api.gb28181.Transport;
import io.flux.media.api.sample.MediaSample;
import io.flux.media.api.sample.VideoSample;
import io.flux.media.api.stream.StreamId;
import io.flux.media.testing.Await;
import io.flux.media.testing.FakeMetricsRegistry;
import io.flux.media.testing.FakeSink;

/**
 * The receivers on real loopback sockets, fed with GStreamer's program stream cut into RTP like a camera does.
 * Timeouts are short (hundreds of ms); everything is awaited, nothing slept.
 */
class RtpReceiverPoolTest {

    static final long SSRC = 100_000_001L; // y=0100000001
    static final String DEVICE = "34020000001320000001";
    static final String CHANNEL = "34020000001310000001";
    static final Duration SHORT = Duration.ofMillis(300);
    static final Duration LONG = Duration.ofSeconds(20);
    static final InetSocketAddress NOWHERE = new InetSocketAddress(Ports.LOOPBACK, 9);

    private final List<RtpReceiverPool> pools = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final FakeSink sink = new FakeSink();
    private final RtpMetrics metrics = new RtpMetrics();
    private final FakeMetricsRegistry registry = new FakeMetricsRegistry();
    private final Ends ends = new Ends();
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger receiverLogger = (Logger) LoggerFactory.getLogger(SessionReceiver.class);
    private int base;

    @BeforeEach
    void setUp() {
        metrics.bind(registry);
        logs.start();
        receiverLogger.addAppender(logs);
    }

    @AfterEach
    void tearDown() throws Exception {
        receiverLogger.detachAppender(logs);
        receiverLogger.setLevel(null);
        for (AutoCloseable c : closeables) {
            c.close();
        }
        pools.forEach(RtpReceiverPool::close);
    }

    private RtpReceiverPool pool(int ports, Duration noRtp, Duration media, Duration tcpConnect) {
        base = Ports.freeRange(ports);
        RtpReceiverPool pool = new RtpReceiverPool(new RtpReceiverPool.Settings("127.0.0.1", base, base + ports - 1,
                noRtp, media, tcpConnect, 64), sink, metrics);
        pools.add(pool);
        return pool;
    }

    private static ReceiverSpec spec(Transport t, String call) {
        return spec(t, SSRC, StreamId.of("gb28181", DEVICE, CHANNEL + "-" + call), call);
    }

    private static ReceiverSpec spec(Transport t, long ssrc, StreamId id, String call) {
        return new ReceiverSpec(t, ssrc, id, DEVICE, CHANNEL, call);
    }

    private <T extends AutoCloseable> T closing(T c) {
        closeables.add(c);
        return c;
    }

    private DatagramChannel device() throws IOException {
        DatagramChannel ch = closing(DatagramChannel.open());
        ch.bind(new InetSocketAddress(Ports.LOOPBACK, 0));
        return ch;
    }

    /** Sends in bursts, waiting for the receiver to count each burst (loopback does not lose, buffers do). */
    private static void sendUdp(DatagramChannel dev, int port, List<ByteBuffer> packets, RtpReceiver r)
            throws IOException {
        InetSocketAddress to = new InetSocketAddress(Ports.LOOPBACK, port);
        long before = r.stats().rtpPackets();
        for (int i = 0; i < packets.size(); i++) {
            dev.send(packets.get(i).duplicate(), to);
            if ((i + 1) % 32 == 0 || i == packets.size() - 1) {
                long want = before + i + 1;
                Await.until(() -> "the receiver counted " + want + " packets: " + r.stats(),
                        () -> r.stats().rtpPackets() >= want);
            }
        }
    }

    private static void writeChunked(SocketChannel ch, byte[] bytes, Random random) throws IOException {
        int off = 0;
        while (off < bytes.length) {
            int n = Math.min(bytes.length - off, 1 + random.nextInt(3000));
            ByteBuffer b = ByteBuffer.wrap(bytes, off, n);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            off += n;
        }
    }

    private static List<ByteBuffer> stream() throws IOException {
        return GbStreams.packets(SSRC, 65_500); // sequence numbers wrap
    }

    private void assertDelivered(FakeSink.Handle h, List<MediaSample> expected) throws IOException {
        assertThat(h.protocol).isEqualTo("gb28181");
        assertThat(h.samples).hasSize(expected.size());
        // Records compare their ByteBuffer payloads by content: bytes, pts, dts and keyframe flags in order.
        assertThat(h.samples).isEqualTo(expected);
        ByteArrayOutputStream es = new ByteArrayOutputStream();
        for (MediaSample s : h.samples) {
            ByteBuffer p = s.payload().duplicate();
            byte[] b = new byte[p.remaining()];
            p.get(b);
            es.writeBytes(b);
        }
        assertThat(es.toByteArray()).as("the H.264 x264 wrote, byte for byte").isEqualTo(GbStreams.h264());
        List<VideoSample> video = h.samples.stream().map(VideoSample.class::cast).toList();
        assertThat(video).hasSize(100);
        assertThat(video.get(0).keyframe()).isTrue();
        assertThat(video.stream().filter(VideoSample::keyframe).count()).isGreaterThanOrEqualTo(4);
    }

    private void assertReleased(int port) {
        assertThat(Ports.udpBindable(port)).as("udp port %d bindable again", port).isTrue();
        assertThat(Ports.tcpBindable(port)).as("tcp port %d bindable again", port).isTrue();
    }

    private List<ILoggingEvent> logLines(String containing) {
        List<ILoggingEvent> copy;
        synchronized (logs) { // appenders append under their own lock, from the receivers' threads
            copy = new ArrayList<>(logs.list);
        }
        return copy.stream().filter(e -> e.getFormattedMessage().contains(containing)).toList();
    }

    // ------------------------------------------------------------------------------------------------ UDP

    @Test
    void udpDeliversEveryAccessUnitInOrderWithKeyframes() throws Exception {
        List<ByteBuffer> packets = stream();
        List<MediaSample> expected = GbStreams.reference(packets, SSRC);
        RtpReceiverPool pool = pool(4, LONG, LONG, LONG);
        ReceiverSpec spec = spec(Transport.UDP, "udp");
        RtpReceiver r = pool.prepare(spec);
        assertThat(r.localPort()).isBetween(base, base + 3);
        assertThat(r.stats()).isEqualTo(ReceiverStats.NONE);
        r.start(NOWHERE, ends);
        DatagramChannel dev = device();

        sendUdp(dev, r.localPort(), packets, r);

        ReceiverStats s = r.stats();
        assertThat(s.rtpPackets()).isEqualTo(packets.size());
        assertThat(s.rtpBytes()).isEqualTo(packets.stream().mapToLong(ByteBuffer::remaining).sum());
        assertThat(s.lost()).isZero();
        assertThat(s.wrongSsrcPackets()).isZero();
        assertThat(s.remote()).isEqualTo("127.0.0.1:" + ((InetSocketAddress) dev.getLocalAddress()).getPort());
        assertThat(s.firstPacketAt()).isNotNull();
        assertThat(s.lastPacketAt()).isAfterOrEqualTo(s.firstPacketAt());
        assertThat(pool.active()).isEqualTo(1);

        r.close();
        assertThat(sink.handles).hasSize(1);
        FakeSink.Handle h = sink.handles.get(0);
        assertThat(h.id).isEqualTo(spec.streamId());
        assertThat(h.closed).as("stream closed with the receiver").isTrue();
        assertThat(h.pushedAfterClose).isFalse();
        assertDelivered(h, expected);
        assertThat(r.stats().samples()).isEqualTo(expected.size());
        assertThat(ends.calls).as("close() never calls the end listener").isEmpty();
        assertThat(pool.active()).isZero();
        assertReleased(r.localPort());

        assertThat(registry.value(RtpMetrics.PACKETS, "udp")).isEqualTo(packets.size());
        assertThat(registry.value(RtpMetrics.BYTES, "udp")).isEqualTo(s.rtpBytes());
        assertThat(registry.value(RtpMetrics.LOST, "udp")).isZero();
        assertThat(registry.value(RtpMetrics.RECEIVERS)).isZero();
        assertThat(logLines("media receiver started: udp port " + r.localPort())).hasSize(1);
        assertThat(logLines("first RTP packet from 127.0.0.1:")).hasSize(1);
    }

    @Test
    void expectSsrcReplacesTheOfferedSsrcBeforeStart() throws Exception {
        long devices = 77L; // the device answered the INVITE with its own y=
        List<ByteBuffer> packets = GbStreams.packets(devices, 1_000);
        List<MediaSample> expected = GbStreams.reference(packets, devices);
        RtpReceiverPool pool = pool(2, LONG, LONG, LONG);
        RtpReceiver r = pool.prepare(spec(Transport.UDP, "own-ssrc"));
        r.expectSsrc(devices);
        r.start(NOWHERE, ends);
        assertThatThrownBy(() -> r.expectSsrc(SSRC)).isInstanceOf(IllegalStateException.class);
        DatagramChannel dev = device();

        sendUdp(dev, r.localPort(), packets, r);

        assertThat(r.stats().rtpPackets()).isEqualTo(packets.size());
        assertThat(r.stats().wrongSsrcPackets()).isZero();
        assertThat(logLines("media receiver started: udp port " + r.localPort() + ", SSRC 77,")).hasSize(1);
        // The offered SSRC is no longer the session's.
        List<ByteBuffer> offered = GbStreams.packets(SSRC, 0).subList(0, 3);
        for (ByteBuffer p : offered) {
            dev.send(p.duplicate(), new InetSocketAddress(Ports.LOOPBACK, r.localPort()));
        }
        Await.until(() -> "3 with the offered SSRC counted apart: " + r.stats(),
                () -> r.stats().wrongSsrcPackets() == 3);
        assertThat(r.stats().rtpPackets()).isEqualTo(packets.size());
        assertThat(logLines("RTP with SSRC 100000001 (0x05f5e101)")).hasSize(1);
        r.close();
        assertThat(sink.handles.get(0).samples).isEqualTo(expected);
        assertThat(ends.calls).isEmpty();
    }

    @Test
    void manyConcurrentUdpSessionsEachGetTheirOwnStream() throws Exception {
        int sessions = 24;
        RtpReceiverPool pool = pool(sessions, LONG, LONG, LONG);
        List<RtpReceiver> receivers = new ArrayList<>();
        List<List<ByteBuffer>> streams = new ArrayList<>();
        for (int i = 0; i < sessions; i++) {
            long ssrc = 100_000_000L + i;
            RtpReceiver r = pool.prepare(spec(Transport.UDP, ssrc, StreamId.of("gb28181", DEVICE, "ch" + i),
                    "call-" + i));
            r.start(NOWHERE, ends);
            receivers.add(r);
            streams.add(GbStreams.packets(ssrc, i * 1000));
        }
        assertThat(receivers.stream().map(RtpReceiver::localPort).distinct()).hasSize(sessions);
        DatagramChannel dev = device();
        int n = streams.get(0).size();
        // Interleaved, as many cameras sending at once.
        for (int from = 0; from < n; from += 16) {
            for (int i = 0; i < sessions; i++) {
                InetSocketAddress to = new InetSocketAddress(Ports.LOOPBACK, receivers.get(i).localPort());
                for (int k = from; k < Math.min(n, from + 16); k++) {
                    dev.send(streams.get(i).get(k).duplicate(), to);
                }
            }
            long want = Math.min(n, from + 16);
            for (RtpReceiver r : receivers) {
                Await.until(() -> "receiver counted " + want + ": " + r.stats(), () -> r.stats().rtpPackets() >= want);
            }
        }
        List<MediaSample> expected = GbStreams.reference(streams.get(0), 100_000_000L);
        for (int i = 0; i < sessions; i++) {
            receivers.get(i).close();
            List<FakeSink.Handle> hs = sink.of(StreamId.of("gb28181", DEVICE, "ch" + i));
            assertThat(hs).hasSize(1);
            assertThat(hs.get(0).samples).isEqualTo(expected);
            assertThat(receivers.get(i).stats().wrongSsrcPackets()).isZero();
        }
        assertThat(pool.active()).isZero();
        assertThat(registry.value(RtpMetrics.PACKETS, "udp")).isEqualTo((double) n * sessions);
    }

    @Test
    void garbageDatagramsAreCountedAndTheSessionSurvives() throws Exception {
        List<ByteBuffer> packets = stream();
        List<MediaSample> expected = GbStreams.reference(packets, SSRC);
        RtpReceiverPool pool = pool(2, LONG, LONG, LONG);
        RtpReceiver r = pool.prepare(spec(Transport.UDP, "garbage"));
        r.start(NOWHERE, ends);
        DatagramChannel dev = device();
        InetSocketAddress to = new InetSocketAddress(Ports.LOOPBACK, r.localPort());
        Random random = new Random(7);
        int garbage = 0;
        int rtcp = 0;
        for (int i = 0; i < packets.size(); i++) {
            if (i % 5 == 0) {
                byte[] junk = new byte[random.nextInt(1500)];
                random.nextBytes(junk);
                if (junk.length > 0) {
                    junk[0] = (byte) (junk[0] & 0x3F); // not version 2: never mistaken for RTP
                }
                dev.send(ByteBuffer.wrap(junk), to);
                garbage++;
                // Truncated RTP: a real header cut inside the fixed part, and one announcing 15 CSRCs it lacks.
                dev.send(packets.get(i).duplicate().limit(7), to);
                // 40 bytes (a frame's last packet may be shorter: zeros after it), less than 15 CSRCs need.
                ByteBuffer real = packets.get(i).duplicate();
                ByteBuffer bad = ByteBuffer.allocate(40).put(real.limit(Math.min(40, real.remaining()))).clear();
                bad.put(0, (byte) 0x8F);
                dev.send(bad, to);
                garbage += 2;
                ByteBuffer report = ByteBuffer.allocate(28).put(0, (byte) 0x80).put(1, (byte) 200);
                dev.send(report, to);
                rtcp++;
            }
            dev.send(packets.get(i).duplicate(), to);
            if (i % 32 == 31) {
                int want = i + 1;
                Await.until("counted " + want, () -> r.stats().rtpPackets() >= want);
            }
        }
        Await.until("all counted", () -> r.stats().rtpPackets() >= packets.size());
        r.close();
        assertThat(sink.handles).hasSize(1);
        assertThat(sink.handles.get(0).samples).isEqualTo(expected);
        assertThat(registry.value(RtpMetrics.INVALID, "udp")).isEqualTo(garbage);
        assertThat(registry.value(RtpMetrics.WRONG_SSRC, "udp")).isZero();
        assertThat(ends.calls).isEmpty();
        assertThat(rtcp).isPositive();
    }

    @Test
    void brokenProgramStreamDoesNotStopTheSession() throws Exception {
        List<ByteBuffer> packets = stream();
        List<MediaSample> expected = GbStreams.reference(packets, SSRC);
        List<ByteBuffer> damaged = new ArrayList<>();
        for (int i = 0; i < packets.size(); i++) {
            ByteBuffer p = ByteBuffer.allocate(packets.get(i).remaining()).put(packets.get(i).duplicate()).flip();
            if (i == 30 || i == 31 || i == 200) {
                for (int k = 12; k < p.limit(); k += 3) {
                    p.put(k, (byte) 0x00); // start codes everywhere, lengths and headers ruined
                    if (k + 2 < p.limit()) {
                        p.put(k + 2, (byte) 0x01);
                    }
                }
            }
            damaged.add(p);
        }
        RtpReceiverPool pool = pool(2, LONG, LONG, LONG);
        RtpReceiver r = pool.prepare(spec(Transport.UDP, "broken-ps"));
        r.start(NOWHERE, ends);
        sendUdp(device(), r.localPort(), damaged, r);
        r.close();
        List<MediaSample> got = sink.handles.get(0).samples;
        assertThat(got).hasSizeGreaterThan(expected.size() / 2);
        // The last GOP is far from the damage: it arrives intact.
        assertThat(got.subList(got.size() - 20, got.size())).isEqualTo(expected.subList(expected.size() - 20,
                expected.size()));
        assertThat(ends.calls).isEmpty();
    }

    // ------------------------------------------------------------------------------------------------ UDP ends

    @Test
    void nothingArrivingEndsWithNoRtp() throws Exception {
        RtpReceiverPool pool = pool(2, SHORT, LONG, LONG);
        ReceiverSpec spec = spec(Transport.UDP, "nothing");
        RtpReceiver r = pool.prepare(spec);
        List<Boolean> releasedWhenCalled = new java.util.concurrent.CopyOnWriteArrayList<>();
        r.start(NOWHERE, (reason, detail) -> {
            releasedWhenCalled.add(pool.active() == 0 && Ports.udpBindable(r.localPort()));
            ends.ended(reason, detail);
        });
        Ends.End end = ends.await(Await.LONG);
        assertThat(releasedWhenCalled).as("port already released when the listener runs").containsExactly(true);
        assertThat(end.reason()).isEqualTo("no_rtp");
        assertThat(end.detail()).contains("no packets at all on udp port " + r.localPort() + " from anyone");
        assertThat(end.thread()).doesNotStartWith("gb28181-media-loop-"); // not on a media loop
        Await.until("the port is released", () -> pool.active() == 0);
        assertReleased(r.localPort());
        assertThat(sink.handles).isEmpty();
        r.close(); // idempotent, no second call
        assertThat(ends.calls).hasSize(1);
        assertThat(registry.value(RtpMetrics.ENDED, "no_rtp")).isEqualTo(1);

        ILoggingEvent ended = logLines("media receiver ended: no_rtp").get(0);
        assertThat(ended.getLevel()).isEqualTo(Level.WARN);
        assertThat(ended.getMDCPropertyMap()).containsEntry("device_id", DEVICE).containsEntry("channel_id", CHANNEL)
                .containsEntry("call_id", "nothing").containsEntry("stream_id", spec.streamId().value());
    }

    @Test
    void datagramsThatAreNotRtpEndWithNoRtpSayingWhatCame() throws Exception {
        RtpReceiverPool pool = pool(2, SHORT, LONG, LONG);
        RtpReceiver r = pool.prepare(spec(Transport.UDP, "junk"));
        r.start(NOWHERE, ends);
        DatagramChannel dev = device();
        for (int i = 0; i < 3; i++) {
            dev.send(ByteBuffer.wrap("hello camera".getBytes()), new InetSocketAddress(Ports.LOOPBACK, r.localPort()));
        }
        Ends.End end = ends.await(Await.LONG);
        assertThat(end.reason()).isEqualTo("no_rtp");
        assertThat(end.detail()).contains("3 datagrams", "3 not RTP",
                "127.0.0.1:" + ((InetSocketAddress) dev.getLocalAddress()).getPort());
        Await.until("metrics reported", () -> registry.value(RtpMetrics.INVALID, "udp") == 3);
    }

    @Test
    void truncatedPacketsWithTheSessionsSsrcDoNotCountAsMedia() throws Exception {
        RtpReceiverPool pool = pool(2, SHORT, LONG, LONG);
        RtpReceiver r = pool.prepare(spec(Transport.UDP, "truncated"));
        r.start(NOWHERE, ends);
        DatagramChannel dev = device();
        // The session's SSRC in place, but 15 CSRCs announced in 40 bytes: not an RTP packet the pipeline takes.
        ByteBuffer bad = ByteBuffer.allocate(40).put(stream().get(0).duplicate().limit(40)).clear();
        bad.put(0, (byte) 0x8F);
        for (int i = 0; i < 3; i++) {
            dev.send(bad.duplicate(), new InetSocketAddress(Ports.LOOPBACK, r.localPort()));
        }
        Ends.End end = ends.await(Await.LONG);
        assertThat(end.reason()).isEqualTo("no_rtp");
        assertThat(end.detail()).contains("3 datagrams", "no RTP packet of SSRC 100000001", "3 not RTP");
        assertThat(logLines("first RTP packet")).isEmpty();
        assertThat(r.stats().firstPacketAt()).isNull();
    }

    @Test
    void wrongSsrcEndsWithWrongSsrcNamingWhatArrived() throws Exception {
        long other = 0x1234L;
        List<ByteBuffer> packets = GbStreams.packets(other, 0).subList(0, 5);
        RtpReceiverPool pool = pool(2, SHORT, LONG, LONG);
        RtpReceiver r = pool.prepare(spec(Transport.UDP, "wrong"));
        r.start(NOWHERE, ends);
        DatagramChannel dev = device();
        InetSocketAddress to = new InetSocketAddress(Ports.LOOPBACK, r.localPort());
        for (ByteBuffer p : packets) {
            dev.send(p.duplicate(), to);
        }
        Await.until("counted", () -> r.stats().wrongSsrcPackets() == 5);
        Ends.End end = ends.await(Await.LONG);
        assertThat(end.reason()).isEqualTo("wrong_ssrc");
        assertThat(end.detail()).contains("5 RTP packets with SSRC 4660 (0x00001234)",
                "from 127.0.0.1:" + ((InetSocketAddress) dev.getLocalAddress()).getPort(),
                "expected SSRC 100000001 (0x05f5e101)", "udp port " + r.localPort());
        assertThat(r.stats().rtpPackets()).isZero();
        assertThat(r.stats().wrongSsrcPackets()).isEqualTo(5);
        assertThat(logLines("RTP with SSRC 4660 (0x00001234)")).as("warned once").hasSize(1);
        assertThat(registry.value(RtpMetrics.WRONG_SSRC, "udp")).isEqualTo(5);
        assertThat(registry.value(RtpMetrics.ENDED, "wrong_ssrc")).isEqualTo(1);
        Await.until("released", () -> pool.active() == 0);
        assertReleased(r.localPort());
    }

    @Test
    void mediaStoppingEndsWithMediaTimeoutAfterDeliveringWhatCame() throws Exception {
        List<ByteBuffer> packets = stream();
        RtpReceiverPool pool = pool(2, LONG, Duration.ofMillis(800), LONG);
        RtpReceiver r = pool.prepare(spec(Transport.UDP, "stops"));
        r.start(NOWHERE, ends);
        sendUdp(device(), r.localPort(), packets.subList(0, packets.size() / 2), r);
        Ends.End end = ends.await(Await.LONG);
        assertThat(end.reason()).isEqualTo("media_timeout");
        assertThat(end.detail()).contains("no RTP packet for", "after " + packets.size() / 2 + " packets from 127.0.0.1:");
        FakeSink.Handle h = sink.handles.get(0);
        assertThat(h.closed).isTrue();
        assertThat(h.samples).hasSizeGreaterThan(10);
        assertThat(r.stats().samples()).isEqualTo(h.samples.size());
        Await.until("released", () -> pool.active() == 0);
        assertReleased(r.localPort());
    }

    // ------------------------------------------------------------------------------------------------ TCP passive

    @Test
    void tcpPassiveTakesOneConnectionAndDeliversEveryAccessUnit() throws Exception {
        List<ByteBuffer> packets = stream();
        List<MediaSample> expected = GbStreams.reference(packets, SSRC);
        RtpReceiverPool pool = pool(2, LONG, LONG, LONG);
        RtpReceiver r = pool.prepare(spec(Transport.TCP_PASSIVE, "passive"));
        r.start(NOWHERE, ends);
        SocketChannel dev = closing(SocketChannel.open(new InetSocketAddress(Ports.LOOPBACK, r.localPort())));
        byte[] framed = GbStreams.framed(packets);
        writeChunked(dev, framed, new Random(1));
        Await.until(() -> "all packets counted: " + r.stats(), () -> r.stats().rtpPackets() == packets.size());
        String device = "127.0.0.1:" + ((InetSocketAddress) dev.getLocalAddress()).getPort();
        assertThat(r.stats().remote()).isEqualTo(device);
        assertThat(r.stats().firstPacketAt()).isNotNull();
        assertThat(logLines("first RTP packet from " + device + " on tcp_passive port " + r.localPort())).hasSize(1);

        // A second connection to the same port is closed at once.
        try (Socket second = new Socket(Ports.LOOPBACK, r.localPort())) {
            second.setSoTimeout(5000);
            assertThat(second.getInputStream().read()).isEqualTo(-1);
        }
        assertThat(logLines("refused a second TCP connection")).hasSize(1);

        r.close();
        assertDelivered(sink.handles.get(0), expected);
        assertThat(ends.calls).isEmpty();
        assertReleased(r.localPort());
        assertThat(registry.value(RtpMetrics.PACKETS, "tcp_passive")).isEqualTo(packets.size());
        // The device sees its connection closed.
        dev.socket().setSoTimeout(5000);
        InputStream in = dev.socket().getInputStream();
        assertThat(in.read()).isEqualTo(-1);
    }

    @Test
    void tcpPassiveNobodyConnectingEndsWithTcpNotConnected() throws Exception {
        RtpReceiverPool pool = pool(2, LONG, LONG, SHORT);
        RtpReceiver r = pool.prepare(spec(Transport.TCP_PASSIVE, "noconn"));
        r.start(new InetSocketAddress("192.0.2.7", 15060), ends);
        Ends.End end = ends.await(Await.LONG);
        assertThat(end.reason()).isEqualTo("tcp_not_connected");
        assertThat(end.detail()).contains("did not connect to tcp port " + r.localPort(), "192.0.2.7:15060");
        Await.until("released", () -> pool.active() == 0);
        assertReleased(r.localPort());
    }

    @Test
    void tcpPeerClosingEndsWithTcpClosed() throws Exception {
        List<ByteBuffer> packets = stream();
        RtpReceiverPool pool = pool(2, LONG, LONG, LONG);
        RtpReceiver r = pool.prepare(spec(Transport.TCP_PASSIVE, "closes"));
        r.start(NOWHERE, ends);
        int sent = packets.size() / 3;
        try (SocketChannel dev = SocketChannel.open(new InetSocketAddress(Ports.LOOPBACK, r.localPort()))) {
            writeChunked(dev, GbStreams.framed(packets.subList(0, sent)), new Random(2));
            Await.until("counted", () -> r.stats().rtpPackets() == sent);
        }
        Ends.End end = ends.await(Await.LONG);
        assertThat(end.reason()).isEqualTo("tcp_closed");
        assertThat(end.detail()).contains("closed the TCP connection from 127.0.0.1:", "after " + sent + " RTP packets");
        FakeSink.Handle h = sink.handles.get(0);
        assertThat(h.closed).isTrue();
        assertThat(h.samples).isNotEmpty();
        Await.until("released", () -> pool.active() == 0);
        assertReleased(r.localPort());
    }

    @Test
    void tcpGarbageFramesAreCountedAndBrokenFramingEndsWithTcpFraming() throws Exception {
        List<ByteBuffer> packets = stream();
        List<MediaSample> expected = GbStreams.reference(packets, SSRC);
        RtpReceiverPool pool = pool(2, LONG, LONG, LONG);
        RtpReceiver r = pool.prepare(spec(Transport.TCP_PASSIVE, "tcpjunk"));
        r.start(NOWHERE, ends);
        Random random = new Random(3);
        List<ByteBuffer> frames = new ArrayList<>();
        int shortFrames = 0;
        for (int i = 0; i < packets.size(); i++) {
            if (i % 10 == 0) {
                frames.add(ByteBuffer.wrap(new byte[] {(byte) 0x80, 96, 0, 1, 2})); // truncated RTP
                shortFrames++;
                frames.add(ByteBuffer.allocate(0)); // empty frame, skipped
                // A frame of 60000 bytes that looks like RTP of another SSRC.
                byte[] huge = new byte[60_000];
                random.nextBytes(huge);
                huge[0] = (byte) 0x80;
                huge[1] = 96;
                ByteBuffer.wrap(huge).putInt(8, 0x0BADF00D);
                frames.add(ByteBuffer.wrap(huge));
            }
            frames.add(packets.get(i));
        }
        try (SocketChannel dev = SocketChannel.open(new InetSocketAddress(Ports.LOOPBACK, r.localPort()))) {
            writeChunked(dev, GbStreams.framed(frames), random);
            Await.until(() -> "all counted: " + r.stats(), () -> r.stats().rtpPackets() == packets.size());
            assertThat(ends.calls).isEmpty();
            assertThat(r.stats().wrongSsrcPackets()).isEqualTo(shortFrames);
            // Now a frame that is not RTP: the framing is lost for good.
            dev.write(ByteBuffer.wrap(new byte[] {0, 4, 'G', 'E', 'T', ' '}));
            Ends.End end = ends.await(Await.LONG);
            assertThat(end.reason()).isEqualTo("tcp_framing");
            assertThat(end.detail()).contains("does not start with an RTP version 2 header",
                    "after " + packets.size() + " RTP packets");
        }
        assertThat(sink.handles.get(0).samples).isEqualTo(expected);
        assertThat(registry.value(RtpMetrics.INVALID, "tcp_passive")).isEqualTo(shortFrames);
        assertThat(registry.value(RtpMetrics.WRONG_SSRC, "tcp_passive")).isEqualTo(shortFrames);
        assertThat(registry.value(RtpMetrics.ENDED, "tcp_framing")).isEqualTo(1);
        Await.until("released", () -> pool.active() == 0);
        assertReleased(r.localPort());
    }

    @Test
    void tcpWrongSsrcEndsWithWrongSsrc() throws Exception {
        RtpReceiverPool pool = pool(2, SHORT, LONG, LONG);
        RtpReceiver r = pool.prepare(spec(Transport.TCP_PASSIVE, "tcpwrong"));
        r.start(NOWHERE, ends);
        try (SocketChannel dev = SocketChannel.open(new InetSocketAddress(Ports.LOOPBACK, r.localPort()))) {
            dev.write(ByteBuffer.wrap(GbStreams.framed(GbStreams.packets(77L, 0).subList(0, 3))));
            Ends.End end = ends.await(Await.LONG);
            assertThat(end.reason()).isEqualTo("wrong_ssrc");
            assertThat(end.detail()).contains("3 RTP packets with SSRC 77 (0x0000004d)",
                    "from 127.0.0.1:" + ((InetSocketAddress) dev.getLocalAddress()).getPort(), "expected SSRC 100000001");
        }
    }

    // ------------------------------------------------------------------------------------------------ TCP active

    @Test
    void tcpActiveRetriesUntilTheDeviceListensThenReceives() throws Exception {
        receiverLogger.setLevel(Level.DEBUG);
        List<ByteBuffer> packets = stream();
        List<MediaSample> expected = GbStreams.reference(packets, SSRC);
        RtpReceiverPool pool = pool(1, LONG, LONG, LONG);
        RtpReceiver r = pool.prepare(spec(Transport.TCP_ACTIVE, "active"));
        assertThat(r.localPort()).isZero();
        int devicePort = Ports.freeRange(1);
        r.start(new InetSocketAddress(Ports.LOOPBACK, devicePort), ends);
        // The device opens its listener late: only once the platform was refused.
        Await.until("a refused connect attempt", () -> !logLines("connect attempt 1 to").isEmpty());
        ServerSocketChannel listener = closing(ServerSocketChannel.open());
        listener.bind(new InetSocketAddress(Ports.LOOPBACK, devicePort));
        try (SocketChannel dev = listener.accept()) {
            writeChunked(dev, GbStreams.framed(packets), new Random(4));
            Await.until(() -> "all counted: " + r.stats(), () -> r.stats().rtpPackets() == packets.size());
            assertThat(r.stats().remote()).isEqualTo("127.0.0.1:" + devicePort);
        }
        Ends.End end = ends.await(Await.LONG);
        assertThat(end.reason()).isEqualTo("tcp_closed");
        assertThat(end.detail()).contains("127.0.0.1:" + devicePort);
        assertDelivered(sink.handles.get(0), expected);
        assertThat(registry.value(RtpMetrics.PACKETS, "tcp_active")).isEqualTo(packets.size());
        assertThat(logLines("connected to the device at 127.0.0.1:" + devicePort)).hasSize(1);
        Await.until("released", () -> pool.active() == 0);
    }

    @Test
    void tcpActiveToNobodyEndsWithTcpNotConnectedNamingTheAddressAndError() throws Exception {
        RtpReceiverPool pool = pool(1, LONG, LONG, SHORT);
        RtpReceiver r = pool.prepare(spec(Transport.TCP_ACTIVE, "refused"));
        int devicePort = Ports.freeRange(1);
        r.start(new InetSocketAddress(Ports.LOOPBACK, devicePort), ends);
        Ends.End end = ends.await(Await.LONG);
        assertThat(end.reason()).isEqualTo("tcp_not_connected");
        assertThat(end.detail()).contains("127.0.0.1:" + devicePort, "Connection refused", "attempts");
        Await.until("released", () -> pool.active() == 0);
    }

    @Test
    void tcpActiveRequiresTheDeviceAddress() throws Exception {
        RtpReceiverPool pool = pool(1, LONG, LONG, SHORT);
        RtpReceiver r = pool.prepare(spec(Transport.TCP_ACTIVE, "noaddr"));
        assertThatThrownBy(() -> r.start(null, ends)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("tcp_active");
        r.close();
        assertThat(pool.active()).isZero();
    }

    // ------------------------------------------------------------------------------------------------ ports

    @Test
    void portsRoundRobinSkipTakenOnesAndRunOut() throws Exception {
        RtpReceiverPool pool = pool(3, LONG, LONG, LONG);
        // Another process holds the middle port.
        DatagramChannel squatter = closing(DatagramChannel.open());
        squatter.bind(new InetSocketAddress(Ports.LOOPBACK, base + 1));

        RtpReceiver a = pool.prepare(spec(Transport.UDP, "a"));
        RtpReceiver b = pool.prepare(spec(Transport.TCP_PASSIVE, "b"));
        assertThat(a.localPort()).isEqualTo(base);
        assertThat(b.localPort()).as("udp squatter does not block tcp").isEqualTo(base + 1);
        RtpReceiver c = pool.prepare(spec(Transport.UDP, "c"));
        assertThat(c.localPort()).isEqualTo(base + 2);
        assertThatThrownBy(() -> pool.prepare(spec(Transport.UDP, "d"))).isInstanceOf(NoMediaPortException.class)
                .hasMessageContaining(base + "-" + (base + 2)).hasMessageContaining("3 held by sessions");
        // TCP active needs no port.
        RtpReceiver active = pool.prepare(spec(Transport.TCP_ACTIVE, "e"));
        assertThat(pool.active()).isEqualTo(4);

        a.close();
        assertReleased(base);
        RtpReceiver again = pool.prepare(spec(Transport.UDP, "f"));
        assertThat(again.localPort()).isEqualTo(base);
        b.close();
        squatter.close();
        // Round robin: the cursor continues after the last port it handed out.
        RtpReceiver next = pool.prepare(spec(Transport.UDP, "g"));
        assertThat(next.localPort()).isEqualTo(base + 1);
        for (RtpReceiver r : List.of(c, again, next, active)) {
            r.close();
        }
        assertThat(pool.active()).isZero();
    }

    @Test
    void closingThePoolReleasesEverySocketAndThreadWithoutCallingListeners() throws Exception {
        RtpReceiverPool pool = pool(4, LONG, LONG, LONG);
        List<RtpReceiver> rs = new ArrayList<>();
        rs.add(pool.prepare(spec(Transport.UDP, "p1")));
        rs.add(pool.prepare(spec(Transport.TCP_PASSIVE, "p2")));
        rs.add(pool.prepare(spec(Transport.UDP, "p3"))); // prepared, never started
        rs.add(pool.prepare(spec(Transport.TCP_ACTIVE, "p4")));
        rs.get(0).start(NOWHERE, ends);
        rs.get(1).start(NOWHERE, ends);
        ServerSocketChannel device = closing(ServerSocketChannel.open());
        device.bind(new InetSocketAddress(Ports.LOOPBACK, 0));
        rs.get(3).start((InetSocketAddress) device.getLocalAddress(), ends);
        SocketChannel toPassive = closing(SocketChannel.open(new InetSocketAddress(Ports.LOOPBACK,
                rs.get(1).localPort())));
        SocketChannel accepted = closing(device.accept());
        List<ByteBuffer> packets = stream().subList(0, 40);
        sendUdp(device(), rs.get(0).localPort(), packets, rs.get(0));
        toPassive.write(ByteBuffer.wrap(GbStreams.framed(packets)));
        Await.until("tcp counted", () -> rs.get(1).stats().rtpPackets() == packets.size());
        assertThat(pool.active()).isEqualTo(4);
        assertThat(loopThreads()).isNotEmpty();

        pool.close();

        assertThat(pool.active()).isZero();
        for (int p = base; p < base + 4; p++) {
            assertReleased(p);
        }
        assertThat(loopThreads()).as("selector threads stopped").isEmpty();
        accepted.socket().setSoTimeout(5000);
        assertThat(accepted.socket().getInputStream().read()).as("active connection closed").isEqualTo(-1);
        assertThat(sink.handles).allSatisfy(h -> assertThat(h.closed).isTrue());
        assertThat(sink.handles).hasSize(2);
        assertThat(ends.calls).isEmpty();
        assertThatThrownBy(() -> pool.prepare(spec(Transport.UDP, "late"))).isInstanceOf(IllegalStateException.class);
        rs.forEach(RtpReceiver::close); // idempotent after the pool closed
    }

    private static List<Thread> loopThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("gb28181-media-loop-") && t.isAlive()).toList();
    }

    // ------------------------------------------------------------------------------------------------ misc

    @Test
    void startTwiceIsRefusedAndCloseBeforeStartReleases() throws Exception {
        RtpReceiverPool pool = pool(1, LONG, LONG, LONG);
        RtpReceiver r = pool.prepare(spec(Transport.UDP, "twice"));
        r.start(NOWHERE, ends);
        assertThatThrownBy(() -> r.start(NOWHERE, ends)).isInstanceOf(IllegalStateException.class);
        r.close();
        r.close();
        assertReleased(r.localPort());
        RtpReceiver unstarted = pool.prepare(spec(Transport.TCP_PASSIVE, "unstarted"));
        assertThat(unstarted.localPort()).isEqualTo(base);
        unstarted.close();
        assertReleased(base);
        assertThat(ends.calls).isEmpty();
    }

    @Test
    void metricsFollowTheRegistry() throws Exception {
        RtpReceiverPool pool = pool(2, SHORT, LONG, LONG);
        metrics.unbind(new FakeMetricsRegistry()); // another registry: ignored
        RtpReceiver r = pool.prepare(spec(Transport.UDP, "m1"));
        assertThat(registry.value(RtpMetrics.RECEIVERS)).isEqualTo(1);
        r.start(NOWHERE, ends);
        ends.await(Await.LONG);
        assertThat(registry.value(RtpMetrics.ENDED, "no_rtp")).isEqualTo(1);

        metrics.unbind(registry);
        Ends more = new Ends();
        pool.prepare(spec(Transport.UDP, "m2")).start(NOWHERE, more);
        more.await(Await.LONG);
        assertThat(registry.value(RtpMetrics.ENDED, "no_rtp")).as("unbound: not counted").isEqualTo(1);

        metrics.bind(registry);
        assertThat(registry.registered(RtpMetrics.PACKETS)).isTrue();
        metrics.unregister();
        assertThat(registry.names()).isEmpty();
        for (String name : List.of(RtpMetrics.PACKETS, RtpMetrics.BYTES, RtpMetrics.LOST, RtpMetrics.WRONG_SSRC,
                RtpMetrics.INVALID, RtpMetrics.ENDED, RtpMetrics.RECEIVERS)) {
            assertThat(registry.registered(name)).as(name).isFalse();
        }
    }

    @Test
    void settingsAreValidated() {
        assertThatThrownBy(() -> new RtpReceiverPool.Settings("127.0.0.1", 3000, 2000, SHORT, SHORT, SHORT, 64))
                .hasMessageContaining("3000-2000");
        assertThatThrownBy(() -> new RtpReceiverPool.Settings("127.0.0.1", 2000, 3000, Duration.ZERO, SHORT, SHORT,
                64)).hasMessageContaining("noRtpTimeout");
        assertThatThrownBy(() -> new RtpReceiverPool.Settings("127.0.0.1", 2000, 3000, SHORT, SHORT, SHORT, 5000))
                .hasMessageContaining("reorderWindow");
        assertThatThrownBy(() -> new RtpReceiverPool(new RtpReceiverPool.Settings("not an address!", 2000, 3000,
                SHORT, SHORT, SHORT, 64), sink, metrics)).hasMessageContaining("not an address");
    }
}
