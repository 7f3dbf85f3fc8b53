package io.flux.media.publish.rtsp.internal;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One RTSP/1.0 connection over TCP (RFC 2326) as a publishing client: requests with CSeq, answers matched by CSeq,
 * a 401 answered once per challenge with {@link RtspAuth}, and RTP written interleaved ({@code $}, channel,
 * 16-bit length, packet). A reader thread takes everything the server sends: answers, interleaved RTCP (discarded)
 * and requests (ignored). One thread writes (the publisher's sender); {@link #close()} may come from any thread
 * and unblocks it.
 */
final class RtspConnection implements Closeable {

    private static final Logger LOG = LoggerFactory.getLogger(RtspConnection.class);
    private static final String USER_AGENT = "flux-rtsp-publisher";
    private static final int MAX_HEADER_LINE = 8192;
    private static final int MAX_BODY = 1 << 20;

    /** An RTSP answer; header names lower-case, repeated headers kept in order. */
    record Response(int status, String reason, int cseq, Map<String, List<String>> headers, String body) {

        String header(String name) {
            List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
            return v == null || v.isEmpty() ? null : v.get(0);
        }

        List<String> headers(String name) {
            return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
        }

        boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    /** A non-2xx answer. */
    static final class StatusException extends IOException {
        private static final long serialVersionUID = 1L;
        private final int status;

        StatusException(String method, Response r) {
            super(method + " answered " + r.status + " " + r.reason);
            this.status = r.status;
        }

        int status() {
            return status;
        }
    }

    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;
    private final RtspAuth auth;
    private final Duration timeout;
    private final BlockingQueue<Response> responses = new LinkedBlockingQueue<>();
    private final Thread reader;
    /** Staging for payloads that are not array-backed; only the writing thread uses it. */
    private final byte[] bodyBuffer = new byte[2048];
    private volatile IOException failure;
    private volatile boolean closed;
    private int cseq;
    /** The session id from the first SETUP answer (without parameters), or null. */
    private String session;
    private long bytesWritten;

    private RtspConnection(Socket socket, RtspAuth auth, Duration timeout) throws IOException {
        this.socket = socket;
        this.out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
        this.in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
        this.auth = auth;
        this.timeout = timeout;
        this.reader = Thread.ofVirtual().name("flux-rtsp-reader-" + socket.getRemoteSocketAddress())
                .start(this::readLoop);
    }

    /** Connects to the host and port of an {@code rtsp://} URL. */
    static RtspConnection connect(URI url, RtspAuth auth, Duration timeout) throws IOException {
        if (!"rtsp".equalsIgnoreCase(url.getScheme()) || url.getHost() == null) {
            throw new IOException("not an rtsp:// URL: " + url);
        }
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(url.getHost(), url.getPort() > 0 ? url.getPort() : 554),
                    (int) timeout.toMillis());
            return new RtspConnection(socket, auth, timeout);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** This side's address, for the SDP origin. */
    String localAddress() {
        return socket.getLocalAddress().getHostAddress();
    }

    long bytesWritten() {
        return bytesWritten;
    }

    /** Sends a request and waits for its answer; a 401 is retried once with credentials. Throws on non-2xx. */
    Response request(String method, String uri, Map<String, String> headers, String contentType, String body)
            throws IOException {
        return request(method, uri, headers, contentType, body, timeout);
    }

    /** As {@link #request(String, String, Map, String, String)} with its own answer timeout. */
    Response request(String method, String uri, Map<String, String> headers, String contentType, String body,
            Duration wait) throws IOException {
        Response r = exchange(method, uri, headers, contentType, body, wait);
        if (r.status == 401 && auth.accept(r.headers("www-authenticate"))) {
            r = exchange(method, uri, headers, contentType, body, wait);
        }
        if (!r.ok()) {
            throw new StatusException(method, r);
        }
        String s = r.header("session");
        if (s != null && session == null) {
            session = s.split(";", 2)[0].trim();
        }
        return r;
    }

    /** Sends a request without waiting for the answer (keep-alives while RTP flows). */
    void send(String method, String uri) throws IOException {
        write(method, uri, Map.of(), null, null);
        out.flush();
    }

    /**
     * Queues one interleaved RTP packet, as {@link RtpPacketizer.PacketSink}: {@code header[0, headerLength)} holds
     * the interleave prefix ({@code $}, channel, length), the RTP header and any FU headers, and {@code body} the
     * payload. {@link #flush()} sends. Leaves the body's position where it was.
     */
    void writeInterleaved(byte[] header, int headerLength, ByteBuffer body) throws IOException {
        checkAlive();
        int bodyLength = body.remaining();
        int framed = ((header[2] & 0xFF) << 8) | (header[3] & 0xFF);
        if (headerLength < RtpPacketizer.INTERLEAVE_PREFIX_SIZE || header[0] != '$'
                || framed != headerLength - RtpPacketizer.INTERLEAVE_PREFIX_SIZE + bodyLength) {
            throw new IllegalArgumentException("interleave prefix does not frame " + headerLength + "+" + bodyLength
                    + " bytes");
        }
        out.write(header, 0, headerLength);
        if (body.hasArray()) {
            out.write(body.array(), body.arrayOffset() + body.position(), bodyLength);
        } else {
            // Direct or read-only buffers have no array to hand over: go through a small reused one.
            for (int p = body.position(), end = body.limit(); p < end; ) {
                int n = Math.min(bodyBuffer.length, end - p);
                body.get(p, bodyBuffer, 0, n);
                out.write(bodyBuffer, 0, n);
                p += n;
            }
        }
        bytesWritten += headerLength + bodyLength;
    }

    void flush() throws IOException {
        out.flush();
    }

    /** Whether the server closed the connection or it failed. */
    boolean broken() {
        return failure != null;
    }

    @Override
    public void close() {
        closed = true;
        try {
            socket.close();
        } catch (IOException e) {
            LOG.debug("Closing the RTSP socket failed: {}", e.getMessage());
        }
        reader.interrupt();
    }

    private Response exchange(String method, String uri, Map<String, String> headers, String contentType,
            String body, Duration wait) throws IOException {
        int sent = write(method, uri, headers, contentType, body);
        out.flush();
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            Response r;
            try {
                r = left > 0 ? responses.poll(Math.min(left, 50_000_000L), TimeUnit.NANOSECONDS) : null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted waiting for the answer to " + method, e);
            }
            if (r != null && r.cseq == sent) {
                return r;
            }
            if (r == null) {
                checkAlive();
                if (left <= 0) {
                    throw new IOException("no answer to " + method + " within " + wait.toMillis() + " ms");
                }
            }
            // An answer to an earlier keep-alive: not what we wait for.
        }
    }

    private int write(String method, String uri, Map<String, String> headers, String contentType, String body)
            throws IOException {
        checkAlive();
        int n = ++cseq;
        StringBuilder sb = new StringBuilder();
        sb.append(method).append(' ').append(uri).append(" RTSP/1.0\r\n");
        sb.append("CSeq: ").append(n).append("\r\n");
        sb.append("User-Agent: ").append(USER_AGENT).append("\r\n");
        if (session != null && !headers.containsKey("Session")) {
            sb.append("Session: ").append(session).append("\r\n");
        }
        String authorization = auth.authorization(method, uri);
        if (authorization != null) {
            sb.append("Authorization: ").append(authorization).append("\r\n");
        }
        headers.forEach((k, v) -> sb.append(k).append(": ").append(v).append("\r\n"));
        byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        if (content.length > 0) {
            sb.append("Content-Type: ").append(contentType).append("\r\n");
            sb.append("Content-Length: ").append(content.length).append("\r\n");
        }
        sb.append("\r\n");
        out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
        out.write(content);
        return n;
    }

    private void checkAlive() throws IOException {
        IOException f = failure;
        if (f != null) {
            throw new IOException("RTSP connection lost: " + f.getMessage(), f);
        }
        if (closed) {
            throw new IOException("RTSP connection closed");
        }
    }

    private void readLoop() {
        try {
            while (!closed) {
                int b = in.read();
                if (b < 0) {
                    throw new EOFException("server closed the connection");
                }
                if (b == '$') {
                    in.read();
                    int len = (readByte() << 8) | readByte();
                    in.skipNBytes(len);
                    continue;
                }
                String first = (char) b + line();
                Map<String, List<String>> headers = new LinkedHashMap<>();
                String line;
                while (!(line = line()).isEmpty()) {
                    int colon = line.indexOf(':');
                    if (colon > 0) {
                        headers.computeIfAbsent(line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                                k -> new ArrayList<>(1)).add(line.substring(colon + 1).trim());
                    }
                }
                List<String> length = headers.get("content-length");
                int contentLength = length == null ? 0 : Integer.parseInt(length.get(0));
                if (contentLength < 0 || contentLength > MAX_BODY) {
                    throw new IOException("bad Content-Length " + contentLength);
                }
                String body = new String(in.readNBytes(contentLength), StandardCharsets.UTF_8);
                if (!first.startsWith("RTSP/")) {
                    LOG.debug("Ignoring a request from the server: {}", first);
                    continue;
                }
                String[] parts = first.split(" ", 3);
                int status = Integer.parseInt(parts[1]);
                List<String> cseqHeader = headers.get("cseq");
                int seq = cseqHeader == null ? -1 : Integer.parseInt(cseqHeader.get(0).trim());
                Response r = new Response(status, parts.length > 2 ? parts[2] : "", seq, headers, body);
                if (!r.ok() && r.status != 401) {
                    LOG.debug("RTSP answer {} {} to CSeq {}", status, r.reason, seq);
                }
                responses.add(r);
            }
        } catch (IOException | RuntimeException e) {
            if (!closed) {
                failure = e instanceof IOException io ? io : new IOException(e.getMessage(), e);
                LOG.debug("RTSP connection failed: {}", e.toString());
            }
        }
    }

    private int readByte() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException("server closed the connection");
        }
        return b;
    }

    private String line() throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream(128);
        while (true) {
            int b = readByte();
            if (b == '\n') {
                break;
            }
            if (b != '\r') {
                buf.write(b);
            }
            if (buf.size() > MAX_HEADER_LINE) {
                throw new IOException("RTSP header line too long");
            }
        }
        return buf.toString(StandardCharsets.UTF_8);
    }
}
