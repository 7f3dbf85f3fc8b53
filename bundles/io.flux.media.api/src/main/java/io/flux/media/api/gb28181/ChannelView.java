package io.flux.media.api.gb28181;

import java.time.Instant;

/**
 * A catalog item of a device.
 *
 * @param status {@code ON}/{@code OFF} as the device reported it (upper-cased), null when absent
 */
public record ChannelView(String device_id, String channel_id, String name, String manufacturer, String model,
        String status, String parent_id, String address, Double longitude, Double latitude, Instant updated_at) {
}
