package io.flux.media.publish.rtsp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.flux.media.api.sample.AudioSample;
import io.flux.media.api.sample.Codec;
import io.flux.media.api.sample.MediaSample;
import io.flux.media.api.sample.VideoSample;

class RtpPacketizerTest {

    private static final int SSRC = 0x11223344;
    private static final int CHANNEL = 2;

    static byte[] nal(int header, int size) {
        byte[] n = new byte[size];
        n[0] = (byte) header;
        for (int i = 1; i < size; i++) {
            n[i] = (byte) (i * 7 + 1); // no zero runs: never an accidental start code
        }
        return n;
    }

    static ByteBuffer annexB(byte[]... nals) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] n : nals) {
            out.writeBytes(new byte[] {0, 0, 0, 1});
            out.writeBytes(n);
        }
        return ByteBuffer.wrap(out.toByteArray());
    }

    /**
     * The RTP packets of one sample, each built into an array from what the sink is handed; the interleave prefix
     * ({@code $}, channel, length of exactly the RTP packet) is checked on the way and left off.
     */
    private static List<byte[]> packetize(RtpPacketizer rtp, MediaSample sample) throws IOException {
        List<byte[]> out = new ArrayList<>();
        rtp.packetize(sample.pts(), sample.payload(), CHANNEL, (header, headerLength, body) -> {
            byte[] pkt = new byte[headerLength - 4 + body.remaining()];
            System.arraycopy(header, 4, pkt, 0, headerLength - 4);
            body.get(body.position(), pkt, headerLength - 4, body.remaining());
            assertThat(header[0]).as("interleave magic").isEqualTo((byte) '$');
            assertThat(header[1]).as("interleaved channel").isEqualTo((byte) CHANNEL);
            assertThat(((header[2] & 0xFF) << 8) | (header[3] & 0xFF)).as("interleaved length").isEqualTo(pkt.length);
            out.add(pkt);
        });
        return out;
    }

    private static int seq(byte[] p) {
        return ((p[2] & 0xFF) << 8) | (p[3] & 0xFF);
    }

    private static long ts(byte[] p) {
        return ((p[4] & 0xFFL) << 24) | ((p[5] & 0xFF) << 16) | ((p[6] & 0xFF) << 8) | (p[7] & 0xFF);
    }

    private static boolean marker(byte[] p) {
        return (p[1] & 0x80) != 0;
    }

    @Test
    void trailingFillerDataIsNotSentAndTheMarkerMovesToTheLastNalSent() throws IOException {
        RtpPacketizer rtp = new RtpPacketizer(Codec.H264, 96, 90_000, SSRC, 0, 0, 1400);
        byte[] slice = nal(0x41, 200);
        byte[] filler = nal(0x0C, 50);
        List<byte[]> packets = packetize(rtp, new VideoSample(Codec.H264, 0, 0, false, annexB(slice, filler)));
        assertThat(packets).hasSize(1);
        assertThat(marker(packets.get(0))).isTrue();
        assertThat(packets.get(0)[12]).isEqualTo((byte) 0x41);
    }

    @Test
    void smallH264NalsGoAsSingleNalPacketsWithTheMarkerOnTheLastOfTheAccessUnit() throws IOException {
        RtpPacketizer rtp = new RtpPacketizer(Codec.H264, 96, 90_000, SSRC, 65_535, 1000, 1400);
        byte[] aud = {0x09, (byte) 0xF0};
        byte[] sps = nal(0x67, 20);
        byte[] pps = nal(0x68, 6);
        byte[] idr = nal(0x65, 300);

        List<byte[]> packets = packetize(rtp, new VideoSample(Codec.H264, 3600, 3600, true,
                annexB(aud, sps, pps, idr)));

        assertThat(packets).hasSize(3); // the access unit delimiter is not sent
        assertThat(packets).extracting(RtpPacketizerTest::seq).containsExactly(65_535, 0, 1);
        assertThat(packets).extracting(RtpPacketizerTest::ts).containsOnly(4600L);
        assertThat(packets).extracting(RtpPacketizerTest::marker).containsExactly(false, false, true);
        byte[] first = packets.get(0);
        assertThat(first[0] & 0xFF).isEqualTo(0x80);
        assertThat(first[1] & 0x7F).isEqualTo(96);
        assertThat(ByteBuffer.wrap(first, 8, 4).getInt()).isEqualTo(SSRC);
        assertThat(java.util.Arrays.copyOfRange(first, 12, first.length)).isEqualTo(sps);
        assertThat(java.util.Arrays.copyOfRange(packets.get(2), 12, packets.get(2).length)).isEqualTo(idr);
    }

    @Test
    void largeH264NalIsCutIntoFuAFragmentsThatReassembleToTheNal() throws IOException {
        int maxPayload = 100;
        RtpPacketizer rtp = new RtpPacketizer(Codec.H264, 96, 90_000, SSRC, 10, 0, maxPayload);
        byte[] idr = nal(0x65, 1000); // nal_ref_idc 3, type 5

        List<byte[]> packets = packetize(rtp, new VideoSample(Codec.H264, 0, 0, true, annexB(idr)));

        // 999 body bytes in chunks of 98
        assertThat(packets).hasSize(11);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (int i = 0; i < packets.size(); i++) {
            byte[] p = packets.get(i);
            assertThat(p.length).isLessThanOrEqualTo(12 + maxPayload);
            assertThat(p[12] & 0xFF).as("FU indicator: NRI of the NAL, type 28").isEqualTo(0x60 | 28);
            int fu = p[13] & 0xFF;
            assertThat((fu & 0x80) != 0).as("start bit").isEqualTo(i == 0);
            assertThat((fu & 0x40) != 0).as("end bit").isEqualTo(i == packets.size() - 1);
            assertThat(fu & 0x1F).isEqualTo(5);
            assertThat(marker(p)).isEqualTo(i == packets.size() - 1);
            assertThat(seq(p)).isEqualTo(10 + i);
            body.write(p, 14, p.length - 14);
        }
        byte[] reassembled = new byte[1 + body.size()];
        reassembled[0] = (byte) ((packets.get(0)[12] & 0xE0) | (packets.get(0)[13] & 0x1F));
        System.arraycopy(body.toByteArray(), 0, reassembled, 1, body.size());
        assertThat(reassembled).isEqualTo(idr);
    }

    @Test
    void markerOnlyOnTheLastFragmentOfTheLastNal() throws IOException {
        RtpPacketizer rtp = new RtpPacketizer(Codec.H264, 96, 90_000, SSRC, 0, 0, 100);
        List<byte[]> packets = packetize(rtp, new VideoSample(Codec.H264, 0, 0, false,
                annexB(nal(0x41, 250), nal(0x41, 250))));
        assertThat(packets).hasSize(6);
        assertThat(packets).extracting(RtpPacketizerTest::marker)
                .containsExactly(false, false, false, false, false, true);
    }

    @Test
    void largeH265NalIsCutIntoFuFragments() throws IOException {
        RtpPacketizer rtp = new RtpPacketizer(Codec.H265, 96, 90_000, SSRC, 0, 0, 200);
        // IDR_W_RADL (19): header 0x26 0x01
        byte[] idr = nal(0x26, 1000);
        idr[1] = 0x01;

        List<byte[]> packets = packetize(rtp, new VideoSample(Codec.H265, 900, 900, true, annexB(idr)));

        // 998 body bytes in chunks of 197
        assertThat(packets).hasSize(6);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (int i = 0; i < packets.size(); i++) {
            byte[] p = packets.get(i);
            assertThat(((p[12] & 0xFF) >> 1) & 0x3F).as("payload header type 49").isEqualTo(49);
            assertThat(p[13] & 0xFF).as("layer id and TID copied").isEqualTo(0x01);
            int fu = p[14] & 0xFF;
            assertThat((fu & 0x80) != 0).isEqualTo(i == 0);
            assertThat((fu & 0x40) != 0).isEqualTo(i == packets.size() - 1);
            assertThat(fu & 0x3F).isEqualTo(19);
            assertThat(marker(p)).isEqualTo(i == packets.size() - 1);
            assertThat(ts(p)).isEqualTo(900);
            body.write(p, 15, p.length - 15);
        }
        byte[] reassembled = new byte[2 + body.size()];
        reassembled[0] = 0x26;
        reassembled[1] = 0x01;
        System.arraycopy(body.toByteArray(), 0, reassembled, 2, body.size());
        assertThat(reassembled).isEqualTo(idr);
    }

    @Test
    void h265AccessUnitDelimiterIsDroppedAndSmallNalsGoWhole() throws IOException {
        RtpPacketizer rtp = new RtpPacketizer(Codec.H265, 96, 90_000, SSRC, 0, 0, 1400);
        byte[] aud = {0x46, 0x01, 0x50};
        byte[] trail = nal(0x02, 50);
        trail[1] = 0x01;
        List<byte[]> packets = packetize(rtp, new VideoSample(Codec.H265, 0, 0, false, annexB(aud, trail)));
        assertThat(packets).hasSize(1);
        assertThat(java.util.Arrays.copyOfRange(packets.get(0), 12, packets.get(0).length)).isEqualTo(trail);
        assertThat(marker(packets.get(0))).isTrue();
    }

    @Test
    void timestampsAre90kHzPtsPlusOffsetWrappingAt32Bits() {
        RtpPacketizer video = new RtpPacketizer(Codec.H264, 96, 90_000, SSRC, 0, 0xFFFF_FF00L, 1400);
        assertThat(video.timestamp(0)).isEqualTo(0xFFFF_FF00L);
        assertThat(video.timestamp(0x100)).isEqualTo(0);
        assertThat(video.timestamp(3600 + 0x100)).isEqualTo(3600);
        RtpPacketizer audio = new RtpPacketizer(Codec.G711A, 8, 8000, SSRC, 0, 5, 1400);
        // 90 kHz -> 8 kHz: one second is 8000 ticks
        assertThat(audio.timestamp(90_000)).isEqualTo(8005);
    }

    @Test
    void g711FrameLongerThanAPacketContinuesAtLaterTimestamps() throws IOException {
        RtpPacketizer rtp = new RtpPacketizer(Codec.G711U, 0, 8000, SSRC, 0, 0, 100);
        byte[] frame = new byte[250];
        List<byte[]> packets = packetize(rtp, new AudioSample(Codec.G711U, 90_000, 8000, 1, ByteBuffer.wrap(frame)));
        assertThat(packets).extracting(p -> p.length - 12).containsExactly(100, 100, 50);
        assertThat(packets).extracting(RtpPacketizerTest::ts).containsExactly(8000L, 8100L, 8200L);
        assertThat(packets).extracting(p -> p[1] & 0x7F).containsOnly(0);
    }

    @Test
    void payloadIsHandedOverAsAViewOfTheSampleAndTheHeaderArrayIsReused() throws IOException {
        RtpPacketizer rtp = new RtpPacketizer(Codec.H264, 96, 90_000, SSRC, 0, 0, 100);
        byte[] idr = nal(0x65, 250);
        ByteBuffer payload = annexB(nal(0x67, 20), idr);
        int idrStart = 4 + 20 + 4; // start code, SPS, start code

        List<byte[]> headers = new ArrayList<>();
        List<Integer> bodyOffsets = new ArrayList<>();
        List<Integer> bodyLengths = new ArrayList<>();
        rtp.packetize(0, payload, CHANNEL, (header, headerLength, body) -> {
            assertThat(body.hasArray()).isTrue();
            assertThat(body.array()).as("no copy of the payload").isSameAs(payload.array());
            headers.add(header);
            bodyOffsets.add(body.arrayOffset() + body.position());
            bodyLengths.add(body.remaining());
            body.position(body.limit()); // a sink may consume the body: the next packet must not care
        });

        // SPS whole; IDR body (249 bytes after the NAL header) as 98 + 98 + 53
        assertThat(bodyOffsets).containsExactly(4, idrStart + 1, idrStart + 1 + 98, idrStart + 1 + 196);
        assertThat(bodyLengths).containsExactly(20, 98, 98, 53);
        assertThat(headers).allSatisfy(h -> assertThat(h).isSameAs(headers.get(0)));
    }
}
