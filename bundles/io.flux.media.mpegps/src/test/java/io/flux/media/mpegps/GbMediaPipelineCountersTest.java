package io.flux.media.mpegps;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.flux.media.api.sample.MediaSample;

/** The counter getters a receiver polls after every read agree with the stats, over UDP and TCP. */
class GbMediaPipelineCountersTest {

    private static final long SSRC = 0xC0FF_EE00L;

    private static ByteBuffer rtp(int seq, long ssrc) {
        return RtpPacket.encode(96, false, seq, 90L * seq, ssrc, ByteBuffer.wrap(new byte[] {1, 2, 3, 4}));
    }

    private static void assertGettersMatchStats(GbMediaPipeline p, long rtp, long wrong, long lastWrong) {
        PipelineStats s = p.stats();
        assertThat(p.rtpPackets()).isEqualTo(s.rtpPackets()).isEqualTo(rtp);
        assertThat(p.wrongSsrcPackets()).isEqualTo(s.wrongSsrcPackets()).isEqualTo(wrong);
        assertThat(p.lastWrongSsrc()).isEqualTo(s.lastWrongSsrc()).isEqualTo(lastWrong);
    }

    @Test
    void datagramsOfTheSessionOtherSsrcsAndGarbage() {
        List<MediaSample> out = new ArrayList<>();
        GbMediaPipeline p = GbMediaPipeline.builder().ssrc(SSRC).build(out::add);
        assertGettersMatchStats(p, 0, 0, -1);
        p.onDatagram(rtp(1, SSRC));
        assertGettersMatchStats(p, 1, 0, -1);
        p.onDatagram(rtp(2, 77));
        p.onDatagram(ByteBuffer.wrap(new byte[] {(byte) 0x80, 96, 0})); // too short: neither
        ByteBuffer truncated = rtp(3, SSRC);
        truncated.put(0, (byte) 0x8F); // 15 CSRCs announced, none there: not the session's packet either
        p.onDatagram(truncated);
        assertGettersMatchStats(p, 1, 1, 77);
        p.onDatagram(rtp(4, SSRC));
        p.onDatagram(rtp(5, 78));
        assertGettersMatchStats(p, 2, 2, 78);
    }

    @Test
    void tcpFramesCountLikeDatagrams() {
        GbMediaPipeline p = GbMediaPipeline.builder().ssrc(SSRC).build(s -> { });
        ByteBuffer stream = ByteBuffer.allocate(3 * (2 + 16));
        for (ByteBuffer b : List.of(rtp(1, SSRC), rtp(2, 9), rtp(3, SSRC))) {
            stream.putShort((short) b.remaining()).put(b);
        }
        stream.flip();
        // Split inside the second frame's header: the first read brings only the session's first packet.
        p.onTcpData(stream.duplicate().limit(2 + 16 + 5));
        assertGettersMatchStats(p, 1, 0, -1);
        p.onTcpData(stream.duplicate().position(2 + 16 + 5));
        assertGettersMatchStats(p, 2, 1, 9);
    }
}
