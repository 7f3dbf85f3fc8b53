package io.flux.media.mpegps;

import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * Splits an RFC 4571 byte stream (RTP over TCP: each packet preceded by its 16-bit big-endian length) into
 * frames. Chunks of any size may be fed, down to single bytes. A frame arriving whole inside one chunk is
 * handed out as a slice of it; a frame split across chunks is assembled in one buffer of the maximum frame length.
 * <p>
 * The framing has no sync marker, so a framing error cannot be recovered from: a length above the maximum, or
 * (when RTP is required) a frame not starting with an RTP version 2 header, puts the framer in a failed state
 * where further input is ignored and {@link #failure()} says why. The connection should then be closed.
 * Zero-length frames are skipped. Not thread-safe.
 */
public final class Rfc4571Framer {

    private final int maxFrameLength;
    private final boolean rtpOnly;
    private byte[] partial;
    private int partialLength;
    /** Length of the frame being read, or -1 while reading a length field. */
    private int frameLength = -1;
    /** First byte of a length field split across chunks, or -1. */
    private int lengthHigh = -1;
    private String failure;

    private long bytes;
    private long frames;
    private long emptyFrames;

    /**
     * @param maxFrameLength largest frame accepted, 1-65535
     * @param rtpOnly        whether every frame must start with an RTP (or RTCP) version 2 header; catches a
     *                       stream that lost its framing at the first bad frame
     */
    public Rfc4571Framer(int maxFrameLength, boolean rtpOnly) {
        if (maxFrameLength < 1 || maxFrameLength > 0xFFFF) {
            throw new IllegalArgumentException("maxFrameLength must be 1-65535, not " + maxFrameLength);
        }
        this.maxFrameLength = maxFrameLength;
        this.rtpOnly = rtpOnly;
    }

    /**
     * Consumes the chunk (position to limit; the buffer is not modified) and passes every completed frame to
     * {@code frames}. A frame is valid only during that call. Does nothing once failed.
     */
    public void feed(ByteBuffer chunk, Consumer<ByteBuffer> frames) {
        int p = chunk.position();
        int limit = chunk.limit();
        bytes += limit - p;
        while (p < limit && failure == null) {
            if (frameLength < 0) {
                int length;
                if (lengthHigh >= 0) {
                    length = (lengthHigh << 8) | (chunk.get(p++) & 0xFF);
                    lengthHigh = -1;
                } else if (limit - p >= 2) {
                    length = chunk.getShort(p) & 0xFFFF;
                    p += 2;
                } else {
                    lengthHigh = chunk.get(p++) & 0xFF;
                    continue;
                }
                startFrame(length);
            } else if (partialLength == 0 && limit - p >= frameLength) {
                int length = frameLength;
                frameLength = -1;
                deliver(chunk.slice(p, length), frames);
                p += length;
            } else {
                if (partial == null) {
                    partial = new byte[maxFrameLength];
                }
                int n = Math.min(frameLength - partialLength, limit - p);
                chunk.get(p, partial, partialLength, n);
                partialLength += n;
                p += n;
                if (partialLength == frameLength) {
                    int length = frameLength;
                    frameLength = -1;
                    partialLength = 0;
                    deliver(ByteBuffer.wrap(partial, 0, length), frames);
                }
            }
        }
    }

    private void startFrame(int length) {
        if (length == 0) {
            emptyFrames++;
        } else if (length > maxFrameLength) {
            failure = "frame length " + length + " exceeds the maximum of " + maxFrameLength
                    + " bytes: the stream lost its RFC 4571 framing";
        } else {
            frameLength = length;
        }
    }

    private void deliver(ByteBuffer frame, Consumer<ByteBuffer> frames) {
        if (rtpOnly && (frame.get(frame.position()) & 0xC0) != 0x80) {
            failure = "frame " + (frames() + 1) + " does not start with an RTP version 2 header: the stream lost "
                    + "its RFC 4571 framing";
            return;
        }
        this.frames++;
        frames.accept(frame);
    }

    /** True once a framing error was met. */
    public boolean failed() {
        return failure != null;
    }

    /** Why the framer failed, or null. */
    public String failure() {
        return failure;
    }

    /** Bytes fed, including any ignored after a failure. */
    public long bytes() {
        return bytes;
    }

    /** Frames delivered. */
    public long frames() {
        return frames;
    }

    /** Zero-length frames skipped. */
    public long emptyFrames() {
        return emptyFrames;
    }

    /** True when a frame or a length field is incomplete (the stream ended mid-frame if it ends now). */
    public boolean midFrame() {
        return frameLength >= 0 || lengthHigh >= 0;
    }
}
