package io.flux.media.protocol.gb28181.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;

import javax.sip.SipException;
import javax.sip.message.Request;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.flux.media.api.config.HotUpdatable;
import io.flux.media.api.health.ReadinessCheck;
import io.flux.media.api.gb28181.Gb28181Backend;
import io.flux.media.api.ingest.MediaSink;
import io.flux.media.api.metrics.MetricsRegistry;
import io.flux.media.api.persistence.Database;
import io.flux.media.mpegps.GbMediaPipeline;
import io.flux.media.protocol.gb28181.internal.media.RtpMetrics;
import io.flux.media.protocol.gb28181.internal.media.RtpReceiverPool;
import io.flux.media.protocol.gb28181.internal.media.RtpReceivers;

/**
 * The embedded GB28181 platform: a SIP registrar on UDP and TCP with digest authentication, keepalives and
 * device presence; MANSCDP queries; live sessions with RTP receivers; devices and channels in the platform
 * database. While it runs it provides {@link Gb28181Backend} ({@code flux.gb28181.backend=embedded}). Passwords
 * apply live; everything else needs a restart.
 */
@Component(configurationPid = Gb28181Server.Config.PID)
@Designate(ocd = Gb28181Server.Config.class)
@HotUpdatable({".password", ".device.passwords"})
public class Gb28181Server {

    private static final Logger LOG = LoggerFactory.getLogger(Gb28181Server.class);

    /** Which GB28181 backend serves this server. */
    public enum Backend {
        /** SIP and RTP in this process (this bundle). */
        embedded,
        /** A separate media node; this bundle's SIP server stays off. */
        remote
    }

    @ObjectClassDefinition(name = "Flux GB28181",
            description = "Embedded GB28181 platform: SIP registrar (UDP and TCP) with digest authentication and "
                    + "device keepalives, catalog and device queries, live sessions over RTP.")
    public @interface Config {

        String PID = "io.flux.media.protocol.gb28181";

        @AttributeDefinition(name = "Enabled",
                description = "Runs the embedded SIP server. Restart-only.")
        boolean enabled() default true;

        @AttributeDefinition(name = "Backend",
                description = "embedded: this bundle serves GB28181. remote: a separate media node does, and this "
                        + "bundle's SIP server stays off. Restart-only.")
        Backend backend() default Backend.embedded;

        @AttributeDefinition(name = "SIP server ID",
                description = "The platform's 20-digit GB28181 id (devices register to it). Restart-only.")
        String sip_id() default "34020000002000000001";

        @AttributeDefinition(name = "SIP domain",
                description = "The 10-digit GB28181 domain, also the digest realm. Restart-only.")
        String sip_domain() default "3402000000";

        @AttributeDefinition(name = "Bind address",
                description = "Address the SIP server listens on (UDP and TCP). Restart-only.")
        String bind_address() default "0.0.0.0";

        @AttributeDefinition(name = "Bind port", min = "1", max = "65535",
                description = "SIP port, UDP and TCP. Restart-only.")
        int bind_port() default 5060;

        @AttributeDefinition(name = "Device expiry (s)", min = "60",
                description = "Longest registration granted; devices asking for more get this. Restart-only.")
        int device_expiry_s() default 3600;

        @AttributeDefinition(name = "Keepalive interval (s)", min = "1",
                description = "Keepalive period expected from devices. Restart-only.")
        int keepalive_interval_s() default 60;

        @AttributeDefinition(name = "Missed keepalives", min = "1",
                description = "A device that sends no keepalive for this many intervals goes offline. "
                        + "Restart-only.")
        int keepalive_max_missed() default 3;

        @AttributeDefinition(name = "Authentication failures", min = "1",
                description = "Failed REGISTER attempts from one device within the failure window after which "
                        + "it is answered 403 instead of 401. Restart-only.")
        int auth_max_failures() default 5;

        @AttributeDefinition(name = "Failure window (s)", min = "1",
                description = "Window over which authentication failures are counted. Restart-only.")
        int auth_failure_window_s() default 300;

