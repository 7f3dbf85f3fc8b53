package io.flux.media.testing.gb28181;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One SIP request or response (RFC 3261 section 7), parsed from and written to bytes by hand. Header names are
 * kept in their canonical long form (compact forms such as {@code v}, {@code i} are expanded when parsing) and
 * matched case-insensitively; the body is raw bytes because MANSCDP bodies are GB18030.
 */
final class SipMessage {

    private static final Map<String, String> COMPACT = Map.of("v", "Via", "f", "From", "t", "To", "i", "Call-ID",
            "m", "Contact", "l", "Content-Length", "c", "Content-Type", "s", "Subject", "k", "Supported");
    private static final byte[] EMPTY = new byte[0];

    private final String method;
    private final String requestUri;
    private final int status;
    private final String reason;
    private final List<String[]> headers = new ArrayList<>();
    private byte[] body = EMPTY;

    private SipMessage(String method, String requestUri, int status, String reason) {
        this.method = method;
        this.requestUri = requestUri;
        this.status = status;
        this.reason = reason;
    }

    static SipMessage request(String method, String requestUri) {
        return new SipMessage(method, requestUri, 0, null);
    }

    static SipMessage response(int status, String reason) {
        return new SipMessage(null, null, status, reason);
    }

    /**
     * A response to {@code request} (section 8.2.6.2): Via, From, To, Call-ID and CSeq copied; {@code toTag} is
     * added to To unless it already has a tag or toTag is null.
     */
    static SipMessage responseTo(SipMessage request, int status, String reason, String toTag) {
        SipMessage r = response(status, reason);
        for (String via : request.headers("Via")) {
            r.add("Via", via);
        }
        r.add("From", request.header("From"));
        String to = request.header("To");
        if (toTag != null && to != null && param(to, "tag") == null) {
            to = to + ";tag=" + toTag;
        }
        r.add("To", to);
        r.add("Call-ID", request.header("Call-ID"));
        r.add("CSeq", request.header("CSeq"));
        return r;
    }

    boolean isRequest() {
        return method != null;
    }

    String method() {
        return method;
    }

    String requestUri() {
        return requestUri;
    }

    int status() {
        return status;
    }

    String reason() {
        return reason;
    }

    SipMessage add(String name, String value) {
        if (value != null) {
            headers.add(new String[] {name, value});
        }
        return this;
    }

    /** Replaces every header of that name with one value. */
    SipMessage set(String name, String value) {
        headers.removeIf(h -> h[0].equalsIgnoreCase(name));
        return add(name, value);
    }

    String header(String name) {
        for (String[] h : headers) {
            if (h[0].equalsIgnoreCase(name)) {
                return h[1];
            }
        }
        return null;
    }

    List<String> headers(String name) {
        List<String> out = new ArrayList<>();
        for (String[] h : headers) {
            if (h[0].equalsIgnoreCase(name)) {
                out.add(h[1]);
            }
        }
        return out;
    }

    byte[] body() {
        return body;
    }

