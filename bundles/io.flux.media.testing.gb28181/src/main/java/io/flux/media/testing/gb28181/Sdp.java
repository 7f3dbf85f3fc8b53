package io.flux.media.testing.gb28181;

import java.util.Locale;

/** The SDP of a GB28181 live INVITE: reading the platform's offer and writing the device's answer. */
final class Sdp {

    private Sdp() {
    }

    /**
     * What the device needs from an offer.
     *
     * @param address where the platform receives media (the video m= line's c=, else the session's)
     * @param port the video m= port
     * @param transport UDP, or TCP with the platform passive or active
     * @param ssrc the y= line's SSRC, or -1 when there is none
     */
    record Offer(String address, int port, MediaTransport transport, long ssrc) {
    }

    /**
     * Parses an offer.
     *
     * @throws IllegalArgumentException when it has no video m= line, no c= address, or a malformed line
     */
    static Offer parseOffer(String sdp) {
        String sessionAddress = null;
        String mediaAddress = null;
        int port = -1;
        boolean tcp = false;
        String setup = null;
        long ssrc = -1;
        boolean inVideo = false;
        for (String raw : sdp.split("\r?\n")) {
            String line = raw.trim();
            if (line.length() < 2 || line.charAt(1) != '=') {
                continue;
            }
            String value = line.substring(2).trim();
            switch (line.charAt(0)) {
                case 'm' -> {
                    String[] p = value.split("\\s+");
                    inVideo = p.length >= 3 && p[0].equalsIgnoreCase("video") && port < 0;
                    if (inVideo) {
                        try {
                            port = Integer.parseInt(p[1]);
                        } catch (NumberFormatException e) {
                            throw new IllegalArgumentException("bad m= port: " + line);
                        }
                        tcp = p[2].toUpperCase(Locale.ROOT).startsWith("TCP");
                    }
                }
                case 'c' -> {
                    String[] p = value.split("\\s+");
                    if (p.length < 3) {
                        throw new IllegalArgumentException("bad c= line: " + line);
                    }
                    String address = p[2].contains("/") ? p[2].substring(0, p[2].indexOf('/')) : p[2];
                    if (inVideo) {
                        mediaAddress = address;
                    } else if (port < 0) {
                        sessionAddress = address;
                    }
                }
                case 'a' -> {
                    if (inVideo && value.toLowerCase(Locale.ROOT).startsWith("setup:")) {
                        setup = value.substring(6).trim().toLowerCase(Locale.ROOT);
                    }
                }
                case 'y' -> {
                    try {
                        ssrc = Long.parseLong(value);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("bad y= line: " + line);
                    }
                }
                default -> {
                    // other lines do not matter to a device
                }
            }
        }
        String address = mediaAddress != null ? mediaAddress : sessionAddress;
        if (port <= 0 || port > 65535 || address == null) {
            throw new IllegalArgumentException("offer without a video m= line and c= address");
        }
        MediaTransport transport = !tcp ? MediaTransport.UDP
                : "active".equals(setup) ? MediaTransport.TCP_ACTIVE : MediaTransport.TCP_PASSIVE;
        return new Offer(address, port, transport, ssrc);
    }

    /** The device's answer: PS on payload type 96, sendonly, TCP setup the inverse of the offer, the same y=. */
    static String answer(String channelId, String address, int port, MediaTransport transport, long ssrc) {
        StringBuilder sb = new StringBuilder(256);
        sb.append("v=0\r\n");
        sb.append("o=").append(channelId).append(" 0 0 IN IP4 ").append(address).append("\r\n");
        sb.append("s=Play\r\n");
        sb.append("c=IN IP4 ").append(address).append("\r\n");
        sb.append("t=0 0\r\n");
        sb.append("m=video ").append(port).append(transport == MediaTransport.UDP ? " RTP/AVP 96" : " TCP/RTP/AVP 96")
                .append("\r\n");
        if (transport == MediaTransport.TCP_PASSIVE) {
            sb.append("a=setup:active\r\na=connection:new\r\n");
        } else if (transport == MediaTransport.TCP_ACTIVE) {
            sb.append("a=setup:passive\r\na=connection:new\r\n");
        }
        sb.append("a=sendonly\r\n");
        sb.append("a=rtpmap:96 PS/90000\r\n");
        sb.append("y=").append(formatSsrc(ssrc)).append("\r\n");
        return sb.toString();
    }

    static String formatSsrc(long ssrc) {
        return String.format("%010d", ssrc);
    }
}
