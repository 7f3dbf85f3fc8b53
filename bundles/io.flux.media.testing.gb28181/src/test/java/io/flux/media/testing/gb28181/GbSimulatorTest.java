package io.flux.media.testing.gb28181;

import static io.flux.media.testing.gb28181.TestPlatform.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The simulator against {@link TestPlatform}, a platform on raw sockets, over UDP and TCP. */
class GbSimulatorTest {

    private static final String DEVICE = "34020000001320000001";
    private static final String PASSWORD = "s3cret";
    private static final Duration WAIT = Duration.ofSeconds(10);

    private TestPlatform platform;
    private GbSimulator sim;

    @AfterEach
    void tearDown() throws IOException {
        if (sim != null) {
            sim.close();
        }
        if (platform != null) {
            platform.close();
        }
    }

    private GbSimulator.Builder simulator(SimTransport transport) throws IOException {
        platform = new TestPlatform(transport, PASSWORD);
        return GbSimulator.builder().server("127.0.0.1", platform.port()).transport(transport)
                .localAddress("127.0.0.1").transactionTimeout(Duration.ofSeconds(3))
                .closeTimeout(Duration.ofSeconds(3));
    }

    private SimDevice registered(String password, int channels) throws InterruptedException {
        SimDevice d = sim.addDevice(DEVICE, password, channels);
        d.register();
        assertThat(d.awaitRegistered(WAIT)).as("registered: %s", d.lastFailure()).isTrue();
        return d;
    }

    @Test
    void registersWithDigestKeepsAliveAndUnregistersOnClose() throws Exception {
        sim = simulator(SimTransport.UDP).keepaliveInterval(Duration.ofMillis(100)).build();
        SimDevice d = registered(PASSWORD, 2);

        SipMessage first = platform.registers.get(0);
        SipMessage second = platform.registers.get(1);
        assertThat(first.header("Authorization")).isNull();
        assertThat(first.topVia()).startsWith("SIP/2.0/UDP 127.0.0.1:" + sim.localSipAddress().getPort())
                .contains(";rport").contains(";branch=z9hG4bK");
        assertThat(first.fromTag()).isNotBlank();
        assertThat(first.header("Max-Forwards")).isEqualTo("70");
        assertThat(first.header("Expires")).isEqualTo("3600");
        assertThat(first.header("Contact")).isEqualTo("<sip:" + DEVICE + "@" + "127.0.0.1:"
                + sim.localSipAddress().getPort() + ">");
        assertThat(first.requestUri()).isEqualTo("sip:" + TestPlatform.ID + "@" + TestPlatform.DOMAIN);
        assertThat(second.callId()).isEqualTo(first.callId());
        assertThat(second.cseqNumber()).isGreaterThan(first.cseqNumber());
        assertThat(second.topBranch()).isNotEqualTo(first.topBranch());
        assertThat(Digest.params(second.header("Authorization"))).containsEntry("username", DEVICE)
                .containsEntry("qop", "auth").containsEntry("nc", "00000001").containsKey("cnonce");
        assertThat(platform.authFailures).isEmpty();
        assertThat(d.grantedExpires()).isEqualTo(3600);

        await(() -> keepalives().size() >= 3, WAIT, "three keepalives");
        List<Long> sns = new ArrayList<>();
        for (String body : keepalives()) {
            assertThat(body).contains("<DeviceID>" + DEVICE + "</DeviceID>").startsWith(
                    "<?xml version=\"1.0\" encoding=\"GB2312\"?>");
            sns.add(Long.parseLong(tag(body, "SN")));
        }
        assertThat(sns).isSorted().doesNotHaveDuplicates();
        assertThat(sim.counters().keepalivesSent()).isGreaterThanOrEqualTo(3);

        sim.close();
        SipMessage last = platform.registers.get(platform.registers.size() - 1);
        assertThat(last.header("Expires")).isEqualTo("0");
        assertThat(last.header("Authorization")).isNotNull();
        assertThat(last.callId()).isEqualTo(first.callId());
        assertThat(sim.counters().unregistrations()).isEqualTo(1);
        assertThat(d.state()).isEqualTo(SimDevice.State.UNREGISTERED);
    }

