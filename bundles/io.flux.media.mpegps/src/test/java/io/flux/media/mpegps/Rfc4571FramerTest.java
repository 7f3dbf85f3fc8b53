package io.flux.media.mpegps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

class Rfc4571FramerTest {

    final List<byte[]> frames = new ArrayList<>();

    void feed(Rfc4571Framer f, byte[] stream, int from, int to) {
        byte[] chunk = Arrays.copyOfRange(stream, from, to);
        f.feed(ByteBuffer.wrap(chunk), b -> frames.add(Collector.bytes(b)));
        Arrays.fill(chunk, (byte) 0x77); // the caller reuses its buffer
    }

    static byte[] rtp(int seq, int payload) {
        byte[] p = new byte[payload];
        Arrays.fill(p, (byte) seq);
        return RtpPacket.encode(96, false, seq, 0, 1, ByteBuffer.wrap(p)).array();
    }

    static byte[] framed(List<byte[]> packets) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : packets) {
            out.write(p.length >> 8);
            out.write(p.length);
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    @Test
    void framesComeOutWhateverTheChunking() {
        Random random = new Random(5);
        List<byte[]> packets = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            packets.add(rtp(i, random.nextInt(1500)));
        }
        byte[] stream = framed(packets);
        for (int max : new int[] {1, 2, 3, 100, 5000, stream.length}) {
            frames.clear();
            Rfc4571Framer f = new Rfc4571Framer(0xFFFF, true);
            for (int off = 0; off < stream.length;) {
                int n = Math.min(stream.length - off, 1 + random.nextInt(max));
                feed(f, stream, off, off + n);
                off += n;
            }
            assertThat(frames).hasSize(500);
            for (int i = 0; i < 500; i++) {
                assertThat(frames.get(i)).isEqualTo(packets.get(i));
            }
            assertThat(f.failed()).isFalse();
            assertThat(f.frames()).isEqualTo(500);
            assertThat(f.bytes()).isEqualTo(stream.length);
            assertThat(f.midFrame()).isFalse();
        }
    }

    @Test
    void zeroLengthFramesAreSkipped() {
        byte[] p = rtp(1, 10);
        byte[] stream = framed(List.of(new byte[0], p, new byte[0]));
        Rfc4571Framer f = new Rfc4571Framer(1500, true);
        feed(f, stream, 0, stream.length);
        assertThat(frames).hasSize(1);
        assertThat(f.emptyFrames()).isEqualTo(2);
    }

    @Test
    void aTooLongFrameIsAFailureAndTheRestIsIgnored() {
        byte[] stream = framed(List.of(rtp(1, 10), rtp(2, 2000), rtp(3, 10)));
        Rfc4571Framer f = new Rfc4571Framer(1500, true);
        feed(f, stream, 0, 5);
        assertThat(f.midFrame()).isTrue();
        feed(f, stream, 5, stream.length);
        assertThat(frames).hasSize(1);
        assertThat(f.failed()).isTrue();
        assertThat(f.failure()).contains("2012", "1500");
        feed(f, framed(List.of(rtp(4, 10))), 0, 24);
        assertThat(frames).hasSize(1);
    }

    @Test
    void aFrameThatIsNotRtpIsAFailureWhenRtpIsRequired() {
        byte[] junk = {0x12, 0x34, 0x56};
        byte[] stream = framed(List.of(rtp(1, 10), junk, rtp(2, 10)));
        Rfc4571Framer strict = new Rfc4571Framer(1500, true);
        feed(strict, stream, 0, stream.length);
        assertThat(strict.failed()).isTrue();
        assertThat(strict.failure()).contains("frame 2", "RTP");
        assertThat(frames).hasSize(1);

        frames.clear();
        Rfc4571Framer lax = new Rfc4571Framer(1500, false);
        feed(lax, stream, 0, stream.length);
        assertThat(lax.failed()).isFalse();
        assertThat(frames).hasSize(3);
    }

    @Test
    void limits() {
        assertThatThrownBy(() -> new Rfc4571Framer(0, true)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Rfc4571Framer(65_536, true)).isInstanceOf(IllegalArgumentException.class);
    }
}
