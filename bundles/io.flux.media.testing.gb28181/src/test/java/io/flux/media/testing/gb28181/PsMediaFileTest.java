package io.flux.media.testing.gb28181;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Framing and packetizing a real mpegpsmux stream from GStreamer. */
class PsMediaFileTest {

    @Test
    void cutsTheStreamAtVideoPesWithPts() throws Exception {
        byte[] ps = Files.readAllBytes(TestMedia.path());
        List<PsMediaFile.Frame> frames = PsMediaFile.framesOf(ps);
        assertThat(frames).hasSize(250);
        long previous = -1;
        int end = 0;
        for (PsMediaFile.Frame f : frames) {
            assertThat(f.offset()).isEqualTo(end);
            assertThat(f.pts()).isGreaterThan(previous);
            previous = f.pts();
            end = f.offset() + f.length();
        }
        assertThat(end).isEqualTo(ps.length);
        // 25 fps: 3600 ticks of 90 kHz between frames
        assertThat(frames.get(1).pts() - frames.get(0).pts()).isEqualTo(3600);
    }

    @Test
    void gbFramesStartWithAPackHeaderAndKeyframesCarryTheStreamMap() throws Exception {
        byte[] ps = Files.readAllBytes(TestMedia.path());
        List<PsMediaFile.Frame> raw = PsMediaFile.framesOf(ps);
        List<byte[]> frames = PsMediaFile.gbFrames(ps, raw);
        assertThat(frames).hasSize(raw.size());
        long previous = -1;
        int keyframes = 0;
        for (int i = 0; i < frames.size(); i++) {
            byte[] f = frames.get(i);
            assertThat(ByteBuffer.wrap(f, 0, 4).getInt()).as("pack start code of frame %d", i).isEqualTo(0x000001BA);
            // each one frame again, with the same PTS, the SCR not after it
            List<PsMediaFile.Frame> again = PsMediaFile.framesOf(f);
            assertThat(again).hasSize(1);
            assertThat(again.get(0).pts()).isEqualTo(raw.get(i).pts()).isGreaterThan(previous);
            previous = again.get(0).pts();
            assertThat(PsMediaFile.scr(f, 0)).isLessThanOrEqualTo(raw.get(i).pts());
            // the frames holding an IDR slice (NAL type 5) carry system header and stream map, the others not
            boolean key = hasIdr(f);
            keyframes += key ? 1 : 0;
            assertThat(indexOf(f, 0xBB) >= 0 && indexOf(f, 0xBC) >= 0).as("stream map in frame %d", i).isEqualTo(key);
            // the frame's own bytes follow unchanged
            PsMediaFile.Frame r = raw.get(i);
            int ownStart = (ps[r.offset() + 3] & 0xFF) == 0xBA ? r.offset() + 14 : r.offset();
            byte[] own = java.util.Arrays.copyOfRange(ps, ownStart, r.offset() + r.length());
            assertThat(java.util.Arrays.copyOfRange(f, f.length - own.length, f.length)).isEqualTo(own);
        }
        assertThat(keyframes).as("key-int-max=25 over 250 frames").isGreaterThanOrEqualTo(10);
    }

    private static boolean hasIdr(byte[] b) {
        for (int i = 0; i + 3 < b.length; i++) {
            if (b[i] == 0 && b[i + 1] == 0 && b[i + 2] == 1 && (b[i + 3] & 0x9F) == 0x05) {
                return true;
            }
        }
        return false;
    }

    @Test
    void packHeaderRoundTripsTheScr() {
        byte[] template = {0, 0, 1, (byte) 0xBA, 0x44, 0, 4, 0, 4, 1, 0x01, (byte) 0x89, (byte) 0xC3, (byte) 0xF8};
        for (long scr : new long[] {0, 1, 3600, 0x1_2345_6789L, (1L << 33) - 1}) {
            byte[] h = PsMediaFile.packHeader(template, scr);
            assertThat(PsMediaFile.scr(h, 0)).isEqualTo(scr);
            assertThat(h[4] & 0xC4).isEqualTo(0x44);
            assertThat(h[6] & 0x04).isEqualTo(0x04);
            assertThat(h[8] & 0x04).isEqualTo(0x04);
            assertThat(h[12]).isEqualTo(template[12]);
        }
    }