    private List<String> keepalives() {
        return platform.messages.stream().map(m -> Manscdp.decode(m.body()))
                .filter(b -> b.contains("<CmdType>Keepalive</CmdType>")).toList();
    }

    @Test
    void refreshesWithTheNextNonceCountAndReauthenticatesOnStale() throws Exception {
        sim = simulator(SimTransport.UDP).registerExpires(2).build();
        platform.dropFirstRegister = true;
        platform.staleOnce = true;
        SimDevice d = registered(PASSWORD, 1);

        // dropped, retransmitted (same transaction), challenged, stale, accepted
        List<SipMessage> r = platform.registers;
        assertThat(r.get(1).topBranch()).isEqualTo(r.get(0).topBranch());
        assertThat(r.get(1).cseqNumber()).isEqualTo(r.get(0).cseqNumber());
        assertThat(Digest.params(r.get(2).header("Authorization"))).containsEntry("nonce", "n1abc");
        assertThat(Digest.params(r.get(3).header("Authorization"))).containsEntry("nonce", "n2abc")
                .containsEntry("nc", "00000001");
        assertThat(sim.counters().retransmissionsSent()).isGreaterThanOrEqualTo(1);

        // granted 2 s: refreshed after 1 s with the same nonce and nc 2
        await(() -> d.registrations() >= 2, WAIT, "refresh");
        SipMessage refresh = r.get(4);
        assertThat(Digest.params(refresh.header("Authorization"))).containsEntry("nonce", "n2abc")
                .containsEntry("nc", "00000002");
        assertThat(refresh.callId()).isEqualTo(r.get(0).callId());
    }

    @Test
    void wrongPasswordFailsAndIsCounted() throws Exception {
        sim = simulator(SimTransport.UDP).registerRetry(Duration.ofMinutes(5)).build();
        SimDevice d = sim.addDevice(DEVICE, "wrong", 1);
        d.register();
        assertThat(d.awaitState(SimDevice.State.FAILED, WAIT)).isTrue();
        assertThat(d.lastFailure()).startsWith("401");
        assertThat(platform.authFailures).hasSize(1);
        assertThat(sim.counters().registrationsFailed()).isEqualTo(1);
        assertThat(sim.counters().registrationsOk()).isZero();

        d.password(PASSWORD);
        d.restart();
        assertThat(d.awaitRegistered(WAIT)).isTrue();
    }

    @Test
    void restartRegistersAgainWithANewCallId() throws Exception {
        sim = simulator(SimTransport.UDP).build();
        SimDevice d = registered(PASSWORD, 1);
        String before = d.registerCallId();
        d.restart();
        await(() -> d.registrations() >= 2, WAIT, "registration after restart");
        assertThat(d.registerCallId()).isNotEqualTo(before);
        SipMessage last = platform.registers.get(platform.registers.size() - 1);
        assertThat(last.callId()).isEqualTo(d.registerCallId());
        assertThat(last.fromTag()).isNotEqualTo(platform.registers.get(0).fromTag());
    }

