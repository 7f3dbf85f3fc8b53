package io.flux.media.mpegps;

/** Why bytes are not an RTP packet. */
public enum RtpError implements RtpParseResult {
    /** Shorter than the 12-byte fixed header. */
    TOO_SHORT,
    /** Version field is not 2. */
    BAD_VERSION,
    /** The CSRC list runs past the end. */
    TRUNCATED_CSRC,
    /** The header extension runs past the end. */
    TRUNCATED_EXTENSION,
    /** Padding flag set with a padding count of zero or longer than the payload. */
    BAD_PADDING,
    /** An RTCP packet (packet type 192-223, RFC 5761), not RTP: counted apart, never an error of the sender. */
    RTCP
}
