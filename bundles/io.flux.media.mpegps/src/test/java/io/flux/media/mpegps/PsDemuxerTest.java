package io.flux.media.mpegps;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.flux.media.api.sample.AudioSample;
import io.flux.media.api.sample.Codec;
import io.flux.media.api.sample.VideoSample;
import io.flux.media.codec.Adts;

/**
 * Hand-built GB28181-style program streams around ffmpeg-made elementary streams: H.265 with a program stream
 * map (stream type 0x24) and G.711 audio, variants real cameras produce (several PES per frame, PTS repeated on
 * each, no map at all, PES_packet_length 0), AAC in ADTS, timestamp wrap-around, and damage of every kind.
 */
class PsDemuxerTest {

    static final long START = 900_000;
    static List<TestMedia.Frame> hevc;
    static List<Tools.ProbePacket> hevcProbe;
    static byte[] alaw;

    @BeforeAll
    static void media() throws IOException {
        Path h265 = TestMedia.h265();
        hevc = TestMedia.accessUnits(h265, true);
        hevcProbe = Tools.packets(h265, "hevc");
        alaw = Files.readAllBytes(TestMedia.alaw());
    }

    /** How a camera writes its stream. */
    record Variant(boolean psm, int audioType, int maxPes, boolean repeatPts, boolean unbounded, long start) {
        static Variant standard() {
            return new Variant(true, PsDemuxer.STREAM_TYPE_G711A, 3000, false, false, START);
        }

        Variant noPsm() {
            return new Variant(false, audioType, maxPes, repeatPts, unbounded, start);
        }

        Variant audioType(int type) {
            return new Variant(psm, type, maxPes, repeatPts, unbounded, start);
        }

        Variant ptsOnEveryPes() {
            return new Variant(psm, audioType, maxPes, true, unbounded, start);
        }

        Variant lengthZero() {
            return new Variant(psm, audioType, maxPes, repeatPts, true, start);
        }

        Variant start(long pts) {
            return new Variant(psm, audioType, maxPes, repeatPts, unbounded, pts);
        }
    }

    static final int AUDIO_PES = 320; // 40 ms of G.711

    static PsWriter hevcStream(Variant v) {
        return stream(hevc, PsDemuxer.STREAM_TYPE_H265, v);
    }

    static PsWriter stream(List<TestMedia.Frame> frames, int videoType, Variant v) {
        PsWriter w = new PsWriter();
        int a = 0;
        for (int i = 0; i < frames.size(); i++) {
            long pts = v.start() + i * 3600L;
            TestMedia.Frame f = frames.get(i);
            w.unit(pts).pack(pts - 1800, i % 8);
            if (f.keyframe() && v.psm()) {
                w.systemHeader().psm(new int[] {videoType, 0xE0}, new int[] {v.audioType(), 0xC0});
            }
            if (v.unbounded()) {
                w.pes(0xE0, pts, -1, f.data(), 0, f.data().length, true);
            } else {
                w.videoAccessUnit(0xE0, pts, -1, f.data(), v.maxPes(), v.repeatPts());
            }
            if (a + AUDIO_PES <= alaw.length) {
                w.pes(0xC0, pts, -1, alaw, a, AUDIO_PES);
                a += AUDIO_PES;
            }
        }
        return w.end();
    }

    static Collector overRtp(PsWriter w) {
        Collector c = new Collector();
        GbMediaPipeline pipeline = GbMediaPipeline.builder().ssrc(1).build(c);
        for (GbPacketizer.Packet p : GbPacketizer.packetize(w.units(), 1, 0)) {
            pipeline.onDatagram(p.bytes());
        }
        pipeline.finish();
        assertThat(pipeline.stats().demux().errors()).isEmpty();
        return c;
    }

