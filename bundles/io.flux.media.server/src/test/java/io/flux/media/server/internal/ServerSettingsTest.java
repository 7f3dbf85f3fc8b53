package io.flux.media.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;

import io.flux.media.testing.Configs;

class ServerSettingsTest {

    @TempDir
    Path work;

    private final LoggerContext logback = new LoggerContext();
    private final ConfigurationAdmin configAdmin = mock(ConfigurationAdmin.class);
    private final Configuration httpConfiguration = mock(Configuration.class);
    private final Instant started = Instant.parse("2026-01-02T03:04:05Z");

    ServerSettingsTest() throws Exception {
        when(configAdmin.getConfiguration(FelixHttpSettings.PID, "?")).thenReturn(httpConfiguration);
    }

    private ServerSettings activate(Map<String, Object> overrides) {
        return new ServerSettings(configAdmin, Configs.of(ServerSettings.Config.class, overrides), work, "1.2.3",
                started, new LogbackControl(logback));
    }

    @Test
    void activationPreparesDataDirectoryHttpAndLogging() throws Exception {
        ServerSettings settings = activate(Map.of("http_port", 9091, "data_dir", "var/flux",
                "log_level", LogLevel.DEBUG, "log_levels", new String[] { "org.eclipse.jetty=WARN", "broken" }));

        assertThat(settings.dataDirectory()).isEqualTo(work.resolve("var/flux")).isDirectory();
        assertThat(settings.httpPort()).isEqualTo(9091);
        assertThat(settings.version()).isEqualTo("1.2.3");
        assertThat(settings.startedAt()).isEqualTo(started);
        assertThat(logback.getLogger("ROOT").getLevel()).isEqualTo(Level.DEBUG);
        assertThat(logback.getLogger("org.eclipse.jetty").getLevel()).isEqualTo(Level.WARN);
        verify(httpConfiguration).update(any(Dictionary.class));
    }

    @Test
    void modifiedAppliesLogLevelsButKeepsRestartOnlySettings() throws Exception {
        ServerSettings settings = activate(Map.of());
        assertThat(logback.getLogger("ROOT").getLevel()).isEqualTo(Level.INFO);

        Map<String, Object> changed = new HashMap<>();
        changed.put("http_port", 9999);
        changed.put("data_dir", "elsewhere");
        changed.put("log_level", LogLevel.ERROR);
        changed.put("log_levels", new String[] { "io.flux=TRACE" });
        settings.modified(Configs.of(ServerSettings.Config.class, changed));

        assertThat(logback.getLogger("ROOT").getLevel()).isEqualTo(Level.ERROR);
        assertThat(logback.getLogger("io.flux").getLevel()).isEqualTo(Level.TRACE);
        assertThat(settings.httpPort()).isEqualTo(8080);
        assertThat(settings.dataDirectory()).isEqualTo(work.resolve("data"));
        assertThat(work.resolve("elsewhere")).doesNotExist();
        verify(httpConfiguration, times(1)).update(any(Dictionary.class)); // only at activation
    }

    @Test
    void unusableDataDirectoryFailsActivation() throws Exception {
        Files.writeString(work.resolve("file"), "x");

        assertThatThrownBy(() -> activate(Map.of("data_dir", "file/sub")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("data directory");
    }

    @Test
    void portOutsideTcpRangeFailsActivation() {
        assertThatThrownBy(() -> activate(Map.of("http_port", 70000))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("http.port 70000");
    }
}