    String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** Sets the body and its Content-Type (Content-Length is written by {@link #encode()}). */
    SipMessage body(String contentType, byte[] content) {
        set("Content-Type", contentType);
        this.body = content == null ? EMPTY : content;
        return this;
    }

    String callId() {
        return header("Call-ID");
    }

    long cseqNumber() {
        String cseq = header("CSeq");
        if (cseq == null) {
            return -1;
        }
        try {
            return Long.parseLong(cseq.trim().split("\\s+")[0]);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    String cseqMethod() {
        String cseq = header("CSeq");
        if (cseq == null) {
            return null;
        }
        String[] parts = cseq.trim().split("\\s+");
        return parts.length > 1 ? parts[1].toUpperCase(Locale.ROOT) : null;
    }

    /** The first Via value (a header may carry several, comma separated). */
    String topVia() {
        String via = header("Via");
        if (via == null) {
            return null;
        }
        int comma = via.indexOf(',');
        return (comma < 0 ? via : via.substring(0, comma)).trim();
    }

    String topBranch() {
        String via = topVia();
        return via == null ? null : param(via, "branch");
    }

    String fromTag() {
        String from = header("From");
        return from == null ? null : param(from, "tag");
    }

    String toTag() {
        String to = header("To");
        return to == null ? null : param(to, "tag");
    }

    /** Serializes the message with a Content-Length matching the body. */
    byte[] encode() {
        StringBuilder sb = new StringBuilder(512);
        if (isRequest()) {
            sb.append(method).append(' ').append(requestUri).append(" SIP/2.0\r\n");
        } else {
            sb.append("SIP/2.0 ").append(status).append(' ').append(reason).append("\r\n");
        }
        for (String[] h : headers) {
            if (!h[0].equalsIgnoreCase("Content-Length")) {
                sb.append(h[0]).append(": ").append(h[1]).append("\r\n");
            }
        }
        sb.append("Content-Length: ").append(body.length).append("\r\n\r\n");
        byte[] head = sb.toString().getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[head.length + body.length];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(body, 0, out, head.length, body.length);
        return out;
    }

    @Override
    public String toString() {
        return isRequest() ? method + " " + requestUri : status + " " + reason + " (" + header("CSeq") + ")";
    }

    /**
     * Parses one complete message. Over UDP a datagram is one message; the body is what follows the blank line,
     * cut to Content-Length when that is shorter.
     *
     * @throws IllegalArgumentException when the bytes are not a SIP message
     */
    static SipMessage parse(byte[] data, int offset, int length) {
        int headEnd = indexOfBlankLine(data, offset, offset + length);
        if (headEnd < 0) {
            throw new IllegalArgumentException("no end of headers");
        }
        String head = new String(data, offset, headEnd - offset, StandardCharsets.UTF_8);
        String[] lines = head.split("\r\n");
        int first = 0;
        while (first < lines.length && lines[first].isEmpty()) {
            first++;
        }
        if (first == lines.length) {
            throw new IllegalArgumentException("empty message");
        }
        SipMessage msg = startLine(lines[first]);
        String name = null;
        StringBuilder value = null;
        for (int i = first + 1; i < lines.length; i++) {
            String line = lines[i];
            if (!line.isEmpty() && (line.charAt(0) == ' ' || line.charAt(0) == '\t') && name != null) {
                value.append(' ').append(line.trim()); // folded continuation line
                continue;
            }
            if (name != null) {
                msg.add(name, value.toString());
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("bad header line: " + line);
            }
            name = canonical(line.substring(0, colon).trim());
            value = new StringBuilder(line.substring(colon + 1).trim());
        }
        if (name != null) {
            msg.add(name, value.toString());
        }
        int bodyStart = headEnd + 4;
        int available = offset + length - bodyStart;
        int declared = contentLength(msg);
        int n = declared < 0 ? available : Math.min(declared, available);
        if (n > 0) {
            byte[] b = new byte[n];
            System.arraycopy(data, bodyStart, b, 0, n);
            msg.body = b;
        }
        return msg;
    }

    static int contentLength(SipMessage msg) {
        String cl = msg.header("Content-Length");
        if (cl == null) {
            return -1;
        }
        try {
            return Integer.parseInt(cl.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad Content-Length: " + cl);
        }
    }

    private static SipMessage startLine(String line) {
        if (line.startsWith("SIP/2.0 ")) {
            String[] p = line.split(" ", 3);
            try {
                return response(Integer.parseInt(p[1]), p.length > 2 ? p[2] : "");
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad status line: " + line);
            }
        }
        String[] p = line.split(" ");
        if (p.length != 3 || !p[2].equals("SIP/2.0") || p[0].isEmpty()) {
            throw new IllegalArgumentException("bad request line: " + line);
        }
        return request(p[0].toUpperCase(Locale.ROOT), p[1]);
    }

    private static String canonical(String name) {
        String full = COMPACT.get(name.toLowerCase(Locale.ROOT));
        return full != null ? full : name;
    }

    static int indexOfBlankLine(byte[] b, int from, int to) {
        for (int i = from; i + 3 < to; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n' && b[i + 2] == '\r' && b[i + 3] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** A header parameter ({@code ;name=value}) outside the angle brackets, unquoted; null when absent. */
    static String param(String headerValue, String name) {
        int close = headerValue.lastIndexOf('>');
        String params = close >= 0 ? headerValue.substring(close + 1) : headerValue;
        for (String p : params.split(";")) {
            int eq = p.indexOf('=');
            String key = (eq < 0 ? p : p.substring(0, eq)).trim();
            if (key.equalsIgnoreCase(name)) {
                String v = eq < 0 ? "" : p.substring(eq + 1).trim();
                return v.startsWith("\"") && v.endsWith("\"") && v.length() >= 2 ? v.substring(1, v.length() - 1) : v;
            }
        }
        return null;
    }

    /** The user part of a SIP URI or name-addr ({@code "x" <sip:user@host>;tag=1} gives {@code user}). */
    static String user(String uriOrNameAddr) {
        if (uriOrNameAddr == null) {
            return null;
        }
        String s = uriOrNameAddr;
        int lt = s.indexOf('<');
        if (lt >= 0) {
            int gt = s.indexOf('>', lt);
            s = s.substring(lt + 1, gt < 0 ? s.length() : gt);
        }
        int colon = s.indexOf(':');
        if (colon < 0) {
            return null;
        }
        s = s.substring(colon + 1);
        int at = s.indexOf('@');
        return at < 0 ? null : s.substring(0, at);
    }

    /** The URI inside a name-addr ({@code <sip:a@b>;tag=x} gives {@code sip:a@b}), or the value itself. */
    static String uri(String nameAddr) {
        int lt = nameAddr.indexOf('<');
        if (lt < 0) {
            int semi = nameAddr.indexOf(';');
            return (semi < 0 ? nameAddr : nameAddr.substring(0, semi)).trim();
        }
        int gt = nameAddr.indexOf('>', lt);
        return nameAddr.substring(lt + 1, gt < 0 ? nameAddr.length() : gt);
    }
}
