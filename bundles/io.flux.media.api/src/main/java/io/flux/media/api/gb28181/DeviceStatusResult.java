package io.flux.media.api.gb28181;

/**
 * A DeviceStatus answer; fields the device left out are null.
 *
 * @param online      the device's {@code Online} field ({@code ONLINE}/{@code OFFLINE})
 * @param status      its {@code Status} field ({@code OK}/{@code ERROR})
 * @param device_time its {@code DeviceTime}, as sent
 */
public record DeviceStatusResult(String device_id, String online, String status, String encode, String record,
        String device_time, String result) {
}
