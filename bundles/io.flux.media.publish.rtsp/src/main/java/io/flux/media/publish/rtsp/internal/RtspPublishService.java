package io.flux.media.publish.rtsp.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import io.flux.media.api.config.HotUpdatable;
import io.flux.media.api.metrics.MetricsRegistry;
import io.flux.media.api.sample.MediaSample;
import io.flux.media.api.stream.MediaListener;
import io.flux.media.api.stream.StreamId;
import io.flux.media.api.stream.StreamInfo;
import io.flux.media.api.stream.StreamRegistry;
import io.flux.media.api.streaming.StreamingServer;

/**
 * Publishes live streams of the configured protocols (GB28181 by default) to the streaming server as an RTSP
 * publisher, one {@link Publisher} per stream. One subscription to the media core receives every stream; those
 * whose protocol is listed get a publisher while publishing is enabled and a {@link StreamingServer} is bound.
 * The server reference is dynamic: without one nothing is published; when one appears, live streams start
 * publishing (from their next keyframe); when it goes, their publishers stop.
 */
@Component(service = RtspPublishService.class, configurationPid = RtspPublishService.Config.PID, immediate = true)
@Designate(ocd = RtspPublishService.Config.class)
@HotUpdatable({"enabled", "protocols", "rtsp.user", ".rtsp.password", "max.queued.gops", "keepalive.interval.s",
    "reconnect.max.backoff.s", "request.timeout.ms"})
public class RtspPublishService implements MediaListener {

    @ObjectClassDefinition(name = "Flux RTSP publisher", description = "Publishes live streams (GB28181 by "
            + "default) to the streaming server (MediaMTX) over RTSP (ANNOUNCE/RECORD), so that they play as "
            + "RTSP/RTMP/HLS/WebRTC/SRT.")
    public @interface Config {
        String PID = "io.flux.media.publish.rtsp";

        @AttributeDefinition(name = "Enabled", description = "Publish streams to the streaming server. Turning it "
                + "off stops every publish and removes their paths. Hot-updatable.")
        boolean enabled() default true;

        @AttributeDefinition(name = "Protocols", description = "Protocols (the stream's protocol label, e.g. "
                + "gb28181, rtsp, replay) whose streams are published. Hot-updatable.")
        String[] protocols() default {"gb28181"};

        @AttributeDefinition(name = "RTSP user", description = "User for the streaming server's RTSP publish "
                + "authentication (Basic or Digest); empty for none. Applies from the next connection. "
                + "Hot-updatable.")
        String rtsp_user() default "";

        @AttributeDefinition(name = "RTSP password", description = "Password of the RTSP user. Applies from the "
                + "next connection. Hot-updatable.", type = org.osgi.service.metatype.annotations.AttributeType.PASSWORD)
        String _rtsp_password() default "";

        @AttributeDefinition(name = "Queued GOPs", description = "How many GOPs one publisher may fall behind "
                + "before its oldest whole GOPs are dropped. Applies to publishers started afterwards. "
                + "Hot-updatable.", min = "1", max = "100")
        int max_queued_gops() default 4;

        @AttributeDefinition(name = "Keep-alive interval (s)", description = "How often a publish session sends "
                + "GET_PARAMETER (or OPTIONS) to the server; shortened to half the server's session timeout. "
                + "Applies from the next connection. Hot-updatable.", min = "1")
        int keepalive_interval_s() default 20;

        @AttributeDefinition(name = "Longest reconnect backoff (s)", description = "Reconnects after a failure "
                + "wait 1 s, doubling up to this. Hot-updatable.", min = "1")
        int reconnect_max_backoff_s() default 30;

        @AttributeDefinition(name = "RTSP request timeout (ms)", description = "Connect timeout and longest "
                + "wait for an RTSP answer. Applies from the next connection. Hot-updatable.", min = "100")
        int request_timeout_ms() default 10_000;
    }

    private static final Logger LOG = LoggerFactory.getLogger(RtspPublishService.class);
    private static final String SUBSCRIPTION = "rtsp-publish";
    private static final Duration STOP_WAIT = Duration.ofSeconds(10);

    private final StreamRegistry registry;
    private final PublishMetrics metrics = new PublishMetrics();
    private final int maxPayload;
    private final Object lock = new Object();
    /** Streams the subscription reported started and not ended, with their protocol label. */
    private final Map<StreamId, String> live = new HashMap<>();
    private final Map<StreamId, Publisher> publishers = new ConcurrentHashMap<>();
    /** Publishers told to stop and maybe still tearing down, by path: a successor waits for them. */
    private final Map<String, Publisher> retired = new HashMap<>();

    private volatile Settings settings;
    private volatile StreamingServer server;
    private boolean active;
    private boolean noServerLogged;
    private StreamRegistry.Subscription subscription;

    @Activate
    public RtspPublishService(@Reference StreamRegistry registry, Config config) {
        this(registry, config, RtpPacketizer.DEFAULT_MAX_PAYLOAD);
    }

    RtspPublishService(StreamRegistry registry, Config config, int maxPayload) {
        this.registry = registry;
        this.settings = Settings.of(config);
        this.maxPayload = maxPayload;
    }

    /** Runs after the dynamic references are bound. */
    @Activate
    void activate() {
        synchronized (lock) {
            active = true;
        }
        LOG.info("RTSP publisher started: {}", settings);
        if (settings.enabled()) {
            subscribe();
        }
    }