    /** Feeds in chunks of 1 to maxChunk bytes (1: byte by byte; 0: all at once). */
    static Collector feed(PsDemuxer.Options options, byte[] ps, int maxChunk, long seed, DemuxStats[] stats) {
        Collector c = new Collector();
        PsDemuxer d = new PsDemuxer(options, c);
        feed(d, ps, maxChunk, seed);
        d.flush();
        if (stats != null) {
            stats[0] = d.stats();
        }
        return c;
    }

    static void feed(PsDemuxer d, byte[] ps, int maxChunk, long seed) {
        Random random = new Random(seed);
        for (int off = 0; off < ps.length;) {
            int n = maxChunk == 0 ? ps.length : Math.min(ps.length - off, 1 + random.nextInt(maxChunk));
            d.feed(ByteBuffer.wrap(ps, off, n));
            off += n;
        }
    }

    static Collector feed(byte[] ps, int maxChunk) {
        return feed(PsDemuxer.Options.DEFAULTS, ps, maxChunk, 1, null);
    }

    static void assertVideoIs(Collector c, List<TestMedia.Frame> frames, long start) {
        assertThat(c.video).hasSize(frames.size());
        for (int i = 0; i < frames.size(); i++) {
            VideoSample v = c.video.get(i);
            assertThat(Collector.bytes(v.payload())).as("access unit %d", i).isEqualTo(frames.get(i).data());
            assertThat(v.keyframe()).as("keyframe %d", i).isEqualTo(frames.get(i).keyframe());
            assertThat(v.pts()).isEqualTo(start + i * 3600L);
            assertThat(v.dts()).isEqualTo(v.pts());
        }
    }

    static void assertSameSamples(Collector actual, Collector expected) {
        assertThat(actual.video).hasSameSizeAs(expected.video);
        for (int i = 0; i < expected.video.size(); i++) {
            VideoSample a = actual.video.get(i);
            VideoSample e = expected.video.get(i);
            assertThat(List.of(a.codec(), a.pts(), a.dts(), a.keyframe())).as("video %d", i)
                    .isEqualTo(List.of(e.codec(), e.pts(), e.dts(), e.keyframe()));
            assertThat(a.payload()).as("video %d", i).isEqualTo(e.payload());
        }
        assertThat(actual.audio).hasSameSizeAs(expected.audio);
        for (int i = 0; i < expected.audio.size(); i++) {
            AudioSample a = actual.audio.get(i);
            AudioSample e = expected.audio.get(i);
            assertThat(List.of(a.codec(), a.pts(), a.sampleRate(), a.channels()))
                    .isEqualTo(List.of(e.codec(), e.pts(), e.sampleRate(), e.channels()));
            assertThat(a.payload()).as("audio %d", i).isEqualTo(e.payload());
        }
    }

    @Test
    void h265WithAProgramStreamMapAndG711OverRtp() throws IOException {
        PsWriter w = hevcStream(Variant.standard());
        Collector c = overRtp(w);

        assertThat(hevc).hasSize(hevcProbe.size()).hasSize(100);
        assertThat(c.video).allSatisfy(v -> assertThat(v.codec()).isEqualTo(Codec.H265));
        assertVideoIs(c, hevc, START);
        assertThat(c.keyframes()).containsExactlyElementsOf(hevcProbe.stream().map(Tools.ProbePacket::keyframe).toList());
        assertThat(c.keyframes()).filteredOn(k -> k).hasSize(4);
        Path out = c.writeVideo(TestMedia.DIR.resolve("out").resolve("psm-h265.h265"));
        assertThat(Tools.decodeErrors(out, "hevc")).isEmpty();
        assertThat(Tools.decodedFrames(out, "hevc")).isEqualTo(hevc.size());

        assertThat(c.audio).hasSize(100);
        assertThat(c.audioBytes()).isEqualTo(Arrays.copyOf(alaw, 100 * AUDIO_PES));
        for (int i = 0; i < c.audio.size(); i++) {
            AudioSample a = c.audio.get(i);
            assertThat(List.of(a.codec(), a.sampleRate(), a.channels(), a.pts()))
                    .isEqualTo(List.of(Codec.G711A, 8000, 1, START + i * 3600L));
        }
    }

