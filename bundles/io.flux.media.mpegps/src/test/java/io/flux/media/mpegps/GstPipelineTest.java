package io.flux.media.mpegps;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.flux.media.api.sample.Codec;
import io.flux.media.api.sample.VideoSample;

/**
 * The whole receive path on a real GB28181-style program stream: GStreamer's mpegpsmux muxes x264 output, the
 * test packetizes it into RTP like a camera (PT 96, at most 1400 bytes, marker on a frame's last packet), and
 * the pipeline must give back exactly the H.264 access units GStreamer muxed.
 */
class GstPipelineTest {

    static final long SSRC = 100_000_001L;
    static final int FIRST_SEQ = 65_000; // wraps around during the stream

    static byte[] h264;
    static List<Tools.ProbePacket> esPackets;
    static List<Tools.ProbePacket> psPackets;
    static List<GbPacketizer.Unit> units;
    static List<GbPacketizer.Packet> packets;
    static Collector reference;
    static Map<Long, byte[]> referenceByPts = new HashMap<>();

    @BeforeAll
    static void setUp() throws IOException {
        TestMedia.GstPs media = TestMedia.gstPs();
        byte[] ps = Files.readAllBytes(media.ps());
        h264 = Files.readAllBytes(media.h264());
        esPackets = Tools.packets(media.h264(), "h264");
        psPackets = Tools.packets(media.ps(), null);
        units = GbPacketizer.framesOf(ps);
        packets = GbPacketizer.packetize(units, SSRC, FIRST_SEQ);
        reference = run(GbMediaPipeline.builder().ssrc(SSRC), packets);
        for (VideoSample v : reference.video) {
            referenceByPts.put(v.pts(), Collector.bytes(v.payload()));
        }
    }

    static Collector run(GbMediaPipeline.Builder builder, List<GbPacketizer.Packet> in) {
        Collector c = new Collector();
        GbMediaPipeline pipeline = builder.build(c);
        for (GbPacketizer.Packet p : in) {
            pipeline.onDatagram(p.bytes().duplicate());
        }
        pipeline.finish();
        return c;
    }

    @Test
    void everyAccessUnitComesOutAsMuxedWithFfprobesKeyframesAndTimestamps() throws IOException {
        assertThat(units).hasSize(esPackets.size());
        assertThat(reference.video).hasSize(esPackets.size());
        assertThat(reference.video).allSatisfy(v -> assertThat(v.codec()).isEqualTo(Codec.H264));
        assertThat(reference.keyframes()).containsExactlyElementsOf(
                esPackets.stream().map(Tools.ProbePacket::keyframe).toList());
        assertThat(reference.keyframes()).filteredOn(k -> k).hasSize(4);
        // Byte for byte what x264 produced, access unit by access unit.
        assertSameBytes(reference.videoBytes(), h264);
        for (int i = 0; i < esPackets.size(); i++) {
            assertThat(reference.video.get(i).payload().remaining()).isEqualTo(esPackets.get(i).size());
        }
        // Presentation timestamps as ffmpeg reads them from the program stream (B-frames: not monotonic).
        long base = reference.video.get(0).pts() - psPackets.get(0).pts();
        assertThat(reference.videoPts()).containsExactlyElementsOf(
                psPackets.stream().map(p -> p.pts() + base).toList());
        // Decoding timestamps too (a PES with a PTS only has DTS = PTS; mpegpsmux writes that for the first frames).
        assertThat(reference.video.stream().map(VideoSample::dts).toList()).containsExactlyElementsOf(
                psPackets.stream().map(p -> p.dts() + base).toList());
        assertThat(reference.video).allSatisfy(v -> assertThat(v.dts()).isLessThanOrEqualTo(v.pts()));

        Path out = reference.writeVideo(TestMedia.DIR.resolve("out").resolve("gst-pipeline.h264"));
        assertThat(Tools.decodeErrors(out, "h264")).isEmpty();
        assertThat(Tools.decodedFrames(out, "h264")).isEqualTo(esPackets.size());
    }

