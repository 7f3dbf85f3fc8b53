package io.flux.media.protocol.gb28181.internal;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import io.flux.media.api.health.Readiness;
import io.flux.media.api.health.ReadinessCheck;

/**
 * Readiness of the SIP server as devices see it: an OPTIONS over UDP to our own port must be answered 200. A bound
 * port proves nothing when the stack's single UDP reader thread has died (an OutOfMemoryError under a flood would do
 * that), so the check asks the server itself. The result is kept for a few seconds so that health polls do not
 * become SIP load.
 */
final class SipProbe implements ReadinessCheck {

    static final String NAME = "gb28181_sip";
    private static final Duration CACHE = Duration.ofSeconds(5);

    private final InetSocketAddress target;
    private final String sipId;
    private final String domain;
    private final Duration timeout;
    private final Clock clock;
    private Readiness last;
    private Instant lastAt = Instant.MIN;
    private long sequence;

    SipProbe(String bindAddress, int port, String sipId, String domain, Duration timeout, Clock clock) {
        this.target = new InetSocketAddress(probeAddress(bindAddress), port);
        this.sipId = sipId;
        this.domain = domain;
        this.timeout = timeout;
        this.clock = clock;
    }

    /** A wildcard bind is probed on loopback; a specific one on itself. */
    private static InetAddress probeAddress(String bindAddress) {
        try {
            InetAddress a = InetAddress.getByName(bindAddress);
            return a.isAnyLocalAddress() ? InetAddress.getLoopbackAddress() : a;
        } catch (IOException e) {
            return InetAddress.getLoopbackAddress();
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public synchronized Readiness check() {
        Instant now = clock.instant();
        if (last != null && now.isBefore(lastAt.plus(CACHE))) {
            return last;
        }
        last = probe();
        lastAt = now;
        return last;
    }

    private Readiness probe() {
        String where = "udp " + target.getAddress().getHostAddress() + ":" + target.getPort();
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(target.getAddress(), 0))) {
            socket.setSoTimeout((int) timeout.toMillis());
            String callId = "probe-" + Long.toHexString(System.nanoTime()) + "-" + (++sequence) + "@" + domain;
            String host = target.getAddress().getHostAddress();
            String request = "OPTIONS sip:" + sipId + "@" + host + ":" + target.getPort() + " SIP/2.0\r\n"
                    + "Via: SIP/2.0/UDP " + host + ":" + socket.getLocalPort() + ";rport;branch=z9hG4bK" + callId.hashCode()
                    + Long.toHexString(System.nanoTime()) + "\r\n"
                    + "From: <sip:" + sipId + "@" + domain + ">;tag=probe\r\n"
                    + "To: <sip:" + sipId + "@" + domain + ">\r\n"
                    + "Call-ID: " + callId + "\r\n"
                    + "CSeq: 1 OPTIONS\r\n"
                    + "Max-Forwards: 70\r\n"
                    + "Content-Length: 0\r\n\r\n";
            byte[] out = request.getBytes(StandardCharsets.US_ASCII);
            socket.send(new DatagramPacket(out, out.length, target));
            byte[] in = new byte[4096];
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                DatagramPacket p = new DatagramPacket(in, in.length);
                socket.receive(p);
                String answer = new String(in, 0, p.getLength(), StandardCharsets.US_ASCII);
                if (!answer.contains(callId)) {
                    continue; // a late answer to an earlier probe
                }
                String status = answer.lines().findFirst().orElse("");
                return status.startsWith("SIP/2.0 200")
                        ? new Readiness(true, "SIP server answers on " + where, Map.of("address", where))
                        : new Readiness(false, "SIP server on " + where + " answered OPTIONS with '" + status + "'",
                                Map.of("address", where));
            }
            throw new SocketTimeoutException();
        } catch (SocketTimeoutException e) {
            return new Readiness(false, "SIP server on " + where + " did not answer OPTIONS within "
                    + timeout.toMillis() + " ms", Map.of("address", where));
        } catch (IOException | RuntimeException e) {
            return new Readiness(false, "SIP probe of " + where + " failed: " + e, Map.of("address", where));
        }
    }
}