    @Test
    void answersCatalogInPagesAndDeviceInfoAndStatus() throws Exception {
        sim = simulator(SimTransport.UDP).catalogPageSize(3).build();
        SimDevice d = registered(PASSWORD, 7);

        String branch = TestPlatform.branch();
        platform.send(platform.query(DEVICE, "Catalog", 11, branch).encode());
        SipMessage ok = platform.awaitFinal(branch, WAIT);
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.toTag()).isNotBlank();
        await(() -> responses("Catalog", 11).size() == 3, WAIT, "three catalog pages");
        List<String> ids = new ArrayList<>();
        List<String> nums = new ArrayList<>();
        for (SipMessage m : platform.messages) {
            String body = Manscdp.decode(m.body());
            if (!body.contains("<CmdType>Catalog</CmdType>")) {
                continue;
            }
            assertThat(m.header("Content-Type")).isEqualToIgnoringCase("Application/MANSCDP+xml");
            assertThat(body).startsWith("<?xml version=\"1.0\" encoding=\"GB2312\"?>").contains("<SumNum>7</SumNum>")
                    .contains("<SN>11</SN>").contains("<Name>通道");
            Matcher num = Pattern.compile("<DeviceList Num=\"(\\d+)\">").matcher(body);
            assertThat(num.find()).isTrue();
            nums.add(num.group(1));
            Matcher item = Pattern.compile("<Item>\\s*<DeviceID>(\\d{20})</DeviceID>").matcher(body);
            while (item.find()) {
                ids.add(item.group(1));
            }
        }
        assertThat(nums).containsExactly("3", "3", "1");
        assertThat(ids).containsExactlyElementsOf(d.channelIds());
        // GB18030 on the wire, not UTF-8: 通 is 0xCD 0xA8
        byte[] page = responses("Catalog", 11).get(0).body();
        assertThat(indexOf(page, new byte[] {(byte) 0xCD, (byte) 0xA8})).isPositive();

        platform.send(platform.query(DEVICE, "DeviceInfo", 12, TestPlatform.branch()).encode());
        await(() -> responses("DeviceInfo", 12).size() == 1, WAIT, "DeviceInfo");
        assertThat(Manscdp.decode(responses("DeviceInfo", 12).get(0).body()))
                .contains("<Manufacturer>FluxSim</Manufacturer>", "<Channel>7</Channel>", "<Result>OK</Result>",
                        "<DeviceName>", "<Model>", "<Firmware>");

