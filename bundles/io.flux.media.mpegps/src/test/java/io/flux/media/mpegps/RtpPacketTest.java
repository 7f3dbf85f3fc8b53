package io.flux.media.mpegps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Random;

import org.junit.jupiter.api.Test;

class RtpPacketTest {

    static RtpPacket parse(byte[] b) {
        RtpParseResult r = RtpPacket.parse(ByteBuffer.wrap(b));
        assertThat(r).isInstanceOf(RtpPacket.class);
        return (RtpPacket) r;
    }

    @Test
    void fixedHeaderFields() {
        ByteBuffer b = RtpPacket.encode(96, true, 0xFFFE, 0xFFFF_FFF0L, 0xF000_0001L, ByteBuffer.wrap(new byte[] {1, 2, 3}));
        assertThat(b.remaining()).isEqualTo(15);
        RtpPacket p = (RtpPacket) RtpPacket.parse(b);
        assertThat(p.payloadType()).isEqualTo(96);
        assertThat(p.marker()).isTrue();
        assertThat(p.sequenceNumber()).isEqualTo(0xFFFE);
        assertThat(p.timestamp()).isEqualTo(0xFFFF_FFF0L);
        assertThat(p.ssrc()).isEqualTo(0xF000_0001L);
        assertThat(p.csrcCount()).isZero();
        assertThat(p.hasExtension()).isFalse();
        assertThat(p.extensionProfile()).isEqualTo(-1);
        assertThat(p.padding()).isFalse();
        assertThat(p.payload()).isEqualTo(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        assertThat(p.payloadLength()).isEqualTo(3);
        assertThat(p.length()).isEqualTo(15);
        assertThat(p.payload().isReadOnly()).isTrue();
        assertThat(b.position()).as("the input is not consumed").isZero();
        assertThat(p.toString()).contains("seq=65534", "marker");
    }

    @Test
    void csrcExtensionAndPaddingAreSkipped() {
        byte[] b = {
            (byte) 0xB2, 0x60, 0, 7, 0, 0, 0, 9, 0, 0, 0, 5, // V=2 P=1 X=1 CC=2, PT 96
            0, 0, 0, 1, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, // two CSRCs
            (byte) 0xBE, (byte) 0xDE, 0, 1, 0x10, 0x20, 0x30, 0x40, // extension: profile, 1 word
            0x55, 0x66, 0x77, // payload
            0, 0, 3}; // 3 bytes of padding
        RtpPacket p = parse(b);
        assertThat(p.csrcCount()).isEqualTo(2);
        assertThat(p.csrc(0)).isEqualTo(1);
        assertThat(p.csrc(1)).isEqualTo(0xFFFF_FFFFL);
        assertThatThrownBy(() -> p.csrc(2)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(p.hasExtension()).isTrue();
        assertThat(p.extensionProfile()).isEqualTo(0xBEDE);
        assertThat(p.extension()).isEqualTo(ByteBuffer.wrap(new byte[] {0x10, 0x20, 0x30, 0x40}));
        assertThat(p.padding()).isTrue();
        assertThat(p.payload()).isEqualTo(ByteBuffer.wrap(new byte[] {0x55, 0x66, 0x77}));
        assertThat(p.marker()).isFalse();
        assertThat(p.sequenceNumber()).isEqualTo(7);
    }

    @Test
    void aCopyOwnsItsBytes() {
        byte[] b = RtpPacket.encode(96, false, 1, 2, 3, ByteBuffer.wrap(new byte[] {9, 8, 7})).array();
        RtpPacket p = parse(b);
        RtpPacket copy = p.copy();
        b[12] = 0;
        b[2] = 0x7F;
        assertThat(p.payload().get(0)).isZero();
        assertThat(copy.payload()).isEqualTo(ByteBuffer.wrap(new byte[] {9, 8, 7}));
        assertThat(copy.sequenceNumber()).isEqualTo(1);
    }

    @Test
    void parsesFromThePosition() {
        ByteBuffer b = ByteBuffer.allocate(40);
        b.position(10).put(RtpPacket.encode(8, false, 42, 0, 1, ByteBuffer.wrap(new byte[] {5})));
        b.flip().position(10);
        RtpPacket p = (RtpPacket) RtpPacket.parse(b);
        assertThat(p.sequenceNumber()).isEqualTo(42);
        assertThat(p.payload()).isEqualTo(ByteBuffer.wrap(new byte[] {5}));
    }

    @Test
    void malformedPacketsAreReportedNotThrown() {
        assertThat(RtpPacket.parse(ByteBuffer.allocate(11))).isEqualTo(RtpError.TOO_SHORT);
        byte[] v1 = new byte[12];
        v1[0] = 0x40;
        assertThat(RtpPacket.parse(ByteBuffer.wrap(v1))).isEqualTo(RtpError.BAD_VERSION);
        byte[] csrc = new byte[20];
        csrc[0] = (byte) 0x8F;
        assertThat(RtpPacket.parse(ByteBuffer.wrap(csrc))).isEqualTo(RtpError.TRUNCATED_CSRC);
        byte[] ext = new byte[14];
        ext[0] = (byte) 0x90;
        assertThat(RtpPacket.parse(ByteBuffer.wrap(ext))).isEqualTo(RtpError.TRUNCATED_EXTENSION);
        byte[] extLong = new byte[20];
        extLong[0] = (byte) 0x90;
        extLong[14] = 0;
        extLong[15] = 2; // 8 bytes announced, 4 there
        assertThat(RtpPacket.parse(ByteBuffer.wrap(extLong))).isEqualTo(RtpError.TRUNCATED_EXTENSION);
        byte[] padZero = new byte[16];
        padZero[0] = (byte) 0xA0;
        assertThat(RtpPacket.parse(ByteBuffer.wrap(padZero))).isEqualTo(RtpError.BAD_PADDING);
        byte[] padLong = new byte[16];
        padLong[0] = (byte) 0xA0;
        padLong[15] = 5;
        assertThat(RtpPacket.parse(ByteBuffer.wrap(padLong))).isEqualTo(RtpError.BAD_PADDING);
        byte[] padNoPayload = new byte[12];
        padNoPayload[0] = (byte) 0xA0;
        assertThat(RtpPacket.parse(ByteBuffer.wrap(padNoPayload))).isEqualTo(RtpError.BAD_PADDING);
        byte[] rtcp = new byte[12];
        rtcp[0] = (byte) 0x80;
        rtcp[1] = (byte) 200; // sender report
        assertThat(RtpPacket.parse(ByteBuffer.wrap(rtcp))).isEqualTo(RtpError.RTCP);
        byte[] padAll = new byte[16];
        padAll[0] = (byte) 0xA0;
        padAll[15] = 4; // all four payload bytes are padding: empty payload, valid
        assertThat(parse(padAll).payloadLength()).isZero();
    }

    @Test
    void randomBytesNeverThrow() {
        Random random = new Random(1);
        int packets = 0;
        for (int i = 0; i < 200_000; i++) {
            byte[] b = new byte[random.nextInt(100)];
            random.nextBytes(b);
            if (b.length > 0 && random.nextBoolean()) {
                b[0] = (byte) (0x80 | (b[0] & 0x3F));
            }
            RtpParseResult r = RtpPacket.parse(ByteBuffer.wrap(b));
            if (r instanceof RtpPacket p) {
                packets++;
                assertThat(p.payloadLength()).isBetween(0, b.length - 12);
                assertThat(p.extension().remaining()).isLessThanOrEqualTo(b.length);
            }
        }
        assertThat(packets).isPositive();
    }
}
