package io.flux.media.testing.gb28181;

import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.InputSource;

/**
 * MANSCDP bodies as a device reads and writes them. Written bodies declare GB2312, as devices do, and are encoded
 * in GB18030 (its superset). Read bodies are decoded by their declaration with the GB family read as GB18030; no
 * DOCTYPE is accepted.
 */
final class Manscdp {

    static final String CONTENT_TYPE = "Application/MANSCDP+xml";
    static final Charset GB18030 = Charset.forName("GB18030");
    private static final Pattern ENCODING = Pattern.compile("encoding\\s*=\\s*[\"']([A-Za-z0-9_.-]+)[\"']");
    private static final DateTimeFormatter DEVICE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss");

    private Manscdp() {
    }

    /** A platform's request: root element (Query, Control...), CmdType, SN and target DeviceID. */
    record Command(String root, String cmdType, String sn, String deviceId) {
    }

    /** One catalog entry. */
    record Channel(String id, String name) {
    }

    /** Device facts for DeviceInfo. */
    record DeviceFacts(String name, String manufacturer, String model, String firmware) {
    }

    /**
     * Parses a command body.
     *
     * @throws IllegalArgumentException when it is not well-formed XML or lacks CmdType
     */
    static Command parse(byte[] body) {
        String text = decode(body);
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setExpandEntityReferences(false);
            f.setXIncludeAware(false);
            DocumentBuilder b = f.newDocumentBuilder();
            b.setErrorHandler(null);
            Document doc = b.parse(new InputSource(new StringReader(stripDeclaration(text))));
            Element root = doc.getDocumentElement();
            String cmdType = child(root, "CmdType");
            if (cmdType == null) {
                throw new IllegalArgumentException("no CmdType");
            }
            return new Command(root.getTagName(), cmdType, child(root, "SN"), child(root, "DeviceID"));
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalArgumentException("not MANSCDP XML: " + e.getMessage(), e);
        }
    }

    private static String child(Element root, String name) {
        for (Node n = root.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equalsIgnoreCase(name)) {
                return e.getTextContent().trim();
            }
        }
        return null;
    }

    /** Decodes by the declared encoding; the GB family and undeclared bodies as GB18030. */
    static String decode(byte[] body) {
        String head = new String(body, 0, Math.min(body.length, 200), StandardCharsets.ISO_8859_1);
        Matcher m = ENCODING.matcher(head);
        Charset cs = GB18030;
        if (m.find()) {
            String name = m.group(1).toUpperCase(Locale.ROOT);
            if (name.equals("UTF-8") || name.equals("UTF8")) {
                try {
                    return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                            .decode(ByteBuffer.wrap(body)).toString();
                } catch (CharacterCodingException e) {
                    cs = GB18030; // declared UTF-8 but GBK inside, as some devices do
                }
            } else if (!name.startsWith("GB") && !name.equals("CP936") && Charset.isSupported(name)) {
                cs = Charset.forName(name);
            }
        }
        return new String(body, cs);
    }

    private static String stripDeclaration(String text) {
        String t = text.startsWith("\uFEFF") ? text.substring(1) : text;
        t = t.stripLeading();
        if (t.startsWith("<?xml")) {
            int end = t.indexOf("?>");
            if (end > 0) {
                return t.substring(end + 2);
            }
        }
        return t;
    }

    static byte[] keepalive(String deviceId, long sn) {
        return encode("<Notify>\r\n<CmdType>Keepalive</CmdType>\r\n<SN>" + sn + "</SN>\r\n<DeviceID>" + deviceId
                + "</DeviceID>\r\n<Status>OK</Status>\r\n</Notify>\r\n");
    }

    /** One catalog page: SumNum is the device's total, DeviceList Num this page's item count. */
    static byte[] catalogPage(String deviceId, String sn, int sumNum, List<Channel> page, DeviceFacts facts,
            String civilCode) {
        StringBuilder sb = new StringBuilder(256 + page.size() * 400);
        sb.append("<Response>\r\n<CmdType>Catalog</CmdType>\r\n<SN>").append(escape(sn)).append("</SN>\r\n<DeviceID>")
                .append(deviceId).append("</DeviceID>\r\n<SumNum>").append(sumNum).append("</SumNum>\r\n")
                .append("<DeviceList Num=\"").append(page.size()).append("\">\r\n");
        for (Channel c : page) {
            sb.append("<Item>\r\n<DeviceID>").append(c.id()).append("</DeviceID>\r\n<Name>").append(escape(c.name()))
                    .append("</Name>\r\n<Manufacturer>").append(escape(facts.manufacturer()))
                    .append("</Manufacturer>\r\n<Model>").append(escape(facts.model())).append("</Model>\r\n")
                    .append("<Owner>Owner</Owner>\r\n<CivilCode>").append(civilCode).append("</CivilCode>\r\n")
                    .append("<Address>Address</Address>\r\n<Parental>0</Parental>\r\n<ParentID>")
                    .append(deviceId).append("</ParentID>\r\n<SafetyWay>0</SafetyWay>\r\n")
                    .append("<RegisterWay>1</RegisterWay>\r\n<Secrecy>0</Secrecy>\r\n<Status>ON</Status>\r\n")
                    .append("<Longitude>0.0</Longitude>\r\n<Latitude>0.0</Latitude>\r\n</Item>\r\n");
        }
        sb.append("</DeviceList>\r\n</Response>\r\n");
        return encode(sb.toString());
    }

    static byte[] deviceInfo(String deviceId, String sn, DeviceFacts facts, int channels) {
        return encode("<Response>\r\n<CmdType>DeviceInfo</CmdType>\r\n<SN>" + escape(sn) + "</SN>\r\n<DeviceID>"
                + deviceId + "</DeviceID>\r\n<DeviceName>" + escape(facts.name()) + "</DeviceName>\r\n<Result>OK"
                + "</Result>\r\n<Manufacturer>" + escape(facts.manufacturer()) + "</Manufacturer>\r\n<Model>"
                + escape(facts.model()) + "</Model>\r\n<Firmware>" + escape(facts.firmware()) + "</Firmware>\r\n"
                + "<Channel>" + channels + "</Channel>\r\n</Response>\r\n");
    }

    static byte[] deviceStatus(String deviceId, String sn, LocalDateTime now) {
        return encode("<Response>\r\n<CmdType>DeviceStatus</CmdType>\r\n<SN>" + escape(sn) + "</SN>\r\n<DeviceID>"
                + deviceId + "</DeviceID>\r\n<Result>OK</Result>\r\n<Online>ONLINE</Online>\r\n<Status>OK</Status>"
                + "\r\n<Encode>ON</Encode>\r\n<Record>OFF</Record>\r\n<DeviceTime>"
                + now.truncatedTo(ChronoUnit.SECONDS).format(DEVICE_TIME) + "</DeviceTime>\r\n<Alarmstatus Num=\"0\">"
                + "\r\n</Alarmstatus>\r\n</Response>\r\n");
    }

    private static byte[] encode(String xmlWithoutDeclaration) {
        return ("<?xml version=\"1.0\" encoding=\"GB2312\"?>\r\n" + xmlWithoutDeclaration).getBytes(GB18030);
    }

    static String escape(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&apos;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }
}
