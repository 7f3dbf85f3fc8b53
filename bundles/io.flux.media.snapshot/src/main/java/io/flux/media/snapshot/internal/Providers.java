package io.flux.media.snapshot.internal;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import io.flux.media.api.snapshot.SnapshotMode;
import io.flux.media.api.snapshot.SnapshotProvider;

/**
 * The snapshot providers currently registered, by the mode their {@code flux.snapshot.mode} property names.
 * With several for one mode, the highest {@code service.ranking} wins, then the oldest registration.
 */
final class Providers {

    record Registered(SnapshotProvider provider, SnapshotMode mode, int ranking, long serviceId) {
    }

    private static final Comparator<Registered> PREFERENCE = Comparator.comparingInt(Registered::ranking).reversed()
            .thenComparingLong(Registered::serviceId);

    private final List<Registered> registered = new CopyOnWriteArrayList<>();

    /** Adds a provider; returns false (and ignores it) when its mode is neither keyframe nor decode. */
    boolean add(SnapshotProvider provider, Map<String, ?> properties) {
        SnapshotMode mode = modeOf(provider, properties);
        if (mode != SnapshotMode.KEYFRAME && mode != SnapshotMode.DECODE) {
            return false;
        }
        registered.add(new Registered(provider, mode, intProperty(properties.get("service.ranking")),
                longProperty(properties.get("service.id"))));
        return true;
    }

    void remove(SnapshotProvider provider) {
        registered.removeIf(r -> r.provider == provider);
    }

    /** The preferred provider for {@code mode}, or null. */
    SnapshotProvider best(SnapshotMode mode) {
        return registered.stream().filter(r -> r.mode == mode).min(PREFERENCE).map(Registered::provider).orElse(null);
    }

    static SnapshotMode modeOf(SnapshotProvider provider, Map<String, ?> properties) {
        Object declared = properties.get(SnapshotProvider.MODE);
        if (declared != null) {
            try {
                return SnapshotMode.valueOf(declared.toString().trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        try {
            return provider.mode();
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static int intProperty(Object o) {
        return o instanceof Integer i ? i : 0;
    }

    private static long longProperty(Object o) {
        return o instanceof Long l ? l : Long.MAX_VALUE;
    }
}
