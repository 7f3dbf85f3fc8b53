package io.flux.media.protocol.gb28181.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A hand-rolled SIP device for tests: writes requests as text over UDP or TCP and reads the responses, so
 * that the registrar is checked against bytes on the wire rather than against the same stack it runs on.
 */
final class SipClient implements AutoCloseable {

    static final String SERVER_ID = "34020000002000000001";
    static final String DOMAIN = "3402000000";

    record Response(int status, String reason, Map<String, List<String>> headers, String body) {

        String header(String name) {
            List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
            return v == null ? null : v.get(0);
        }
    }

    private final String transport;
    private final int serverPort;
    private final DatagramSocket udp;
    private final Socket tcp;
    private final AtomicInteger cseq = new AtomicInteger();
    private final String callId = UUID.randomUUID().toString();
    private final String tag = Long.toHexString(System.nanoTime());

    private SipClient(String transport, int serverPort) throws IOException {
        this.transport = transport;
        this.serverPort = serverPort;
        if (transport.equals("UDP")) {
            udp = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
            udp.setSoTimeout(5000);
            tcp = null;
        } else {
            udp = null;
            tcp = new Socket("127.0.0.1", serverPort);
            tcp.setSoTimeout(5000);
        }
    }

    static SipClient udp(int serverPort) throws IOException {
        return new SipClient("UDP", serverPort);
    }

    static SipClient tcp(int serverPort) throws IOException {
        return new SipClient("TCP", serverPort);
    }

    int localPort() {
        return udp != null ? udp.getLocalPort() : tcp.getLocalPort();
    }

    /** A request line and the mandatory headers, from device {@code deviceId}; extra headers end in CRLF. */
    String request(String method, String deviceId, String extraHeaders, String body) {
        return request(method, deviceId, extraHeaders, body, "z9hG4bK" + UUID.randomUUID().toString().replace("-", ""));
    }

    String request(String method, String deviceId, String extraHeaders, String body, String branch) {
        byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        return method + " sip:" + SERVER_ID + "@" + DOMAIN + " SIP/2.0\r\n"
                + "Via: SIP/2.0/" + transport + " 127.0.0.1:" + localPort() + ";rport;branch=" + branch + "\r\n"
                + "From: <sip:" + deviceId + "@" + DOMAIN + ">;tag=" + tag + "\r\n"
                + "To: <sip:" + (method.equals("REGISTER") ? deviceId : SERVER_ID) + "@" + DOMAIN + ">\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: " + cseq.incrementAndGet() + " " + method + "\r\n"
                + "Max-Forwards: 70\r\n"
                + extraHeaders
                + "Content-Length: " + content.length + "\r\n\r\n"
                + (body == null ? "" : body);
    }

    String register(String deviceId, int expires, String authorization) {
        return request("REGISTER", deviceId,
                "Contact: <sip:" + deviceId + "@127.0.0.1:" + localPort() + ">\r\n"
                        + "Expires: " + expires + "\r\n"
                        + (authorization == null ? "" : "Authorization: " + authorization + "\r\n"),
                null);
    }

    String keepalive(String deviceId, int sn) {
        return request("MESSAGE", deviceId, "Content-Type: Application/MANSCDP+xml\r\n",
                "<?xml version=\"1.0\" encoding=\"GB2312\"?>\r\n<Notify>\r\n<CmdType>Keepalive</CmdType>\r\n<SN>" + sn
                        + "</SN>\r\n<DeviceID>" + deviceId + "</DeviceID>\r\n<Status>OK</Status>\r\n</Notify>\r\n");
    }

    /** The digest Authorization value answering a 401's challenge. */
    static String answer(Response challenge, String deviceId, String password, int nc) {
        Map<String, String> p = AuthParams.parseDigest(challenge.header("WWW-Authenticate"));
        String uri = "sip:" + SERVER_ID + "@" + DOMAIN;
        String ncs = String.format("%08x", nc);
        String cnonce = Long.toHexString(System.nanoTime());
        String response = DigestAuthenticator.response(deviceId, p.get("realm"), password, "REGISTER", uri,
                p.get("nonce"), ncs, cnonce, "auth");
        return "Digest username=\"" + deviceId + "\", realm=\"" + p.get("realm") + "\", nonce=\"" + p.get("nonce")
                + "\", uri=\"" + uri + "\", response=\"" + response + "\", algorithm=MD5, cnonce=\"" + cnonce
                + "\", qop=auth, nc=" + ncs;
    }

    /** Sends a request and returns its final response (provisional ones are skipped). */
    Response send(String request) throws IOException {
        sendRaw(request.getBytes(StandardCharsets.UTF_8));
        while (true) {
            Response r = receive();
            if (r.status() >= 200) {
                return r;
            }
        }
    }

    void sendRaw(byte[] bytes) throws IOException {
        if (udp != null) {
            udp.send(new DatagramPacket(bytes, bytes.length, InetAddress.getLoopbackAddress(), serverPort));
        } else {
            OutputStream out = tcp.getOutputStream();
            out.write(bytes);
            out.flush();
        }
    }

    /** Waits up to {@code millis} for a response; null when none arrives. */
    Response receiveWithin(int millis) throws IOException {
        int before = udp != null ? udp.getSoTimeout() : tcp.getSoTimeout();
        try {
            if (udp != null) {
                udp.setSoTimeout(millis);
            } else {
                tcp.setSoTimeout(millis);
            }
            return receive();
        } catch (SocketTimeoutException e) {
            return null;
        } finally {
            if (udp != null) {
                udp.setSoTimeout(before);
            } else if (!tcp.isClosed()) {
                tcp.setSoTimeout(before);
            }
        }
    }

    Response receive() throws IOException {
        if (udp != null) {
            byte[] buf = new byte[65536];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            udp.receive(p);
            return parse(new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8));
        }
        InputStream in = tcp.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int state = 0;
        while (state < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed");
            }
            if (head.size() == 0 && (b == '\r' || b == '\n')) {
                continue; // keepalive CRLFs
            }
            head.write(b);
            state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3)) ? state + 1
                    : 0;
        }
        Response r = parse(head.toString(StandardCharsets.UTF_8));
        String length = r.header("Content-Length");
        int n = length == null ? 0 : Integer.parseInt(length.trim());
        byte[] body = in.readNBytes(n);
        return new Response(r.status(), r.reason(), r.headers(), new String(body, StandardCharsets.UTF_8));
    }

    static Response parse(String text) {
        int end = text.indexOf("\r\n\r\n");
        String head = end < 0 ? text : text.substring(0, end);
        String body = end < 0 ? "" : text.substring(end + 4);
        String[] lines = head.split("\r\n");
        String[] status = lines[0].split(" ", 3);
        if (!status[0].equals("SIP/2.0")) {
            throw new IllegalStateException("not a SIP response: " + lines[0]);
        }
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.computeIfAbsent(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        k -> new ArrayList<>()).add(lines[i].substring(colon + 1).trim());
            }
        }
        return new Response(Integer.parseInt(status[1]), status.length > 2 ? status[2] : "", headers, body);
    }

    /** A port free for both UDP and TCP on 127.0.0.1 right now. */
    static int freePort() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                int port = s.getLocalPort();
                try (DatagramSocket d = new DatagramSocket(new InetSocketAddress("127.0.0.1", port))) {
                    return port;
                } catch (IOException e) {
                    // UDP side taken: try another
                }
            }
        }
        throw new IOException("no port free for both UDP and TCP");
    }

    @Override
    public void close() throws IOException {
        if (udp != null) {
            udp.close();
        } else {
            tcp.close();
        }
    }
}