    @Test
    void statsCountWhatWasParsed() {
        PsWriter w = hevcStream(Variant.standard());
        DemuxStats[] stats = new DemuxStats[1];
        feed(PsDemuxer.Options.DEFAULTS, w.bytes(), 0, 1, stats);
        DemuxStats s = stats[0];
        int videoPes = hevc.stream().mapToInt(f -> (f.data().length + 2999) / 3000).sum();
        assertThat(s.errors()).isEmpty();
        assertThat(s.errorCount()).isZero();
        assertThat(s.bytes()).isEqualTo(w.size());
        assertThat(s.packs()).isEqualTo(100);
        assertThat(s.systemHeaders()).isEqualTo(4);
        assertThat(s.programStreamMaps()).isEqualTo(4);
        assertThat(s.pesPackets()).isEqualTo(videoPes + 100);
        assertThat(videoPes).isGreaterThan(100);
        assertThat(s.videoAccessUnits()).isEqualTo(100);
        assertThat(s.keyframes()).isEqualTo(4);
        assertThat(s.audioFrames()).isEqualTo(100);
        assertThat(s.ignoredPackets() + s.droppedAccessUnits() + s.skippedBytes()).isZero();
    }

    @Test
    void ptsRepeatedOnEveryPesOfAFrameStillGivesOneAccessUnit() {
        assertVideoIs(overRtp(hevcStream(Variant.standard().ptsOnEveryPes())), hevc, START);
    }

    @Test
    void withoutAProgramStreamMapTheCodecsAreProbed() {
        PsWriter w = hevcStream(Variant.standard().noPsm());
        Collector c = overRtp(w);
        assertVideoIs(c, hevc, START);
        assertThat(c.video).allSatisfy(v -> assertThat(v.codec()).isEqualTo(Codec.H265));
        assertThat(c.audio).hasSize(100).allSatisfy(a -> assertThat(a.codec()).isEqualTo(Codec.G711A));

        Collector mu = feed(PsDemuxer.Options.DEFAULTS.withAudioFallback(Codec.G711U), w.bytes(), 0, 1, null);
        assertThat(mu.audio).hasSize(100).allSatisfy(a -> assertThat(a.codec()).isEqualTo(Codec.G711U));

        DemuxStats[] stats = new DemuxStats[1];
        Collector none = feed(PsDemuxer.Options.DEFAULTS.withAudioFallback(null), w.bytes(), 0, 1, stats);
        assertThat(none.audio).isEmpty();
        assertThat(none.video).hasSize(100);
        assertThat(stats[0].errors(DemuxError.UNKNOWN_CODEC)).isEqualTo(100);
    }

    @Test
    void g711MuLawFromTheMap() {
        Collector c = overRtp(hevcStream(Variant.standard().audioType(PsDemuxer.STREAM_TYPE_G711U)));
        assertThat(c.audio).hasSize(100).allSatisfy(a -> assertThat(a.codec()).isEqualTo(Codec.G711U));
    }

    @Test
    void h264FromTheMapAndProbed() throws IOException {
        List<TestMedia.Frame> avc = TestMedia.accessUnits(TestMedia.h264(), false);
        List<Tools.ProbePacket> probe = Tools.packets(TestMedia.h264(), "h264");
        for (Variant v : List.of(Variant.standard(), Variant.standard().noPsm())) {
            Collector c = overRtp(stream(avc, PsDemuxer.STREAM_TYPE_H264, v));
            assertVideoIs(c, avc, START);
            assertThat(c.video).allSatisfy(s -> assertThat(s.codec()).isEqualTo(Codec.H264));
            assertThat(c.keyframes()).containsExactlyElementsOf(probe.stream().map(Tools.ProbePacket::keyframe).toList());
        }
    }

