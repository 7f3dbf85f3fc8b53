package io.flux.media.protocol.gb28181.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.flux.media.api.gb28181.ByeRequest;
import io.flux.media.api.gb28181.Gb28181Exception;
import io.flux.media.api.gb28181.Gb28181Exception.Reason;
import io.flux.media.api.gb28181.InviteRequest;
import io.flux.media.api.gb28181.SessionView;
import io.flux.media.api.gb28181.Transport;
import io.flux.media.protocol.gb28181.internal.DevicePeer.Msg;
import io.flux.media.protocol.gb28181.internal.media.ReceiverStats;
import io.flux.media.testing.TestDatabase;

/** Live sessions against a scripted device on loopback, with receivers that record what happens to them. */
class SessionManagerTest {

    static final String DEVICE = RegistrarTest.DEVICE;
    static final String CHANNEL = "34020000001310000001";
    static final String CHANNEL2 = "34020000001310000002";

    private TestServer server;
    private DevicePeer device;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (device != null) {
            device.close();
        }
    }

    private void start() throws Exception {
        server = TestServer.start();
        device = server.device(DEVICE);
    }

    private CompletableFuture<SessionView> invite(String channel, String transport) {
        return CompletableFuture.supplyAsync(() -> server.backend().invite(new InviteRequest(DEVICE, channel,
                transport)));
    }

    static String answer(int port, String ssrc) {
        return "v=0\r\no=" + CHANNEL + " 0 0 IN IP4 127.0.0.1\r\ns=Play\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                + "m=video " + port + " RTP/AVP 96\r\na=sendonly\r\na=rtpmap:96 PS/90000\r\n"
                + (ssrc == null ? "" : "y=" + ssrc + "\r\n");
    }

    /** Plays a channel: answers the INVITE 100 + 200 and returns the INVITE (after the ACK arrived). */
    private Msg accept(String ssrcOverride) throws Exception {
        Msg inv = device.next("INVITE");
        assertThat(inv).as("INVITE").isNotNull();
        device.reply(inv, 100, "Trying");
        String ssrc = ssrcOverride != null ? ssrcOverride : line(inv.text(), "y=");
        device.accept(inv, answer(15060, ssrc));
        assertThat(device.next("ACK")).as("ACK").isNotNull();
        return inv;
    }

    static String line(String sdp, String prefix) {
        return sdp.lines().filter(l -> l.startsWith(prefix)).findFirst().map(l -> l.substring(prefix.length()))
                .orElse(null);
    }

    @Test
    void inviteOverUdpOffersSdpAcksAndStartsTheReceiver() throws Exception {
        start();
        CompletableFuture<SessionView> result = invite(CHANNEL, null);
        Msg inv = accept(null);

        SessionView s = result.get(5, TimeUnit.SECONDS);
        FakeReceivers.Fake rx = server.receivers.last();
        String sdp = inv.text();
        assertThat(inv.firstLine()).isEqualTo("INVITE sip:" + CHANNEL + "@127.0.0.1:" + device.port() + " SIP/2.0");
        assertThat(inv.header("Content-Type")).isEqualToIgnoringCase("APPLICATION/SDP");
        assertThat(sdp.lines()).containsSubsequence("v=0", "o=" + SipClient.SERVER_ID + " 0 0 IN IP4 127.0.0.1",
                "s=Play", "c=IN IP4 127.0.0.1", "t=0 0", "m=video " + rx.port + " RTP/AVP 96 97 98", "a=recvonly",
                "a=rtpmap:96 PS/90000", "a=rtpmap:97 MPEG4/90000", "a=rtpmap:98 H264/90000");
        assertThat(sdp).doesNotContain("a=setup");
        String ssrc = line(sdp, "y=");
        // Live (0), digits 4-8 of the domain ("20000" of 3402000000), a sequence.
        assertThat(ssrc).matches("0" + SipClient.DOMAIN.substring(3, 8) + "\\d{4}");
        assertThat(inv.header("Subject")).isEqualTo(CHANNEL + ":" + ssrc + "," + SipClient.SERVER_ID + ":0");
        assertThat(inv.header("Contact")).contains(SipClient.SERVER_ID + "@127.0.0.1:" + server.port);

        assertThat(rx.spec.ssrc()).isEqualTo(Long.parseLong(ssrc));
        assertThat(rx.spec.transport()).isEqualTo(Transport.UDP);
        assertThat(rx.spec.streamId().value()).isEqualTo("gb28181/" + DEVICE + "/" + CHANNEL);
        assertThat(rx.spec.callId()).isEqualTo(inv.header("Call-ID"));
        assertThat(rx.startedWith.getHostString()).isEqualTo("127.0.0.1");
        assertThat(rx.startedWith.getPort()).isEqualTo(15060);
        assertThat(rx.closed).isFalse();

        assertThat(s.stream_id()).isEqualTo("gb28181/" + DEVICE + "/" + CHANNEL);
        assertThat(s.call_id()).isEqualTo(inv.header("Call-ID"));
        assertThat(s.ssrc()).isEqualTo(ssrc);
        assertThat(s.transport()).isEqualTo("udp");
        assertThat(s.media_port()).isEqualTo(rx.port);
        assertThat(s.state()).isEqualTo("waiting_media");
        assertThat(s.existing()).isFalse();
        assertThat(server.backend().sessions()).extracting(SessionView::call_id).containsExactly(s.call_id());
        assertThat(server.metrics.value(GbMetrics.SESSIONS_ACTIVE)).isEqualTo(1.0);
        assertThat(server.metrics.value(GbMetrics.INVITES, "ok")).isEqualTo(1.0);

        rx.stats = new ReceiverStats(10, 12_000, 1, 0, 3, java.time.Instant.now(), java.time.Instant.now(),
                "127.0.0.1:15060");
        SessionView streaming = server.backend().sessions().get(0);
        assertThat(streaming.state()).isEqualTo("streaming");
        assertThat(streaming.rtp_packets()).isEqualTo(10);
        assertThat(streaming.rtp_lost()).isEqualTo(1);
    }

    @Test
    void tcpOffersCarryTheSetupRole() throws Exception {
        start();
        CompletableFuture<SessionView> passive = invite(CHANNEL, "tcp_passive");
        Msg p = accept(null);
        assertThat(p.text().lines()).contains("m=video " + server.receivers.last().port + " TCP/RTP/AVP 96 97 98",
                "a=setup:passive", "a=connection:new");
        assertThat(passive.get(5, TimeUnit.SECONDS).transport()).isEqualTo("tcp_passive");

        CompletableFuture<SessionView> active = invite(CHANNEL2, "tcp_active");
        Msg a = accept(null);
        assertThat(a.text().lines()).contains("a=setup:active", "a=connection:new")
                .contains("m=video 9 TCP/RTP/AVP 96 97 98"); // RFC 4145: the active side announces port 9
        SessionView s = active.get(5, TimeUnit.SECONDS);
        // TCP active: the device's port is the one that matters.
        assertThat(s.media_port()).isEqualTo(15060);
        assertThat(server.receivers.last().spec.transport()).isEqualTo(Transport.TCP_ACTIVE);
        // Two live sessions, two SSRCs.
        assertThat(line(p.text(), "y=")).isNotEqualTo(line(a.text(), "y="));
    }

    @Test
    void aRefusedInviteIsRejectedAndReleasesTheReceiver() throws Exception {
        start();
        CompletableFuture<SessionView> result = invite(CHANNEL, null);
        Msg inv = device.next("INVITE");
        device.reply(inv, 486, "Busy Here", device.tag(), null, null, null);

        assertThatThrownBy(result::join).cause().isInstanceOfSatisfying(Gb28181Exception.class, e -> {
            assertThat(e.reason()).isEqualTo(Reason.REJECTED);
            assertThat(e.getMessage()).contains("486 Busy Here");
        });
        assertThat(server.receivers.last().closed).isTrue();
        assertThat(server.server.sessions().ssrcsInUse()).isZero();
        assertThat(server.backend().sessions()).isEmpty();
        assertThat(server.metrics.value(GbMetrics.INVITES, "device_rejected")).isEqualTo(1.0);
        // The channel can be invited again.
        CompletableFuture<SessionView> again = invite(CHANNEL, null);
        accept(null);
        assertThat(again.get(5, TimeUnit.SECONDS).existing()).isFalse();
    }

    @Test
    void anUnansweredInviteTimesOutAndIsCancelled() throws Exception {
        start();
        CompletableFuture<SessionView> result = invite(CHANNEL, null);
        Msg inv = device.next("INVITE");
        device.reply(inv, 100, "Trying");

        assertThatThrownBy(result::join).cause().isInstanceOfSatisfying(Gb28181Exception.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.TIMEOUT));
        Msg cancel = device.next("CANCEL");
        assertThat(cancel).as("CANCEL").isNotNull();
        assertThat(cancel.header("Call-ID")).isEqualTo(inv.header("Call-ID"));
        device.reply(cancel, 200, "OK");
        device.reply(inv, 487, "Request Terminated", device.tag(), null, null, null);
        assertThat(server.receivers.last().closed).isTrue();
        assertThat(server.server.sessions().ssrcsInUse()).isZero();
    }

    @Test
    void anInviteWithoutAnyResponseIsNotCancelled() throws Exception {
        start();
        CompletableFuture<SessionView> result = invite(CHANNEL, null);
        Msg inv = device.next("INVITE");
        assertThatThrownBy(result::join).cause().isInstanceOfSatisfying(Gb28181Exception.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.TIMEOUT));
        // RFC 3261 9.1: no CANCEL before a provisional response; only retransmissions of the INVITE may follow.
        Msg next = device.next("CANCEL", 1500);
        assertThat(next).as("CANCEL without a provisional response").isNull();
        assertThat(server.receivers.last().closed).isTrue();
        assertThat(server.server.sessions().ssrcsInUse()).isZero();
        assertThat(inv).isNotNull();
    }

    @Test
    void byeFromTheDeviceEndsTheSession() throws Exception {
        start();
        CompletableFuture<SessionView> result = invite(CHANNEL, null);
        Msg inv = accept(null);
        SessionView s = result.get(5, TimeUnit.SECONDS);

        Msg ok = device.bye(inv);

        assertThat(ok.status()).isEqualTo(200);
        assertThat(server.receivers.last().closed).isTrue();
        List<SessionView> all = server.backend().sessions();
        assertThat(all).hasSize(1);
        assertThat(all.get(0).call_id()).isEqualTo(s.call_id());
        assertThat(all.get(0).state()).isEqualTo("ended");
        assertThat(all.get(0).end_reason()).isEqualTo("bye_device");
        assertThat(all.get(0).ended_at()).isNotNull();
        assertThat(server.metrics.value(GbMetrics.SESSIONS_ACTIVE)).isZero();
    }

    @Test
    void byeThroughTheApiSendsByeInTheDialog() throws Exception {
        start();
        CompletableFuture<SessionView> result = invite(CHANNEL, null);
        Msg inv = accept(null);
        SessionView s = result.get(5, TimeUnit.SECONDS);

        SessionView ended = server.backend().bye(new ByeRequest(null, null, s.call_id()));

        Msg bye = device.next("BYE");
        assertThat(bye).as("BYE").isNotNull();
        // To the Contact of the 200, with the dialog's tags.
        assertThat(bye.firstLine()).isEqualTo("BYE sip:" + DEVICE + "@127.0.0.1:" + device.port() + " SIP/2.0");
        assertThat(bye.header("Call-ID")).isEqualTo(inv.header("Call-ID"));
        assertThat(bye.header("To")).contains("tag=" + device.tag());
        device.reply(bye, 200, "OK");
        assertThat(ended.end_reason()).isEqualTo("bye_api");
        assertThat(ended.state()).isEqualTo("ended");
        assertThat(server.receivers.last().closed).isTrue();

        assertThatThrownBy(() -> server.backend().bye(new ByeRequest(DEVICE, CHANNEL, null)))
                .isInstanceOfSatisfying(Gb28181Exception.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_SESSION));
        assertThatThrownBy(() -> server.backend().bye(new ByeRequest(null, null, null)))
                .isInstanceOfSatisfying(Gb28181Exception.class, e -> assertThat(e.reason()).isEqualTo(Reason.INVALID));
    }

    @Test
    void aRepeatedInviteReturnsTheExistingSession() throws Exception {
        start();
        CompletableFuture<SessionView> first = invite(CHANNEL, null);
        accept(null);
        SessionView s = first.get(5, TimeUnit.SECONDS);

        SessionView again = server.backend().invite(new InviteRequest(DEVICE, CHANNEL, "tcp_passive"));

        assertThat(again.existing()).isTrue();
        assertThat(again.call_id()).isEqualTo(s.call_id());
        assertThat(device.next("INVITE", 300)).isNull();
        assertThat(server.receivers.prepared).hasSize(1);
    }

    @Test
    void concurrentInvitesForOneChannelCoalesce() throws Exception {
        start();
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<SessionView>> all = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            all.add(CompletableFuture.supplyAsync(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                return server.backend().invite(new InviteRequest(DEVICE, CHANNEL, null));
            }, java.util.concurrent.Executors.newSingleThreadExecutor()));
        }
        go.countDown();
        accept(null);

        List<SessionView> views = all.stream().map(f -> f.orTimeout(5, TimeUnit.SECONDS).join()).toList();
        assertThat(views).extracting(SessionView::call_id).containsOnly(views.get(0).call_id());
        assertThat(views).filteredOn(v -> !v.existing()).hasSize(1);
        assertThat(device.next("INVITE", 300)).isNull();
        assertThat(server.receivers.prepared).hasSize(1);
    }

    @Test
    void aReceiverEndingSendsByeAndRecordsWhy() throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(SessionManager.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try {
            start();
            CompletableFuture<SessionView> result = invite(CHANNEL, null);
            accept(null);
            SessionView s = result.get(5, TimeUnit.SECONDS);

            server.receivers.last().end("wrong_ssrc", "42 packets from 127.0.0.1:15060 with SSRC 1234");

            Msg bye = device.next("BYE");
            assertThat(bye).as("BYE").isNotNull();
            device.reply(bye, 200, "OK");
            SessionView ended = server.backend().sessions().get(0);
            assertThat(ended.call_id()).isEqualTo(s.call_id());
            assertThat(ended.end_reason()).isEqualTo("wrong_ssrc");
            assertThat(ended.end_detail()).contains("SSRC 1234");
            ILoggingEvent warn = appender.list.stream().filter(e -> e.getFormattedMessage().contains("wrong_ssrc"))
                    .findFirst().orElseThrow();
            assertThat(warn.getLevel().toString()).isEqualTo("WARN");
            assertThat(warn.getMDCPropertyMap()).containsEntry("device_id", DEVICE).containsEntry("channel_id", CHANNEL)
                    .containsEntry("call_id", s.call_id()).containsEntry("stream_id", s.stream_id());
        } finally {
            logger.detachAppender(appender);
        }
    }

    @Test
    void theDevicesOwnSsrcIsUsedWhenItAnswersAnother() throws Exception {
        start();
        CompletableFuture<SessionView> result = invite(CHANNEL, null);
        accept("0000009999");
        assertThat(result.get(5, TimeUnit.SECONDS).ssrc()).isEqualTo("0000009999");
        // The receiver must accept what the device announced, not what was offered.
        assertThat(server.receivers.last().expectedSsrc).isEqualTo(9999L);
    }

    @Test
    void sessionsEndWhenTheDeviceGoesOfflineAndAtShutdown() throws Exception {
        start();
        CompletableFuture<SessionView> result = invite(CHANNEL, null);
        accept(null);
        result.get(5, TimeUnit.SECONDS);

        assertThat(device.unregister().status()).isEqualTo(200);

        assertThat(device.next("BYE")).as("BYE").isNotNull();
        assertThat(server.backend().sessions().get(0).end_reason()).isEqualTo("device_offline");
        assertThatThrownBy(() -> server.backend().invite(new InviteRequest(DEVICE, CHANNEL, null)))
                .isInstanceOfSatisfying(Gb28181Exception.class, e -> assertThat(e.reason()).isEqualTo(Reason.OFFLINE));

        device.close();
        device = server.device(DEVICE);
        CompletableFuture<SessionView> second = invite(CHANNEL2, null);
        accept(null);
        second.get(5, TimeUnit.SECONDS);
        server.server.sessions().shutdown();
        assertThat(device.next("BYE")).as("BYE at shutdown").isNotNull();
        assertThat(server.backend().sessions().get(0).end_reason()).isEqualTo("shutdown");
    }

    @Test
    void invalidUnknownAndExhaustedInvitesAreRefused() throws Exception {
        start();
        assertThatThrownBy(() -> server.backend().invite(new InviteRequest(DEVICE, "123", null)))
                .isInstanceOfSatisfying(Gb28181Exception.class, e -> assertThat(e.reason()).isEqualTo(Reason.INVALID));
        assertThatThrownBy(() -> server.backend().invite(new InviteRequest(DEVICE, CHANNEL, "sctp")))
                .isInstanceOfSatisfying(Gb28181Exception.class, e -> assertThat(e.reason()).isEqualTo(Reason.INVALID));
        assertThatThrownBy(() -> server.backend().invite(new InviteRequest("34020000001320000099", CHANNEL, null)))
                .isInstanceOfSatisfying(Gb28181Exception.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_DEVICE));
        server.receivers.exhausted = true;
        assertThatThrownBy(() -> server.backend().invite(new InviteRequest(DEVICE, CHANNEL, null)))
                .isInstanceOfSatisfying(Gb28181Exception.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.UNAVAILABLE));
        assertThat(server.server.sessions().ssrcsInUse()).isZero();
        assertThat(device.next("INVITE", 300)).isNull();
    }

    @Test
    void theSessionLimitIsEnforced() throws Exception {
        server = TestServer.start(TestDatabase.h2(), Map.of("sessions_max", 1));
        device = server.device(DEVICE);
        CompletableFuture<SessionView> first = invite(CHANNEL, null);
        accept(null);
        first.get(5, TimeUnit.SECONDS);

        assertThatThrownBy(() -> server.backend().invite(new InviteRequest(DEVICE, CHANNEL2, null)))
                .isInstanceOfSatisfying(Gb28181Exception.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.UNAVAILABLE));
    }
}
