package io.flux.media.api.gb28181;

/** A DeviceInfo answer; fields the device left out are null. */
public record DeviceInfoResult(String device_id, String name, String manufacturer, String model, String firmware,
        Integer channels, String result) {
}
