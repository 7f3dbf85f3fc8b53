package io.flux.media.protocol.gb28181.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import io.flux.media.protocol.gb28181.internal.DeviceRegistry.Change;
import io.flux.media.protocol.gb28181.internal.DeviceRegistry.KeepaliveResult;
import io.flux.media.protocol.gb28181.internal.DeviceRegistry.OfflineReason;

class DeviceRegistryTest {

    static final String A = "34020000001320000001";
    static final String B = "34020000001320000002";

    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T08:00:00Z"));
    private final DeviceRegistry devices = new DeviceRegistry(clock, Duration.ofSeconds(60), 3);

    @Test
    void keepaliveFromAnotherAddressIsRefused() {
        devices.register(A, "UDP", "10.0.0.5", 5060, "sip:" + A + "@10.0.0.5:5060", Duration.ofHours(1));

        assertThat(devices.keepalive(A, "10.0.0.6")).isEqualTo(KeepaliveResult.WRONG_ADDRESS);
        assertThat(devices.keepalive(A, "10.0.0.5")).isEqualTo(KeepaliveResult.OK);
        assertThat(devices.keepalive(B, "10.0.0.5")).isEqualTo(KeepaliveResult.NOT_REGISTERED);
    }

    @Test
    void sweepReportsEachDeviceOnceWithItsReason() {
        devices.register(A, "UDP", "10.0.0.5", 5060, null, Duration.ofSeconds(120));
        devices.register(B, "TCP", "10.0.0.6", 5060, null, Duration.ofHours(1));

        clock.advance(Duration.ofSeconds(170));
        assertThat(devices.keepalive(B, "10.0.0.6")).isEqualTo(KeepaliveResult.OK);
        assertThat(devices.sweep()).containsExactly(new Change(A, OfflineReason.REGISTRATION_EXPIRED));
        assertThat(devices.sweep()).isEmpty();
        assertThat(devices.online()).isEqualTo(1);

        clock.advance(Duration.ofSeconds(179));
        assertThat(devices.sweep()).isEmpty();
        clock.advance(Duration.ofSeconds(1));
        assertThat(devices.sweep()).containsExactly(new Change(B, OfflineReason.KEEPALIVE_TIMEOUT));
        assertThat(devices.online()).isZero();
        // An expired registration is not revived by a keepalive; a missed-keepalive one is.
        assertThat(devices.keepalive(A, "10.0.0.5")).isEqualTo(KeepaliveResult.NOT_REGISTERED);
        assertThat(devices.keepalive(B, "10.0.0.6")).isEqualTo(KeepaliveResult.BACK_ONLINE);
    }

    @Test
    void reRegistrationOfAnOnlineDeviceIsARefresh() {
        assertThat(devices.register(A, "UDP", "10.0.0.5", 5060, null, Duration.ofHours(1))).isTrue();
        assertThat(devices.register(A, "UDP", "10.0.0.5", 5060, null, Duration.ofHours(1))).isFalse();
        assertThat(devices.unregister(A)).isTrue();
        assertThat(devices.unregister(A)).isFalse();
        assertThat(devices.register(A, "UDP", "10.0.0.5", 5060, null, Duration.ofHours(1))).isTrue();
    }
}
