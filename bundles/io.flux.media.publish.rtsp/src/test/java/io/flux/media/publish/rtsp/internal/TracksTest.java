package io.flux.media.publish.rtsp.internal;

import static io.flux.media.publish.rtsp.internal.RtpPacketizerTest.annexB;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.flux.media.api.sample.Codec;
import io.flux.media.api.stream.AudioFormat;
import io.flux.media.api.stream.VideoFormat;

class TracksTest {

    private static final byte[] SPS = {0x67, 0x42, (byte) 0xC0, 0x1E, (byte) 0xDA, 0x02, (byte) 0x80};
    private static final byte[] PPS = {0x68, (byte) 0xCE, 0x3C, (byte) 0x80};
    private static final byte[] IDR = {0x65, (byte) 0x88, (byte) 0x84, 0x21};
    private static final byte[] VPS = {0x40, 0x01, 0x0C, 0x01, (byte) 0xFF};
    private static final byte[] HSPS = {0x42, 0x01, 0x01, 0x01, 0x60};
    private static final byte[] HPPS = {0x44, 0x01, (byte) 0xC1, 0x72};
    private static final byte[] HIDR = {0x26, 0x01, (byte) 0xAF, 0x10};

    private static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }

    @Test
    void h264SdpCarriesPacketizationModeProfileAndSpropFromTheKeyframe() {
        Tracks t = Tracks.of(Codec.H264, annexB(SPS, PPS, IDR), null, null);

        assertThat(t).isNotNull();
        assertThat(t.videoFmtp()).isEqualTo("packetization-mode=1;profile-level-id=42C01E;sprop-parameter-sets="
                + b64(SPS) + "," + b64(PPS));
        String sdp = t.sdp("Flux gb28181/x/y", "127.0.0.1");
        assertThat(sdp).startsWith("v=0\r\n")
                .contains("o=- 0 0 IN IP4 127.0.0.1\r\n", "s=Flux gb28181/x/y\r\n", "c=IN IP4 0.0.0.0\r\n",
                        "t=0 0\r\n", "m=video 0 RTP/AVP 96\r\n", "a=rtpmap:96 H264/90000\r\n",
                        "a=fmtp:96 " + t.videoFmtp() + "\r\n", "a=control:trackID=0\r\n")
                .doesNotContain("m=audio");
    }

    @Test
    void h265SdpCarriesVpsSpsPps() {
        Tracks t = Tracks.of(Codec.H265, annexB(VPS, HSPS, HPPS, HIDR), null, null);

        assertThat(t.videoFmtp()).isEqualTo("sprop-vps=" + b64(VPS) + ";sprop-sps=" + b64(HSPS) + ";sprop-pps="
                + b64(HPPS));
        assertThat(t.sdp("s", "127.0.0.1")).contains("a=rtpmap:96 H265/90000\r\n");
    }

    @Test
    void parameterSetsComeFromTheStreamFormatWhenTheKeyframeLacksThem() {
        VideoFormat format = new VideoFormat(Codec.H264, 320, 240, "Baseline",
                List.of(ByteBuffer.wrap(SPS), ByteBuffer.wrap(PPS)));
        assertThat(Tracks.of(Codec.H264, annexB(IDR), null, null)).isNull();
        Tracks t = Tracks.of(Codec.H264, annexB(IDR), format, null);
        assertThat(t.videoFmtp()).endsWith("sprop-parameter-sets=" + b64(SPS) + "," + b64(PPS));
        assertThat(Tracks.of(Codec.H265, annexB(HSPS, HPPS, HIDR), null, null)).as("no VPS").isNull();
    }

    @Test
    void g711At8kHzMonoBecomesAnAudioTrackOtherAudioIsLeftOut() {
        Tracks pcma = Tracks.of(Codec.H264, annexB(SPS, PPS, IDR), null,
                new AudioFormat(Codec.G711A, 8000, 1, null));
        assertThat(pcma.sdp("s", "10.0.0.1")).contains("m=audio 0 RTP/AVP 8\r\n", "a=rtpmap:8 PCMA/8000\r\n",
                "a=control:trackID=1\r\n");
        Tracks pcmu = Tracks.of(Codec.H264, annexB(SPS, PPS, IDR), null,
                new AudioFormat(Codec.G711U, 8000, 1, null));
        assertThat(pcmu.sdp("s", "10.0.0.1")).contains("m=audio 0 RTP/AVP 0\r\n", "a=rtpmap:0 PCMU/8000\r\n");
        assertThat(Tracks.of(Codec.H264, annexB(SPS, PPS, IDR), null,
                new AudioFormat(Codec.AAC, 48_000, 2, null)).audio()).isNull();
        assertThat(Tracks.of(Codec.H264, annexB(SPS, PPS, IDR), null,
                new AudioFormat(Codec.G711A, 16_000, 1, null)).audio()).isNull();
    }

    @Test
    void parameterSetsAreCopiesNotViewsOfTheSample() {
        ByteBuffer au = annexB(SPS, PPS, IDR);
        Tracks t = Tracks.of(Codec.H264, au, null, null);
        String before = t.videoFmtp();
        au.put(5, (byte) 0);
        assertThat(t.videoFmtp()).isEqualTo(before);
    }
}
