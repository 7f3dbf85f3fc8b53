package io.flux.media.testing.gb28181;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A set of simulated GB28181 devices talking to one platform. All devices share one SIP socket (UDP) or listening
 * port (TCP), one selector thread, one timer thread and one RTP pacer, so thousands of devices and hundreds of
 * streams fit in one JVM.
 *
 * <pre>{@code
 * try (GbSimulator sim = GbSimulator.builder().server("127.0.0.1", 5060).transport(SimTransport.UDP)
 *         .localAddress("127.0.0.1").media(PsMediaFile.load(path)).build()) {
 *     SimDevice d = sim.addDevice("34020000001320000001", "secret", 2);
 *     d.register();
 *     d.awaitRegistered(Duration.ofSeconds(5));
 * }
 * }</pre>
 */
public final class GbSimulator implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GbSimulator.class);

    private final Builder config;
    private final InetAddress localAddress;
    private final String localHost;
    private final SimStats stats = new SimStats();
    private final ScheduledThreadPoolExecutor timer;
    private final Reactor reactor;
    private final SipStack stack;
    private final RtpPacer pacer;
    private final Map<String, SimDevice> routes = new ConcurrentHashMap<>();
    private final List<SimDevice> devices = new CopyOnWriteArrayList<>();
    private final AtomicLong channelSequence = new AtomicLong(1);
    private volatile boolean closed;

    private GbSimulator(Builder b) throws IOException {
        this.config = b;
        InetSocketAddress server = new InetSocketAddress(b.serverHost, b.serverPort);
        if (server.isUnresolved()) {
            throw new IOException("cannot resolve " + b.serverHost);
        }
        localAddress = b.localAddress != null ? InetAddress.getByName(b.localAddress) : routeTo(server);
        if (localAddress.isAnyLocalAddress()) {
            throw new IllegalArgumentException("localAddress must be a concrete address (it goes into SIP and SDP)");
        }
        localHost = localAddress.getHostAddress();
        AtomicInteger n = new AtomicInteger();
        timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "flux-sim-timer-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
        Reactor r = null;
        SipStack s = null;
        try {
            r = new Reactor("flux-sim-io");
            s = new SipStack(r, timer, new InetSocketAddress(localAddress, b.localPort), b.transport, server,
                    b.transactionTimeout, this::route, stats);
            pacer = new RtpPacer(b.mediaThreads, localAddress, stats);
        } catch (IOException | RuntimeException e) {
            if (s != null) {
                s.close();
            }
            if (r != null) {
                r.close();
            }
            timer.shutdownNow();
            throw e;
        }
        reactor = r;
        stack = s;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The local address the platform would use to reach us on the way to {@code server} (no packet is sent). */
    private static InetAddress routeTo(InetSocketAddress server) throws IOException {
        try (DatagramSocket probe = new DatagramSocket()) {
            probe.connect(server);
            return probe.getLocalAddress();
        }
    }

    /**
     * Adds a device whose channels get generated ids: the device id's first 10 digits (its domain), type 131
     * (camera) and a sequence number unique within this simulator. Channel names are "通道1", "通道2", ...
     */
    public SimDevice addDevice(String id, String password, int channels) {
        if (channels < 0) {
            throw new IllegalArgumentException("channels < 0");
        }
        checkId(id);
        List<String> ids = new ArrayList<>(channels);
        for (int i = 0; i < channels; i++) {
            ids.add(id.substring(0, 10) + "131" + String.format("%07d", channelSequence.getAndIncrement() % 10_000_000));
        }
        return addDevice(id, password, ids);
    }

    /** Adds a device with the given channel ids (20 digits each). */
    public SimDevice addDevice(String id, String password, List<String> channelIds) {
        checkId(id);
        channelIds.forEach(GbSimulator::checkId);
        Objects.requireNonNull(password, "password");
        SimDevice d = new SimDevice(this, id, password, channelIds);
        synchronized (routes) {
            if (routes.containsKey(id) || channelIds.stream().anyMatch(routes::containsKey)) {
                throw new IllegalArgumentException("device or channel id already in use: " + id);
            }
            routes.put(id, d);
            channelIds.forEach(c -> routes.put(c, d));
        }
        devices.add(d);
        return d;
    }

    private static void checkId(String id) {
        if (id == null || !id.matches("\\d{20}")) {
            throw new IllegalArgumentException("GB28181 ids have 20 digits: " + id);
        }
    }

    public SimDevice device(String id) {
        SimDevice d = routes.get(id);
        return d != null && d.id().equals(id) ? d : null;
    }

    public List<SimDevice> devices() {
        return List.copyOf(devices);
    }

    /**
     * Registers every device not registered yet, spread at {@code perSecond} registrations per second (the first
     * at once). Returns immediately.
     */
    public void registerAll(double perSecond) {
        if (!(perSecond > 0)) {
            throw new IllegalArgumentException("rate must be positive");
        }
        long i = 0;
        for (SimDevice d : devices) {
            if (d.state() == SimDevice.State.REGISTERED || d.state() == SimDevice.State.REGISTERING) {
                continue;
            }
            long delayMicros = (long) (i++ * 1_000_000 / perSecond);
            timer.schedule(d::register, delayMicros, TimeUnit.MICROSECONDS);
        }
    }

    /** Counters over all devices. */
    public SimCounters counters() {
        int registered = 0;
        int sessions = 0;
        for (SimDevice d : devices) {
            if (d.registered()) {
                registered++;
            }
            sessions += d.openSessions();
        }
        return stats.snapshot(devices.size(), registered, sessions);
    }

    /** The local SIP address (the shared UDP socket, or the TCP listening socket). */
    public InetSocketAddress localSipAddress() {
        return stack.localAddress();
    }

    /**
     * Stops every device (BYE for open sessions, REGISTER with Expires: 0), waits up to the close timeout for the
     * answers, then releases sockets and threads.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<CompletableFuture<Void>> stops = new ArrayList<>();
        for (SimDevice d : devices) {
            stops.add(d.stop());
        }
        try {
            CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new))
                    .get(config.closeTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warn("not every device confirmed its unregistration within {}", config.closeTimeout);
        } catch (ExecutionException e) {
            LOG.debug("stop failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        pacer.close();
        stack.close();
        reactor.close();
        timer.shutdownNow();
    }

    // ---- shared parts, for the devices ------------------------------------------------------------------------

    SipStack stack() {
        return stack;
    }

    ScheduledExecutorService timer() {
        return timer;
    }

    Reactor reactor() {
        return reactor;
    }

    RtpPacer pacer() {
        return pacer;
    }

    SimStats stats() {
        return stats;
    }

    PsMediaFile media() {
        return config.media;
    }

    InetAddress localAddress() {
        return localAddress;
    }

    String localHost() {
        return localHost;
    }

    String contactHostPort() {
        return localHost + ":" + stack.localAddress().getPort();
    }

    String platformId() {
        return config.platformId;
    }

    String domain() {
        return config.domain;
    }

    String registrarUri() {
        return "sip:" + config.platformId + "@" + config.domain;
    }

    int registerExpires() {
        return config.registerExpires;
    }

    Duration keepaliveInterval() {
        return config.keepaliveInterval;
    }

    Duration registerRetry() {
        return config.registerRetry;
    }

    int catalogPageSize() {
        return config.catalogPageSize;
    }

    int maxSessionsPerDevice() {
        return config.maxSessionsPerDevice;
    }

    Manscdp.DeviceFacts facts(String deviceId) {
        return new Manscdp.DeviceFacts("FluxSim " + deviceId, config.manufacturer, config.model, config.firmware);
    }

    private void route(SipMessage req, SipStack.ServerTransaction tx) {
        String user = SipMessage.user(req.requestUri());
        SimDevice d = user == null ? null : routes.get(user);
        if (d == null) {
            user = SipMessage.user(req.header("To"));
            d = user == null ? null : routes.get(user);
        }
        if (d == null) {
            if (tx != null) {
                tx.respond(SipMessage.responseTo(req, 404, "Not Found", SimDevice.tag()));
            }
            return;
        }
        try {
            d.onRequest(req, tx, user);
        } catch (RuntimeException e) {
            LOG.warn("handling {} failed", req, e);
            if (tx != null) {
                tx.respond(SipMessage.responseTo(req, 500, "Server Internal Error", SimDevice.tag()));
            }
        }
    }

    /** Settings of a simulator; every one but the server has a default. */
    public static final class Builder {
        private String serverHost;
        private int serverPort = 5060;
        private SimTransport transport = SimTransport.UDP;
        private String localAddress;
        private int localPort;
        private String platformId = "34020000002000000001";
        private String domain = "3402000000";
        private int registerExpires = 3600;
        private Duration keepaliveInterval = Duration.ofSeconds(60);
        private Duration transactionTimeout = Duration.ofSeconds(32);
        private Duration registerRetry = Duration.ofSeconds(30);
        private Duration closeTimeout = Duration.ofSeconds(5);
        private int catalogPageSize = 20;
        private int maxSessionsPerDevice = 16;
        private PsMediaFile media;
        private int mediaThreads = Math.min(2, Runtime.getRuntime().availableProcessors());
        private String manufacturer = "FluxSim";
        private String model = "FluxSim-IPC";
        private String firmware = "1.0.0";

        private Builder() {
        }

        /** The platform's SIP address (required). */
        public Builder server(String host, int port) {
            this.serverHost = Objects.requireNonNull(host);
            this.serverPort = checkPort(port);
            return this;
        }

        public Builder transport(SimTransport t) {
            this.transport = Objects.requireNonNull(t);
            return this;
        }

        /** The address to bind and to announce in Via, Contact and SDP; default: the route to the server. */
        public Builder localAddress(String address) {
            this.localAddress = address;
            return this;
        }

        /** The local SIP port; default 0 (any free port). */
        public Builder localPort(int port) {
            this.localPort = port == 0 ? 0 : checkPort(port);
            return this;
        }

        /** The platform's 20-digit SIP id (Request-URI and To of REGISTER and MESSAGE). */
        public Builder platformId(String id) {
            checkId(id);
            this.platformId = id;
            return this;
        }

        /** The SIP domain (10 digits), host part of the devices' URIs. */
        public Builder domain(String d) {
            this.domain = Objects.requireNonNull(d);
            return this;
        }

        /** Expires asked for in REGISTER (seconds; the server may grant less). */
        public Builder registerExpires(int seconds) {
            if (seconds < 1) {
                throw new IllegalArgumentException("expires < 1");
            }
            this.registerExpires = seconds;
            return this;
        }

        public Builder keepaliveInterval(Duration interval) {
            this.keepaliveInterval = positive(interval);
            return this;
        }

        /** How long a request waits for its final response (RFC 3261: 32 s). */
        public Builder transactionTimeout(Duration timeout) {
            this.transactionTimeout = positive(timeout);
            return this;
        }

        /** Delay before a failed registration is tried again. */
        public Builder registerRetry(Duration delay) {
            this.registerRetry = positive(delay);
            return this;
        }

        /** How long {@link GbSimulator#close()} waits for BYEs and unregistrations to be answered. */
        public Builder closeTimeout(Duration timeout) {
            this.closeTimeout = Objects.requireNonNull(timeout);
            return this;
        }

        /** Catalog items per Response MESSAGE. */
        public Builder catalogPageSize(int items) {
            if (items < 1) {
                throw new IllegalArgumentException("page size < 1");
            }
            this.catalogPageSize = items;
            return this;
        }

        /** Sessions a device serves at once; further INVITEs get 486. */
        public Builder maxSessionsPerDevice(int sessions) {
            this.maxSessionsPerDevice = sessions;
            return this;
        }

        /** The stream every session sends; without it INVITEs are refused 503 (unless the no-media fault is on). */
        public Builder media(PsMediaFile file) {
            this.media = file;
            return this;
        }

        /** Threads of the RTP pacer (each with its own UDP socket). */
        public Builder mediaThreads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("threads < 1");
            }
            this.mediaThreads = threads;
            return this;
        }

        /** Manufacturer, model and firmware reported by DeviceInfo and Catalog. */
        public Builder deviceFacts(String manufacturer, String model, String firmware) {
            this.manufacturer = Objects.requireNonNull(manufacturer);
            this.model = Objects.requireNonNull(model);
            this.firmware = Objects.requireNonNull(firmware);
            return this;
        }

        public GbSimulator build() throws IOException {
            if (serverHost == null) {
                throw new IllegalStateException("server(host, port) is required");
            }
            return new GbSimulator(this);
        }

        private static int checkPort(int port) {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
            return port;
        }

        private static Duration positive(Duration d) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("duration must be positive");
            }
            return d;
        }
    }
}
