package io.flux.media.protocol.gb28181.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Registered devices, in memory. A device is online from a successful REGISTER until it unregisters,
 * its registration expires, or it misses {@code maxMissed} keepalives in a row ({@code maxMissed x
 * interval} without one); a keepalive brings a device whose registration is still valid back online.
 * {@link #sweep()} applies the timeouts and returns what changed, so that the caller logs and counts it.
 */
final class DeviceRegistry {

    /** Why a device is offline; the label goes to logs and, later, to the API. */
    enum OfflineReason {
        UNREGISTERED("unregistered"),
        REGISTRATION_EXPIRED("registration_expired"),
        KEEPALIVE_TIMEOUT("keepalive_timeout");

        final String label;

        OfflineReason(String label) {
            this.label = label;
        }
    }

    /** A snapshot of one device. */
    record Device(String id, String transport, String host, int port, String contact, Instant registeredAt,
            Instant expiresAt, Instant lastSeen, boolean online, OfflineReason offlineReason) {
    }

    /** A device that went offline in a {@link #sweep()}. */
    record Change(String deviceId, OfflineReason reason) {
    }

    private final Clock clock;
    private final Duration keepaliveTimeout;
    private final Map<String, Device> devices = new ConcurrentHashMap<>();

    DeviceRegistry(Clock clock, Duration keepaliveInterval, int maxMissed) {
        this.clock = clock;
        this.keepaliveTimeout = keepaliveInterval.multipliedBy(Math.max(1, maxMissed));
    }

    /** Records a successful REGISTER; returns true when the device was not online before. */
    boolean register(String id, String transport, String host, int port, String contact, Duration expires) {
        Instant now = clock.instant();
        Device before = devices.put(id, new Device(id, transport, host, port, contact, now, now.plus(expires), now,
                true, null));
        return before == null || !before.online();
    }

    /** Removes a device's registration ({@code Expires: 0}); returns true when it was online. */
    boolean unregister(String id) {
        boolean[] wasOnline = {false};
        devices.computeIfPresent(id, (k, old) -> {
            wasOnline[0] = old.online();
            return offline(old, OfflineReason.UNREGISTERED);
        });
        return wasOnline[0];
    }

    private static Device offline(Device d, OfflineReason reason) {
        return new Device(d.id(), d.transport(), d.host(), d.port(), d.contact(), d.registeredAt(), d.expiresAt(),
                d.lastSeen(), false, reason);
    }

    /** Outcome of a keepalive. */
    enum KeepaliveResult {
        /** Accepted; the device was online already. */
        OK,
        /** Accepted; the device was offline (missed keepalives) and is online again. */
        BACK_ONLINE,
        /** Not registered (never, unregistered or expired): the device must REGISTER first. */
        NOT_REGISTERED,
        /** Registered from another address: refused, since MESSAGE carries no credentials. */
        WRONG_ADDRESS
    }

    KeepaliveResult keepalive(String id, String host) {
        Instant now = clock.instant();
        KeepaliveResult[] result = {KeepaliveResult.NOT_REGISTERED};
        devices.computeIfPresent(id, (k, d) -> {
            if (d.offlineReason() == OfflineReason.UNREGISTERED || !now.isBefore(d.expiresAt())) {
                return d;
            }
            if (!d.host().equals(host)) {
                result[0] = KeepaliveResult.WRONG_ADDRESS;
                return d;
            }
            result[0] = d.online() ? KeepaliveResult.OK : KeepaliveResult.BACK_ONLINE;
            return new Device(d.id(), d.transport(), d.host(), d.port(), d.contact(), d.registeredAt(),
                    d.expiresAt(), now, true, null);
        });
        return result[0];
    }

    /** Takes devices offline whose registration expired or whose keepalives stopped. */
    List<Change> sweep() {
        Instant now = clock.instant();
        List<Change> changes = new ArrayList<>();
        for (String id : devices.keySet()) {
            devices.computeIfPresent(id, (k, d) -> {
                if (!d.online()) {
                    return d;
                }
                OfflineReason reason = null;
                if (!now.isBefore(d.expiresAt())) {
                    reason = OfflineReason.REGISTRATION_EXPIRED;
                } else if (!now.isBefore(d.lastSeen().plus(keepaliveTimeout))) {
                    reason = OfflineReason.KEEPALIVE_TIMEOUT;
                }
                if (reason == null) {
                    return d;
                }
                changes.add(new Change(id, reason));
                return offline(d, reason);
            });
        }
        return changes;
    }

    Optional<Device> get(String id) {
        return Optional.ofNullable(devices.get(id));
    }

    Collection<Device> all() {
        return List.copyOf(devices.values());
    }

    int online() {
        int n = 0;
        for (Device d : devices.values()) {
            if (d.online()) {
                n++;
            }
        }
        return n;
    }
}
