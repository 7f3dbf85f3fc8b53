package io.flux.media.protocol.gb28181.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A scripted GB28181 device over UDP, written by hand so that the server is checked against bytes on the wire:
 * it registers with digest, then a reader thread queues what the server sends (requests and responses); the
 * test answers requests and sends its own MESSAGEs and BYEs.
 */
final class DevicePeer implements AutoCloseable {

    static final Charset GB18030 = Charset.forName("GB18030");

    /** A SIP message as received. */
    record Msg(String firstLine, Map<String, List<String>> headers, byte[] body, SocketAddress from) {

        boolean isRequest() {
            return !firstLine.startsWith("SIP/2.0");
        }

        String method() {
            return isRequest() ? firstLine.substring(0, firstLine.indexOf(' ')) : cseqMethod();
        }

        int status() {
            return Integer.parseInt(firstLine.split(" ")[1]);
        }

        String cseqMethod() {
            String[] f = header("CSeq").trim().split("\\s+");
            return f[1];
        }

        String header(String name) {
            List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
            return v == null ? null : v.get(0);
        }

        List<String> all(String name) {
            return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        /** A field of an XML body (first match). */
        String xml(String tag) {
            Matcher m = Pattern.compile("<" + tag + ">([^<]*)</" + tag + ">").matcher(new String(body, GB18030));
            return m.find() ? m.group(1) : null;
        }
    }

    final String deviceId;
    private final int serverPort;
    private final DatagramSocket socket;
    private final BlockingQueue<Msg> requests = new LinkedBlockingQueue<>();
    private final BlockingQueue<Msg> responses = new LinkedBlockingQueue<>();
    private final AtomicInteger cseq = new AtomicInteger();
    private final String tag = "dev" + Long.toHexString(System.nanoTime());
    private Thread reader;

    DevicePeer(String deviceId, int serverPort) throws IOException {
        this.deviceId = deviceId;
        this.serverPort = serverPort;
        this.socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
    }

    int port() {
        return socket.getLocalPort();
    }

    /** Registers with digest and starts the reader. */
    DevicePeer register(String password) throws IOException, InterruptedException {
        startReader();
        String callId = UUID.randomUUID().toString();
        Msg challenge = request("REGISTER", callId, registerHeaders(null), null);
        if (challenge.status() != 401) {
            throw new IllegalStateException("expected 401, got " + challenge.firstLine());
        }
        SipClient.Response parsed = new SipClient.Response(401, "", challenge.headers(), "");
        Msg ok = request("REGISTER", callId, registerHeaders(SipClient.answer(parsed, deviceId, password, 1)), null);
        if (ok.status() != 200) {
            throw new IllegalStateException("registration failed: " + ok.firstLine());
        }
        return this;
    }

    /** Unregisters (Expires: 0). */
    Msg unregister() throws IOException, InterruptedException {
        String callId = UUID.randomUUID().toString();
        String headers = "Contact: <sip:" + deviceId + "@127.0.0.1:" + port() + ">\r\nExpires: 0\r\n";
        Msg challenge = request("REGISTER", callId, headers, null);
        SipClient.Response parsed = new SipClient.Response(401, "", challenge.headers(), "");
        return request("REGISTER", callId, headers + "Authorization: "
                + SipClient.answer(parsed, deviceId, RegistrarTest.PASSWORD, 1) + "\r\n", null);
    }

    private String registerHeaders(String authorization) {
        return "Contact: <sip:" + deviceId + "@127.0.0.1:" + port() + ">\r\nExpires: 3600\r\n"
                + (authorization == null ? "" : "Authorization: " + authorization + "\r\n");
    }

