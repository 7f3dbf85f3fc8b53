package io.flux.media.core.internal;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

import io.flux.media.api.sample.AudioSample;
import io.flux.media.api.sample.Codec;
import io.flux.media.api.sample.VideoSample;
import io.flux.media.codec.NalUnits;
import io.flux.media.testing.BitWriter;

/** Hand-made H.264 NAL units and access units, and AAC/G.711 frames. */
final class Samples {

    /** 90 kHz ticks per frame at 25 fps. */
    static final long FRAME = 3600;

    private Samples() {
    }

    /** A Constrained Baseline SPS (id 0) for a picture of {@code width}x{@code height} (multiples of 16). */
    static ByteBuffer sps(int width, int height) {
        return sps(0, width, height);
    }

    static ByteBuffer sps(int id, int width, int height) {
        BitWriter b = new BitWriter()
                .u(8, 66).u(8, 0xC0).u(8, 30) // profile_idc, constraint flags, level_idc
                .ue(id) // seq_parameter_set_id
                .ue(0) // log2_max_frame_num_minus4
                .ue(2) // pic_order_cnt_type
                .ue(1) // max_num_ref_frames
                .bit(0) // gaps_in_frame_num_value_allowed_flag
                .ue(width / 16 - 1)
                .ue(height / 16 - 1)
                .bit(1) // frame_mbs_only_flag
                .bit(1) // direct_8x8_inference_flag
                .bit(0) // frame_cropping_flag
                .bit(0); // vui_parameters_present_flag
        return nal(0x67, b.trailing());
    }

    static ByteBuffer pps(int id) {
        BitWriter b = new BitWriter().ue(id).ue(0).bit(0).bit(0).ue(0).ue(0).ue(0).bit(0).u(2, 0).se(0).se(0).se(0).bit(1)
                .bit(0).bit(0);
        return nal(0x68, b.trailing());
    }

    static ByteBuffer aud() {
        return ByteBuffer.wrap(new byte[] {0x09, (byte) 0xF0});
    }

    /** An IDR slice NAL unit of {@code size} bytes (first_mb_in_slice 0; the rest is filler). */
    static ByteBuffer idr(int size) {
        return filler(0x65, size);
    }

    /** A non-IDR slice NAL unit of {@code size} bytes. */
    static ByteBuffer slice(int size) {
        return filler(0x41, size);
    }

    private static ByteBuffer filler(int header, int size) {
        byte[] b = new byte[Math.max(2, size)];
        Arrays.fill(b, (byte) 0x55);
        b[0] = (byte) header;
        b[1] = (byte) 0x88;
        return ByteBuffer.wrap(b);
    }

    static ByteBuffer annexB(ByteBuffer... nals) {
        return NalUnits.toAnnexB(List.of(nals));
    }

    /** A keyframe access unit: SPS, PPS and IDR when {@code withParameterSets}, else the IDR alone. */
    static VideoSample keyframe(long pts, boolean withParameterSets, int size) {
        ByteBuffer payload = withParameterSets ? annexB(sps(320, 240), pps(0), idr(size)) : annexB(idr(size));
        return new VideoSample(Codec.H264, pts, pts, true, payload);
    }

    static VideoSample frame(long pts, int size) {
        return new VideoSample(Codec.H264, pts, pts, false, annexB(slice(size)));
    }

    /** An ADTS AAC-LC frame: 48 kHz, stereo, {@code payload} bytes after the header. */
    static AudioSample adts(long pts, int payload) {
        int length = payload + 7;
        byte[] b = new byte[length];
        b[0] = (byte) 0xFF;
        b[1] = (byte) 0xF1;
        b[2] = (byte) ((1 << 6) | (3 << 2)); // AAC LC, 48000 Hz (index 3), channel config high bit 0
        b[3] = (byte) ((2 << 6) | (length >> 11)); // channel configuration 2
        b[4] = (byte) (length >> 3);
        b[5] = (byte) (((length & 7) << 5) | 0x1F);
        b[6] = (byte) 0xFC;
        Arrays.fill(b, 7, length, (byte) 0x21);
        return new AudioSample(Codec.AAC, pts, 48000, 2, ByteBuffer.wrap(b));
    }

    static AudioSample g711a(long pts) {
        byte[] b = new byte[160];
        Arrays.fill(b, (byte) 0xD5);
        return new AudioSample(Codec.G711A, pts, 8000, 1, ByteBuffer.wrap(b));
    }

    /** NAL unit types of an Annex B payload, in order. */
    static int[] nalTypes(ByteBuffer payload) {
        return NalUnits.splitAnnexB(payload).stream().mapToInt(n -> n.get(n.position()) & 0x1F).toArray();
    }

    private static ByteBuffer nal(int header, byte[] rbsp) {
        ByteBuffer b = ByteBuffer.allocate(rbsp.length + 1);
        b.put((byte) header).put(rbsp);
        return NalUnits.escape(b.flip());
    }
}
