package io.flux.media.publish.rtsp.internal;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A minimal RTSP server that accepts RECORD, for protocol details ffmpeg's listener cannot show: it can demand
 * Digest authentication, drops connections on request, and logs every request ("conn METHOD uri") and counts
 * the interleaved packets it receives.
 */
final class ScriptedRtspServer implements Closeable {

    static final String REALM = "mediamtx";
    static final String NONCE = "0123456789abcdef";

    final List<String> requests = new CopyOnWriteArrayList<>();
    final List<String> sdps = new CopyOnWriteArrayList<>();
    final AtomicInteger rtpPackets = new AtomicInteger();
    final AtomicInteger connections = new AtomicInteger();
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final ServerSocket server;
    private volatile String user;
    private volatile String password;

    ScriptedRtspServer() throws IOException {
        server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(this::acceptLoop);
    }

    int port() {
        return server.getLocalPort();
    }

    /** Demand Digest credentials from now on; null for none. */
    void credentials(String u, String p) {
        user = u;
        password = p;
    }

    void dropConnections() throws IOException {
        for (Socket s : open) {
            s.close();
        }
    }

    long count(String method) {
        return requests.stream().filter(r -> r.split(" ")[1].equals(method)).count();
    }

    @Override
    public void close() throws IOException {
        server.close();
        dropConnections();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                open.add(s);
                int n = connections.incrementAndGet();
                Thread.ofVirtual().start(() -> serve(s, n));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s, int conn) {
        try (s) {
            InputStream in = new BufferedInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            while (true) {
                int b = in.read();
                if (b < 0) {
                    return;
                }
                if (b == '$') {
                    in.read();
                    int len = (in.read() << 8) | in.read();
                    in.readNBytes(len);
                    rtpPackets.incrementAndGet();
                    continue;
                }
                String first = (char) b + line(in);
                Map<String, String> headers = new LinkedHashMap<>();
                String l;
                while (!(l = line(in)).isEmpty()) {
                    int c = l.indexOf(':');
                    headers.put(l.substring(0, c).trim().toLowerCase(Locale.ROOT), l.substring(c + 1).trim());
                }
                int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
                String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
                String[] parts = first.split(" ");
                String method = parts[0];
                String uri = parts[1];
                requests.add(conn + " " + method + " " + uri);
                String cseq = headers.get("cseq");
                if (user != null && !authorized(method, uri, headers.get("authorization"))) {
                    reply(out, cseq, "401 Unauthorized", "WWW-Authenticate: Basic realm=\"" + REALM + "\"\r\n"
                            + "WWW-Authenticate: Digest realm=\"" + REALM + "\", nonce=\"" + NONCE + "\"\r\n");
                    continue;
                }
                switch (method) {
                    case "OPTIONS" -> reply(out, cseq, "200 OK",
                            "Public: OPTIONS, ANNOUNCE, SETUP, RECORD, GET_PARAMETER, TEARDOWN\r\n");
                    case "ANNOUNCE" -> {
                        sdps.add(body);
                        reply(out, cseq, "200 OK", "");
                    }
                    case "SETUP" -> reply(out, cseq, "200 OK", "Transport: " + headers.get("transport")
                            + "\r\nSession: 12345678;timeout=60\r\n");
                    default -> reply(out, cseq, "200 OK", "Session: 12345678\r\n");
                }
                if (method.equals("TEARDOWN")) {
                    return;
                }
            }
        } catch (IOException e) {
            // dropped
        } finally {
            open.remove(s);
        }
    }

    private boolean authorized(String method, String uri, String authorization) {
        if (authorization == null || !authorization.startsWith("Digest ")) {
            return false;
        }
        Map<String, String> p = RtspAuth.params(authorization.substring(7));
        String expected = RtspAuth.md5(RtspAuth.md5(user + ":" + REALM + ":" + password) + ":" + NONCE + ":"
                + RtspAuth.md5(method + ":" + uri));
        return user.equals(p.get("username")) && uri.equals(p.get("uri")) && expected.equals(p.get("response"));
    }

    private static void reply(OutputStream out, String cseq, String status, String headers) throws IOException {
        out.write(("RTSP/1.0 " + status + "\r\nCSeq: " + cseq + "\r\n" + headers + "\r\n")
                .getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (c != '\r') {
                b.write(c);
            }
        }
        if (c < 0) {
            throw new IOException("closed");
        }
        return b.toString(StandardCharsets.UTF_8);
    }
}