    @Test
    void statsCountPacketsAndNoErrors() {
        Collector c = new Collector();
        GbMediaPipeline pipeline = GbMediaPipeline.builder().ssrc(SSRC).payloadType(96).build(c);
        long bytes = 0;
        for (GbPacketizer.Packet p : packets) {
            bytes += p.bytes().remaining();
            pipeline.onDatagram(p.bytes().duplicate());
        }
        pipeline.finish();
        PipelineStats s = pipeline.stats();
        assertThat(s.datagrams()).isEqualTo(packets.size());
        assertThat(s.rtpPackets()).isEqualTo(packets.size());
        assertThat(s.datagramBytes()).isEqualTo(bytes);
        assertThat(s.rtpBytes()).isEqualTo(bytes);
        assertThat(s.lost() + s.late() + s.duplicates() + s.outOfRange() + s.wrongSsrcPackets()
                + s.invalidPackets() + s.wrongPayloadType()).isZero();
        assertThat(s.lastWrongSsrc()).isEqualTo(-1);
        assertThat(s.tcpFailure()).isNull();
        DemuxStats d = s.demux();
        assertThat(d.errors()).isEmpty();
        assertThat(d.videoAccessUnits()).isEqualTo(esPackets.size());
        assertThat(d.keyframes()).isEqualTo(4);
        assertThat(d.pesPackets()).isEqualTo(esPackets.size());
        assertThat(d.programStreamMaps()).isEqualTo(1);
        assertThat(d.systemHeaders()).isEqualTo(1);
        assertThat(d.packs()).isPositive();
        assertThat(d.skippedBytes()).isZero();
        assertThat(d.bytes()).isEqualTo(units.stream().mapToLong(u -> u.data().remaining()).sum());
    }

    @Test
    void markerEndsTheFrameWithItsLastPacket() {
        Collector c = new Collector();
        GbMediaPipeline pipeline = GbMediaPipeline.builder().ssrc(SSRC).flushOnMarker(true).build(c);
        for (GbPacketizer.Packet p : packets) {
            pipeline.onDatagram(p.bytes().duplicate());
            RtpPacket rtp = (RtpPacket) RtpPacket.parse(p.bytes().duplicate());
            if (rtp.marker()) {
                assertThat(c.video).hasSize(p.unit() + 1);
            } else {
                assertThat(c.video).hasSize(p.unit());
            }
        }
        pipeline.finish();
        assertSameBytes(c.videoBytes(), h264);
        assertThat(c.keyframes()).isEqualTo(reference.keyframes());
    }

    @Test
    void reorderingWithinTheWindowChangesNothing() {
        Random random = new Random(7);
        List<GbPacketizer.Packet> shuffled = new ArrayList<>(packets);
        // The first packet stays first: a receiver starts at the first number it sees.
        for (int from = 1; from < shuffled.size(); from += 16) {
            Collections.shuffle(shuffled.subList(from, Math.min(from + 16, shuffled.size())), random);
        }
        assertThat(shuffled).isNotEqualTo(packets);
        Collector c = new Collector();
        GbMediaPipeline pipeline = GbMediaPipeline.builder().ssrc(SSRC).reorderWindow(32).build(c);
        shuffled.forEach(p -> pipeline.onDatagram(p.bytes().duplicate()));
        pipeline.finish();
        assertSameBytes(c.videoBytes(), h264);
        assertThat(c.videoPts()).isEqualTo(reference.videoPts());
        assertThat(c.keyframes()).isEqualTo(reference.keyframes());
        PipelineStats s = pipeline.stats();
        assertThat(s.lost() + s.late() + s.duplicates()).isZero();
        assertThat(s.demux().errors()).isEmpty();
    }

    @Test
    void duplicatesAreDropped() {
        Random random = new Random(11);
        List<GbPacketizer.Packet> in = new ArrayList<>();
        int dups = 0;
        for (int i = 0; i < packets.size(); i++) {
            in.add(packets.get(i));
            if (i > 3 && random.nextInt(20) == 0) {
                in.add(packets.get(i - random.nextInt(4)));
                dups++;
            }
        }
        Collector c = new Collector();
        GbMediaPipeline pipeline = GbMediaPipeline.builder().ssrc(SSRC).build(c);
        in.forEach(p -> pipeline.onDatagram(p.bytes().duplicate()));
        pipeline.finish();
        assertSameBytes(c.videoBytes(), h264);
        assertThat(pipeline.stats().duplicates()).isEqualTo(dups).isPositive();
        assertThat(pipeline.stats().lost()).isZero();
    }

