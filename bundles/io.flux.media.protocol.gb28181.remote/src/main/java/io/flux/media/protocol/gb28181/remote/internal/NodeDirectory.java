package io.flux.media.protocol.gb28181.remote.internal;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JavaType;

import io.flux.media.api.config.HotUpdatable;
import io.flux.media.api.gb28181.DeviceView;
import io.flux.media.api.gb28181.Gb28181Exception;
import io.flux.media.api.gb28181.Gb28181Exception.Reason;
import io.flux.media.api.gb28181.SessionView;

/**
 * The media nodes of the remote backend and which node holds which device. Devices are learned from every node's
 * {@code GET /gb28181/devices}: periodically, on every device list, and when a call names a device not seen yet.
 * A node that cannot be reached keeps its last known devices, so their calls fail with 503 naming the node
 * instead of a misleading 404.
 * <p>
 * Disabled by default, like the backend and the filters that reference it: {@link RemoteModeGate} enables them
 * when the GB28181 backend is {@code remote}.
 */
@Component(service = NodeDirectory.class, configurationPid = NodeDirectory.Config.PID, enabled = false)
@Designate(ocd = NodeDirectory.Config.class)
@HotUpdatable({ ".token", "request.timeout.ms", "get.retries", "retry.backoff.ms" })
public class NodeDirectory {

    @ObjectClassDefinition(name = "Flux GB28181 remote backend",
            description = "Forwards /api/v1/gb28181/* and the snapshot and recording requests of gb28181 streams to "
                    + "flux-gb28181d media nodes, routing by device. Active when backend=remote in PID "
                    + "io.flux.media.protocol.gb28181.")
    public @interface Config {
        String PID = "io.flux.media.protocol.gb28181.remote";

        @AttributeDefinition(name = "Node URLs",
                description = "Base URL of each flux-gb28181d node (e.g. http://10.0.0.5:8090), comma-separated. "
                        + "Restart-only.")
        String base_url() default "";

        @AttributeDefinition(name = "Node token", type = AttributeType.PASSWORD, required = false,
                description = "Bearer token the nodes accept (their FLUX_GB28181D_TOKEN); configuration key .token. "
                        + "Hot-updatable.")
        String _token() default "";

        @AttributeDefinition(name = "Connect timeout (ms)", min = "100",
                description = "Time to open a connection to a node; past it the node is unreachable (503). "
                        + "Restart-only.")
        int connect_timeout_ms() default 2000;

        @AttributeDefinition(name = "Request timeout (ms)", min = "100",
                description = "Time a node has to answer a call (504 past it). Must exceed the node's query and "
                        + "INVITE timeouts. Hot-updatable.")
        int request_timeout_ms() default 30000;

        @AttributeDefinition(name = "GET retries", min = "0", max = "10",
                description = "Extra attempts of a GET after a transport failure or timeout, with exponential "
                        + "backoff. POSTs are never retried. Hot-updatable.")
        int get_retries() default 2;

        @AttributeDefinition(name = "Retry backoff (ms)", min = "0",
                description = "Wait before the first retry; doubled for each further one (at most 2 s). "
                        + "Hot-updatable.")
        int retry_backoff_ms() default 200;

        @AttributeDefinition(name = "Device map refresh (s)", min = "1",
                description = "How often the device-to-node map is read from every node. Restart-only.")
        int refresh_interval_s() default 30;
    }

    /** A node's devices as last read, and whether that read worked. */
    record NodeDevices(NodeClient node, List<DeviceView> devices, Gb28181Exception failure) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(NodeDirectory.class);
    private static final JavaType DEVICE_LIST = NodeClient.JSON.getTypeFactory()
            .constructCollectionType(List.class, DeviceView.class);
    /** On-demand refreshes (unknown device) at most this often, so random ids cannot flood the nodes. */
    private static final Duration MIN_ON_DEMAND_REFRESH = Duration.ofMillis(500);

    private final Map<String, NodeClient> nodes;
    private final Map<String, String> deviceNode = new ConcurrentHashMap<>();
    private final Map<String, List<DeviceView>> lastDevices = new ConcurrentHashMap<>();
    private final Map<String, String> callNode = new ConcurrentHashMap<>();
    private final ScheduledExecutorService refresher;
    private volatile long lastRefreshNanos;

    @Activate
    public NodeDirectory(Config config) {
        this(config, true);
    }

