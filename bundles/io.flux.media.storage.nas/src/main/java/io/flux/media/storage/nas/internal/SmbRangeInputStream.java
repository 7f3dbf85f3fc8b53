package io.flux.media.storage.nas.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;
import java.util.function.Consumer;

import com.hierynomus.mssmb2.SMBApiException;
import com.hierynomus.smbj.common.SMBRuntimeException;
import com.hierynomus.smbj.share.File;

/**
 * At most {@code remaining} bytes of an open SMB file from an offset, read in chunks through an internal
 * buffer. The handle is closed with the stream. A transport failure becomes an IOException and drops the
 * connection (through {@code broken}).
 */
final class SmbRangeInputStream extends InputStream {

    private final File file;
    private final Consumer<RuntimeException> broken;
    private final byte[] buffer;
    private long position;
    private long remaining;
    private int bufferPos;
    private int bufferLen;
    private boolean closed;

    SmbRangeInputStream(File file, long offset, long remaining, int chunkBytes, Consumer<RuntimeException> broken) {
        this.file = file;
        this.position = offset;
        this.remaining = remaining;
        this.buffer = new byte[(int) Math.max(1, Math.min(chunkBytes, remaining))];
        this.broken = broken;
    }

    @Override
    public int read() throws IOException {
        if (!fill()) {
            return -1;
        }
        return buffer[bufferPos++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        if (!fill()) {
            return -1;
        }
        int n = Math.min(len, bufferLen - bufferPos);
        System.arraycopy(buffer, bufferPos, b, off, n);
        bufferPos += n;
        return n;
    }

    @Override
    public long skip(long n) {
        if (n <= 0) {
            return 0;
        }
        long inBuffer = bufferLen - bufferPos;
        if (n <= inBuffer) {
            bufferPos += (int) n;
            return n;
        }
        long step = Math.min(n - inBuffer, remaining);
        bufferPos = bufferLen;
        position += step;
        remaining -= step;
        return inBuffer + step;
    }

    @Override
    public int available() {
        return bufferLen - bufferPos;
    }

    private boolean fill() throws IOException {
        if (closed) {
            throw new IOException("stream closed");
        }
        if (bufferPos < bufferLen) {
            return true;
        }
        if (remaining <= 0) {
            return false;
        }
        int want = (int) Math.min(buffer.length, remaining);
        int n;
        try {
            n = file.read(buffer, position, 0, want);
        } catch (SMBApiException e) {
            throw new IOException("NAS read failed: " + ShareConnector.describe(e.getStatus()), e);
        } catch (SMBRuntimeException e) {
            broken.accept(e);
            throw new IOException("NAS read failed, connection dropped: " + ShareConnector.rootMessage(e), e);
        }
        if (n <= 0) {
            // Shorter than its size said (truncated by something else): stop cleanly.
            remaining = 0;
            return false;
        }
        position += n;
        remaining -= n;
        bufferPos = 0;
        bufferLen = n;
        return true;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            try {
                file.closeNoWait();
            } catch (RuntimeException e) {
                // The connection is gone; the server drops the handle with it.
            }
        }
    }
}
