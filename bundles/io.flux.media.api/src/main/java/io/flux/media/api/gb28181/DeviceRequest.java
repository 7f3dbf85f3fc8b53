package io.flux.media.api.gb28181;

/** Body of {@code POST /gb28181/catalog}, {@code /device-info} and {@code /device-status}. */
public record DeviceRequest(String device_id) {
}
