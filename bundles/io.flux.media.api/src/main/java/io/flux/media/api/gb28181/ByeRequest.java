package io.flux.media.api.gb28181;

/** Body of {@code POST /gb28181/bye}: either {@code call_id}, or {@code device_id} and {@code channel_id}. */
public record ByeRequest(String device_id, String channel_id, String call_id) {
}