        platform.send(platform.query(DEVICE, "DeviceStatus", 13, TestPlatform.branch()).encode());
        await(() -> responses("DeviceStatus", 13).size() == 1, WAIT, "DeviceStatus");
        assertThat(Manscdp.decode(responses("DeviceStatus", 13).get(0).body())).contains("<Result>OK</Result>",
                "<Online>ONLINE</Online>", "<Status>OK</Status>", "<Encode>ON</Encode>", "<Record>OFF</Record>")
                .containsPattern("<DeviceTime>\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d</DeviceTime>");
        assertThat(sim.counters().queriesAnswered()).isEqualTo(3);
    }

    @Test
    void answersARetransmittedQueryOnceAndHonoursQueryFaults() throws Exception {
        sim = simulator(SimTransport.UDP).catalogPageSize(1).build();
        SimDevice d = registered(PASSWORD, 3);

        String branch = TestPlatform.branch();
        byte[] query = platform.query(DEVICE, "DeviceInfo", 21, branch).encode();
        platform.send(query);
        platform.send(query);
        await(() -> platform.responses.stream().filter(r -> branch.equals(r.topBranch())).count() == 2, WAIT,
                "two answers to the retransmitted query");
        // a later query's response proves the device has dealt with both copies
        platform.send(platform.query(DEVICE, "DeviceStatus", 22, TestPlatform.branch()).encode());
        await(() -> responses("DeviceStatus", 22).size() == 1, WAIT, "DeviceStatus");
        assertThat(responses("DeviceInfo", 21)).hasSize(1);
        assertThat(sim.counters().retransmissionsReceived()).isEqualTo(1);

        d.faults().catalogPageLimit(1);
        platform.send(platform.query(DEVICE, "Catalog", 23, TestPlatform.branch()).encode());
        platform.send(platform.query(DEVICE, "DeviceStatus", 24, TestPlatform.branch()).encode());
        await(() -> responses("DeviceStatus", 24).size() == 1, WAIT, "DeviceStatus");
        await(() -> responses("Catalog", 23).size() == 1, WAIT, "first catalog page");
        assertThat(Manscdp.decode(responses("Catalog", 23).get(0).body())).contains("<SumNum>3</SumNum>");

        d.faults().queryReply(SimFaults.QueryReply.ACK_ONLY);
        String ackOnly = TestPlatform.branch();
        platform.send(platform.query(DEVICE, "DeviceInfo", 25, ackOnly).encode());
        assertThat(platform.awaitFinal(ackOnly, WAIT).status()).isEqualTo(200);

        // a second device's answer shows the first one has handled the query before it (one receiving thread)
        SimDevice other = sim.addDevice("34020000001320000002", PASSWORD, 1);
        other.register();
        assertThat(other.awaitRegistered(WAIT)).isTrue();
        d.faults().queryReply(SimFaults.QueryReply.SILENT);
        String silent = TestPlatform.branch();
        platform.send(platform.query(DEVICE, "DeviceInfo", 26, silent).encode());
        platform.send(platform.query(other.id(), "DeviceStatus", 27, TestPlatform.branch()).encode());
        await(() -> responses("DeviceStatus", 27).size() == 1, WAIT, "DeviceStatus");
        assertThat(responses("DeviceInfo", 25)).isEmpty();
        assertThat(responses("DeviceInfo", 26)).isEmpty();
        assertThat(platform.responses).noneMatch(r -> silent.equals(r.topBranch()));
    }

    private List<SipMessage> responses(String cmdType, int sn) {
        return platform.messages.stream().filter(m -> {
            String b = Manscdp.decode(m.body());
            return b.contains("<Response>") && b.contains("<CmdType>" + cmdType + "</CmdType>")
                    && b.contains("<SN>" + sn + "</SN>");
        }).toList();
    }

    @Test
    void streamsPsOverUdpWithTheOfferedSsrcUntilBye() throws Exception {
        sim = simulator(SimTransport.UDP).media(TestMedia.file()).build();
        SimDevice d = registered(PASSWORD, 2);
        String channel = d.channelIds().get(1);
        try (DatagramSocket media = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            media.setSoTimeout(5000);
            SipMessage invite = platform.invite(channel, "call-udp", media.getLocalPort(), null, 123456789L);
            platform.send(invite.encode());
            SipMessage ok = platform.awaitFinal(invite.topBranch(), WAIT);
            assertThat(ok.status()).isEqualTo(200);
            assertThat(platform.responses).anyMatch(r -> r.status() == 100
                    && invite.topBranch().equals(r.topBranch()));
            String sdp = ok.bodyText();
            assertThat(ok.header("Content-Type")).isEqualToIgnoringCase("application/sdp");
            assertThat(sdp).contains("c=IN IP4 127.0.0.1", "a=sendonly", "a=rtpmap:96 PS/90000", "y=0123456789")
                    .containsPattern("m=video \\d+ RTP/AVP 96\r\n").doesNotContain("a=setup");
            assertThat(ok.toTag()).isNotBlank();
            platform.send(platform.ack(invite, ok).encode());

            List<Rtp> packets = new ArrayList<>();
            byte[] buf = new byte[2048];
            while (packets.size() < 200) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                media.receive(p);
                packets.add(Rtp.parse(p.getData(), p.getLength()));
            }
            assertThat(packets).allSatisfy(p -> {
                assertThat(p.version()).isEqualTo(2);
                assertThat(p.payloadType()).isEqualTo(96);
                assertThat(p.ssrc()).isEqualTo(123456789L);
                assertThat(p.payload().length).isBetween(1, PsMediaFile.MAX_PAYLOAD);
            });
            assertThat(packets.get(0).payload()).startsWith(0, 0, 1, 0xBA);
            for (int i = 1; i < packets.size(); i++) {
                assertThat(packets.get(i).seq()).isEqualTo((packets.get(i - 1).seq() + 1) & 0xFFFF);
                if (packets.get(i - 1).marker()) {
                    assertThat(packets.get(i).timestamp()).isGreaterThan(packets.get(i - 1).timestamp());
                    assertThat(packets.get(i).payload()).startsWith(0, 0, 1);
                } else {
                    assertThat(packets.get(i).timestamp()).isEqualTo(packets.get(i - 1).timestamp());
                }
            }
            assertThat(packets).anyMatch(Rtp::marker);
            SimSession session = d.sessions().get(0);
            assertThat(session.channelId()).isEqualTo(channel);
            assertThat(session.transport()).isEqualTo(MediaTransport.UDP);
            assertThat(session.acked()).isTrue();
            assertThat(session.connected()).isTrue();
            assertThat(session.ssrc()).isEqualTo(123456789L);
            await(() -> d.sessions().get(0).packetsSent() >= 200, WAIT, "the sender's count");

            SipMessage bye = platform.bye(invite, ok);
            platform.send(bye.encode());
            assertThat(platform.awaitFinal(bye.topBranch(), WAIT).status()).isEqualTo(200);
            assertThat(d.sessions()).isEmpty();
            assertThat(sim.counters().byesReceived()).isEqualTo(1);

            SipMessage again = platform.bye(invite, ok);
            platform.send(again.encode());
            assertThat(platform.awaitFinal(again.topBranch(), WAIT).status()).isEqualTo(481);
        }
    }

    @Test
    void connectsAndFramesRtpWhenThePlatformIsPassiveAndHangsUp() throws Exception {
        sim = simulator(SimTransport.UDP).media(TestMedia.file()).build();
        SimDevice d = registered(PASSWORD, 1);
        String channel = d.channelIds().get(0);
        try (ServerSocket media = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            media.setSoTimeout(5000);
            SipMessage invite = platform.invite(channel, "call-tcp-passive", media.getLocalPort(), "passive", 42L);
            platform.send(invite.encode());
            SipMessage ok = platform.awaitFinal(invite.topBranch(), WAIT);
            assertThat(ok.status()).isEqualTo(200);
            assertThat(ok.bodyText()).containsPattern("m=video \\d+ TCP/RTP/AVP 96\r\n").contains("a=setup:active",
                    "a=connection:new", "y=0000000042");
            platform.send(platform.ack(invite, ok).encode());
            try (Socket s = media.accept()) {
                s.setSoTimeout(5000);
                assertThat(s.getPort()).isEqualTo(answeredPort(ok));
                List<Rtp> frames = readFramed(s, 50);
                assertThat(frames).allSatisfy(p -> assertThat(p.ssrc()).isEqualTo(42L));
                assertThat(frames.get(0).payload()).startsWith(0, 0, 1, 0xBA);
                await(() -> d.sessions().get(0).connected(), WAIT, "connected");

                d.hangup(channel).get();
                assertThat(platform.byes).hasSize(1);
                SipMessage bye = platform.byes.get(0);
                assertThat(bye.callId()).isEqualTo("call-tcp-passive");
                assertThat(bye.fromTag()).isEqualTo(ok.toTag());
                assertThat(bye.toTag()).isEqualTo(invite.fromTag());
                assertThat(d.sessions()).isEmpty();
                // the device closed its side: the stream ends
                byte[] drain = new byte[65536];
                while (s.getInputStream().read(drain) >= 0) {
                    // the rest of what was in flight
                }
            }
        }
    }

    @Test
    void listensWhenThePlatformIsActive() throws Exception {
        sim = simulator(SimTransport.UDP).media(TestMedia.file()).build();
        SimDevice d = registered(PASSWORD, 1);
        String channel = d.channelIds().get(0);
        SipMessage invite = platform.invite(channel, "call-tcp-active", 9, "active", 7L);
        platform.send(invite.encode());
        SipMessage ok = platform.awaitFinal(invite.topBranch(), WAIT);
        assertThat(ok.bodyText()).contains("a=setup:passive", "TCP/RTP/AVP 96");
        platform.send(platform.ack(invite, ok).encode());
        try (Socket s = new Socket("127.0.0.1", answeredPort(ok))) {
            s.setSoTimeout(5000);
            List<Rtp> frames = readFramed(s, 30);
            assertThat(frames).allSatisfy(p -> assertThat(p.ssrc()).isEqualTo(7L));
            assertThat(d.sessions().get(0).transport()).isEqualTo(MediaTransport.TCP_ACTIVE);
        }
        await(() -> d.sessions().get(0).endReason() != null, WAIT, "the device to notice the closed connection");
        assertThat(d.sessions().get(0).endReason()).startsWith("tcp"); // closed seen by the reader or the writer
    }

    @Test
    void mediaFaults() throws Exception {
        sim = simulator(SimTransport.UDP).media(TestMedia.file()).build();
        SimDevice d = registered(PASSWORD, 1);
        String channel = d.channelIds().get(0);

        SipMessage unknown = platform.invite("34020000001310009999", "call-404", 5000, null, 1L);
        platform.send(unknown.encode());
        assertThat(platform.awaitFinal(unknown.topBranch(), WAIT).status()).isEqualTo(404);

        d.faults().busy(true);
        SipMessage busy = platform.invite(channel, "call-486", 5000, null, 1L);
        platform.send(busy.encode());
        assertThat(platform.awaitFinal(busy.topBranch(), WAIT).status()).isEqualTo(486);
        d.faults().busy(false);

        d.faults().wrongSsrc(true).garbageMedia(true);
        try (DatagramSocket media = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            media.setSoTimeout(5000);
            SipMessage invite = platform.invite(channel, "call-wrong-ssrc", media.getLocalPort(), null, 1000L);
            platform.send(invite.encode());
            SipMessage ok = platform.awaitFinal(invite.topBranch(), WAIT);
            assertThat(ok.bodyText()).contains("y=0000001000");
            platform.send(platform.ack(invite, ok).encode());
            byte[] buf = new byte[2048];
            int garbage = 0;
            List<Rtp> rtp = new ArrayList<>();
            while (rtp.size() < 20) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                media.receive(p);
                if ((buf[0] & 0xC0) != 0x80) {
                    garbage++;
                } else {
                    rtp.add(Rtp.parse(p.getData(), p.getLength()));
                }
            }
            assertThat(garbage).isPositive();
            assertThat(rtp).allSatisfy(p -> assertThat(p.ssrc()).isNotEqualTo(1000L));
            assertThat(sim.counters().garbageSent()).isPositive();
            d.hangup(channel).get();
        }
        d.faults().wrongSsrc(false).garbageMedia(false).noMedia(true);
        try (DatagramSocket media = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            media.setSoTimeout(1000);
            SipMessage invite = platform.invite(channel, "call-no-media", media.getLocalPort(), null, 5L);
            platform.send(invite.encode());
            SipMessage ok = platform.awaitFinal(invite.topBranch(), WAIT);
            assertThat(ok.status()).isEqualTo(200);
            platform.send(platform.ack(invite, ok).encode());
            await(() -> !d.sessions().isEmpty() && d.sessions().get(0).acked(), WAIT, "ACK processed");
            DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
            boolean received;
            try {
                media.receive(p);
                received = true;
            } catch (SocketTimeoutException e) {
                received = false;
            }
            assertThat(received).as("no media under the no-media fault").isFalse();
            assertThat(d.sessions().get(0).packetsSent()).isZero();
        }
    }

    @Test
    void stopMediaAfterPacketsKeepsTheDialog() throws Exception {
        sim = simulator(SimTransport.UDP).media(TestMedia.file()).build();
        SimDevice d = registered(PASSWORD, 1);
        d.faults().stopMediaAfterPackets(10);
        String channel = d.channelIds().get(0);
        try (DatagramSocket media = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            SipMessage invite = platform.invite(channel, "call-stop", media.getLocalPort(), null, 3L);
            platform.send(invite.encode());
            SipMessage ok = platform.awaitFinal(invite.topBranch(), WAIT);
            platform.send(platform.ack(invite, ok).encode());
            await(() -> d.sessions().get(0).endReason() != null, WAIT, "media stopped");
            SimSession s = d.sessions().get(0);
            assertThat(s.endReason()).contains("10 packets");
            // whole frames are sent: at least 10, stopped at the frame boundary after
            assertThat(s.packetsSent()).isGreaterThanOrEqualTo(10).isLessThan(10 + 200);
        }
    }

    @Test
    void tcpSignalling() throws Exception {
        sim = simulator(SimTransport.TCP).media(TestMedia.file()).keepaliveInterval(Duration.ofMillis(200))
                .build();
        SimDevice d = registered(PASSWORD, 1);
        assertThat(platform.registers.get(0).topVia()).startsWith("SIP/2.0/TCP ");
        await(() -> !keepalives().isEmpty(), WAIT, "keepalive over TCP");

        String q = TestPlatform.branch();
        platform.send(platform.query(DEVICE, "Catalog", 31, q).encode());
        assertThat(platform.awaitFinal(q, WAIT).status()).isEqualTo(200);
        await(() -> responses("Catalog", 31).size() == 1, WAIT, "catalog over TCP");

        try (DatagramSocket media = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            media.setSoTimeout(5000);
            SipMessage invite = platform.invite(d.channelIds().get(0), "call-tcp-sig", media.getLocalPort(), null,
                    99L);
            platform.send(invite.encode());
            SipMessage ok = platform.awaitFinal(invite.topBranch(), WAIT);
            platform.send(platform.ack(invite, ok).encode());
            DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
            media.receive(p);
            assertThat(Rtp.parse(p.getData(), p.getLength()).ssrc()).isEqualTo(99L);
        }
        sim.close();
        assertThat(platform.registers.get(platform.registers.size() - 1).header("Expires")).isEqualTo("0");
        assertThat(platform.byes).hasSize(1);
    }

    @Test
    void manyDevicesShareOneSocket() throws Exception {
        sim = simulator(SimTransport.UDP).build();
        List<SimDevice> devices = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            devices.add(sim.addDevice("340200000013200" + String.format("%05d", 100 + i), PASSWORD, 2));
        }
        sim.registerAll(1000);
        await(() -> sim.counters().registered() == 50, WAIT, "50 registrations");
        assertThat(platform.registers).extracting(m -> m.topVia().split(";")[0]).containsOnly(
                "SIP/2.0/UDP 127.0.0.1:" + sim.localSipAddress().getPort());
        // a query to the 20th device's second channel reaches that device
        SimDevice target = devices.get(20);
        String branch = TestPlatform.branch();
        platform.send(platform.query(target.channelIds().get(1), "DeviceStatus", 41, branch).encode());
        await(() -> responses("DeviceStatus", 41).size() == 1, WAIT, "status");
        assertThat(SipMessage.user(responses("DeviceStatus", 41).get(0).header("From"))).isEqualTo(target.id());
    }

    private static int answeredPort(SipMessage ok) {
        Matcher m = Pattern.compile("m=video (\\d+) ").matcher(ok.bodyText());
        assertThat(m.find()).isTrue();
        return Integer.parseInt(m.group(1));
    }

    private static List<Rtp> readFramed(Socket s, int count) throws IOException {
        DataInputStream in = new DataInputStream(s.getInputStream());
        List<Rtp> out = new ArrayList<>();
        while (out.size() < count) {
            int len = in.readUnsignedShort();
            byte[] b = new byte[len];
            in.readFully(b);
            out.add(Rtp.parse(b, len));
        }
        return out;
    }

    private static String tag(String xml, String name) {
        Matcher m = Pattern.compile("<" + name + ">([^<]*)</" + name + ">").matcher(xml);
        assertThat(m.find()).as("<%s> in %s", name, xml).isTrue();
        return m.group(1);
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** An RTP packet's fixed header fields and payload, parsed here independently of the sender. */
    record Rtp(int version, int payloadType, boolean marker, int seq, long timestamp, long ssrc, byte[] payload) {
        static Rtp parse(byte[] b, int len) {
            ByteBuffer bb = ByteBuffer.wrap(b, 0, len);
            int b0 = bb.get() & 0xFF;
            int b1 = bb.get() & 0xFF;
            int seq = bb.getShort() & 0xFFFF;
            long ts = bb.getInt() & 0xFFFFFFFFL;
            long ssrc = bb.getInt() & 0xFFFFFFFFL;
            byte[] payload = new byte[len - 12];
            bb.get(payload);
            return new Rtp(b0 >> 6, b1 & 0x7F, (b1 & 0x80) != 0, seq, ts, ssrc, payload);
        }
    }
}
