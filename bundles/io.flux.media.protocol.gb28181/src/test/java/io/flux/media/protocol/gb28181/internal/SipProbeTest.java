package io.flux.media.protocol.gb28181.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramSocket;
import java.time.Clock;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.flux.media.api.health.Readiness;

/** The readiness probe against the real SIP server, against a silent socket, and its cache. */
class SipProbeTest {

    private TestServer server;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aRunningServerIsReady() throws Exception {
        server = TestServer.start();
        SipProbe probe = new SipProbe("127.0.0.1", server.port, "34020000002000000001", "3402000000",
                Duration.ofSeconds(2), Clock.systemUTC());
        Readiness r = probe.check();
        assertThat(r.ready()).as(r.message()).isTrue();
        assertThat(r.message()).contains("127.0.0.1:" + server.port);
    }

    @Test
    void aPortNobodyAnswersOnIsNotReadyAndTheAnswerIsCached() throws Exception {
        // Bound but silent: what a server whose UDP reader died looks like from outside.
        try (DatagramSocket silent = new DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            MutableClock clock = new MutableClock(java.time.Instant.parse("2026-01-01T00:00:00Z"));
            SipProbe probe = new SipProbe("0.0.0.0", silent.getLocalPort(), "34020000002000000001", "3402000000",
                    Duration.ofMillis(300), clock);
            Readiness r = probe.check();
            assertThat(r.ready()).isFalse();
            assertThat(r.message()).contains("did not answer OPTIONS within 300 ms", "127.0.0.1:" + silent.getLocalPort());
            // Within the cache window the same verdict comes back without another probe.
            assertThat(probe.check()).isSameAs(r);
            clock.advance(Duration.ofSeconds(6));
            assertThat(probe.check()).isNotSameAs(r);
        }
    }
}