    NodeDirectory(Config config, boolean refreshInBackground) {
        List<URI> urls = parse(config.base_url());
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofMillis(config.connect_timeout_ms()))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        Map<String, NodeClient> byName = new LinkedHashMap<>();
        for (URI url : urls) {
            NodeClient node = new NodeClient(url, http, settings(config));
            byName.put(node.name(), node);
        }
        this.nodes = Map.copyOf(byName);
        if (config._token().isBlank()) {
            LOG.warn("GB28181 remote backend: no node token (.token of {}): the nodes will refuse every call",
                    Config.PID);
        }
        LOG.info("GB28181 remote backend: {} node(s) {}", nodes.size(), byName.keySet());
        if (refreshInBackground) {
            refresher = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "flux-gb28181-node-map");
                t.setDaemon(true);
                return t;
            });
            refresher.scheduleWithFixedDelay(this::refreshQuietly, 0, config.refresh_interval_s(), TimeUnit.SECONDS);
        } else {
            refresher = null;
        }
    }

    @Modified
    void modified(Config config) {
        NodeClient.Settings s = settings(config);
        nodes.values().forEach(n -> n.settings(s));
        LOG.info("GB28181 remote backend settings updated");
    }

    @Deactivate
    void deactivate() {
        if (refresher != null) {
            refresher.shutdownNow();
        }
    }

    static List<URI> parse(String baseUrls) {
        List<URI> urls = new ArrayList<>();
        for (String part : baseUrls.split(",")) {
            String s = part.strip();
            if (s.isEmpty()) {
                continue;
            }
            URI uri;
            try {
                uri = URI.create(s);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("base.url of " + Config.PID + ": '" + s + "' is not a URL", e);
            }
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                throw new IllegalArgumentException("base.url of " + Config.PID + ": '" + s
                        + "' must be an http:// or https:// URL with a host");
            }
            urls.add(uri);
        }
        if (urls.isEmpty()) {
            throw new IllegalArgumentException("backend=remote but base.url of " + Config.PID
                    + " names no node: set it to the node URL(s), e.g. http://10.0.0.5:8090");
        }
        return urls;
    }

    private static NodeClient.Settings settings(Config config) {
        return new NodeClient.Settings(config._token().strip(), Duration.ofMillis(config.request_timeout_ms()),
                config.get_retries(), Duration.ofMillis(config.retry_backoff_ms()));
    }

    /** Every node, in configuration order. */
    List<NodeClient> nodes() {
        return List.copyOf(nodes.values());
    }

    /**
     * Reads every node's device list and updates the map. A node that fails keeps its last devices in the map;
     * its failure is in the result. A refused token or another non-transport error is a failure too.
     */
    List<NodeDevices> refresh() {
        List<NodeDevices> result = new ArrayList<>();
        for (NodeClient node : nodes()) {
            try {
                List<DeviceView> devices = node.get("gb28181/devices", DEVICE_LIST);
                lastDevices.put(node.name(), List.copyOf(devices));
                // A device that moved to another node is re-pointed; one that left this node is dropped.
                java.util.Set<String> ids = new java.util.HashSet<>();
                devices.forEach(d -> ids.add(d.device_id()));
                deviceNode.entrySet().removeIf(e -> e.getValue().equals(node.name()) && !ids.contains(e.getKey()));
                devices.forEach(d -> deviceNode.put(d.device_id(), node.name()));
                result.add(new NodeDevices(node, devices, null));
            } catch (Gb28181Exception e) {
                result.add(new NodeDevices(node, lastDevices.getOrDefault(node.name(), List.of()), e));
            }
        }
        lastRefreshNanos = System.nanoTime();
        return result;
    }

    private void refreshQuietly() {
        try {
            for (NodeDevices n : refresh()) {
                if (n.failure() != null) {
                    LOG.warn("device map: {}", n.failure().getMessage());
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("device map refresh failed: {}", e.toString());
        }
    }

    /**
     * The node holding a device. An unknown device triggers a refresh (rate-limited); a device found on no node
     * while some node is unreachable is UNAVAILABLE naming those nodes, since it may be on one of them.
     */
    Optional<NodeClient> nodeFor(String deviceId) {
        String name = deviceNode.get(deviceId);
        if (name != null) {
            return Optional.of(nodes.get(name));
        }
        List<NodeDevices> refreshed = null;
        if (System.nanoTime() - lastRefreshNanos >= MIN_ON_DEMAND_REFRESH.toNanos()) {
            refreshed = refresh();
        }
        name = deviceNode.get(deviceId);
        if (name != null) {
            return Optional.of(nodes.get(name));
        }
        if (refreshed != null) {
            List<String> down = refreshed.stream().filter(n -> n.failure() != null)
                    .map(n -> n.failure().getMessage()).toList();
            if (!down.isEmpty()) {
                throw new Gb28181Exception(Reason.UNAVAILABLE, "device " + deviceId + " is on no reachable GB28181 "
                        + "node; " + String.join("; ", down));
            }
        }
        return Optional.empty();
    }

    /** Remembers which node holds a live session; an ended one is forgotten, so the map stays as small as the live set. */
    void noteSession(SessionView s, NodeClient node) {
        if (s.call_id() == null) {
            return;
        }
        if (s.ended_at() == null) {
            callNode.put(s.call_id(), node.name());
        } else {
            callNode.remove(s.call_id());
        }
    }

    Optional<NodeClient> nodeForCall(String callId) {
        return Optional.ofNullable(callNode.get(callId)).map(nodes::get);
    }
}
