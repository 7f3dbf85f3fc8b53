package io.flux.media.testing.gb28181;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class SipMessageTest {

    private static final String INVITE = "INVITE sip:34020000001310000001@3402000000 SIP/2.0\r\n"
            + "v: SIP/2.0/UDP 10.0.0.1:5060;rport;branch=z9hG4bKabc, SIP/2.0/UDP 10.0.0.2;branch=z9hG4bKdef\r\n"
            + "f: <sip:34020000002000000001@3402000000>;tag=111\r\n"
            + "t: \"cam\" <sip:34020000001310000001@3402000000>\r\n"
            + "i: call-1\r\n"
            + "CSeq: 20 INVITE\r\n"
            + "Subject: 34020000001310000001:0100000001,\r\n 34020000002000000001:0\r\n"
            + "c: APPLICATION/SDP\r\n"
            + "l: 5\r\n\r\nhelloEXTRA";

    @Test
    void parsesCompactFormsFoldingAndBodyByContentLength() {
        byte[] b = INVITE.getBytes(StandardCharsets.UTF_8);
        SipMessage m = SipMessage.parse(b, 0, b.length);
        assertThat(m.isRequest()).isTrue();
        assertThat(m.method()).isEqualTo("INVITE");
        assertThat(m.requestUri()).isEqualTo("sip:34020000001310000001@3402000000");
        assertThat(m.topVia()).isEqualTo("SIP/2.0/UDP 10.0.0.1:5060;rport;branch=z9hG4bKabc");
        assertThat(m.topBranch()).isEqualTo("z9hG4bKabc");
        assertThat(m.fromTag()).isEqualTo("111");
        assertThat(m.toTag()).isNull();
        assertThat(m.callId()).isEqualTo("call-1");
        assertThat(m.cseqNumber()).isEqualTo(20);
        assertThat(m.cseqMethod()).isEqualTo("INVITE");
        assertThat(m.header("subject")).isEqualTo("34020000001310000001:0100000001, 34020000002000000001:0");
        assertThat(m.header("Content-Type")).isEqualTo("APPLICATION/SDP");
        assertThat(m.bodyText()).isEqualTo("hello");
        assertThat(SipMessage.user(m.header("To"))).isEqualTo("34020000001310000001");
        assertThat(SipMessage.user(m.requestUri())).isEqualTo("34020000001310000001");
    }

    @Test
    void responseCopiesTheTransactionHeadersAndAddsATag() {
        byte[] b = INVITE.getBytes(StandardCharsets.UTF_8);
        SipMessage req = SipMessage.parse(b, 0, b.length);
        SipMessage r = SipMessage.responseTo(req, 200, "OK", "dev1");
        byte[] wire = r.encode();
        SipMessage back = SipMessage.parse(wire, 0, wire.length);
        assertThat(back.isRequest()).isFalse();
        assertThat(back.status()).isEqualTo(200);
        assertThat(back.reason()).isEqualTo("OK");
        assertThat(back.headers("Via")).hasSize(1).first().asString().contains("z9hG4bKabc", "z9hG4bKdef");
        assertThat(back.toTag()).isEqualTo("dev1");
        assertThat(back.callId()).isEqualTo("call-1");
        assertThat(back.header("CSeq")).isEqualTo("20 INVITE");
        assertThat(back.header("Content-Length")).isEqualTo("0");
        assertThat(new String(wire, StandardCharsets.UTF_8)).startsWith("SIP/2.0 200 OK\r\n").endsWith("\r\n\r\n");
    }

    @Test
    void encodesGb18030BodiesWithTheirByteLength() {
        byte[] body = "<Name>通道1</Name>".getBytes(Manscdp.GB18030);
        SipMessage m = SipMessage.request("MESSAGE", "sip:a@b").add("Call-ID", "x").body("Application/MANSCDP+xml",
                body);
        byte[] wire = m.encode();
        SipMessage back = SipMessage.parse(wire, 0, wire.length);
        assertThat(back.header("Content-Length")).isEqualTo(Integer.toString(body.length));
        assertThat(back.body()).isEqualTo(body);
    }

    @Test
    void paramAndUriHelpers() {
        assertThat(SipMessage.param("<sip:a@b;lr>;tag=x;expires=\"60\"", "expires")).isEqualTo("60");
        assertThat(SipMessage.param("<sip:a@b;tag=inside>", "tag")).isNull();
        assertThat(SipMessage.uri("\"n\" <sip:a@b:5060>;tag=1")).isEqualTo("sip:a@b:5060");
        assertThat(SipMessage.uri("sip:a@b;tag=1")).isEqualTo("sip:a@b");
        assertThat(SipMessage.user("sip:3402@host")).isEqualTo("3402");
        assertThat(SipMessage.user("sip:host")).isNull();
    }

    @Test
    void rejectsWhatIsNotSip() {
        byte[] junk = "hello world\r\n\r\n".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> SipMessage.parse(junk, 0, junk.length)).isInstanceOf(IllegalArgumentException.class);
        byte[] noEnd = "OPTIONS sip:a@b SIP/2.0\r\nCall-ID: x\r\n".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> SipMessage.parse(noEnd, 0, noEnd.length))
                .isInstanceOf(IllegalArgumentException.class);
        byte[] badStatus = "SIP/2.0 abc OK\r\n\r\n".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> SipMessage.parse(badStatus, 0, badStatus.length))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void streamDecoderFramesMessagesAcrossChunksAndSkipsKeepalives() {
        String one = "MESSAGE sip:a@b SIP/2.0\r\nCall-ID: 1\r\nContent-Length: 3\r\n\r\nabc";
        String two = "SIP/2.0 200 OK\r\nCall-ID: 2\r\nContent-Length: 0\r\n\r\n";
        byte[] all = ("\r\n\r\n" + one + "\r\n" + two).getBytes(StandardCharsets.UTF_8);
        SipStreamDecoder d = new SipStreamDecoder();
        List<SipMessage> out = new ArrayList<>();
        for (int i = 0; i < all.length; i += 7) {
            d.feed(ByteBuffer.wrap(all, i, Math.min(7, all.length - i)), out::add);
        }
        assertThat(out).extracting(SipMessage::callId).containsExactly("1", "2");
        assertThat(out.get(0).bodyText()).isEqualTo("abc");
    }

    @Test
    void streamDecoderRefusesOversizedMessages() {
        SipStreamDecoder d = new SipStreamDecoder();
        byte[] head = ("MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 999999\r\n\r\n").getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> d.feed(ByteBuffer.wrap(head), m -> { }))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
