package io.flux.media.testing.gb28181;

/** How a session's RTP travels, named from the platform's side like the GB28181 API does. */
public enum MediaTransport {
    /** RTP over UDP to the offer's address and port. */
    UDP,
    /** The platform is passive ({@code a=setup:passive}): the device connects to the offer's port. */
    TCP_PASSIVE,
    /** The platform is active ({@code a=setup:active}): the device listens on its answered port. */
    TCP_ACTIVE
}
