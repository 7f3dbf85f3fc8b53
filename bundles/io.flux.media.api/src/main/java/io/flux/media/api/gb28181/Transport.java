package io.flux.media.api.gb28181;

import java.util.Locale;

/** How RTP travels from the device to the platform. */
public enum Transport {
    /** RTP over UDP to the platform's media port. */
    UDP,
    /** RFC 4571 over TCP; the device connects to the platform's media port ({@code a=setup:passive} offered). */
    TCP_PASSIVE,
    /** RFC 4571 over TCP; the platform connects to the device's port ({@code a=setup:active} offered). */
    TCP_ACTIVE;

    /** The API name: {@code udp}, {@code tcp_passive}, {@code tcp_active}. */
    public String apiName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses an API name; null means {@code udp}. */
    public static Transport parse(String value) {
        if (value == null) {
            return UDP;
        }
        for (Transport t : values()) {
            if (t.apiName().equals(value)) {
                return t;
            }
        }
        throw new Gb28181Exception(Gb28181Exception.Reason.INVALID,
                "transport must be udp, tcp_passive or tcp_active, got '" + value + "'");
    }
}