    @Test
    void chunkingNeverChangesTheResult() {
        for (Variant v : List.of(Variant.standard(), Variant.standard().lengthZero(), Variant.standard().ptsOnEveryPes())) {
            byte[] ps = hevcStream(v).bytes();
            Collector whole = feed(ps, 0);
            assertVideoIs(whole, hevc, START);
            assertThat(whole.audio).hasSize(100);
            assertSameSamples(feed(ps, 1), whole);
            assertSameSamples(feed(ps, 7), whole);
            assertSameSamples(feed(ps, 1500), whole);
        }
    }

    @Test
    void unboundedPesOverRtp() {
        assertVideoIs(overRtp(hevcStream(Variant.standard().lengthZero())), hevc, START);
    }

    @Test
    void timestampsContinuePastThe33BitWrapAround() {
        long start = (1L << 33) - 20 * 3600L;
        Collector c = overRtp(hevcStream(Variant.standard().start(start)));
        assertThat(c.video).hasSize(100);
        for (int i = 0; i < 100; i++) {
            assertThat(c.video.get(i).pts()).isEqualTo(start + i * 3600L);
            assertThat(c.audio.get(i).pts()).isEqualTo(start + i * 3600L);
        }
        assertThat(c.video.get(99).pts()).isGreaterThan(1L << 33);
    }

    @Test
    void aacInAdtsSpanningPesPackets() throws Exception {
        byte[] aac = Files.readAllBytes(TestMedia.aac());
        List<ByteBuffer> frames = Adts.split(ByteBuffer.wrap(aac));
        assertThat(frames).hasSizeGreaterThan(50);
        // Frame start offsets and their exact timestamps.
        int[] offsets = new int[frames.size()];
        for (int k = 0, off = 0; k < frames.size(); off += frames.get(k).remaining(), k++) {
            offsets[k] = off;
        }
        PsWriter w = new PsWriter().pack(0, 0).psm(new int[] {PsDemuxer.STREAM_TYPE_AAC, 0xC0});
        int chunk = 700; // ADTS frames are about 280 bytes at 96 kbit/s: frames span PES packets
        for (int off = 0; off < aac.length; off += chunk) {
            long pts = -1;
            for (int k = 0; k < offsets.length; k++) {
                if (offsets[k] >= off && offsets[k] < off + chunk) {
                    pts = START + k * 1024L * 90_000 / 44_100;
                    break;
                }
            }
            w.pes(0xC0, pts, -1, aac, off, Math.min(chunk, aac.length - off));
        }
        Collector c = feed(w.bytes(), 0);
        assertThat(c.video).isEmpty();
        assertThat(c.audio).hasSize(frames.size());
        for (int k = 0; k < frames.size(); k++) {
            AudioSample a = c.audio.get(k);
            assertThat(a.payload()).isEqualTo(frames.get(k));
            assertThat(List.of(a.codec(), a.sampleRate(), a.channels())).isEqualTo(List.of(Codec.AAC, 44_100, 2));
            assertThat(a.pts()).isCloseTo(START + k * 1024L * 90_000 / 44_100, org.assertj.core.data.Offset.offset(2L));
        }
        assertSameSamples(feed(w.bytes(), 1), c);

        // Junk between frames: skipped to the next sync word, counted once.
        byte[] junk = new byte[aac.length + 50];
        System.arraycopy(aac, 0, junk, 0, offsets[3]);
        Arrays.fill(junk, offsets[3], offsets[3] + 50, (byte) 0x42);
        System.arraycopy(aac, offsets[3], junk, offsets[3] + 50, aac.length - offsets[3]);
        DemuxStats[] stats = new DemuxStats[1];
        Collector j = feed(PsDemuxer.Options.DEFAULTS, new PsWriter().psm(new int[] {PsDemuxer.STREAM_TYPE_AAC, 0xC0})
                .pes(0xC0, START, -1, junk, 0, junk.length / 2)
                .pes(0xC0, -1, -1, junk, junk.length / 2, junk.length - junk.length / 2).bytes(),
                0, 1, stats);
        assertThat(j.audio).hasSize(frames.size());
        assertThat(stats[0].errors(DemuxError.AUDIO_FRAME)).isEqualTo(1);
    }

