package io.flux.media.codec;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * An MP4 decoder configuration record: AVCDecoderConfigurationRecord ({@code avcC}, ISO/IEC 14496-15 5.3.3)
 * or HEVCDecoderConfigurationRecord ({@code hvcC}, 8.3.3).
 *
 * @param lengthSize    bytes of the NAL unit length prefix in samples (1, 2 or 4)
 * @param parameterSets parameter set NAL units without start codes, in record order (slices of the input)
 */
public record DecoderConfig(int lengthSize, List<ByteBuffer> parameterSets) {

    public DecoderConfig {
        parameterSets = List.copyOf(parameterSets);
    }

    /** Parses an {@code avcC} box payload. */
    public static DecoderConfig parseAvcC(ByteBuffer avcC) throws CodecException {
        ByteBuffer b = avcC.slice();
        try {
            if (b.remaining() < 7) {
                throw new CodecException("avcC too short: " + b.remaining() + " bytes");
            }
            if (b.get(0) != 1) {
                throw new CodecException("unsupported avcC version " + b.get(0));
            }
            int lengthSize = (b.get(4) & 0x3) + 1;
            if (lengthSize == 3) {
                throw new CodecException("invalid avcC NAL length size 3");
            }
            List<ByteBuffer> sets = new ArrayList<>();
            b.position(5);
            int sps = b.get() & 0x1F;
            readSets(b, sps, sets);
            int pps = b.get() & 0xFF;
            readSets(b, pps, sets);
            return new DecoderConfig(lengthSize, sets);
        } catch (java.nio.BufferUnderflowException | IndexOutOfBoundsException e) {
            throw new CodecException("avcC truncated", e);
        }
    }

    /** Parses an {@code hvcC} box payload; keeps the VPS, SPS and PPS arrays (SEI arrays are skipped). */
    public static DecoderConfig parseHvcC(ByteBuffer hvcC) throws CodecException {
        ByteBuffer b = hvcC.slice();
        try {
            if (b.remaining() < 23) {
                throw new CodecException("hvcC too short: " + b.remaining() + " bytes");
            }
            int lengthSize = (b.get(21) & 0x3) + 1;
            if (lengthSize == 3) {
                throw new CodecException("invalid hvcC NAL length size 3");
            }
            int arrays = b.get(22) & 0xFF;
            b.position(23);
            List<ByteBuffer> sets = new ArrayList<>();
            List<ByteBuffer> skipped = new ArrayList<>();
            for (int i = 0; i < arrays; i++) {
                int type = b.get() & 0x3F;
                int count = b.getShort() & 0xFFFF;
                readSets(b, count, H265.isParameterSet(type) ? sets : skipped);
            }
            return new DecoderConfig(lengthSize, sets);
        } catch (java.nio.BufferUnderflowException | IndexOutOfBoundsException e) {
            throw new CodecException("hvcC truncated", e);
        }
    }

