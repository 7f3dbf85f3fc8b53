package io.flux.media.publish.rtsp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.flux.media.api.sample.Codec;

class RtspConnectionTest {

    private static final int SSRC = 0x0A0B0C0D;
    private static final int CHANNEL = 4;
    private static final int MAX_PAYLOAD = 3000;
    private static final int FIRST_SEQ = 65_534;
    private static final long PTS = 7200;
    private static final long TS_OFFSET = 100;

    /**
     * Bytes on the wire for an access unit of an SPS and an IDR larger than a packet: each packet is exactly the
     * interleave prefix, the RTP header, the FU-A indicator and header, and its slice of the NAL. Written from a
     * heap payload (handed to the socket buffer as is, as the publisher does), and from a read-only and a direct one
     * (staged through the connection's small buffer, more than once per packet since the fragments are larger).
     */
    @ParameterizedTest
    @ValueSource(strings = {"heap", "read-only", "direct"})
    void fuASplitIsWrittenAsPrefixHeaderFuHeadersAndPayloadExactly(String kind) throws Exception {
        byte[] sps = RtpPacketizerTest.nal(0x67, 30);
        byte[] idr = RtpPacketizerTest.nal(0x65, 7000); // NRI 3, type 5: 6999 body bytes, 2998 per fragment
        ByteBuffer heap = RtpPacketizerTest.annexB(sps, idr);
        ByteBuffer payload = switch (kind) {
            case "heap" -> heap;
            case "read-only" -> heap.asReadOnlyBuffer();
            default -> ByteBuffer.allocateDirect(heap.remaining()).put(heap.duplicate()).flip();
        };

        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        long ts = PTS + TS_OFFSET;
        int seq = FIRST_SEQ;
        expected.writeBytes(prefix(12 + sps.length));
        expected.writeBytes(rtpHeader(false, seq++, ts));
        expected.writeBytes(sps);
        int chunk = MAX_PAYLOAD - 2;
        for (int off = 1; off < idr.length; off += chunk) {
            int len = Math.min(chunk, idr.length - off);
            boolean start = off == 1;
            boolean end = off + len == idr.length;
            expected.writeBytes(prefix(12 + 2 + len));
            expected.writeBytes(rtpHeader(end, seq, ts));
            seq = (seq + 1) & 0xFFFF;
            expected.write(0x60 | 28);
            expected.write((start ? 0x80 : 0) | (end ? 0x40 : 0) | 5);
            expected.write(idr, off, len);
        }
        assertThat(seq).as("three fragments, the sequence wrapped").isEqualTo(2);

        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<byte[]> received = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try (Socket s = server.accept()) {
                    s.setSoTimeout(10_000);
                    try (InputStream in = s.getInputStream()) {
                        received.complete(in.readAllBytes());
                    }
                } catch (Exception e) {
                    received.completeExceptionally(e);
                }
            });
            RtpPacketizer rtp = new RtpPacketizer(Codec.H264, 96, 90_000, SSRC, FIRST_SEQ, TS_OFFSET, MAX_PAYLOAD);
            RtspConnection c = RtspConnection.connect(URI.create("rtsp://127.0.0.1:" + server.getLocalPort() + "/p"),
                    new RtspAuth(null, null), Duration.ofSeconds(5));
            try {
                rtp.packetize(PTS, payload, CHANNEL, c::writeInterleaved);
                c.flush();
                assertThat(c.bytesWritten()).isEqualTo(expected.size());
            } finally {
                c.close();
            }
            assertThat(received.get(15, TimeUnit.SECONDS)).isEqualTo(expected.toByteArray());
        }
        assertThat(payload.position()).as("the sample is left as it was").isZero();
    }

    private static byte[] prefix(int rtpLength) {
        return new byte[] {'$', CHANNEL, (byte) (rtpLength >> 8), (byte) rtpLength};
    }

    private static byte[] rtpHeader(boolean marker, int seq, long ts) {
        return ByteBuffer.allocate(12).put((byte) 0x80).put((byte) ((marker ? 0x80 : 0) | 96)).putShort((short) seq)
                .putInt((int) ts).putInt(SSRC).array();
    }
}