    @Test
    void mpeg1PackAndPacketHeaders() {
        byte[] au = hevc.get(0).data();
        long scr = 123_456;
        long pts = 234_567;
        PsWriter w = new PsWriter().raw(new byte[] {0, 0, 1, (byte) 0xBA, (byte) (0x21 | ((scr >> 29) & 0x0E)),
            (byte) (scr >> 22), (byte) (((scr >> 14) & 0xFE) | 1), (byte) (scr >> 7), (byte) (((scr << 1) & 0xFE) | 1),
            (byte) 0x80, 0x01, 0x01});
        byte[] header = {(byte) 0xFF, (byte) 0xFF, 0x40, 0x20, (byte) (0x21 | ((pts >> 29) & 0x0E)), (byte) (pts >> 22),
            (byte) (((pts >> 14) & 0xFE) | 1), (byte) (pts >> 7), (byte) (((pts << 1) & 0xFE) | 1)};
        int length = header.length + au.length;
        w.raw(new byte[] {0, 0, 1, (byte) 0xE0, (byte) (length >> 8), (byte) length}).raw(header).raw(au);
        // Second frame: PTS and DTS, no stuffing nor STD buffer fields.
        w.raw(new byte[] {0, 0, 1, (byte) 0xBA, (byte) (0x21 | ((scr >> 29) & 0x0E)), (byte) (scr >> 22),
            (byte) (((scr >> 14) & 0xFE) | 1), (byte) (scr >> 7), (byte) (((scr << 1) & 0xFE) | 1), (byte) 0x80, 0x01,
            0x01});
        byte[] au2 = hevc.get(1).data();
        long pts2 = pts + 7200;
        long dts2 = pts + 3600;
        byte[] header2 = {(byte) (0x31 | ((pts2 >> 29) & 0x0E)), (byte) (pts2 >> 22), (byte) (((pts2 >> 14) & 0xFE) | 1),
            (byte) (pts2 >> 7), (byte) (((pts2 << 1) & 0xFE) | 1), (byte) (0x11 | ((dts2 >> 29) & 0x0E)),
            (byte) (dts2 >> 22), (byte) (((dts2 >> 14) & 0xFE) | 1), (byte) (dts2 >> 7), (byte) (((dts2 << 1) & 0xFE) | 1)};
        int length2 = header2.length + au2.length;
        w.raw(new byte[] {0, 0, 1, (byte) 0xE0, (byte) (length2 >> 8), (byte) length2}).raw(header2).raw(au2);
        DemuxStats[] stats = new DemuxStats[1];
        Collector c = feed(PsDemuxer.Options.DEFAULTS, w.bytes(), 0, 1, stats);
        assertThat(stats[0].errors()).isEmpty();
        assertThat(stats[0].packs()).isEqualTo(2);
        assertThat(c.video).hasSize(2);
        assertThat(c.video.get(0).pts()).isEqualTo(pts);
        assertThat(c.video.get(0).payload()).isEqualTo(ByteBuffer.wrap(au));
        assertThat(c.video.get(0).keyframe()).isTrue();
        assertThat(c.video.get(1).payload()).isEqualTo(ByteBuffer.wrap(au2));
        assertThat(c.video.get(1).pts()).isEqualTo(pts2);
        assertThat(c.video.get(1).dts()).isEqualTo(dts2);
    }

    @Test
    void streamsWithoutAnyPtsAreCutAtPackHeadersAndTimedByTheScr() {
        PsWriter w = new PsWriter();
        for (int i = 0; i < 10; i++) {
            byte[] au = hevc.get(i).data();
            w.pack(START + i * 3600L, 0);
            for (int off = 0; off < au.length; off += 1000) {
                w.pes(0xE0, -1, -1, au, off, Math.min(1000, au.length - off));
            }
        }
        Collector c = feed(w.bytes(), 0);
        assertVideoIs(c, hevc.subList(0, 10), START);
    }

