package io.flux.media.protocol.gb28181.internal;

import java.util.Locale;

import io.flux.media.api.gb28181.Transport;

/** The SDP of a GB28181 live INVITE: the platform's offer and the parts of the device's answer it needs. */
final class Sdp {

    private Sdp() {
    }

    /**
     * The offer: {@code s=Play}, the media address and port, PS/MPEG4/H264 payload types, {@code a=recvonly},
     * for TCP the RFC 4145 setup role the platform takes, and {@code y=} with the 10-digit SSRC.
     */
    static String offer(String platformId, String mediaIp, int port, Transport transport, String ssrc) {
        String ipVersion = mediaIp.indexOf(':') >= 0 ? "IP6" : "IP4";
        StringBuilder sb = new StringBuilder();
        sb.append("v=0\r\n");
        sb.append("o=").append(platformId).append(" 0 0 IN ").append(ipVersion).append(' ').append(mediaIp)
                .append("\r\n");
        sb.append("s=Play\r\n");
        sb.append("c=IN ").append(ipVersion).append(' ').append(mediaIp).append("\r\n");
        sb.append("t=0 0\r\n");
        // RFC 4145 section 4: the active side announces the discard port 9; port 0 would mean "stream disabled".
        sb.append("m=video ").append(transport == Transport.TCP_ACTIVE ? 9 : port)
                .append(transport == Transport.UDP ? " RTP/AVP" : " TCP/RTP/AVP")
                .append(" 96 97 98\r\n");
        sb.append("a=recvonly\r\n");
        sb.append("a=rtpmap:96 PS/90000\r\n");
        sb.append("a=rtpmap:97 MPEG4/90000\r\n");
        sb.append("a=rtpmap:98 H264/90000\r\n");
        switch (transport) {
            // passive: the platform listens, the device connects; active: the platform connects to the device.
            case TCP_PASSIVE -> sb.append("a=setup:passive\r\na=connection:new\r\n");
            case TCP_ACTIVE -> sb.append("a=setup:active\r\na=connection:new\r\n");
            case UDP -> {
                // nothing
            }
        }
        sb.append("y=").append(ssrc).append("\r\n");
        return sb.toString();
    }

    /** What the platform needs from the device's answer. {@code ssrc} null when it sent no {@code y=}. */
    record Answer(String address, int port, String ssrc, String setup) {
    }

    /** Parses an answer; throws {@link IllegalArgumentException} naming what is missing. */
    static Answer parse(String sdp) {
        if (sdp == null || sdp.isBlank()) {
            throw new IllegalArgumentException("no SDP in the answer");
        }
        String sessionAddress = null;
        String mediaAddress = null;
        int port = -1;
        boolean inVideo = false;
        String ssrc = null;
        String setup = null;
        for (String raw : sdp.split("\r?\n")) {
            String line = raw.strip();
            if (line.length() < 2 || line.charAt(1) != '=') {
                continue;
            }
            String value = line.substring(2).strip();
            switch (line.charAt(0)) {
                case 'm' -> {
                    String[] f = value.split("\\s+");
                    inVideo = f.length >= 2 && f[0].equalsIgnoreCase("video") && port < 0;
                    if (inVideo) {
                        try {
                            port = Integer.parseInt(f[1].contains("/") ? f[1].substring(0, f[1].indexOf('/')) : f[1]);
                        } catch (NumberFormatException e) {
                            throw new IllegalArgumentException("unreadable m= port '" + f[1] + "'");
                        }
                    }
                }
                case 'c' -> {
                    String[] f = value.split("\\s+");
                    if (f.length >= 3) {
                        String addr = f[2].contains("/") ? f[2].substring(0, f[2].indexOf('/')) : f[2];
                        if (inVideo) {
                            mediaAddress = addr;
                        } else if (port < 0) {
                            sessionAddress = addr;
                        }
                    }
                }
                case 'y' -> ssrc = value;
                case 'a' -> {
                    if (value.toLowerCase(Locale.ROOT).startsWith("setup:")) {
                        setup = value.substring(6).strip();
                    }
                }
                default -> {
                    // other lines do not matter here
                }
            }
        }
        String address = mediaAddress != null ? mediaAddress : sessionAddress;
        if (address == null) {
            throw new IllegalArgumentException("no c= line");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("no m=video line");
        }
        return new Answer(address, port, ssrc, setup);
    }
}