    @Test
    void lossIsCountedAndExactlyTheIntactFramesComeOut() {
        for (long seed = 1; seed <= 5; seed++) {
            Random random = new Random(seed);
            Set<Integer> damaged = new HashSet<>();
            List<GbPacketizer.Packet> in = new ArrayList<>();
            int dropped = 0;
            for (int i = 0; i < packets.size(); i++) {
                GbPacketizer.Packet p = packets.get(i);
                // Bursts of 1-3 packets, never the first nor the last ones (a receiver cannot know it missed those).
                if (i > 0 && i < packets.size() - 4 && random.nextInt(40) == 0) {
                    int burst = 1 + random.nextInt(3);
                    for (int k = 0; k < burst && i + k < packets.size(); k++) {
                        damaged.add(packets.get(i + k).unit());
                        dropped++;
                    }
                    i += burst - 1;
                    continue;
                }
                in.add(p);
            }
            Collector c = new Collector();
            GbMediaPipeline pipeline = GbMediaPipeline.builder().ssrc(SSRC).build(c);
            in.forEach(p -> pipeline.onDatagram(p.bytes().duplicate()));
            pipeline.finish();
            PipelineStats s = pipeline.stats();

            assertThat(dropped).as("seed %d of %d packets", seed, packets.size()).isPositive();
            assertThat(s.lost()).isEqualTo(dropped);
            assertThat(s.demux().errors(DemuxError.DISCONTINUITY)).isPositive();
            List<Long> intact = new ArrayList<>();
            for (int u = 0; u < units.size(); u++) {
                if (!damaged.contains(u)) {
                    intact.add(reference.video.get(u).pts());
                }
            }
            List<Long> missing = new ArrayList<>(intact);
            missing.removeAll(c.videoPts());
            List<Long> extra = new ArrayList<>(c.videoPts());
            extra.removeAll(intact);
            assertThat(missing).as("seed %d: intact frames missing (damaged units %s)", seed, damaged).isEmpty();
            assertThat(extra).as("seed %d: damaged frames emitted", seed).isEmpty();
            assertThat(c.videoPts()).as("seed %d", seed).containsExactlyElementsOf(intact);
            for (VideoSample v : c.video) {
                assertThat(Collector.bytes(v.payload())).isEqualTo(referenceByPts.get(v.pts()));
            }
            int lastDamaged = damaged.stream().mapToInt(Integer::intValue).max().orElseThrow();
            long keyframesExpected = 0;
            for (int u = 0; u < units.size(); u++) {
                if (!damaged.contains(u) && reference.video.get(u).keyframe()) {
                    keyframesExpected++;
                }
            }
            assertThat(c.keyframes().stream().filter(k -> k).count()).isEqualTo(keyframesExpected);
            if (lastDamaged < 75) {
                assertThat(c.video.get(c.video.size() - 1).pts()).isEqualTo(reference.video.get(99).pts());
            }
        }
    }

    @Test
    void packetsWithAnotherSsrcAreCountedApartAndIgnored() {
        List<GbPacketizer.Packet> in = new ArrayList<>();
        int foreign = 0;
        for (int i = 0; i < packets.size(); i++) {
            in.add(packets.get(i));
            if (i % 10 == 3) {
                in.add(withSsrc(packets.get(i), 777));
                foreign++;
            }
        }
        Collector c = new Collector();
        GbMediaPipeline pipeline = GbMediaPipeline.builder().ssrc(SSRC).build(c);
        in.forEach(p -> pipeline.onDatagram(p.bytes().duplicate()));
        pipeline.finish();
        assertSameBytes(c.videoBytes(), h264);
        PipelineStats s = pipeline.stats();
        assertThat(s.wrongSsrcPackets()).isEqualTo(foreign);
        assertThat(s.lastWrongSsrc()).isEqualTo(777);
        assertThat(s.rtpPackets()).isEqualTo(packets.size());
        assertThat(s.duplicates() + s.lost()).isZero();
    }

    @Test
    void aSessionReceivingOnlyAnotherSsrcSaysSo() {
        Collector c = new Collector();
        GbMediaPipeline pipeline = GbMediaPipeline.builder().ssrc(SSRC).build(c);
        packets.forEach(p -> pipeline.onDatagram(withSsrc(p, 200_000_002L).bytes()));
        pipeline.finish();
        assertThat(c.video).isEmpty();
        PipelineStats s = pipeline.stats();
        assertThat(s.rtpPackets()).isZero();
        assertThat(s.datagrams()).isEqualTo(packets.size());
        assertThat(s.wrongSsrcPackets()).isEqualTo(packets.size());
        assertThat(s.lastWrongSsrc()).isEqualTo(200_000_002L);
    }

    @Test
    void withoutAnExpectedSsrcTheFirstOneIsLockedOnto() {
        List<GbPacketizer.Packet> in = new ArrayList<>(packets);
        in.add(10, withSsrc(packets.get(10), 5));
        Collector c = run(GbMediaPipeline.builder(), in);
        assertSameBytes(c.videoBytes(), h264);
    }

    @Test
    void tcpFramingWithRandomChunkSizes() {
        byte[] stream = framed(packets, p -> p);
        for (long seed = 1; seed <= 3; seed++) {
            Random random = new Random(seed);
            Collector c = new Collector();
            GbMediaPipeline pipeline = GbMediaPipeline.builder().ssrc(SSRC).build(c);
            for (int off = 0; off < stream.length;) {
                int n = Math.min(stream.length - off, 1 + random.nextInt(seed == 1 ? 5 : 3000));
                // A fresh, reused-looking buffer each time: the pipeline must not keep references to it.
                byte[] chunk = java.util.Arrays.copyOfRange(stream, off, off + n);
                pipeline.onTcpData(ByteBuffer.wrap(chunk));
                java.util.Arrays.fill(chunk, (byte) 0x5A);
                off += n;
            }
            pipeline.finish();
            assertThat(pipeline.tcpFailed()).isFalse();
            assertSameBytes(c.videoBytes(), h264);
            assertThat(c.videoPts()).isEqualTo(reference.videoPts());
            assertThat(pipeline.stats().datagrams()).isEqualTo(packets.size());
            assertThat(pipeline.stats().datagramBytes()).isEqualTo(stream.length);
        }
    }

