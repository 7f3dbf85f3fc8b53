package io.flux.media.server.internal;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Objects;

import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.flux.media.api.config.HotUpdatable;
import io.flux.media.api.server.ServerEnvironment;

/**
 * The server's own settings. Applies the HTTP port and host to Felix HTTP and the log levels to Logback,
 * prepares the data directory, and publishes the result as {@link ServerEnvironment}.
 */
@Component(configurationPid = ServerSettings.Config.PID, immediate = true, service = ServerEnvironment.class)
@Designate(ocd = ServerSettings.Config.class)
@HotUpdatable({ "log.level", "log.levels" })
public class ServerSettings implements ServerEnvironment {

    @ObjectClassDefinition(name = "Flux server",
            description = "The server's HTTP endpoint, data directory and logging.")
    public @interface Config {

        String PID = "io.flux.media.server";

        @AttributeDefinition(name = "HTTP port", min = "1", max = "65535",
                description = "TCP port of the HTTP server (REST API, console, metrics). Restart-only.")
        int http_port() default 8080;

        @AttributeDefinition(name = "HTTP host",
                description = "Address the HTTP server binds to; 0.0.0.0 means every interface. Restart-only.")
        String http_host() default "0.0.0.0";

        @AttributeDefinition(name = "Data directory",
                description = "Where bundles keep their state (database, generated secrets). A relative path is "
                        + "resolved against the server's working directory. Restart-only.")
        String data_dir() default "data";

        @AttributeDefinition(name = "Log level", description = "Level of the root logger. Hot-updatable.")
        LogLevel log_level() default LogLevel.INFO;

        @AttributeDefinition(name = "Logger levels",
                description = "Per-logger levels as logger.name=LEVEL (TRACE, DEBUG, INFO, WARN, ERROR), for example "
                        + "io.flux.media.rest=DEBUG. Invalid entries are logged and ignored. Hot-updatable.")
        String[] log_levels() default {};
    }

    private static final Logger LOG = LoggerFactory.getLogger(ServerSettings.class);

    private final LogControl logControl;
    private final Path dataDirectory;
    private final int httpPort;
    private final String httpHost;
    private final String configuredDataDir;
    private final String version;
    private final Instant startedAt;

    @Activate
    public ServerSettings(@Reference ConfigurationAdmin configAdmin, BundleContext context, Config config) {
        this(configAdmin, config, Path.of(System.getProperty("user.dir")), context.getBundle().getVersion().toString(),
                frameworkStart(context), LogControl.detect());
    }

    ServerSettings(ConfigurationAdmin configAdmin, Config config, Path workingDirectory, String version,
            Instant startedAt, LogControl logControl) {
        this.logControl = logControl;
        this.version = version;
        this.startedAt = startedAt;
        // Logging first, so everything below already logs with the configured levels and pattern.
        logControl.useConsolePattern();
        applyLogLevels(config);
        this.configuredDataDir = config.data_dir();
        this.dataDirectory = DataDirectory.prepare(workingDirectory, configuredDataDir);
        this.httpPort = config.http_port();
        this.httpHost = config.http_host();
        if (httpPort < 1 || httpPort > 65535) {
            throw new IllegalStateException("http.port " + httpPort + " is not a TCP port (1-65535)");
        }
        try {
            if (FelixHttpSettings.apply(configAdmin, httpPort, httpHost)) {
                LOG.info("HTTP server configured for {}:{}", httpHost, httpPort);
            }
        } catch (IOException | RuntimeException e) {
            // Not fatal: Felix HTTP keeps its current (or default) port; the log says why.
            LOG.error("Cannot write the Felix HTTP configuration ({}:{}): {}", httpHost, httpPort, e.toString(), e);
        }
        LOG.info("Flux server {}: data directory {}, HTTP {}:{}", version, dataDirectory, httpHost, httpPort);
    }

    @Modified
    void modified(Config config) {
        if (config.http_port() != httpPort || !Objects.equals(config.http_host(), httpHost)
                || !Objects.equals(config.data_dir(), configuredDataDir)) {
            // The config policy bundle keeps restart-only changes away; without it they still wait for a restart.
            LOG.debug("Restart-only server settings changed (http.port, http.host or data.dir); "
                    + "they take effect at the next start");
        }
        applyLogLevels(config);
    }

    private void applyLogLevels(Config config) {
        LoggerLevels loggers = LoggerLevels.parse(config.log_levels());
        for (String entry : loggers.invalid()) {
            LOG.warn("Ignoring log.levels entry \"{}\": expected logger.name=LEVEL with LEVEL one of TRACE, DEBUG, "
                    + "INFO, WARN, ERROR", entry);
        }
        logControl.apply(config.log_level(), loggers.levels());
        if (logControl.supported()) {
            LOG.debug("Log levels applied: root {}, loggers {}", config.log_level(), loggers.levels());
        }
    }

    /** Felix leaves the system bundle's last-modified at 0; the JVM start is the next best framework start. */
    static Instant frameworkStart(BundleContext context) {
        long systemBundleModified = context.getBundle(Constants.SYSTEM_BUNDLE_ID).getLastModified();
        if (systemBundleModified > 0) {
            return Instant.ofEpochMilli(systemBundleModified);
        }
        try {
            return Instant.ofEpochMilli(ManagementFactory.getRuntimeMXBean().getStartTime());
        } catch (RuntimeException | LinkageError e) {
            return Instant.now();
        }
    }

    @Override
    public Path dataDirectory() {
        return dataDirectory;
    }

    @Override
    public int httpPort() {
        return httpPort;
    }

    @Override
    public String version() {
        return version;
    }

    @Override
    public Instant startedAt() {
        return startedAt;
    }
}