        @AttributeDefinition(name = "Nonce validity (s)", min = "10",
                description = "Age after which a digest nonce is stale (answered 401 with stale=true). "
                        + "Restart-only.")
        int auth_nonce_validity_s() default 300;

        @AttributeDefinition(name = "Maximum MANSCDP body (bytes)", min = "1024",
                description = "Larger MESSAGE bodies are refused with 413. Restart-only.")
        int message_max_bytes() default 16384;

        @AttributeDefinition(name = "Password", type = AttributeType.PASSWORD, required = false,
                description = "Digest password for devices without their own (configuration key .password). "
                        + "Empty: only devices listed under device passwords can register. Hot-updatable.")
        String _password() default "";

        @AttributeDefinition(name = "Device passwords", type = AttributeType.PASSWORD, required = false,
                cardinality = 10000,
                description = "Per-device passwords as deviceId=password (configuration key .device.passwords); "
                        + "entries whose id is not 20 digits are ignored with a warning. Hot-updatable.")
        String[] _device_passwords() default {};

        @AttributeDefinition(name = "Media address", required = false,
                description = "IP address announced to devices in the SDP offer (where they send RTP). Empty: the "
                        + "media bind address if it is a specific address, else the SIP bind address if specific, "
                        + "else the local address the host routes to the device from. Restart-only.")
        String media_address() default "";

        @AttributeDefinition(name = "Media bind address",
                description = "Address the RTP receivers listen on (UDP and TCP). Restart-only.")
        String media_bind_address() default "0.0.0.0";

        @AttributeDefinition(name = "Media port min", min = "1", max = "65535",
                description = "Lowest RTP port (one port per live UDP or TCP-passive session). Restart-only.")
        int media_port_min() default 30000;

        @AttributeDefinition(name = "Media port max", min = "1", max = "65535",
                description = "Highest RTP port. Restart-only.")
        int media_port_max() default 30999;

        @AttributeDefinition(name = "INVITE timeout (s)", min = "1",
                description = "A device that gives no final answer to an INVITE within this time gets a CANCEL "
                        + "and the invite fails with 504. Restart-only.")
        int invite_timeout_s() default 10;

        @AttributeDefinition(name = "Query timeout (s)", min = "1",
                description = "How long Catalog, DeviceInfo and DeviceStatus queries wait for answers; a catalog "
                        + "with some pages by then is returned incomplete. Restart-only.")
        int query_timeout_s() default 10;

        @AttributeDefinition(name = "No-RTP timeout (s)", min = "1",
                description = "A session whose first RTP packet does not arrive within this time after the ACK "
                        + "ends (no_rtp or wrong_ssrc) and the device gets a BYE. Restart-only.")
        int session_no_rtp_timeout_s() default 10;

        @AttributeDefinition(name = "Media timeout (s)", min = "1",
                description = "A session whose media stops for this long ends (media_timeout). Restart-only.")
        int session_media_timeout_s() default 15;

        @AttributeDefinition(name = "TCP connect timeout (s)", min = "1",
                description = "TCP passive: time the device has to connect; TCP active: time the platform keeps "
                        + "trying to connect (tcp_not_connected). Restart-only.")
        int session_tcp_connect_timeout_s() default 10;

        @AttributeDefinition(name = "Maximum sessions", min = "1",
                description = "Live sessions (and invites under way) at most; more are refused with 503. "
                        + "Restart-only.")
        int sessions_max() default 1000;
    }

    /** Write-behind period of device last-seen times. */
    static final Duration FLUSH_PERIOD = Duration.ofSeconds(5);
    /** How long the readiness probe waits for the SIP server's answer to its OPTIONS. */
    static final Duration PROBE_TIMEOUT = Duration.ofSeconds(1);
    /** Longest an API call waits for its database write. */
    static final Duration WRITE_TIMEOUT = Duration.ofSeconds(10);