    /** Position of the start code 00 00 01 {@code id}, or -1. */
    private static int indexOf(byte[] b, int id) {
        for (int i = 0; i + 3 < b.length; i++) {
            if (b[i] == 0 && b[i + 1] == 0 && b[i + 2] == 1 && (b[i + 3] & 0xFF) == id) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void packetsCarryEachFrameWithMarkerOnItsLastPacket() throws Exception {
        byte[] ps = Files.readAllBytes(TestMedia.path());
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        PsMediaFile.gbFrames(ps, PsMediaFile.framesOf(ps)).forEach(expected::writeBytes);
        PsMediaFile m = TestMedia.file();
        assertThat(m.frames()).isEqualTo(250);
        assertThat(m.duration().toMillis()).isEqualTo(10_000);
        assertThat(m.bitrateKbps()).isBetween(300.0, 3000.0);
        assertThat(m.loopTimestamp).isEqualTo(250 * 3600);
        ByteArrayOutputStream reassembled = new ByteArrayOutputStream();
        for (int f = 0; f < m.frames(); f++) {
            assertThat(m.frameTimestamp[f]).isEqualTo(f * 3600L);
            for (int p = m.frameFirstPacket[f]; p < m.frameFirstPacket[f + 1]; p++) {
                int off = m.packetOffset[p];
                int len = m.packetLength[p];
                assertThat(m.packets[off] & 0xFF).isEqualTo(0x80);
                assertThat(m.packets[off + 1] & 0x7F).isEqualTo(96);
                boolean marker = (m.packets[off + 1] & 0x80) != 0;
                assertThat(marker).as("marker of packet %d in frame %d", p, f)
                        .isEqualTo(p == m.frameFirstPacket[f + 1] - 1);
                assertThat(len - 12).isBetween(1, PsMediaFile.MAX_PAYLOAD);
                reassembled.write(m.packets, off + 12, len - 12);
            }
        }
        assertThat(reassembled.toByteArray()).isEqualTo(expected.toByteArray());
    }

    @Test
    void rtpPacketsAreOnePassWithWrappingSequenceNumbersAndFrameTimestamps() throws Exception {
        PsMediaFile m = TestMedia.file();
        long firstTimestamp = 0xFFFF_FFFFL - 3600; // wraps at the third frame
        List<ByteBuffer> packets = m.rtpPackets(4_000_000_000L, 0xFFFE, firstTimestamp);
        assertThat(packets).hasSize(m.packets());
        for (int f = 0; f < m.frames(); f++) {
            for (int p = m.frameFirstPacket[f]; p < m.frameFirstPacket[f + 1]; p++) {
                ByteBuffer b = packets.get(p);
                assertThat(b.position()).isZero();
                assertThat(b.remaining()).isEqualTo(m.packetLength[p]);
                assertThat(b.get(1)).as("payload type and marker").isEqualTo(m.packets[m.packetOffset[p] + 1]);
                assertThat(b.getShort(2) & 0xFFFF).isEqualTo((0xFFFE + p) & 0xFFFF);
                assertThat(b.getInt(4) & 0xFFFFFFFFL).isEqualTo((firstTimestamp + f * 3600L) & 0xFFFFFFFFL);
                assertThat(b.getInt(8) & 0xFFFFFFFFL).isEqualTo(4_000_000_000L);
                assertThat(b.slice(12, b.remaining() - 12)).isEqualTo(
                        ByteBuffer.wrap(m.packets, m.packetOffset[p] + 12, m.packetLength[p] - 12));
            }
        }
        assertThat(packets.get(2).getShort(2)).as("sequence numbers wrap").isEqualTo((short) 0);
    }

    @Test
    void patchWritesSequenceTimestampAndSsrcOnly() {
        ByteBuffer b = ByteBuffer.allocate(16);
        b.put(0, (byte) 0x80).put(1, (byte) 0xE0).put(12, (byte) 0x55);
        RtpPacer.patch(b, 0, 0x1FFFF, 0x1_2345_6789L, 4_000_000_000L);
        assertThat(b.get(0) & 0xFF).isEqualTo(0x80);
        assertThat(b.get(1) & 0xFF).isEqualTo(0xE0);
        assertThat(b.getShort(2) & 0xFFFF).isEqualTo(0xFFFF);
        assertThat(b.getInt(4) & 0xFFFFFFFFL).isEqualTo(0x2345_6789L);
        assertThat(b.getInt(8) & 0xFFFFFFFFL).isEqualTo(4_000_000_000L);
        assertThat(b.get(12)).isEqualTo((byte) 0x55);
    }

    @Test
    void streamTimestampsContinueAcrossLoops() throws Exception {
        PsMediaFile m = TestMedia.file();
        MediaStream s = new MediaStream(m, 1, new SimFaults(), null, null, r -> { });
        long first = s.rtpTimestamp();
        long previous = first;
        for (int i = 1; i < 2 * m.frames() + 3; i++) {
            s.advance();
            long ts = s.rtpTimestamp();
            assertThat((ts - previous) & 0xFFFFFFFFL).isEqualTo(3600);
            previous = ts;
        }
        assertThat(s.loop).isEqualTo(2);
        assertThat(s.frameOffsetNanos()).isEqualTo((2L * m.frames() + 2) * 40_000_000L);
    }

    @Test
    void refusesWhatIsNotAProgramStream() {
        assertThatThrownBy(() -> PsMediaFile.framesOf(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PsMediaFile.of(new byte[0], "empty")).isInstanceOf(IllegalArgumentException.class);
    }
}
