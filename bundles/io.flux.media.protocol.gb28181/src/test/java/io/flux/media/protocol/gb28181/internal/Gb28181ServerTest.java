package io.flux.media.protocol.gb28181.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;

class Gb28181ServerTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T08:00:00Z"));

    private Gb28181Server server(Map<String, Object> overrides) throws Exception {
        return TestServer.plain(Configs.of(Gb28181Server.Config.class, overrides), clock, Duration.ofHours(1));
    }

    @Test
    void invalidIdsFailActivationWithEveryProblemNamed() {
        assertThatThrownBy(() -> server(Map.of("sip_id", "3402000000200000000", "sip_domain", "34020000x0",
                "bind_port", 0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("io.flux.media.protocol.gb28181 is invalid")
                .hasMessageContaining("sip.id must be 20 digits, got '3402000000200000000'")
                .hasMessageContaining("sip.domain must be 10 digits, got '34020000x0'")
                .hasMessageContaining("bind.port must be 1-65535, got 0");
    }

    @Test
    void otherLimitsAreValidated() {
        assertThat(Gb28181Server.validate(Configs.of(Gb28181Server.Config.class, Map.of("device_expiry_s", 30,
                "keepalive_interval_s", 0, "auth_nonce_validity_s", 5, "message_max_bytes", 100,
                "bind_address", " "))))
                .containsExactlyInAnyOrder("device.expiry.s must be at least 60, got 30",
                        "keepalive.interval.s must be at least 1, got 0",
                        "auth.nonce.validity.s must be at least 10, got 5",
                        "message.max.bytes must be at least 1024, got 100", "bind.address is empty");
        assertThat(Gb28181Server.validate(Configs.of(Gb28181Server.Config.class, Map.of()))).isEmpty();
    }

    @Test
    void mediaAndSessionSettingsAreValidated() {
        assertThat(Gb28181Server.validate(Configs.of(Gb28181Server.Config.class, Map.of("media_address", "camera.lan",
                "media_bind_address", "", "media_port_min", 31000, "media_port_max", 30000, "invite_timeout_s", 0,
                "query_timeout_s", 0, "session_no_rtp_timeout_s", 0, "session_media_timeout_s", 0,
                "session_tcp_connect_timeout_s", 0, "sessions_max", 0))))
                .containsExactlyInAnyOrder(
                        "media.address must be an IP address devices can reach (or empty), got 'camera.lan'",
                        "media.bind.address must be an IP address, got ''",
                        "media.port.min and media.port.max must be 1-65535 with min <= max, got 31000-30000",
                        "invite.timeout.s must be at least 1, got 0", "query.timeout.s must be at least 1, got 0",
                        "session.no.rtp.timeout.s must be at least 1, got 0",
                        "session.media.timeout.s must be at least 1, got 0",
                        "session.tcp.connect.timeout.s must be at least 1, got 0",
                        "sessions.max must be at least 1, got 0");
        assertThat(Gb28181Server.validate(Configs.of(Gb28181Server.Config.class, Map.of("media_address", "0.0.0.0",
                "bind_port", 30500)))).containsExactlyInAnyOrder(
                        "media.address must be an IP address devices can reach (or empty), got '0.0.0.0'",
                        "the media port range 30000-30999 contains bind.port 30500");
        assertThat(Gb28181Server.validate(Configs.of(Gb28181Server.Config.class, Map.of("media_address",
                "192.0.2.10")))).isEmpty();
    }

    @Test
    void disabledOrRemoteBackendStartsNoSipServer() throws Exception {
        Gb28181Server disabled = server(Map.of("enabled", false, "sip_id", "bad"));
        Gb28181Server remote = server(Map.of("backend", Gb28181Server.Backend.remote));

        assertThat(disabled.registrar()).isNull();
        assertThat(remote.registrar()).isNull();
        disabled.deactivate();
        remote.deactivate();
    }

    @Test
    void devicePasswordsAreParsedAndBadEntriesSkipped() {
        DigestAuthenticator.Passwords p = Gb28181Server.passwords(Configs.of(Gb28181Server.Config.class,
                Map.of("_password", "global", "_device_passwords", new String[] {
                    "34020000001320000001=a=b", " 34020000001320000002 =two", "34020000001320000003=",
                    "no-equals", "123=short", "34020000001320000002=second"})));

        assertThat(p.lookup("34020000001320000001")).isEqualTo("a=b");
        assertThat(p.lookup("34020000001320000002")).isEqualTo("second");
        assertThat(p.lookup("34020000001320000003")).isEqualTo("global");
        assertThat(p.perDevice()).hasSize(2);
    }

    @Test
    void emptyGlobalPasswordMeansNoFallback() {
        DigestAuthenticator.Passwords p = Gb28181Server.passwords(Configs.of(Gb28181Server.Config.class, Map.of()));

        assertThat(p.lookup("34020000001320000001")).isNull();
    }

    @Test
    void generatedDescriptorsDeclareTheHotKeysAsStoredAndThePasswordsAsSecrets() throws Exception {
        // bnd writes these in process-classes, before the tests run.
        Path osgiInf = Path.of("target/classes/OSGI-INF");
        String component = Files.readString(osgiInf.resolve(
                "io.flux.media.protocol.gb28181.internal.Gb28181Server.xml"));
        String metatype = Files.readString(osgiInf.resolve(
                "metatype/io.flux.media.protocol.gb28181.internal.Gb28181Server$Config.xml"));

        assertThat(component).contains("name=\"flux.config.hot.updatable\" type=\"String\">.password\n.device.passwords<");
        assertThat(metatype).contains("<AD id=\".password\" type=\"Password\"",
                "<AD id=\".device.passwords\" type=\"Password\"", "<AD id=\"sip.id\"", "<AD id=\"bind.port\"",
                "<AD id=\"media.port.min\"", "<AD id=\"invite.timeout.s\"", "<AD id=\"session.no.rtp.timeout.s\"",
                "<AD id=\"sessions.max\"",
                "<AD id=\"keepalive.max.missed\"", "<Designate pid=\"io.flux.media.protocol.gb28181\">");
    }
}