    private final GbMetrics metrics = new GbMetrics();
    private final RtpMetrics rtpMetrics = new RtpMetrics();
    private final DigestAuthenticator auth;
    private final Registrar registrar;
    private final DeviceStore store;
    private final QueryManager queries;
    private final SessionManager sessions;
    private final RtpReceiverPool pool;
    private final EmbeddedBackend backend;
    private ServiceRegistration<Gb28181Backend> registration;
    private ServiceRegistration<ReadinessCheck> readiness;

    @Activate
    public Gb28181Server(Config config, BundleContext context, @Reference Database database,
            @Reference MediaSink sink) throws SipException {
        this(config, Clock.systemDefaultZone(), Duration.ofSeconds(1), database,
                enabled(config) ? receivers -> pool(config, sink, receivers) : null);
        if (backend != null) {
            Dictionary<String, Object> props = new Hashtable<>();
            props.put(Gb28181Backend.KIND, backend.kind());
            registration = context.registerService(Gb28181Backend.class, backend, props);
            // Health shows whether devices can reach the SIP server, not just whether the component is active.
            Dictionary<String, Object> check = new Hashtable<>();
            check.put(ReadinessCheck.NAME, SipProbe.NAME);
            readiness = context.registerService(ReadinessCheck.class, new SipProbe(config.bind_address(),
                    config.bind_port(), config.sip_id(), config.sip_domain(), PROBE_TIMEOUT, Clock.systemUTC()), check);
        }
    }

