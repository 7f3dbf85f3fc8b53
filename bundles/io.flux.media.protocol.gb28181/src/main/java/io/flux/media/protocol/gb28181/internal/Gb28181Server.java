package io.flux.media.protocol.gb28181.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.sip.SipException;

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
import io.flux.media.api.metrics.MetricsRegistry;

/**
 * The embedded GB28181 platform's signalling: a SIP registrar on UDP and TCP with digest authentication,
 * keepalives and device presence. Passwords apply live; everything else needs a restart.
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
                    + "device keepalives.")
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
        int message_max_bytes() default 65536;

        @AttributeDefinition(name = "Password", type = AttributeType.PASSWORD, required = false,
                description = "Digest password for devices without their own (configuration key .password). "
                        + "Empty: only devices listed under device passwords can register. Hot-updatable.")
        String _password() default "";

        @AttributeDefinition(name = "Device passwords", type = AttributeType.PASSWORD, required = false,
                cardinality = 10000,
                description = "Per-device passwords as deviceId=password (configuration key .device.passwords); "
                        + "entries whose id is not 20 digits are ignored with a warning. Hot-updatable.")
        String[] _device_passwords() default {};
    }

    private final GbMetrics metrics = new GbMetrics();
    private final DigestAuthenticator auth;
    private final Registrar registrar;

    @Activate
    public Gb28181Server(Config config) throws SipException {
        this(config, Clock.systemDefaultZone(), Duration.ofSeconds(1));
    }

    Gb28181Server(Config config, Clock clock, Duration sweepPeriod) throws SipException {
        if (!config.enabled() || config.backend() != Backend.embedded) {
            LOG.info("embedded GB28181 SIP server off ({})",
                    config.enabled() ? "backend is " + config.backend() : "disabled");
            auth = null;
            registrar = null;
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
        registrar.start();
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
        if (registrar != null) {
            registrar.stop();
            LOG.info("GB28181 SIP server stopped");
        }
        metrics.unregister();
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindMetrics(MetricsRegistry registry) {
        metrics.bind(registry);
    }

    void unbindMetrics(MetricsRegistry registry) {
        metrics.unbind(registry);
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

    /** The registrar's state, for tests in this package; null when the server is off. */
    Registrar registrar() {
        return registrar;
    }
}