    @Test
    void paddingPrivateStreamsAndASecondVideoStreamAreSkipped() {
        PsWriter w = new PsWriter();
        byte[] junk = new byte[500];
        new Random(3).nextBytes(junk);
        for (int i = 0; i < 10; i++) {
            long pts = START + i * 3600L;
            w.pack(pts, 0);
            if (i == 0) {
                w.systemHeader().psm(new int[] {PsDemuxer.STREAM_TYPE_H265, 0xE0}, new int[] {0x1B, 0xE1});
            }
            w.videoAccessUnit(0xE0, pts, -1, hevc.get(i).data(), 4000, false);
            w.pes(0xE1, pts, -1, junk, 0, 200);
            w.raw(new byte[] {0, 0, 1, (byte) 0xBE, 0, 10}).raw(new byte[10]);
            w.raw(new byte[] {0, 0, 1, (byte) 0xBD, 1, (byte) 0xF4}).raw(junk);
        }
        DemuxStats[] stats = new DemuxStats[1];
        Collector c = feed(PsDemuxer.Options.DEFAULTS, w.bytes(), 0, 1, stats);
        assertVideoIs(c, hevc.subList(0, 10), START);
        assertThat(stats[0].ignoredPackets()).isEqualTo(30);
        assertThat(stats[0].errors()).isEmpty();
    }

    @Test
    void anAccessUnitOverTheCapIsDroppedAndTheNextOneComesThrough() {
        byte[] big = new byte[100_000];
        Arrays.fill(big, (byte) 0x11);
        big[3] = 1;
        big[4] = 0x26; // H.265 IDR_W_RADL header, the rest filler
        big[5] = 0x01;
        big[0] = big[1] = big[2] = 0;
        PsWriter w = new PsWriter().pack(0, 0).psm(new int[] {PsDemuxer.STREAM_TYPE_H265, 0xE0});
        w.videoAccessUnit(0xE0, START, -1, big, 60_000, false);
        w.videoAccessUnit(0xE0, START + 3600, -1, hevc.get(0).data(), 60_000, false);
        w.videoAccessUnit(0xE0, START + 7200, -1, hevc.get(1).data(), 60_000, false);
        DemuxStats[] stats = new DemuxStats[1];
        Collector c = feed(PsDemuxer.Options.DEFAULTS.withMaxAccessUnitSize(64 << 10), w.bytes(), 0, 1, stats);
        assertThat(c.videoPts()).containsExactly(START + 3600, START + 7200);
        assertThat(stats[0].errors()).containsOnlyKeys(DemuxError.ACCESS_UNIT_TOO_LARGE);
        assertThat(stats[0].droppedAccessUnits()).isEqualTo(1);
        assertThat(feed(w.bytes(), 0).video).hasSize(3);
    }

    @Test
    void accessUnitsWithoutNalUnitsOrWithTheForbiddenBitAreDropped() {
        byte[] noStartCode = {0x12, 0x34, 0x56, 0x78, 0x11, 0x22};
        byte[] forbidden = {0, 0, 0, 1, (byte) 0xA6, 0x01, 0x22, 0x33};
        PsWriter w = new PsWriter().pack(0, 0).psm(new int[] {PsDemuxer.STREAM_TYPE_H265, 0xE0})
                .pes(0xE0, START, -1, noStartCode, 0, noStartCode.length)
                .pes(0xE0, START + 3600, -1, forbidden, 0, forbidden.length)
                .videoAccessUnit(0xE0, START + 7200, -1, hevc.get(0).data(), 9000, false);
        DemuxStats[] stats = new DemuxStats[1];
        Collector c = feed(PsDemuxer.Options.DEFAULTS, w.bytes(), 0, 1, stats);
        assertThat(c.videoPts()).containsExactly(START + 7200);
        assertThat(stats[0].errors()).containsEntry(DemuxError.CORRUPT_ACCESS_UNIT, 2L).hasSize(1);
    }