    /**
     * For tests and the activator: {@code receivers} makes the RTP receivers from the RTP metrics (null when the
     * server is off).
     */
    Gb28181Server(Config config, Clock clock, Duration sweepPeriod, Database database,
            java.util.function.Function<RtpMetrics, RtpReceivers> receivers) throws SipException {
        if (!enabled(config)) {
            LOG.info("embedded GB28181 SIP server off ({})",
                    config.enabled() ? "backend is " + config.backend() : "disabled");
            auth = null;
            registrar = null;
            store = null;
            queries = null;
            sessions = null;
            pool = null;
            backend = null;
            return;
        }
        List<String> errors = validate(config);
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException("GB28181 configuration " + Config.PID + " is invalid: "
                    + String.join("; ", errors));
        }
        auth = new DigestAuthenticator(new DigestAuthenticator.Settings(config.sip_domain(),
                Duration.ofSeconds(config.auth_nonce_validity_s()), config.auth_max_failures(),
                Duration.ofSeconds(config.auth_failure_window_s())), passwords(config), clock);
        DeviceRegistry devices = new DeviceRegistry(clock, Duration.ofSeconds(config.keepalive_interval_s()),
                config.keepalive_max_missed());
        registrar = new Registrar(new Registrar.Settings(config.sip_id(), config.sip_domain(), config.bind_address(),
                config.bind_port(), Duration.ofSeconds(config.device_expiry_s()), sweepPeriod), auth, devices,
                new ManscdpXml(config.message_max_bytes()), metrics, clock);
        store = new DeviceStore(database, FLUSH_PERIOD, WRITE_TIMEOUT, clock);
        store.start();
        RtpReceivers rtp = receivers.apply(rtpMetrics);
        pool = rtp instanceof RtpReceiverPool p ? p : null;
        queries = new QueryManager(registrar, Duration.ofSeconds(config.query_timeout_s()), clock);
        sessions = new SessionManager(new SessionManager.Settings(config.sip_id(), config.sip_domain(),
                config.media_address().strip(), config.media_bind_address(), config.bind_address(),
                Duration.ofSeconds(config.invite_timeout_s()), config.sessions_max()), registrar, store, rtp, metrics,
                clock);
        registrar.handlers(new Handlers(devices, store, queries, sessions, clock));
        try {
            registrar.start();
        } catch (SipException | RuntimeException e) {
            closeQuietly();
            throw e;
        }
        backend = new EmbeddedBackend(devices, store, queries, sessions);
    }

    private static boolean enabled(Config config) {
        return config.enabled() && config.backend() == Backend.embedded;
    }

    private static RtpReceiverPool pool(Config config, MediaSink sink, RtpMetrics metrics) {
        return new RtpReceiverPool(new RtpReceiverPool.Settings(config.media_bind_address(), config.media_port_min(),
                config.media_port_max(), Duration.ofSeconds(config.session_no_rtp_timeout_s()),
                Duration.ofSeconds(config.session_media_timeout_s()),
                Duration.ofSeconds(config.session_tcp_connect_timeout_s()), GbMediaPipeline.DEFAULT_REORDER_WINDOW),
                sink, metrics);
    }

    /** Routes what the registrar hands over; never blocks a SIP thread. */
    private record Handlers(DeviceRegistry devices, DeviceStore store, QueryManager queries, SessionManager sessions,
            Clock clock)
            implements Registrar.Handlers {

        @Override
        public void response(String deviceId, ManscdpXml.Message message) {
            queries.onResponse(deviceId, message);
        }

        @Override
        public void notify(String deviceId, ManscdpXml.Message message) {
            if ("Catalog".equals(message.cmdType())) {
                // GB/T 28181-2022 catalog change notification: the items are upserted.
                store.catalogNotify(deviceId, QueryManager.items(deviceId, message, clock.instant()));
            }
        }

        @Override
        public int bye(Request request) {
            return sessions.onBye(request);
        }

        @Override
        public void deviceChanged(DeviceRegistry.Device device, boolean onlineChanged) {
            store.registration(device, onlineChanged);
        }

        @Override
        public void deviceOffline(String deviceId, DeviceRegistry.OfflineReason reason) {
            sessions.deviceOffline(deviceId, reason.label);
            devices.get(deviceId).ifPresent(d -> store.registration(d, true));
        }
    }

    @Modified
    void modified(Config config) {
        if (auth != null) {
            auth.passwords(passwords(config));
            LOG.info("GB28181 passwords updated");
        }
    }

    @Deactivate
    void deactivate() {
        if (readiness != null) {
            try {
                readiness.unregister();
            } catch (IllegalStateException e) {
                // already gone with the bundle
            }
            readiness = null;
        }
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException e) {
                // already gone with the bundle
            }
            registration = null;
        }
        if (registrar != null) {
            closeQuietly();
            LOG.info("GB28181 SIP server stopped");
        }
        metrics.unregister();
        rtpMetrics.unregister();
    }

    /** Ends sessions (BYE while the stack still runs), then stops SIP, media and the store. */
    private void closeQuietly() {
        try {
            sessions.shutdown();
        } catch (RuntimeException e) {
            LOG.warn("ending GB28181 sessions failed: {}", e.toString());
        }
        queries.close();
        registrar.stop();
        if (pool != null) {
            pool.close();
        }
        store.close();
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindMetrics(MetricsRegistry registry) {
        metrics.bind(registry);
        rtpMetrics.bind(registry);
    }

    void unbindMetrics(MetricsRegistry registry) {
        metrics.unbind(registry);
        rtpMetrics.unbind(registry);
    }

    static List<String> validate(Config c) {
        List<String> errors = new ArrayList<>();
        if (c.sip_id() == null || !Registrar.GB_ID.matcher(c.sip_id()).matches()) {
            errors.add("sip.id must be 20 digits, got '" + c.sip_id() + "'");
        }
        if (c.sip_domain() == null || !c.sip_domain().matches("\\d{10}")) {
            errors.add("sip.domain must be 10 digits, got '" + c.sip_domain() + "'");
        }
        if (c.bind_address() == null || c.bind_address().isBlank()) {
            errors.add("bind.address is empty");
        }
        if (c.bind_port() < 1 || c.bind_port() > 65535) {
            errors.add("bind.port must be 1-65535, got " + c.bind_port());
        }
        if (c.device_expiry_s() < Registrar.MIN_EXPIRES_S) {
            errors.add("device.expiry.s must be at least " + Registrar.MIN_EXPIRES_S + ", got " + c.device_expiry_s());
        }
        positive(errors, "keepalive.interval.s", c.keepalive_interval_s());
        positive(errors, "keepalive.max.missed", c.keepalive_max_missed());
        positive(errors, "auth.max.failures", c.auth_max_failures());
        positive(errors, "auth.failure.window.s", c.auth_failure_window_s());
        if (c.auth_nonce_validity_s() < 10) {
            errors.add("auth.nonce.validity.s must be at least 10, got " + c.auth_nonce_validity_s());
        }
        if (c.message_max_bytes() < 1024) {
            errors.add("message.max.bytes must be at least 1024, got " + c.message_max_bytes());
        }
        String mediaAddress = c.media_address() == null ? "" : c.media_address().strip();
        if (!mediaAddress.isEmpty() && (!isIpLiteral(mediaAddress) || Net.isWildcard(mediaAddress))) {
            errors.add("media.address must be an IP address devices can reach (or empty), got '" + mediaAddress + "'");
        }
        if (c.media_bind_address() == null || !isIpLiteral(c.media_bind_address().strip())) {
            errors.add("media.bind.address must be an IP address, got '" + c.media_bind_address() + "'");
        }
        if (c.media_port_min() < 1 || c.media_port_min() > 65535 || c.media_port_max() < 1
                || c.media_port_max() > 65535 || c.media_port_min() > c.media_port_max()) {
            errors.add("media.port.min and media.port.max must be 1-65535 with min <= max, got "
                    + c.media_port_min() + "-" + c.media_port_max());
        } else if (c.media_port_min() <= c.bind_port() && c.bind_port() <= c.media_port_max()) {
            errors.add("the media port range " + c.media_port_min() + "-" + c.media_port_max()
                    + " contains bind.port " + c.bind_port());
        }
        positive(errors, "invite.timeout.s", c.invite_timeout_s());
        positive(errors, "query.timeout.s", c.query_timeout_s());
        positive(errors, "session.no.rtp.timeout.s", c.session_no_rtp_timeout_s());
        positive(errors, "session.media.timeout.s", c.session_media_timeout_s());
        positive(errors, "session.tcp.connect.timeout.s", c.session_tcp_connect_timeout_s());
        positive(errors, "sessions.max", c.sessions_max());
        return errors;
    }

    private static void positive(List<String> errors, String key, int value) {
        if (value < 1) {
            errors.add(key + " must be at least 1, got " + value);
        }
    }

    /** Reads the passwords; malformed device entries are skipped with a warning that never shows a password. */
    static DigestAuthenticator.Passwords passwords(Config c) {
        Map<String, String> perDevice = new HashMap<>();
        String[] entries = c._device_passwords() == null ? new String[0] : c._device_passwords();
        for (int i = 0; i < entries.length; i++) {
            String e = entries[i] == null ? "" : entries[i];
            int eq = e.indexOf('=');
            String id = eq < 0 ? "" : e.substring(0, eq).strip();
            if (eq < 0 || !Registrar.GB_ID.matcher(id).matches() || eq == e.length() - 1) {
                LOG.warn("device password entry {} ignored: expected <20-digit device id>=<password>", i + 1);
                continue;
            }
            if (perDevice.put(id, e.substring(eq + 1)) != null) {
                LOG.warn("device password entry {} repeats device {}: the last one applies", i + 1, id);
            }
        }
        String global = c._password() == null ? "" : c._password();
        if (global.isEmpty()) {
            LOG.info("no global GB28181 password: only the {} devices with their own password can register",
                    perDevice.size());
        }
        return new DigestAuthenticator.Passwords(global, perDevice);
    }

    /** Digits, dots and colons only: an address literal, never a name to resolve. */
    private static boolean isIpLiteral(String s) {
        if (s.isEmpty() || !s.matches("[0-9a-fA-F.:]+")) {
            return false;
        }
        try {
            java.net.InetAddress.getByName(s);
            return true;
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    /** The registrar's state, for tests in this package; null when the server is off. */
    Registrar registrar() {
        return registrar;
    }

    /** The backend service object; null when the server is off. */
    EmbeddedBackend backend() {
        return backend;
    }

    SessionManager sessions() {
        return sessions;
    }
}
