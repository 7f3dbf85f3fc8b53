package io.flux.media.testing.gb28181;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.util.List;

import org.junit.jupiter.api.Test;

class SdpManscdpTest {

    @Test
    void readsUdpAndTcpOffers() {
        Sdp.Offer udp = Sdp.parseOffer("v=0\r\no=34020000002000000001 0 0 IN IP4 10.1.1.1\r\ns=Play\r\n"
                + "c=IN IP4 10.1.1.1\r\nt=0 0\r\nm=video 30000 RTP/AVP 96 97 98\r\na=recvonly\r\n"
                + "a=rtpmap:96 PS/90000\r\ny=0100000001\r\n");
        assertThat(udp).isEqualTo(new Sdp.Offer("10.1.1.1", 30000, MediaTransport.UDP, 100000001L));

        Sdp.Offer passive = Sdp.parseOffer("v=0\nc=IN IP4 10.1.1.1\nm=audio 1 RTP/AVP 8\nc=IN IP4 9.9.9.9\n"
                + "m=video 30002 TCP/RTP/AVP 96\nc=IN IP4 10.2.2.2\na=setup:passive\na=connection:new\n");
        assertThat(passive).isEqualTo(new Sdp.Offer("10.2.2.2", 30002, MediaTransport.TCP_PASSIVE, -1));

        Sdp.Offer active = Sdp.parseOffer("c=IN IP4 10.1.1.1\r\nm=video 30004 TCP/RTP/AVP 96\r\na=setup:active\r\n");
        assertThat(active.transport()).isEqualTo(MediaTransport.TCP_ACTIVE);

        assertThatThrownBy(() -> Sdp.parseOffer("v=0\r\nc=IN IP4 1.2.3.4\r\n"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Sdp.parseOffer("m=video x RTP/AVP 96\r\n"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void answersWithTheInverseSetupAndTheSameSsrc() {
        String a = Sdp.answer("34020000001310000001", "10.0.0.9", 40000, MediaTransport.TCP_PASSIVE, 42);
        assertThat(a).isEqualTo("v=0\r\no=34020000001310000001 0 0 IN IP4 10.0.0.9\r\ns=Play\r\nc=IN IP4 10.0.0.9\r\n"
                + "t=0 0\r\nm=video 40000 TCP/RTP/AVP 96\r\na=setup:active\r\na=connection:new\r\na=sendonly\r\n"
                + "a=rtpmap:96 PS/90000\r\ny=0000000042\r\n");
        assertThat(Sdp.answer("c", "1.1.1.1", 5, MediaTransport.TCP_ACTIVE, 1)).contains("a=setup:passive");
        assertThat(Sdp.answer("c", "1.1.1.1", 5, MediaTransport.UDP, 1)).contains("m=video 5 RTP/AVP 96")
                .doesNotContain("setup");
    }

    @Test
    void parsesQueriesByTheirDeclaredEncoding() {
        String xml = "<?xml version=\"1.0\" encoding=\"GB2312\"?>\r\n<Query>\r\n<CmdType>Catalog</CmdType>\r\n"
                + "<SN>17430</SN>\r\n<DeviceID>34020000001320000001</DeviceID>\r\n</Query>\r\n";
        Manscdp.Command c = Manscdp.parse(xml.getBytes(Manscdp.GB18030));
        assertThat(c).isEqualTo(new Manscdp.Command("Query", "Catalog", "17430", "34020000001320000001"));
        Manscdp.Command utf8 = Manscdp.parse(("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Control><CmdType>"
                + "DeviceControl</CmdType><SN>1</SN></Control>").getBytes(StandardCharsets.UTF_8));
        assertThat(utf8.root()).isEqualTo("Control");
        assertThat(utf8.deviceId()).isNull();
    }

    @Test
    void refusesDoctypesAndBrokenXml() {
        byte[] xxe = ("<?xml version=\"1.0\"?><!DOCTYPE q [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                + "<Query><CmdType>&x;</CmdType></Query>").getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> Manscdp.parse(xxe)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Manscdp.parse("<Query><CmdType>".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Manscdp.parse("<Query><SN>1</SN></Query>".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void responsesDeclareGb2312AndAreGb18030() {
        Manscdp.DeviceFacts facts = new Manscdp.DeviceFacts("cam <1>", "FluxSim", "M", "1.0");
        byte[] page = Manscdp.catalogPage("34020000001320000001", "5", 9,
                List.of(new Manscdp.Channel("34020000001310000001", "通道1")), facts, "340200");
        String text = new String(page, Manscdp.GB18030);
        assertThat(text).startsWith("<?xml version=\"1.0\" encoding=\"GB2312\"?>").contains("<SumNum>9</SumNum>",
                "<DeviceList Num=\"1\">", "<Name>通道1</Name>", "<ParentID>34020000001320000001</ParentID>",
                "<Status>ON</Status>", "<CivilCode>340200</CivilCode>");
        assertThat(Manscdp.decode(page)).isEqualTo(text);
        assertThat(new String(Manscdp.deviceInfo("34020000001320000001", "6", facts, 2), Manscdp.GB18030))
                .contains("<DeviceName>cam &lt;1&gt;</DeviceName>", "<Channel>2</Channel>");
        assertThat(new String(Manscdp.deviceStatus("34020000001320000001", "7",
                LocalDateTime.of(2024, 5, 6, 7, 8, 9, 123)), Manscdp.GB18030))
                .contains("<DeviceTime>2024-05-06T07:08:09</DeviceTime>");
    }
}
