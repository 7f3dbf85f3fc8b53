package io.flux.media.publish.rtsp.internal;

import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/** The configuration in force, as plain values. */
record Settings(boolean enabled, Set<String> protocols, String user, String password, int maxQueuedGops,
        Duration keepalive, Duration maxBackoff, Duration requestTimeout) {

    static Settings of(RtspPublishService.Config c) {
        Set<String> protocols = Arrays.stream(c.protocols() == null ? new String[0] : c.protocols())
                .map(p -> p.trim().toLowerCase(Locale.ROOT)).filter(p -> !p.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
        return new Settings(c.enabled(), protocols, c.rtsp_user().trim(), c._rtsp_password(),
                Math.max(1, c.max_queued_gops()), Duration.ofSeconds(Math.max(1, c.keepalive_interval_s())),
                Duration.ofSeconds(Math.max(1, c.reconnect_max_backoff_s())),
                Duration.ofMillis(Math.max(100, c.request_timeout_ms())));
    }

    boolean publishes(String protocol) {
        return enabled && protocol != null && protocols.contains(protocol.toLowerCase(Locale.ROOT));
    }

    /** Never the password. */
    @Override
    public String toString() {
        return "Settings[enabled=" + enabled + ", protocols=" + protocols + ", user=" + (user.isEmpty() ? "-" : user)
                + ", password=" + (password.isEmpty() ? "-" : "***") + ", maxQueuedGops=" + maxQueuedGops
                + ", keepalive=" + keepalive + ", maxBackoff=" + maxBackoff + ", requestTimeout=" + requestTimeout
                + "]";
    }
}
