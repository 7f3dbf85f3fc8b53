package io.flux.media.protocol.gb28181.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import io.flux.media.protocol.gb28181.internal.ManscdpXml.Message;
import io.flux.media.protocol.gb28181.internal.ManscdpXml.Problem;
import io.flux.media.protocol.gb28181.internal.ManscdpXml.RejectedException;

class ManscdpXmlTest {

    private final ManscdpXml xml = new ManscdpXml(4096);

    private static String catalogItem(String encoding, String name) {
        return "<?xml version=\"1.0\" encoding=\"" + encoding + "\"?>\r\n<Response>\r\n<CmdType>Catalog</CmdType>\r\n"
                + "<SN>17</SN>\r\n<DeviceID>34020000001320000001</DeviceID>\r\n<Name>" + name + "</Name>\r\n</Response>\r\n";
    }

    @Test
    void keepaliveFieldsAreRead() throws Exception {
        Message m = xml.parse(("<?xml version=\"1.0\"?>\n<Notify>\n<CmdType>Keepalive</CmdType>\n<SN>43</SN>\n"
                + "<DeviceID>34020000001320000001</DeviceID>\n<Status>OK</Status>\n</Notify>\n")
                .getBytes(StandardCharsets.US_ASCII));

        assertThat(m.root()).isEqualTo("Notify");
        assertThat(m.cmdType()).isEqualTo("Keepalive");
        assertThat(m.sn()).isEqualTo("43");
        assertThat(m.deviceId()).isEqualTo("34020000001320000001");
        assertThat(m.field("Status")).isEqualTo("OK");
        assertThat(m.field("Missing")).isNull();
    }

    @Test
    void gb2312BodyIsDecodedByItsDeclaration() throws Exception {
        String name = "\u524d\u95e8\u6444\u50cf\u673a"; // 前门摄像机
        Message m = xml.parse(catalogItem("GB2312", name).getBytes(Charset.forName("GB2312")));

        assertThat(m.field("Name")).isEqualTo(name);
        assertThat(m.charset().name()).isEqualTo("GB18030");
    }

    @Test
    void gbkCharacterInABodyDeclaredGb2312IsKept() throws Exception {
        String name = "\u5586\u9555"; // 喆镕: in GBK, not in GB2312
        byte[] gbk = catalogItem("GB2312", name).getBytes(Charset.forName("GBK"));
        assertThat(Charset.forName("GB2312").newEncoder().canEncode(name)).isFalse();

        assertThat(xml.parse(gbk).field("Name")).isEqualTo(name);
    }

    @Test
    void gb18030FourByteCharacterIsDecoded() throws Exception {
        String name = "\uD840\uDC00\u20ac"; // U+20000 and the euro sign: four-byte GB18030 sequences
        Message m = xml.parse(catalogItem("GB18030", name).getBytes(Charset.forName("GB18030")));

        assertThat(m.field("Name")).isEqualTo(name);
    }

    @Test
    void utf8BodyIsDecodedWithOrWithoutBom() throws Exception {
        String name = "\u524d\u95e8 caf\u00e9";
        byte[] plain = catalogItem("UTF-8", name).getBytes(StandardCharsets.UTF_8);
        byte[] bom = new byte[plain.length + 3];
        bom[0] = (byte) 0xef;
        bom[1] = (byte) 0xbb;
        bom[2] = (byte) 0xbf;
        System.arraycopy(plain, 0, bom, 3, plain.length);

        assertThat(xml.parse(plain).field("Name")).isEqualTo(name);
        assertThat(xml.parse(bom).field("Name")).isEqualTo(name);
    }

    @Test
    void undeclaredGbkIsReadAsGb18030WhenItIsNotUtf8() throws Exception {
        String name = "\u524d\u95e8\u6444\u50cf\u673a";
        String body = "<Response><CmdType>Catalog</CmdType><Name>" + name + "</Name></Response>";

        Message m = xml.parse(body.getBytes(Charset.forName("GBK")));

        assertThat(m.field("Name")).isEqualTo(name);
        assertThat(m.charset().name()).isEqualTo("GB18030");
    }

    @Test
    void doctypeWithInternalEntitiesIsRefused() {
        String bomb = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n<!ENTITY lol \"lol\">\n"
                + "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
                + "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n]>\n"
                + "<Notify><CmdType>&lol3;</CmdType></Notify>";

        assertRejected(bomb.getBytes(StandardCharsets.US_ASCII), Problem.DOCTYPE);
    }

    @Test
    void externalEntityIsRefused() {
        String xxe = "<?xml version=\"1.0\" encoding=\"GB2312\"?>\n"
                + "<!DOCTYPE Notify [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n"
                + "<Notify><CmdType>Keepalive</CmdType><DeviceID>&xxe;</DeviceID></Notify>";

        assertRejected(xxe.getBytes(StandardCharsets.US_ASCII), Problem.DOCTYPE);
    }

    @Test
    void undeclaredEntityReferenceIsMalformed() {
        assertRejected("<Notify><CmdType>&xxe;</CmdType></Notify>".getBytes(StandardCharsets.US_ASCII),
                Problem.MALFORMED);
    }

    @Test
    void bodyOverTheCapIsRefusedBeforeParsing() throws Exception {
        String head = "<Notify><CmdType>Keepalive</CmdType><Pad>";
        String tail = "</Pad></Notify>";
        byte[] exact = (head + "x".repeat(4096 - head.length() - tail.length()) + tail)
                .getBytes(StandardCharsets.US_ASCII);
        assertThat(exact).hasSize(4096);
        assertThat(xml.parse(exact).cmdType()).isEqualTo("Keepalive");

        byte[] over = (head + "x".repeat(4097 - head.length() - tail.length()) + tail)
                .getBytes(StandardCharsets.US_ASCII);
        assertRejected(over, Problem.TOO_LARGE);
    }

    @Test
    void unknownEncodingIsRefused() {
        assertRejected(catalogItem("X-NO-SUCH-CHARSET", "a").getBytes(StandardCharsets.US_ASCII), Problem.CHARSET);
    }

    @Test
    void brokenXmlIsMalformed() {
        assertRejected("<Notify><CmdType>Keepalive</Notify>".getBytes(StandardCharsets.US_ASCII), Problem.MALFORMED);
        assertRejected("\u0000\u0001garbage".getBytes(StandardCharsets.ISO_8859_1), Problem.MALFORMED);
        assertRejected(new byte[0], Problem.MALFORMED);
    }

    private void assertRejected(byte[] body, Problem problem) {
        assertThatThrownBy(() -> xml.parse(body)).isInstanceOfSatisfying(RejectedException.class,
                e -> assertThat(e.problem).isEqualTo(problem));
    }
}
