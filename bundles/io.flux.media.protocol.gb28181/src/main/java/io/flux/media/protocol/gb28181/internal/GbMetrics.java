package io.flux.media.protocol.gb28181.internal;

import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.flux.media.api.metrics.MetricsRegistry;

/**
 * The signalling metrics. The registry is optional and dynamic: counts made while none is bound are lost,
 * the online gauge is re-set on the next sweep. Label values are bounded: SIP methods outside
 * {@link #METHODS} count as {@code other}, statuses are response codes.
 */
final class GbMetrics {

    static final String SIP_REQUESTS = "sip_requests_total";
    static final String REGISTER_FAILURES = "gb28181_register_failures_total";
    static final String DEVICES_ONLINE = "gb28181_devices_online";
    static final String MESSAGES_REJECTED = "gb28181_messages_rejected_total";
    static final String SESSIONS_ACTIVE = "gb28181_sessions_active";
    static final String INVITES = "gb28181_invites_total";

    static final Set<String> METHODS = Set.of("REGISTER", "MESSAGE", "OPTIONS", "INVITE", "ACK", "BYE", "CANCEL",
            "INFO", "NOTIFY", "SUBSCRIBE");

    private static final Logger LOG = LoggerFactory.getLogger(GbMetrics.class);

    private record Handles(MetricsRegistry registry, MetricsRegistry.Counter requests,
            MetricsRegistry.Counter registerFailures, MetricsRegistry.Gauge online,
            MetricsRegistry.Counter rejected, MetricsRegistry.Gauge sessions, MetricsRegistry.Counter invites) {
    }

    private volatile Handles handles;

    synchronized void bind(MetricsRegistry registry) {
        try {
            handles = new Handles(registry,
                    registry.counter(SIP_REQUESTS, "SIP requests answered by the GB28181 server, by method and "
                            + "response status", "method", "status"),
                    registry.counter(REGISTER_FAILURES, "REGISTER requests refused, by reason: wrong_password, "
                            + "stale_nonce, malformed, blocked", "reason"),
                    registry.gauge(DEVICES_ONLINE, "GB28181 devices registered and keeping alive"),
                    registry.counter(MESSAGES_REJECTED, "MANSCDP bodies refused, by problem: too_large, doctype, "
                            + "charset, malformed", "problem"),
                    registry.gauge(SESSIONS_ACTIVE, "GB28181 live sessions (accepted by the device, not ended)"),
                    registry.counter(INVITES, "Live invites by result: ok, existing (an existing session returned), "
                            + "device_rejected, device_timeout, unavailable, device_offline, error", "result"));
        } catch (RuntimeException e) {
            LOG.warn("GB28181 metrics are not available: {}", e.getMessage());
            handles = null;
        }
    }

    synchronized void unbind(MetricsRegistry registry) {
        Handles h = handles;
        if (h != null && h.registry == registry) {
            handles = null;
        }
    }

    /** Removes the series at deactivation, so that a stopped server leaves none behind. */
    synchronized void unregister() {
        Handles h = handles;
        handles = null;
        if (h != null) {
            for (String name : List.of(SIP_REQUESTS, REGISTER_FAILURES, DEVICES_ONLINE, MESSAGES_REJECTED, SESSIONS_ACTIVE,
                    INVITES)) {
                h.registry.unregister(name);
            }
        }
    }

    void request(String method, int status) {
        Handles h = handles;
        if (h != null) {
            h.requests.inc(METHODS.contains(method) ? method : "other", Integer.toString(status));
        }
    }

    void registerFailure(DigestAuthenticator.Reason reason) {
        Handles h = handles;
        if (h != null) {
            h.registerFailures.inc(reason.label);
        }
    }

    void online(int devices) {
        Handles h = handles;
        if (h != null) {
            h.online.set(devices);
        }
    }

    void rejected(ManscdpXml.Problem problem) {
        Handles h = handles;
        if (h != null) {
            h.rejected.inc(problem.name().toLowerCase(Locale.ROOT));
        }
    }

    void sessions(int active) {
        Handles h = handles;
        if (h != null) {
            h.sessions.set(active);
        }
    }

    /** {@code result}: a bounded set of labels (see {@link #INVITES}). */
    void invite(String result) {
        Handles h = handles;
        if (h != null) {
            h.invites.inc(result);
        }
    }
}
