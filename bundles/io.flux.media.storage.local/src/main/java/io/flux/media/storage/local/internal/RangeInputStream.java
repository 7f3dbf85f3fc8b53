package io.flux.media.storage.local.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * At most {@code remaining} bytes of a channel from its current position. Large reads go straight into
 * the caller's array; the channel is closed with the stream.
 */
final class RangeInputStream extends InputStream {

    private final FileChannel channel;
    private long remaining;
    private final ByteBuffer one = ByteBuffer.allocate(1);

    RangeInputStream(FileChannel channel, long remaining) {
        this.channel = channel;
        this.remaining = remaining;
    }

    @Override
    public int read() throws IOException {
        one.clear();
        int n = read(one);
        return n <= 0 ? -1 : one.get(0) & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        return read(ByteBuffer.wrap(b, off, len));
    }

    private int read(ByteBuffer target) throws IOException {
        if (remaining <= 0) {
            return -1;
        }
        if (target.remaining() > remaining) {
            target.limit(target.position() + (int) remaining);
        }
        int n = channel.read(target);
        if (n < 0) {
            // The file was shorter than its size said (truncated in place by something else): stop cleanly.
            remaining = 0;
            return -1;
        }
        remaining -= n;
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        if (n <= 0 || remaining <= 0) {
            return 0;
        }
        long step = Math.min(n, remaining);
        channel.position(channel.position() + step);
        remaining -= step;
        return step;
    }

    @Override
    public int available() {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(0, remaining));
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
