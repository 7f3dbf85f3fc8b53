package io.flux.media.testing.gb28181;

/** How the simulated devices carry SIP. */
public enum SimTransport {
    /** One UDP socket shared by every device of the simulator. */
    UDP,
    /** One TCP connection per device (plus a listening socket on the same port for connections from the platform). */
    TCP
}