    @Test
    void tcpStreamThatLosesItsFramingFailsWithAReason() {
        byte[] stream = framed(packets, p -> p);
        byte[] broken = new byte[stream.length + 1];
        int cut = 20_000;
        System.arraycopy(stream, 0, broken, 0, cut);
        broken[cut] = 0x33; // one stray byte: every length after it is misread
        System.arraycopy(stream, cut, broken, cut + 1, stream.length - cut);
        Collector c = new Collector();
        GbMediaPipeline pipeline = GbMediaPipeline.builder().ssrc(SSRC).maxTcpFrame(1500).build(c);
        pipeline.onTcpData(ByteBuffer.wrap(broken));
        assertThat(pipeline.tcpFailed()).isTrue();
        assertThat(pipeline.stats().tcpFailure()).contains("exceeds the maximum of 1500").contains("framing");
        assertThat(c.video).isNotEmpty();
        long before = pipeline.stats().datagrams();
        pipeline.onTcpData(ByteBuffer.wrap(stream));
        assertThat(pipeline.stats().datagrams()).isEqualTo(before);
    }

    @Test
    @Timeout(60)
    void garbageNeverThrowsAndTheStreamStillComesThroughAfterwards() {
        Random random = new Random(99);
        Collector c = new Collector();
        GbMediaPipeline pipeline = GbMediaPipeline.builder().ssrc(SSRC).build(c);
        for (int i = 0; i < 20_000; i++) {
            byte[] junk = new byte[random.nextInt(1500)];
            random.nextBytes(junk);
            if (junk.length >= 12 && random.nextBoolean()) {
                // Plausible RTP with our SSRC and random PS-ish payload.
                junk[0] = (byte) 0x80;
                junk[1] = 96;
                ByteBuffer.wrap(junk).putInt(8, (int) SSRC);
                if (junk.length > 20 && random.nextBoolean()) {
                    junk[12] = 0;
                    junk[13] = 0;
                    junk[14] = 1;
                    junk[15] = (byte) (0xB9 + random.nextInt(0x47));
                }
            }
            pipeline.onDatagram(ByteBuffer.wrap(junk));
        }
        int before = c.video.size();
        packets.forEach(p -> pipeline.onDatagram(p.bytes().duplicate()));
        pipeline.finish();
        PipelineStats s = pipeline.stats();
        assertThat(s.invalidPackets()).isPositive();
        assertThat(s.demux().errorCount()).isPositive();
        // After the junk, the real stream comes through: all its keyframes, byte for byte.
        List<VideoSample> after = c.video.subList(before, c.video.size());
        assertThat(after.stream().filter(VideoSample::keyframe).count()).isEqualTo(4);
        for (VideoSample v : after) {
            assertThat(Collector.bytes(v.payload())).isEqualTo(referenceByPts.get(v.pts()));
        }
        assertThat(after.size()).isGreaterThanOrEqualTo(95);

        // Random bytes as a TCP stream: fails or not, but never throws.
        GbMediaPipeline tcp = GbMediaPipeline.builder().ssrc(SSRC).build(new Collector());
        for (int i = 0; i < 2_000; i++) {
            byte[] junk = new byte[random.nextInt(3000)];
            random.nextBytes(junk);
            tcp.onTcpData(ByteBuffer.wrap(junk));
        }
        assertThat(tcp.stats().datagramBytes()).isPositive();
    }

    static void assertSameBytes(byte[] actual, byte[] expected) {
        int diff = java.util.Arrays.mismatch(actual, expected);
        assertThat(diff).as("first differing byte of %d vs %d bytes", actual.length, expected.length).isEqualTo(-1);
    }

    static GbPacketizer.Packet withSsrc(GbPacketizer.Packet p, long ssrc) {
        ByteBuffer copy = ByteBuffer.allocate(p.bytes().remaining()).put(p.bytes().duplicate()).flip();
        copy.putInt(8, (int) ssrc);
        return new GbPacketizer.Packet(copy, p.unit(), p.seq());
    }

    static byte[] framed(List<GbPacketizer.Packet> in, UnaryOperator<GbPacketizer.Packet> map) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (GbPacketizer.Packet p : in) {
            ByteBuffer b = map.apply(p).bytes().duplicate();
            out.write(b.remaining() >> 8);
            out.write(b.remaining() & 0xFF);
            out.writeBytes(Collector.bytes(b));
        }
        return out.toByteArray();
    }
}
