package io.flux.media.protocol.gb28181.internal;

import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.helpers.DefaultHandler;

/**
 * Reads MANSCDP bodies ({@code Application/MANSCDP+xml}): decodes them by the XML declaration's encoding
 * (GB2312 and GBK are read as GB18030, their superset, because devices that declare GB2312 routinely
 * send GBK characters), refuses DOCTYPE declarations (so no entity expansion and no external entities)
 * and bodies over the size cap, and returns the root element with the fields every message has.
 */
final class ManscdpXml {

    /** Why a body was refused. */
    enum Problem { TOO_LARGE, DOCTYPE, CHARSET, MALFORMED }

    static final class RejectedException extends Exception {
        private static final long serialVersionUID = 1L;
        final Problem problem;

        RejectedException(Problem problem, String message) {
            super(message);
            this.problem = problem;
        }
    }

    /** A parsed message: the root ({@code Notify}, {@code Response}, {@code Query}, {@code Control}) and its common fields. */
    record Message(String root, String cmdType, String sn, String deviceId, Element element, Charset charset) {

        /** Text of a direct child of the root, trimmed; null when absent. */
        String field(String name) {
            return childText(element, name);
        }
    }

    private static final Pattern DECLARED_ENCODING = Pattern.compile(
            "\\A\\s*<\\?xml\\s[^>]*?encoding\\s*=\\s*[\"']([A-Za-z][A-Za-z0-9._-]{0,39})[\"']");
    private static final Charset GB18030 = Charset.forName("GB18030");

    private final int maxBytes;
    private final DocumentBuilderFactory factory;

    ManscdpXml(int maxBytes) {
        this.maxBytes = maxBytes;
        // The JDK's own parser (not whatever a service loader finds), with everything DTD-related off.
        factory = DocumentBuilderFactory.newDefaultInstance();
        try {
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setFeature("http://xml.org/sax/features/external-general-entities", false);
            factory.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("the JDK XML parser lacks a security feature", e);
        }
        factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
        factory.setXIncludeAware(false);
        factory.setExpandEntityReferences(false);
        factory.setNamespaceAware(false);
    }

    int maxBytes() {
        return maxBytes;
    }

    Message parse(byte[] body) throws RejectedException {
        if (body.length > maxBytes) {
            throw new RejectedException(Problem.TOO_LARGE, body.length + " bytes, at most " + maxBytes + " accepted");
        }
        Decoded decoded = decode(body);
        if (decoded.text.contains("<!DOCTYPE")) {
            throw new RejectedException(Problem.DOCTYPE, "DOCTYPE declarations are refused");
        }
        Document doc;
        try {
            DocumentBuilder builder = factory.newDocumentBuilder();
            // No console noise for bad input: the caller reports it.
            builder.setErrorHandler(new DefaultHandler());
            doc = builder.parse(new InputSource(new StringReader(decoded.text)));
        } catch (SAXException e) {
            String message = String.valueOf(e.getMessage());
            if (message.contains("DOCTYPE")) {
                throw new RejectedException(Problem.DOCTYPE, "DOCTYPE declarations are refused");
            }
            throw new RejectedException(Problem.MALFORMED, "not well-formed XML: " + abbreviate(message));
        } catch (IOException | ParserConfigurationException e) {
            throw new RejectedException(Problem.MALFORMED, "unreadable XML: " + abbreviate(e.getMessage()));
        }
        Element root = doc.getDocumentElement();
        return new Message(root.getTagName(), childText(root, "CmdType"), childText(root, "SN"),
                childText(root, "DeviceID"), root, decoded.charset);
    }

    private record Decoded(String text, Charset charset) {
    }

    /** The charset the body declares (GB2312/GBK as GB18030), null when it declares none. */
    static Charset declaredCharset(byte[] body) throws RejectedException {
        String head = new String(body, 0, Math.min(body.length, 256), StandardCharsets.ISO_8859_1);
        if (head.startsWith("\u00ef\u00bb\u00bf")) {
            head = head.substring(3);
        }
        Matcher m = DECLARED_ENCODING.matcher(head);
        if (!m.find()) {
            return null;
        }
        String name = m.group(1).toUpperCase(Locale.ROOT);
        switch (name) {
            case "GB2312", "GBK", "GB18030", "CP936", "X-GBK", "EUC-CN", "MS936" -> {
                return GB18030;
            }
            case "UTF-8", "UTF8" -> {
                return StandardCharsets.UTF_8;
            }
            default -> {
                try {
                    return Charset.forName(name);
                } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
                    throw new RejectedException(Problem.CHARSET, "unsupported encoding " + name);
                }
            }
        }
    }

    /**
     * Declared UTF-8 (or nothing declared, which means UTF-8) that is not valid UTF-8 is read as GB18030:
     * devices that omit or misstate the declaration send GBK.
     */
    private static Decoded decode(byte[] body) throws RejectedException {
        Charset declared = declaredCharset(body);
        int offset = hasUtf8Bom(body) ? 3 : 0;
        if (declared == null || declared.equals(StandardCharsets.UTF_8)) {
            try {
                String text = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(body, offset, body.length - offset)).toString();
                return new Decoded(text, StandardCharsets.UTF_8);
            } catch (CharacterCodingException e) {
                return new Decoded(lenient(GB18030, body, 0), GB18030);
            }
        }
        return new Decoded(lenient(declared, body, offset), declared);
    }

    private static String lenient(Charset charset, byte[] body, int offset) {
        try {
            CharBuffer chars = charset.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE)
                    .decode(ByteBuffer.wrap(body, offset, body.length - offset));
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw new IllegalStateException("a replacing decoder does not throw", e);
        }
    }

    private static boolean hasUtf8Bom(byte[] b) {
        return b.length >= 3 && (b[0] & 0xff) == 0xef && (b[1] & 0xff) == 0xbb && (b[2] & 0xff) == 0xbf;
    }

    static String childText(Element parent, String name) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                return e.getTextContent().trim();
            }
        }
        return null;
    }

    private static String abbreviate(String s) {
        if (s == null) {
            return "";
        }
        return s.length() > 160 ? s.substring(0, 160) + "..." : s;
    }
}
