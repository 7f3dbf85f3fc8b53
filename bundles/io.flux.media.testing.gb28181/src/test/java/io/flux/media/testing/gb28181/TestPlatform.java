package io.flux.media.testing.gb28181;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.concurrent.locks.LockSupport;

/**
 * A tiny GB28181 platform for the tests, on raw sockets: answers REGISTER with a digest challenge and checks the
 * answer, answers the device's MESSAGEs and BYEs 200, records everything, and sends INVITEs, ACKs, BYEs and
 * queries on request. Knobs: drop the first REGISTER (to see a retransmission), answer the first credentials
 * with stale=true.
 */
final class TestPlatform implements AutoCloseable {

    static final String ID = "34020000002000000001";
    static final String DOMAIN = "3402000000";
    static final String REALM = "3402000000";

    private final SimTransport transport;
    private final DatagramSocket udp;
    private final ServerSocket tcpListener;
    private volatile Socket tcp;
    private final Thread reader;
    private volatile boolean running = true;
    private final String password;

    final List<SipMessage> registers = new CopyOnWriteArrayList<>();
    final List<SipMessage> messages = new CopyOnWriteArrayList<>();
    final List<SipMessage> byes = new CopyOnWriteArrayList<>();
    final List<SipMessage> responses = new CopyOnWriteArrayList<>();
    final List<String> authFailures = new CopyOnWriteArrayList<>();
    volatile boolean dropFirstRegister;
    volatile boolean staleOnce;
    private final AtomicInteger nonces = new AtomicInteger();
    private volatile InetSocketAddress deviceAddress;

    TestPlatform(SimTransport transport, String password) throws IOException {
        this.transport = transport;
        this.password = password;
        if (transport == SimTransport.UDP) {
            udp = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
            tcpListener = null;
            reader = new Thread(this::readUdp, "test-platform");
        } else {
            udp = null;
            tcpListener = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
            reader = new Thread(this::readTcp, "test-platform");
        }
        reader.setDaemon(true);
        reader.start();
    }

    int port() {
        return udp != null ? udp.getLocalPort() : tcpListener.getLocalPort();
    }

