package io.flux.media.mpegps;

import java.nio.ByteBuffer;

/**
 * One RTP packet (RFC 3550 section 5.1), parsed without copying: {@link #payload()} and {@link #extension()} are
 * read-only slices of the buffer handed to {@link #parse(ByteBuffer)}, valid as long as that buffer's content is.
 * {@link #copy()} gives a packet owning its bytes.
 */
public final class RtpPacket implements RtpParseResult {

    /** Length of the fixed header. */
    public static final int HEADER_LENGTH = 12;

    private final ByteBuffer packet;
    private final ByteBuffer payload;
    private final int payloadOffset;
    private final int extensionOffset;
    private final int extensionLength;

    private RtpPacket(ByteBuffer packet, int payloadOffset, int payloadLength, int extensionOffset,
            int extensionLength) {
        this.packet = packet;
        this.payload = packet.slice(payloadOffset, payloadLength).asReadOnlyBuffer();
        this.payloadOffset = payloadOffset;
        this.extensionOffset = extensionOffset;
        this.extensionLength = extensionLength;
    }

    /**
     * Parses the bytes from the buffer's position to its limit as one RTP packet. The buffer is not modified.
     * Every length is checked against the buffer, so any input gives a packet or an {@link RtpError}, never an
     * exception.
     */
    public static RtpParseResult parse(ByteBuffer buf) {
        int length = buf.remaining();
        if (length < HEADER_LENGTH) {
            return RtpError.TOO_SHORT;
        }
        ByteBuffer packet = buf.slice();
        int b0 = packet.get(0) & 0xFF;
        if ((b0 >> 6) != 2) {
            return RtpError.BAD_VERSION;
        }
        int b1 = packet.get(1) & 0xFF;
        if (b1 >= 192 && b1 <= 223) {
            return RtpError.RTCP;
        }
        int offset = HEADER_LENGTH + 4 * (b0 & 0x0F);
        if (offset > length) {
            return RtpError.TRUNCATED_CSRC;
        }
        int extOffset = -1;
        int extLength = 0;
        if ((b0 & 0x10) != 0) {
            if (offset + 4 > length) {
                return RtpError.TRUNCATED_EXTENSION;
            }
            extLength = 4 * (packet.getShort(offset + 2) & 0xFFFF);
            extOffset = offset + 4;
            if (extOffset + extLength > length) {
                return RtpError.TRUNCATED_EXTENSION;
            }
            offset = extOffset + extLength;
        }
        int end = length;
        if ((b0 & 0x20) != 0) {
            int padding = length > offset ? packet.get(length - 1) & 0xFF : 0;
            if (padding == 0 || padding > length - offset) {
                return RtpError.BAD_PADDING;
            }
            end -= padding;
        }
        return new RtpPacket(packet, offset, end - offset, extOffset, extLength);
    }

    /**
     * Builds a packet without CSRCs, extension or padding into a new buffer ready to read (for senders and tests).
     */
    public static ByteBuffer encode(int payloadType, boolean marker, int sequenceNumber, long timestamp, long ssrc,
            ByteBuffer payload) {
        ByteBuffer out = ByteBuffer.allocate(HEADER_LENGTH + payload.remaining());
        out.put((byte) 0x80)
                .put((byte) ((marker ? 0x80 : 0) | (payloadType & 0x7F)))
                .putShort((short) sequenceNumber)
                .putInt((int) timestamp)
                .putInt((int) ssrc)
                .put(payload.duplicate());
        return out.flip();
    }

    /** A packet with the same fields owning a copy of the bytes, for keeping it past the receive buffer's reuse. */
    public RtpPacket copy() {
        ByteBuffer own = ByteBuffer.allocate(packet.limit());
        own.put(0, packet, 0, packet.limit());
        return new RtpPacket(own, payloadOffset, payload.remaining(), extensionOffset, extensionLength);
    }

    /** Padding flag (the padding is already removed from the payload). */
    public boolean padding() {
        return (packet.get(0) & 0x20) != 0;
    }

    public boolean hasExtension() {
        return extensionOffset >= 0;
    }

    /** The 16-bit profile-defined field of the header extension, or -1 without extension. */
    public int extensionProfile() {
        return extensionOffset >= 0 ? packet.getShort(extensionOffset - 4) & 0xFFFF : -1;
    }

    /** The header extension data (without its 4-byte header), empty without extension. */
    public ByteBuffer extension() {
        return extensionOffset >= 0 ? packet.slice(extensionOffset, extensionLength).asReadOnlyBuffer()
                : ByteBuffer.allocate(0);
    }

    public int csrcCount() {
        return packet.get(0) & 0x0F;
    }

    /** The i-th contributing source, unsigned. */
    public long csrc(int i) {
        if (i < 0 || i >= csrcCount()) {
            throw new IndexOutOfBoundsException(i);
        }
        return packet.getInt(HEADER_LENGTH + 4 * i) & 0xFFFF_FFFFL;
    }

    public boolean marker() {
        return (packet.get(1) & 0x80) != 0;
    }

    public int payloadType() {
        return packet.get(1) & 0x7F;
    }

    /** 16-bit sequence number, 0-65535. */
    public int sequenceNumber() {
        return packet.getShort(2) & 0xFFFF;
    }

    /** 32-bit timestamp, unsigned. */
    public long timestamp() {
        return packet.getInt(4) & 0xFFFF_FFFFL;
    }

    /** Synchronisation source, unsigned. */
    public long ssrc() {
        return packet.getInt(8) & 0xFFFF_FFFFL;
    }

    /** The payload without padding: a read-only slice (position 0). */
    public ByteBuffer payload() {
        return payload.duplicate();
    }

    /** Payload length in bytes. */
    public int payloadLength() {
        return payload.remaining();
    }

    /** Length of the whole packet, header and padding included. */
    public int length() {
        return packet.limit();
    }

    @Override
    public String toString() {
        return "RtpPacket[pt=" + payloadType() + ", seq=" + sequenceNumber() + ", ts=" + timestamp() + ", ssrc="
                + ssrc() + (marker() ? ", marker" : "") + ", payload=" + payloadLength() + "]";
    }
}
