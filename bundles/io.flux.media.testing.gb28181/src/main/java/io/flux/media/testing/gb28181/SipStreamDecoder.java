package io.flux.media.testing.gb28181;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Cuts a SIP-over-TCP byte stream into messages (RFC 3261 section 18.3): headers up to the blank line, then
 * Content-Length bytes of body. CRLF keepalives between messages are skipped.
 */
final class SipStreamDecoder {

    static final int MAX_MESSAGE = 64 * 1024;

    private byte[] buf = new byte[4096];
    private int len;

    /**
     * Appends the chunk and hands every complete message to {@code sink}.
     *
     * @throws IllegalArgumentException on a message that cannot be framed (no usable Content-Length, too large):
     *         the connection is beyond repair then
     */
    void feed(ByteBuffer chunk, Consumer<SipMessage> sink) {
        int n = chunk.remaining();
        if (len + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
        }
        chunk.get(buf, len, n);
        len += n;
        int pos = 0;
        while (true) {
            while (pos < len && (buf[pos] == '\r' || buf[pos] == '\n')) {
                pos++;
            }
            int headEnd = SipMessage.indexOfBlankLine(buf, pos, len);
            if (headEnd < 0) {
                if (len - pos > MAX_MESSAGE) {
                    throw new IllegalArgumentException("SIP headers longer than " + MAX_MESSAGE + " bytes");
                }
                break;
            }
            SipMessage head = SipMessage.parse(buf, pos, headEnd + 4 - pos);
            int bodyLength = SipMessage.contentLength(head);
            if (bodyLength < 0) {
                bodyLength = 0; // mandatory over TCP; a message without it has no body
            }
            int total = headEnd + 4 - pos + bodyLength;
            if (total > MAX_MESSAGE) {
                throw new IllegalArgumentException("SIP message of " + total + " bytes");
            }
            if (len - pos < total) {
                break;
            }
            sink.accept(SipMessage.parse(buf, pos, total));
            pos += total;
        }
        System.arraycopy(buf, pos, buf, 0, len - pos);
        len -= pos;
    }
}