    private void readUdp() {
        byte[] buf = new byte[65536];
        while (running) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                udp.receive(p);
            } catch (IOException e) {
                return;
            }
            try {
                handle(SipMessage.parse(p.getData(), 0, p.getLength()), (InetSocketAddress) p.getSocketAddress());
            } catch (RuntimeException e) {
                // garbage from a fault test: ignored like a platform would
            }
        }
    }

    private void readTcp() {
        while (running) {
            try (Socket s = tcpListener.accept()) {
                tcp = s;
                SipStreamDecoder decoder = new SipStreamDecoder();
                InputStream in = s.getInputStream();
                byte[] buf = new byte[16384];
                int n;
                while ((n = in.read(buf)) > 0) {
                    decoder.feed(ByteBuffer.wrap(buf, 0, n),
                            m -> handle(m, (InetSocketAddress) s.getRemoteSocketAddress()));
                }
            } catch (IOException | RuntimeException e) {
                if (!running) {
                    return;
                }
            }
        }
    }

    private void handle(SipMessage m, InetSocketAddress from) {
        if (!m.isRequest()) {
            responses.add(m);
            return;
        }
        deviceAddress = from;
        switch (m.method()) {
            case "REGISTER" -> onRegister(m);
            case "MESSAGE" -> {
                messages.add(m);
                reply(m, 200, "OK");
            }
            case "BYE" -> {
                byes.add(m);
                reply(m, 200, "OK");
            }
            default -> reply(m, 405, "Method Not Allowed");
        }
    }

    private void onRegister(SipMessage m) {
        if (dropFirstRegister && registers.isEmpty()) {
            registers.add(m);
            return;
        }
        registers.add(m);
        String auth = m.header("Authorization");
        if (auth == null) {
            challenge(m, false);
            return;
        }
        Map<String, String> p = Digest.params(auth);
        String expected = Digest.response(p.get("username"), REALM, password, "REGISTER", p.get("uri"), p.get("nonce"),
                p.get("nc"), p.get("cnonce"), "auth");
        if (!expected.equals(p.get("response")) || !"auth".equals(p.get("qop")) || !"MD5".equals(p.get("algorithm"))) {
            authFailures.add(auth);
            challenge(m, false);
            return;
        }
        if (staleOnce) {
            staleOnce = false;
            challenge(m, true);
            return;
        }
        String expires = m.header("Expires");
        SipMessage ok = SipMessage.responseTo(m, 200, "OK", "plat");
        ok.add("Contact", m.header("Contact") + ";expires=" + expires);
        ok.add("Expires", expires);
        ok.add("Date", "2024-01-01T00:00:00.000");
        send(ok.encode());
    }

    private void challenge(SipMessage m, boolean stale) {
        SipMessage r = SipMessage.responseTo(m, 401, "Unauthorized", "plat");
        r.add("WWW-Authenticate", "Digest realm=\"" + REALM + "\", nonce=\"n" + nonces.incrementAndGet()
                + "abc\", qop=\"auth\", algorithm=MD5" + (stale ? ", stale=true" : ""));
        send(r.encode());
    }

    void reply(SipMessage request, int status, String reason) {
        send(SipMessage.responseTo(request, status, reason, "plat").encode());
    }

    /** Sends bytes to the device (its last source address over UDP, the accepted connection over TCP). */
    synchronized void send(byte[] bytes) {
        try {
            if (udp != null) {
                udp.send(new DatagramPacket(bytes, bytes.length, deviceAddress));
            } else {
                OutputStream out = tcp.getOutputStream();
                out.write(bytes);
                out.flush();
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    String via(String branch) {
        return "SIP/2.0/" + transport + " 127.0.0.1:" + port() + ";branch=" + branch;
    }

    static String branch() {
        return "z9hG4bK" + UUID.randomUUID().toString().replace("-", "");
    }

    /** A MANSCDP query to the device. */
    SipMessage query(String deviceId, String cmdType, int sn, String branch) {
        SipMessage m = SipMessage.request("MESSAGE", "sip:" + deviceId + "@" + DOMAIN);
        m.add("Via", via(branch)).add("From", "<sip:" + ID + "@" + DOMAIN + ">;tag=q" + sn)
                .add("To", "<sip:" + deviceId + "@" + DOMAIN + ">").add("Call-ID", "q" + sn + "@" + ID)
                .add("CSeq", "1 MESSAGE").add("Max-Forwards", "70");
        String xml = "<?xml version=\"1.0\" encoding=\"GB2312\"?>\r\n<Query>\r\n<CmdType>" + cmdType
                + "</CmdType>\r\n<SN>" + sn + "</SN>\r\n<DeviceID>" + deviceId + "</DeviceID>\r\n</Query>\r\n";
        m.body("Application/MANSCDP+xml", xml.getBytes(StandardCharsets.US_ASCII));
        return m;
    }

    /** A live INVITE for the channel, the SDP offer as GB28181 describes it. */
    SipMessage invite(String channelId, String callId, int mediaPort, String setup, long ssrc) {
        SipMessage m = SipMessage.request("INVITE", "sip:" + channelId + "@" + DOMAIN);
        m.add("Via", via(branch())).add("From", "<sip:" + ID + "@" + DOMAIN + ">;tag=inv" + callId.hashCode())
                .add("To", "<sip:" + channelId + "@" + DOMAIN + ">").add("Call-ID", callId).add("CSeq", "20 INVITE")
                .add("Contact", "<sip:" + ID + "@127.0.0.1:" + port() + ">").add("Max-Forwards", "70")
                .add("Subject", channelId + ":" + Sdp.formatSsrc(ssrc) + "," + ID + ":0");
        String proto = setup == null ? "RTP/AVP" : "TCP/RTP/AVP";
        String sdp = "v=0\r\no=" + ID + " 0 0 IN IP4 127.0.0.1\r\ns=Play\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                + "m=video " + mediaPort + " " + proto + " 96 97 98\r\n"
                + (setup == null ? "" : "a=setup:" + setup + "\r\na=connection:new\r\n")
                + "a=recvonly\r\na=rtpmap:96 PS/90000\r\na=rtpmap:97 MPEG4/90000\r\na=rtpmap:98 H264/90000\r\n"
                + "y=" + Sdp.formatSsrc(ssrc) + "\r\n";
        m.body("APPLICATION/SDP", sdp.getBytes(StandardCharsets.US_ASCII));
        return m;
    }

    /** The ACK for a 2xx to {@code invite}. */
    SipMessage ack(SipMessage invite, SipMessage ok) {
        SipMessage m = SipMessage.request("ACK", SipMessage.uri(ok.header("Contact")));
        m.add("Via", via(branch())).add("From", invite.header("From")).add("To", ok.header("To"))
                .add("Call-ID", invite.callId()).add("CSeq", invite.cseqNumber() + " ACK").add("Max-Forwards", "70");
        return m;
    }

    /** An in-dialog BYE from the platform. */
    SipMessage bye(SipMessage invite, SipMessage ok) {
        SipMessage m = SipMessage.request("BYE", SipMessage.uri(ok.header("Contact")));
        m.add("Via", via(branch())).add("From", invite.header("From")).add("To", ok.header("To"))
                .add("Call-ID", invite.callId()).add("CSeq", (invite.cseqNumber() + 1) + " BYE")
                .add("Max-Forwards", "70");
        return m;
    }

    /** Waits for the final response to the request with this branch. */
    SipMessage awaitFinal(String branch, Duration timeout) {
        return awaitResponse(r -> branch.equals(r.topBranch()) && r.status() >= 200, timeout);
    }

    SipMessage awaitResponse(Predicate<SipMessage> p, Duration timeout) {
        await(() -> responses.stream().anyMatch(p), timeout, "response");
        return responses.stream().filter(p).findFirst().orElseThrow();
    }

    Optional<SipMessage> message(Predicate<SipMessage> p) {
        return messages.stream().filter(p).findFirst();
    }

    static void await(BooleanSupplier condition, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            LockSupport.parkNanos(5_000_000);
        }
    }

    @Override
    public void close() throws IOException {
        running = false;
        if (udp != null) {
            udp.close();
        } else {
            tcpListener.close();
            Socket s = tcp;
            if (s != null) {
                try {
                    s.close();
                } catch (SocketException ignored) {
                    // closing
                }
            }
        }
    }
}