    private void startReader() {
        reader = new Thread(() -> {
            byte[] buf = new byte[65536];
            while (!socket.isClosed()) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    socket.receive(p);
                } catch (SocketException e) {
                    return;
                } catch (IOException e) {
                    continue;
                }
                byte[] data = java.util.Arrays.copyOf(p.getData(), p.getLength());
                Msg m = parse(data, p.getSocketAddress());
                if (m == null) {
                    continue;
                }
                (m.isRequest() ? requests : responses).add(m);
            }
        }, "device-peer-" + deviceId);
        reader.setDaemon(true);
        reader.start();
    }

    static Msg parse(byte[] data, SocketAddress from) {
        int end = indexOf(data, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        if (end < 0) {
            return null;
        }
        String head = new String(data, 0, end, StandardCharsets.UTF_8);
        String[] lines = head.split("\r\n");
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                String name = compact(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT));
                headers.computeIfAbsent(name, k -> new ArrayList<>()).add(lines[i].substring(colon + 1).trim());
            }
        }
        byte[] body = java.util.Arrays.copyOfRange(data, end + 4, data.length);
        return new Msg(lines[0], headers, body, from);
    }

    private static String compact(String name) {
        return switch (name) {
            case "v" -> "via";
            case "f" -> "from";
            case "t" -> "to";
            case "i" -> "call-id";
            case "m" -> "contact";
            case "l" -> "content-length";
            case "c" -> "content-type";
            case "s" -> "subject";
            default -> name;
        };
    }

    private static int indexOf(byte[] data, byte[] pattern) {
        outer:
        for (int i = 0; i <= data.length - pattern.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** The next request of {@code method} the server sent (others before it are skipped); null after 5 s. */
    Msg next(String method) throws InterruptedException {
        return next(method, 5000);
    }

    Msg next(String method, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            Msg m = requests.poll(left, TimeUnit.NANOSECONDS);
            if (m != null && m.method().equals(method)) {
                return m;
            }
        }
    }

    /** Answers a request the server sent. {@code toTag} null: the To header as received. */
    void reply(Msg request, int status, String reason, String toTag, String extraHeaders, String contentType,
            byte[] body) throws IOException {
        StringBuilder sb = new StringBuilder("SIP/2.0 ").append(status).append(' ').append(reason).append("\r\n");
        for (String via : request.all("Via")) {
            sb.append("Via: ").append(via).append("\r\n");
        }
        sb.append("From: ").append(request.header("From")).append("\r\n");
        String to = request.header("To");
        sb.append("To: ").append(toTag == null || to.contains(";tag=") ? to : to + ";tag=" + toTag).append("\r\n");
        sb.append("Call-ID: ").append(request.header("Call-ID")).append("\r\n");
        sb.append("CSeq: ").append(request.header("CSeq")).append("\r\n");
        if (extraHeaders != null) {
            sb.append(extraHeaders);
        }
        byte[] content = body == null ? new byte[0] : body;
        if (contentType != null) {
            sb.append("Content-Type: ").append(contentType).append("\r\n");
        }
        sb.append("Content-Length: ").append(content.length).append("\r\n\r\n");
        send(concat(sb.toString().getBytes(StandardCharsets.UTF_8), content), request.from());
    }

    void reply(Msg request, int status, String reason) throws IOException {
        reply(request, status, reason, null, null, null, null);
    }

    /** Answers an INVITE 200 with an SDP answer (and the Contact in-dialog requests go to). */
    void accept(Msg invite, String sdp) throws IOException {
        reply(invite, 200, "OK", tag, "Contact: <sip:" + deviceId + "@127.0.0.1:" + port() + ">\r\n",
                "APPLICATION/SDP", sdp.getBytes(StandardCharsets.US_ASCII));
    }

    String tag() {
        return tag;
    }

    /** Sends a MESSAGE with an XML body (bytes as given) and returns the server's final response. */
    Msg message(byte[] xml) throws IOException, InterruptedException {
        return request("MESSAGE", UUID.randomUUID().toString(), "Content-Type: Application/MANSCDP+xml\r\n", xml);
    }

    /** Sends BYE within the dialog of an INVITE this device accepted. */
    Msg bye(Msg invite) throws IOException, InterruptedException {
        String contact = invite.header("Contact");
        String target = contact.substring(contact.indexOf('<') + 1, contact.indexOf('>'));
        String to = invite.header("To");
        String fromTagged = to.contains(";tag=") ? to : to + ";tag=" + tag;
        String raw = "BYE " + target + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:" + port() + ";rport;branch=z9hG4bK" + UUID.randomUUID().toString()
                        .replace("-", "") + "\r\n"
                + "From: " + fromTagged + "\r\n"
                + "To: " + invite.header("From") + "\r\n"
                + "Call-ID: " + invite.header("Call-ID") + "\r\n"
                + "CSeq: " + (cseq.incrementAndGet() + 100) + " BYE\r\n"
                + "Max-Forwards: 70\r\n"
                + "Content-Length: 0\r\n\r\n";
        send(raw.getBytes(StandardCharsets.UTF_8), new InetSocketAddress(InetAddress.getLoopbackAddress(), serverPort));
        return awaitResponse(invite.header("Call-ID"), "BYE");
    }

    /** Sends an out-of-dialog request to the server and waits for its final response. */
    Msg request(String method, String callId, String extraHeaders, byte[] body)
            throws IOException, InterruptedException {
        if (reader == null) {
            startReader();
        }
        byte[] content = body == null ? new byte[0] : body;
        String head = method + " sip:" + SipClient.SERVER_ID + "@" + SipClient.DOMAIN + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:" + port() + ";rport;branch=z9hG4bK" + UUID.randomUUID().toString()
                        .replace("-", "") + "\r\n"
                + "From: <sip:" + deviceId + "@" + SipClient.DOMAIN + ">;tag=" + tag + "\r\n"
                + "To: <sip:" + (method.equals("REGISTER") ? deviceId : SipClient.SERVER_ID) + "@" + SipClient.DOMAIN
                        + ">\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: " + cseq.incrementAndGet() + " " + method + "\r\n"
                + "Max-Forwards: 70\r\n"
                + extraHeaders
                + "Content-Length: " + content.length + "\r\n\r\n";
        send(concat(head.getBytes(StandardCharsets.UTF_8), content),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), serverPort));
        return awaitResponse(callId, method);
    }

    private Msg awaitResponse(String callId, String method) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new IllegalStateException("no final response to " + method);
            }
            Msg m = responses.poll(left, TimeUnit.NANOSECONDS);
            if (m != null && callId.equals(m.header("Call-ID")) && m.cseqMethod().equals(method) && m.status() >= 200) {
                return m;
            }
        }
    }

    private void send(byte[] bytes, SocketAddress to) throws IOException {
        socket.send(new DatagramPacket(bytes, bytes.length, to));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(a.length + b.length);
        out.writeBytes(a);
        out.writeBytes(b);
        return out.toByteArray();
    }

    @Override
    public void close() {
        socket.close();
    }
}