    @Test
    void unsupportedStreamTypesAreCounted() {
        byte[] svac = new byte[400];
        new Random(5).nextBytes(svac);
        svac[0] = 0x7F; // no start code anywhere near the front
        PsWriter w = new PsWriter().pack(0, 0).psm(new int[] {0x80, 0xE0}, new int[] {0x92, 0xC0});
        for (int i = 0; i < 3; i++) {
            w.pes(0xE0, START + i * 3600L, -1, svac, 0, svac.length).pes(0xC0, START + i * 3600L, -1, svac, 0, 80);
        }
        DemuxStats[] stats = new DemuxStats[1];
        Collector c = feed(PsDemuxer.Options.DEFAULTS, w.bytes(), 0, 1, stats);
        assertThat(c.video).isEmpty();
        assertThat(c.audio).isEmpty();
        assertThat(stats[0].errors(DemuxError.UNSUPPORTED_STREAM)).isEqualTo(6);
    }

    @Test
    void aDiscontinuityDropsTheFrameInProgressAndItsOtherPesPackets() {
        PsWriter w = stream(hevc.subList(0, 30), PsDemuxer.STREAM_TYPE_H265, new Variant(true,
                PsDemuxer.STREAM_TYPE_G711A, 100, false, false, START));
        List<GbPacketizer.Unit> units = w.units();
        assertThat(hevc.get(10).data().length).isGreaterThan(1000);
        for (boolean waitForKeyframe : List.of(false, true)) {
            Collector c = new Collector();
            PsDemuxer d = new PsDemuxer(PsDemuxer.Options.DEFAULTS.withDropUntilKeyframeAfterLoss(waitForKeyframe), c);
            for (int u = 0; u < units.size(); u++) {
                ByteBuffer data = units.get(u).data();
                if (u == 10) {
                    // The pack, the first PES (with the PTS) and part of the second arrive, then a gap, then the
                    // rest: PES packets without PTS of the same frame, and the audio.
                    d.feed(data.slice(0, 200));
                    d.discontinuity();
                    d.feed(data.slice(500, data.remaining() - 500));
                } else {
                    d.feed(data.duplicate());
                }
            }
            d.flush();
            List<Long> expected = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                if (i != 10 && !(waitForKeyframe && i > 10 && i < 25)) {
                    expected.add(START + i * 3600L);
                }
            }
            assertThat(c.videoPts()).isEqualTo(expected);
            for (VideoSample v : c.video) {
                assertThat(Collector.bytes(v.payload())).isEqualTo(hevc.get((int) ((v.pts() - START) / 3600)).data());
            }
            assertThat(d.stats().errors(DemuxError.DISCONTINUITY)).isEqualTo(1);
            assertThat(d.stats().droppedAccessUnits()).isEqualTo(waitForKeyframe ? 15 : 1);
            assertThat(c.audio).hasSize(30);
        }
    }

    @Test
    void aStreamEndingInsideAPesDropsTheIncompleteFrame() {
        byte[] ps = hevcStream(Variant.standard()).bytes();
        Collector c = new Collector();
        PsDemuxer d = new PsDemuxer(c);
        d.feed(ByteBuffer.wrap(ps, 0, ps.length / 2));
        d.flush();
        assertThat(d.stats().errors(DemuxError.TRUNCATED)).isEqualTo(1);
        for (VideoSample v : c.video) {
            assertThat(Collector.bytes(v.payload())).isEqualTo(hevc.get((int) ((v.pts() - START) / 3600)).data());
        }
        assertThat(c.video).hasSizeGreaterThan(30);
    }

    @Test
    @Timeout(60)
    void randomBytesNeverThrowNorHang() {
        Random random = new Random(42);
        byte[] junk = new byte[4 << 20];
        random.nextBytes(junk);
        // Sprinkle start codes so that every header parser sees garbage too.
        for (int i = 0; i < 20_000; i++) {
            int p = random.nextInt(junk.length - 4);
            junk[p] = 0;
            junk[p + 1] = 0;
            junk[p + 2] = 1;
            junk[p + 3] = (byte) (0xB9 + random.nextInt(0x47));
        }
        for (int maxChunk : new int[] {0, 1, 3, 1400}) {
            DemuxStats[] stats = new DemuxStats[1];
            feed(PsDemuxer.Options.DEFAULTS, maxChunk == 1 ? Arrays.copyOf(junk, 256 << 10) : junk, maxChunk, 7, stats);
            assertThat(stats[0].errorCount()).isPositive();
            assertThat(stats[0].skippedBytes()).isPositive();
        }
    }

    @Test
    @Timeout(120)
    void damagedStreamsNeverThrowAndGiveTheSameResultInAnyChunking() {
        byte[] clean = hevcStream(Variant.standard()).bytes();
        byte[] unbounded = hevcStream(Variant.standard().lengthZero()).bytes();
        Random random = new Random(1234);
        for (int round = 0; round < 120; round++) {
            byte[] ps = mutate(round % 3 == 0 ? unbounded : clean, random);
            DemuxStats[] whole = new DemuxStats[1];
            DemuxStats[] chunked = new DemuxStats[1];
            Collector a = feed(PsDemuxer.Options.DEFAULTS, ps, 0, round, whole);
            Collector b = feed(PsDemuxer.Options.DEFAULTS, ps, 1 + random.nextInt(40), round, chunked);
            assertSameSamples(b, a);
            assertThat(chunked[0]).as("round %d", round).isEqualTo(whole[0]);
            // Every access unit needs a video PES start of its own: nothing is made up.
            assertThat(a.video.size()).isLessThanOrEqualTo(count(ps, new byte[] {0, 0, 1, (byte) 0xE0}));
        }
    }

    static int count(byte[] in, byte[] pattern) {
        int n = 0;
        for (int i = 0; i + pattern.length <= in.length; i++) {
            if (Arrays.equals(in, i, i + pattern.length, pattern, 0, pattern.length)) {
                n++;
            }
        }
        return n;
    }

    /** Flips bytes, inserts junk, deletes or duplicates ranges, or truncates. */
    static byte[] mutate(byte[] in, Random random) {
        byte[] out = in.clone();
        int edits = 1 + random.nextInt(8);
        for (int e = 0; e < edits; e++) {
            int p = random.nextInt(out.length);
            switch (random.nextInt(5)) {
                case 0 -> {
                    for (int k = 0; k < 1 + random.nextInt(20) && p + k < out.length; k++) {
                        out[p + k] = (byte) random.nextInt(256);
                    }
                }
                case 1 -> {
                    byte[] junk = new byte[random.nextInt(3000)];
                    random.nextBytes(junk);
                    byte[] n = new byte[out.length + junk.length];
                    System.arraycopy(out, 0, n, 0, p);
                    System.arraycopy(junk, 0, n, p, junk.length);
                    System.arraycopy(out, p, n, p + junk.length, out.length - p);
                    out = n;
                }
                case 2 -> {
                    int len = Math.min(out.length - p, random.nextInt(5000));
                    byte[] n = new byte[out.length - len];
                    System.arraycopy(out, 0, n, 0, p);
                    System.arraycopy(out, p + len, n, p, out.length - p - len);
                    out = n;
                }
                case 3 -> {
                    int len = Math.min(out.length - p, random.nextInt(3000));
                    byte[] n = new byte[out.length + len];
                    System.arraycopy(out, 0, n, 0, p + len);
                    System.arraycopy(out, p, n, p + len, out.length - p);
                    out = n;
                }
                default -> out = Arrays.copyOf(out, Math.max(1, p));
            }
            if (out.length < 2) {
                out = new byte[] {0, 0};
            }
        }
        return out;
    }
}
