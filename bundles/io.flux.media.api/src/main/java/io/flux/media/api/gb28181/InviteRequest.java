package io.flux.media.api.gb28181;

/**
 * Body of {@code POST /gb28181/invite}. {@code transport}: {@code udp} (default when null), {@code tcp_passive}
 * (the device connects to the platform) or {@code tcp_active} (the platform connects to the device).
 */
public record InviteRequest(String device_id, String channel_id, String transport) {
}