    @Modified
    void modified(Config config) {
        Settings old = settings;
        Settings now = Settings.of(config);
        settings = now;
        LOG.info("RTSP publisher settings now {}", now);
        if (old.enabled() && !now.enabled()) {
            unsubscribe();
            synchronized (lock) {
                live.clear();
                reconcile();
            }
        } else if (!old.enabled() && now.enabled()) {
            subscribe();
        } else if (now.enabled() && !old.protocols().equals(now.protocols())) {
            subscribe(); // the filter follows the protocols; live streams of added ones are announced again
            synchronized (lock) {
                reconcile();
            }
        } else {
            synchronized (lock) {
                reconcile();
            }
        }
    }

    @Deactivate
    void deactivate() {
        synchronized (lock) {
            active = false;
        }
        unsubscribe();
        List<Publisher> stopping;
        synchronized (lock) {
            live.clear();
            stopping = new ArrayList<>(publishers.values());
            stopping.addAll(retired.values());
            publishers.clear();
            retired.clear();
        }
        for (Publisher p : stopping) {
            p.stop(false);
        }
        // Give each its TEARDOWN and path removal, so a stopped bundle leaves no path behind.
        for (Publisher p : stopping) {
            try {
                if (!p.awaitStopped(STOP_WAIT)) {
                    LOG.warn("RTSP publisher of {} did not stop in time", p.id());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        metrics.unregister();
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindStreamingServer(StreamingServer streamingServer) {
        synchronized (lock) {
            server = streamingServer;
            noServerLogged = false;
            if (active) {
                LOG.info("Streaming server available: publishing live streams of {}", settings.protocols());
                reconcile();
            }
        }
    }

    void unbindStreamingServer(StreamingServer streamingServer) {
        synchronized (lock) {
            if (server == streamingServer) {
                server = null;
                if (active) {
                    LOG.info("Streaming server gone: RTSP publishing stops until it is back");
                }
                reconcile();
            }
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindMetrics(MetricsRegistry metricsRegistry) {
        metrics.bind(metricsRegistry);
    }

    void unbindMetrics(MetricsRegistry metricsRegistry) {
        metrics.unbind(metricsRegistry);
    }

    /** The bound streaming server, or null. */
    StreamingServer streamingServer() {
        return server;
    }

    /** The publisher of a stream, when it is being published (or trying to be). */
    Optional<Publisher> publisher(StreamId id) {
        return Optional.ofNullable(publishers.get(id));
    }

    PublishMetrics metrics() {
        return metrics;
    }

    // ---- MediaListener (the subscription's delivery thread: nothing here may block)

    @Override
    public void onStreamStart(StreamInfo stream) {
        String protocol = stream.protocol() == null || stream.protocol().isBlank() ? stream.id().protocol()
                : stream.protocol();
        synchronized (lock) {
            if (!active) {
                return;
            }
            live.put(stream.id(), protocol);
            Publisher old = publishers.remove(stream.id());
            if (old != null) {
                retire(old, false);
            }
            reconcile();
        }
    }

    @Override
    public void onSample(StreamId stream, MediaSample sample) {
        Publisher p = publishers.get(stream);
        if (p != null) {
            p.offer(sample);
        }
    }

    @Override
    public void onStreamEnd(StreamId stream) {
        synchronized (lock) {
            live.remove(stream);
            Publisher p = publishers.remove(stream);
            if (p != null) {
                // Send what is queued, then TEARDOWN and path removal.
                retire(p, true);
            }
        }
    }

    @Override
    public void onGopsDropped(StreamId stream, int gops) {
        try (var mdc = MDC.putCloseable("stream_id", stream.value())) {
            LOG.debug("Media core dropped {} GOP(s) for the RTSP publisher", gops);
        }
    }

    // ----

    private void subscribe() {
        // Stream ids are named by protocol (gb28181/...): the core then never queues other streams' samples here.
        StreamRegistry.Subscription s = registry.subscribe(SUBSCRIPTION,
                id -> settings.protocols().contains(id.protocol()), 0, this);
        StreamRegistry.Subscription previous;
        synchronized (lock) {
            previous = subscription;
            subscription = s;
        }
        if (previous != null) {
            previous.close();
        }
    }

    /** Outside the lock: closing may wait for the delivery thread, which takes the lock. */
    private void unsubscribe() {
        StreamRegistry.Subscription s;
        synchronized (lock) {
            s = subscription;
            subscription = null;
        }
        if (s != null) {
            s.close();
        }
    }

    /** Brings the publishers in line with the live streams, the settings and the bound server. Under the lock. */
    private void reconcile() {
        Settings s = settings;
        StreamingServer current = server;
        for (var it = publishers.entrySet().iterator(); it.hasNext();) {
            var e = it.next();
            Publisher p = e.getValue();
            if (!active || !s.publishes(live.get(e.getKey())) || p.server() != current) {
                it.remove();
                retire(p, false);
            }
        }
        retired.values().removeIf(p -> p.state() == Publisher.State.STOPPED);
        if (!active) {
            return;
        }
        for (var e : live.entrySet()) {
            StreamId id = e.getKey();
            if (!s.publishes(e.getValue()) || publishers.containsKey(id)) {
                continue;
            }
            if (current == null) {
                if (!noServerLogged) {
                    noServerLogged = true;
                    LOG.info("No streaming server available: stream {} (and others) not published until one "
                            + "appears", id);
                }
                continue;
            }
            String path = PathNames.of(id);
            Publisher p = new Publisher(id, path, current, () -> settings, registry::stream, metrics,
                    retired.get(path), maxPayload);
            publishers.put(id, p);
            p.start();
            try (var mdc = MDC.putCloseable("stream_id", id.value())) {
                LOG.info("Stream {} will be published to path {}", id, path);
            }
        }
    }

    private void retire(Publisher p, boolean drain) {
        p.stop(drain);
        retired.put(p.pathName(), p);
    }
}
