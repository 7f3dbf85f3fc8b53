package io.flux.media.api.gb28181;

import java.time.Instant;

/**
 * A device as the platform knows it. Unknown fields are null (manufacturer and the like until a DeviceInfo
 * query answered).
 *
 * @param offline_reason {@code unregistered}, {@code registration_expired}, {@code keepalive_timeout},
 *                       {@code restarted} (known from the database, not registered since this server started);
 *                       null when online
 * @param transport      SIP transport of the registration, {@code UDP} or {@code TCP}
 */
public record DeviceView(String device_id, String name, boolean online, String offline_reason, String transport,
        String host, Integer port, String manufacturer, String model, String firmware, Instant registered_at,
        Instant expires_at, Instant last_seen, int channel_count) {
}