    /** Builds an {@code avcC} payload (4-byte lengths) from SPS and PPS NAL units (other units are ignored). */
    public static ByteBuffer avcC(List<ByteBuffer> parameterSets) throws CodecException {
        List<ByteBuffer> sps = new ArrayList<>();
        List<ByteBuffer> pps = new ArrayList<>();
        for (ByteBuffer n : parameterSets) {
            int type = H264.nalType(n);
            if (type == H264.NAL_SPS) {
                sps.add(n);
            } else if (type == H264.NAL_PPS) {
                pps.add(n);
            }
        }
        if (sps.isEmpty() || pps.isEmpty()) {
            throw new CodecException("avcC needs at least one SPS and one PPS");
        }
        if (sps.size() > 31 || pps.size() > 255) {
            throw new CodecException("too many parameter sets for avcC");
        }
        ByteBuffer first = sps.get(0);
        SpsInfo info = H264.parseSps(first);
        int profile = first.get(first.position() + 1) & 0xFF;
        boolean ext = profile == 100 || profile == 110 || profile == 122 || profile == 144;
        int size = 7 + (ext ? 4 : 0);
        for (ByteBuffer n : sps) {
            size += 2 + checkLength(n);
        }
        for (ByteBuffer n : pps) {
            size += 2 + checkLength(n);
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        out.put((byte) 1);
        out.put(first.get(first.position() + 1));
        out.put(first.get(first.position() + 2));
        out.put(first.get(first.position() + 3));
        out.put((byte) 0xFF); // reserved + 4-byte lengths
        out.put((byte) (0xE0 | sps.size()));
        for (ByteBuffer n : sps) {
            out.putShort((short) n.remaining()).put(n.duplicate());
        }
        out.put((byte) pps.size());
        for (ByteBuffer n : pps) {
            out.putShort((short) n.remaining()).put(n.duplicate());
        }
        if (ext) {
            out.put((byte) (0xFC | info.chromaFormat()));
            out.put((byte) (0xF8 | (info.bitDepth() - 8)));
            out.put((byte) (0xF8 | (info.bitDepth() - 8)));
            out.put((byte) 0);
        }
        return out.flip();
    }

    /** Builds an {@code hvcC} payload (4-byte lengths) from VPS, SPS and PPS NAL units. */
    public static ByteBuffer hvcC(List<ByteBuffer> parameterSets) throws CodecException {
        List<List<ByteBuffer>> byType = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        for (ByteBuffer n : parameterSets) {
            int type = H265.nalType(n);
            if (H265.isParameterSet(type)) {
                byType.get(type - H265.NAL_VPS).add(n);
            }
        }
        for (List<ByteBuffer> l : byType) {
            if (l.isEmpty()) {
                throw new CodecException("hvcC needs at least one VPS, SPS and PPS");
            }
        }
        ByteBuffer sps = byType.get(1).get(0);
        SpsInfo info = H265.parseSps(sps);
        H265.ProfileTierLevel ptl = H265.parseProfileTierLevel(sps);
        int[] layers = H265.subLayers(sps);
        int size = 23;
        for (List<ByteBuffer> l : byType) {
            size += 3;
            for (ByteBuffer n : l) {
                size += 2 + checkLength(n);
            }
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        out.put((byte) 1);
        out.put((byte) ((ptl.profileSpace() << 6) | (ptl.tier() ? 0x20 : 0) | ptl.profileIdc()));
        out.putInt((int) ptl.compatibilityFlags());
        out.putShort((short) (ptl.constraintFlags() >>> 32));
        out.putInt((int) ptl.constraintFlags());
        out.put((byte) ptl.levelIdc());
        out.putShort((short) 0xF000); // min_spatial_segmentation_idc 0
        out.put((byte) 0xFC); // parallelismType unknown
        out.put((byte) (0xFC | info.chromaFormat()));
        out.put((byte) (0xF8 | (info.bitDepth() - 8)));
        out.put((byte) (0xF8 | (info.bitDepth() - 8)));
        out.putShort((short) 0); // avgFrameRate unspecified
        out.put((byte) (((layers[0] & 0x7) << 3) | ((layers[1] & 1) << 2) | 3));
        out.put((byte) 3);
        for (int i = 0; i < 3; i++) {
            List<ByteBuffer> l = byType.get(i);
            out.put((byte) (0x80 | (H265.NAL_VPS + i))); // array_completeness: every set is in the record
            out.putShort((short) l.size());
            for (ByteBuffer n : l) {
                out.putShort((short) n.remaining()).put(n.duplicate());
            }
        }
        return out.flip();
    }

    private static void readSets(ByteBuffer b, int count, List<ByteBuffer> into) throws CodecException {
        for (int i = 0; i < count; i++) {
            int len = b.getShort() & 0xFFFF;
            if (len > b.remaining()) {
                throw new CodecException("parameter set of " + len + " bytes truncated to " + b.remaining());
            }
            if (len > 0) {
                into.add(b.slice(b.position(), len));
            }
            b.position(b.position() + len);
        }
    }

    private static int checkLength(ByteBuffer n) throws CodecException {
        if (n.remaining() > 0xFFFF) {
            throw new CodecException("parameter set longer than 65535 bytes");
        }
        return n.remaining();
    }
}
