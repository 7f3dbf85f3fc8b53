package io.flux.media.protocol.gb28181.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.flux.media.protocol.gb28181.internal.DeviceRegistry.OfflineReason;
import io.flux.media.protocol.gb28181.internal.SipClient.Response;

/** The registrar on a real port, driven by hand-written SIP over UDP and TCP. */
class RegistrarTest {

    static final String DEVICE = "34020000001320000001";
    static final String PASSWORD = "12345678";

    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T08:00:00Z"),
            ZoneId.of("Asia/Shanghai"));
    private final TestMetrics metrics = new TestMetrics();
    private Gb28181Server server;
    private int port;

    private void start(Map<String, Object> overrides) throws Exception {
        port = SipClient.freePort();
        Map<String, Object> config = new HashMap<>(Map.of("bind_address", "127.0.0.1", "bind_port", port,
                "_password", PASSWORD, "keepalive_interval_s", 10, "keepalive_max_missed", 3,
                "auth_max_failures", 3, "message_max_bytes", 2048));
        config.putAll(overrides);
        server = TestServer.plain(Configs.of(Gb28181Server.Config.class, config), clock, Duration.ofHours(1));
        server.bindMetrics(metrics);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.deactivate();
        }
    }

    private DeviceRegistry devices() {
        return server.registrar().devices();
    }

    private Response register(SipClient c, String device, String password, int expires) throws IOException {
        Response challenge = c.send(c.register(device, expires, null));
        assertThat(challenge.status()).isEqualTo(401);
        return c.send(c.register(device, expires, SipClient.answer(challenge, device, password, 1)));
    }

    @Test
    void registersWithDigestOverUdpAndAnswersWithGbDate() throws Exception {
        start(Map.of());
        try (SipClient c = SipClient.udp(port)) {
            Response challenge = c.send(c.register(DEVICE, 3600, null));
            assertThat(challenge.status()).isEqualTo(401);
            assertThat(challenge.header("WWW-Authenticate")).startsWith("Digest ").contains("realm=\"3402000000\"",
                    "qop=\"auth\"", "algorithm=MD5");

            Response ok = c.send(c.register(DEVICE, 3600, SipClient.answer(challenge, DEVICE, PASSWORD, 1)));

            assertThat(ok.status()).isEqualTo(200);
            // GB/T 28181 9.10: local time of the platform, ISO-like, milliseconds, no zone.
            assertThat(ok.header("Date")).isEqualTo(LocalDateTime.ofInstant(clock.instant(), clock.getZone())
                    .format(Registrar.GB_DATE)).isEqualTo("2026-03-01T16:00:00.000");
            assertThat(ok.header("Expires")).isEqualTo("3600");
            assertThat(ok.header("Contact")).contains("expires=3600");
        }
        DeviceRegistry.Device d = devices().get(DEVICE).orElseThrow();
        assertThat(d.online()).isTrue();
        assertThat(d.transport()).isEqualTo("UDP");
        assertThat(d.host()).isEqualTo("127.0.0.1");
        assertThat(metrics.value(GbMetrics.DEVICES_ONLINE)).isEqualTo(1.0);
        assertThat(metrics.value(GbMetrics.SIP_REQUESTS, "REGISTER", "401")).isEqualTo(1.0);
        assertThat(metrics.value(GbMetrics.SIP_REQUESTS, "REGISTER", "200")).isEqualTo(1.0);
    }

    @Test
    void registersOverTcpAndCapsTheExpiry() throws Exception {
        start(Map.of("device_expiry_s", 600));
        try (SipClient c = SipClient.tcp(port)) {
            Response ok = register(c, DEVICE, PASSWORD, 86_400);

            assertThat(ok.status()).isEqualTo(200);
            assertThat(ok.header("Expires")).isEqualTo("600");
        }
        DeviceRegistry.Device d = devices().get(DEVICE).orElseThrow();
        assertThat(d.transport()).isEqualTo("TCP");
        assertThat(d.expiresAt()).isEqualTo(clock.instant().plusSeconds(600));
    }

    @Test
    void tooBriefRegistrationIsAnswered423() throws Exception {
        start(Map.of());
        try (SipClient c = SipClient.udp(port)) {
            Response r = register(c, DEVICE, PASSWORD, 30);

            assertThat(r.status()).isEqualTo(423);
            assertThat(r.header("Min-Expires")).isEqualTo("60");
        }
        assertThat(devices().get(DEVICE)).isEmpty();
    }

    @Test
    void wrongPasswordIsAnswered401ThenForbiddenAndCounted() throws Exception {
        start(Map.of());
        try (SipClient c = SipClient.udp(port)) {
            Response challenge = c.send(c.register(DEVICE, 3600, null));
            Response first = c.send(c.register(DEVICE, 3600, SipClient.answer(challenge, DEVICE, "wrong", 1)));
            Response second = c.send(c.register(DEVICE, 3600, SipClient.answer(first, DEVICE, "wrong", 1)));
            Response third = c.send(c.register(DEVICE, 3600, SipClient.answer(second, DEVICE, "wrong", 1)));

            assertThat(first.status()).isEqualTo(401);
            assertThat(second.status()).isEqualTo(401);
            assertThat(third.status()).isEqualTo(403);
            // Even the right password waits for the window now.
            Response fresh = c.send(c.register(DEVICE, 3600, null));
            assertThat(fresh.status()).isEqualTo(403);
        }
        assertThat(metrics.value(GbMetrics.REGISTER_FAILURES, "wrong_password")).isEqualTo(3.0);
        assertThat(metrics.value(GbMetrics.REGISTER_FAILURES, "blocked")).isEqualTo(1.0);
        assertThat(devices().get(DEVICE)).isEmpty();
    }

    @Test
    void hotPasswordChangeAppliesWithoutRestart() throws Exception {
        start(Map.of());
        server.modified(Configs.of(Gb28181Server.Config.class, Map.of("_password", "",
                "_device_passwords", new String[] {DEVICE + "=device-own", "bad-entry", "123=short"})));
        try (SipClient c = SipClient.udp(port)) {
            Response old = register(c, DEVICE, PASSWORD, 3600);
            assertThat(old.status()).isEqualTo(401);
            Response own = register(c, DEVICE, "device-own", 3600);
            assertThat(own.status()).isEqualTo(200);
            Response other = register(c, "34020000001320000002", PASSWORD, 3600);
            assertThat(other.status()).isEqualTo(401);
        }
    }

    @Test
    void retransmittedRegisterIsAnsweredByTheTransactionNotAuthenticatedTwice() throws Exception {
        start(Map.of());
        try (SipClient c = SipClient.udp(port)) {
            Response challenge = c.send(c.register(DEVICE, 3600, null));
            String request = c.request("REGISTER", DEVICE, "Contact: <sip:" + DEVICE + "@127.0.0.1:" + c.localPort()
                    + ">\r\nExpires: 3600\r\nAuthorization: " + SipClient.answer(challenge, DEVICE, PASSWORD, 1)
                    + "\r\n", null, "z9hG4bKretransmitted1");

            assertThat(c.send(request).status()).isEqualTo(200);
            assertThat(c.send(request).status()).isEqualTo(200);
        }
        assertThat(metrics.value(GbMetrics.REGISTER_FAILURES, "stale_nonce")).isZero();
    }

    @Test
    void keepaliveKeepsTheDeviceOnlineAndMissedKeepalivesTakeItOffline() throws Exception {
        start(Map.of());
        try (SipClient c = SipClient.udp(port)) {
            assertThat(register(c, DEVICE, PASSWORD, 3600).status()).isEqualTo(200);

            clock.advance(Duration.ofSeconds(25));
            assertThat(c.send(c.keepalive(DEVICE, 1)).status()).isEqualTo(200);
            clock.advance(Duration.ofSeconds(25));
            server.registrar().sweep();
            assertThat(devices().get(DEVICE).orElseThrow().online()).isTrue();
            assertThat(devices().get(DEVICE).orElseThrow().lastSeen()).isEqualTo(clock.instant().minusSeconds(25));

            clock.advance(Duration.ofSeconds(6)); // 31 s since the keepalive: 3 x 10 s missed
            server.registrar().sweep();
            DeviceRegistry.Device d = devices().get(DEVICE).orElseThrow();
            assertThat(d.online()).isFalse();
            assertThat(d.offlineReason()).isEqualTo(OfflineReason.KEEPALIVE_TIMEOUT);
            assertThat(metrics.value(GbMetrics.DEVICES_ONLINE)).isZero();

            // A keepalive within the registration brings it back.
            assertThat(c.send(c.keepalive(DEVICE, 2)).status()).isEqualTo(200);
            assertThat(devices().get(DEVICE).orElseThrow().online()).isTrue();
            assertThat(metrics.value(GbMetrics.DEVICES_ONLINE)).isEqualTo(1.0);
        }
    }

    @Test
    void theSchedulerTakesExpiredRegistrationsOffline() throws Exception {
        port = SipClient.freePort();
        server = TestServer.plain(Configs.of(Gb28181Server.Config.class, Map.of("bind_address", "127.0.0.1",
                "bind_port", port, "_password", PASSWORD, "keepalive_interval_s", 3600)), clock,
                Duration.ofMillis(50));
        server.bindMetrics(metrics);
        try (SipClient c = SipClient.udp(port)) {
            assertThat(register(c, DEVICE, PASSWORD, 120).status()).isEqualTo(200);
        }
        clock.advance(Duration.ofSeconds(121));

        await(() -> !devices().get(DEVICE).orElseThrow().online(), "the sweeper to take the device offline");
        assertThat(devices().get(DEVICE).orElseThrow().offlineReason()).isEqualTo(OfflineReason.REGISTRATION_EXPIRED);
        try (SipClient c = SipClient.udp(port)) {
            assertThat(c.send(c.keepalive(DEVICE, 1)).status()).isEqualTo(403);
        }
    }

    @Test
    void unregisterWithExpiresZero() throws Exception {
        start(Map.of());
        try (SipClient c = SipClient.udp(port)) {
            assertThat(register(c, DEVICE, PASSWORD, 3600).status()).isEqualTo(200);
            Response gone = register(c, DEVICE, PASSWORD, 0);

            assertThat(gone.status()).isEqualTo(200);
            assertThat(gone.header("Date")).isNotNull();
            assertThat(devices().get(DEVICE).orElseThrow().offlineReason()).isEqualTo(OfflineReason.UNREGISTERED);
            assertThat(c.send(c.keepalive(DEVICE, 1)).status()).isEqualTo(403);
        }
    }

    @Test
    void keepaliveFromAnUnknownDeviceIsForbidden() throws Exception {
        start(Map.of());
        try (SipClient c = SipClient.udp(port)) {
            assertThat(c.send(c.keepalive(DEVICE, 1)).status()).isEqualTo(403);
        }
    }

    @Test
    void badRequestsAreAnsweredAndTheServerKeepsServing() throws Exception {
        start(Map.of());
        try (SipClient c = SipClient.udp(port)) {
            // Not a GB28181 id.
            assertThat(c.send(c.register("alice", 3600, null)).status()).isEqualTo(400);
            // Unparseable CSeq: the stack answers 400 itself.
            String badCseq = c.register(DEVICE, 3600, null).replaceFirst("CSeq: \\d+ REGISTER", "CSeq: x REGISTER");
            assertThat(c.send(badCseq).status()).isEqualTo(400);
            // Garbage gets nothing back.
            c.sendRaw("\u0000\u0001\u0002 hello \r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            assertThat(c.receiveWithin(300)).isNull();
            // Unsupported method.
            Response subscribe = c.send(c.request("SUBSCRIBE", DEVICE, "Event: Catalog\r\n", null));
            assertThat(subscribe.status()).isEqualTo(405);
            assertThat(subscribe.header("Allow")).isEqualTo("REGISTER, MESSAGE, OPTIONS, INFO, BYE, CANCEL, ACK");
            // A device-initiated INVITE is not served either.
            assertThat(c.send(c.request("INVITE", DEVICE, "", null)).status()).isEqualTo(405);
            // INFO is acknowledged; BYE and CANCEL for nothing this server knows: 481.
            assertThat(c.send(c.request("INFO", DEVICE, "", null)).status()).isEqualTo(200);
            assertThat(c.send(c.request("BYE", DEVICE, "", null)).status()).isEqualTo(481);
            assertThat(c.send(c.request("CANCEL", DEVICE, "", null)).status()).isEqualTo(481);
            // The server still works.
            assertThat(register(c, DEVICE, PASSWORD, 3600).status()).isEqualTo(200);
            assertThat(c.send(c.request("OPTIONS", DEVICE, "", null)).status()).isEqualTo(200);
        }
        assertThat(metrics.value(GbMetrics.REGISTER_FAILURES, "malformed")).isEqualTo(1.0);
    }

    @Test
    void tcpGarbageDoesNotHurtOtherConnections() throws Exception {
        start(Map.of());
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.getOutputStream().write("GARBAGE / HTTP/1.1\r\nHost: x\r\n\r\n\u0000\u0000\u0000\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
        }
        try (SipClient c = SipClient.tcp(port)) {
            assertThat(register(c, DEVICE, PASSWORD, 3600).status()).isEqualTo(200);
        }
    }

    @Test
    void hostileMessageBodiesAreRefused() throws Exception {
        start(Map.of());
        try (SipClient c = SipClient.udp(port)) {
            assertThat(register(c, DEVICE, PASSWORD, 3600).status()).isEqualTo(200);
            String xxe = "<?xml version=\"1.0\"?><!DOCTYPE Notify [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                    + "<Notify><CmdType>Keepalive</CmdType><DeviceID>&x;</DeviceID></Notify>";
            Response entity = c.send(c.request("MESSAGE", DEVICE, "Content-Type: Application/MANSCDP+xml\r\n", xxe));
            assertThat(entity.status()).isEqualTo(400);

            String big = "<Notify><CmdType>Keepalive</CmdType><Pad>" + "x".repeat(3000) + "</Pad></Notify>";
            Response tooLarge = c.send(c.request("MESSAGE", DEVICE, "Content-Type: Application/MANSCDP+xml\r\n", big));
            assertThat(tooLarge.status()).isEqualTo(413);

            Response broken = c.send(c.request("MESSAGE", DEVICE, "Content-Type: Application/MANSCDP+xml\r\n",
                    "<Notify><CmdType>"));
            assertThat(broken.status()).isEqualTo(400);

            String spoofed = c.keepalive(DEVICE, 3).replace("<DeviceID>" + DEVICE, "<DeviceID>34020000001320000077");
            assertThat(c.send(spoofed).status()).isEqualTo(400);

            assertThat(c.send(c.keepalive(DEVICE, 4)).status()).isEqualTo(200);
        }
        assertThat(metrics.value(GbMetrics.MESSAGES_REJECTED, "doctype")).isEqualTo(1.0);
        assertThat(metrics.value(GbMetrics.MESSAGES_REJECTED, "too_large")).isEqualTo(1.0);
        assertThat(metrics.value(GbMetrics.MESSAGES_REJECTED, "malformed")).isEqualTo(1.0);
    }

    @Test
    void deviceLogLinesCarryTheDeviceIdInMdc() throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(Registrar.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try {
            start(Map.of());
            try (SipClient c = SipClient.udp(port)) {
                register(c, DEVICE, "wrong", 3600);
                register(c, DEVICE, PASSWORD, 3600);
            }
            List<ILoggingEvent> about = appender.list.stream()
                    .filter(e -> e.getFormattedMessage().contains("device " + DEVICE)).toList();
            assertThat(about).extracting(ILoggingEvent::getFormattedMessage)
                    .anyMatch(m -> m.contains("refused (401, wrong_password)"))
                    .anyMatch(m -> m.contains("registered from 127.0.0.1"));
            assertThat(about).allSatisfy(e -> assertThat(e.getMDCPropertyMap()).containsEntry("device_id", DEVICE));
            assertThat(appender.list).extracting(ILoggingEvent::getFormattedMessage)
                    .noneMatch(m -> m.contains(PASSWORD));
        } finally {
            logger.detachAppender(appender);
        }
    }

    @Test
    void stopReleasesThePorts() throws Exception {
        start(Map.of());
        server.deactivate();
        server = TestServer.plain(Configs.of(Gb28181Server.Config.class, Map.of("bind_address", "127.0.0.1",
                "bind_port", port, "_password", PASSWORD)), clock, Duration.ofHours(1));
        try (SipClient c = SipClient.tcp(port)) {
            assertThat(c.send(c.request("OPTIONS", DEVICE, "", null)).status()).isEqualTo(200);
        }
    }

    static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }
}
