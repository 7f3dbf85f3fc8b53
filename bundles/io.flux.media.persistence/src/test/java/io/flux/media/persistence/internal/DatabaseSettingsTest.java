package io.flux.media.persistence.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.flux.media.api.persistence.Database.Dialect;

class DatabaseSettingsTest {

    private final Path data = Path.of("/srv/flux/data");

    @Test
    void emptyUrlMeansTheEmbeddedH2FileUnderTheDataDirectory() {
        DatabaseSettings s = DatabaseSettings.resolve(Dialect.H2, "", "", "", 8, 5000, data);

        assertThat(s.url()).isEqualTo(
                "jdbc:h2:file:/srv/flux/data/db/flux;AUTO_SERVER=FALSE;DB_CLOSE_ON_EXIT=FALSE;LOCK_TIMEOUT=10000");
        assertThat(s.driverClass()).isEqualTo("org.h2.Driver");
        assertThat(s.poolSize()).isEqualTo(8);
        assertThat(s.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void relativeDataDirectoriesBecomeAbsolute() {
        DatabaseSettings s = DatabaseSettings.resolve(Dialect.H2, null, "", "", 8, 5000, Path.of("data"));

        assertThat(s.url()).startsWith("jdbc:h2:file:" + Path.of("data").toAbsolutePath() + "/db/flux;");
    }

    @Test
    void postgresqlNeedsAUrlOfItsOwnKind() {
        assertThatThrownBy(() -> DatabaseSettings.resolve(Dialect.POSTGRESQL, " ", "flux", "pw", 8, 5000, data))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("url is required");
        assertThatThrownBy(() -> DatabaseSettings.resolve(Dialect.POSTGRESQL, "jdbc:h2:mem:x", "", "", 8, 5000, data))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("jdbc:postgresql:");
        assertThatThrownBy(() -> DatabaseSettings.resolve(Dialect.H2, "jdbc:postgresql://h/db?password=s3cret", "",
                "", 8, 5000, data))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("s3cret");

        DatabaseSettings s = DatabaseSettings.resolve(Dialect.POSTGRESQL, "jdbc:postgresql://db:5432/flux", "flux",
                "pw", 8, 5000, data);
        assertThat(s.driverClass()).isEqualTo("org.postgresql.Driver");
    }

    @Test
    void poolSizeAndTimeoutAreKeptInWorkableBounds() {
        DatabaseSettings low = DatabaseSettings.resolve(Dialect.H2, "", "", "", 0, 10, data);
        DatabaseSettings high = DatabaseSettings.resolve(Dialect.H2, "", "", "", 10_000, 10, data);

        assertThat(low.poolSize()).isEqualTo(1);
        assertThat(high.poolSize()).isEqualTo(DatabaseSettings.MAX_POOL_SIZE);
        assertThat(low.connectTimeout()).isEqualTo(Duration.ofMillis(250));
    }

    @Test
    void dataDirectoriesH2CannotExpressAreRefused() {
        assertThatThrownBy(() -> DatabaseSettings.defaultH2Url(Path.of("/tmp/a;b")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("set url explicitly");
    }

    @Test
    void urlsLoseTheirPasswords() {
        assertThat(DatabaseSettings.redactUrl("jdbc:h2:tcp://h/db;USER=sa;PASSWORD=s3cret;MODE=PostgreSQL"))
                .isEqualTo("jdbc:h2:tcp://h/db;USER=sa;PASSWORD=****;MODE=PostgreSQL");
        assertThat(DatabaseSettings.redactUrl("jdbc:postgresql://h:5432/db?user=flux&password=s3cret&ssl=true"))
                .isEqualTo("jdbc:postgresql://h:5432/db?user=flux&password=****&ssl=true");
        assertThat(DatabaseSettings.redactUrl("jdbc:postgresql://h/db?password=s3cret"))
                .isEqualTo("jdbc:postgresql://h/db?password=****");
        assertThat(DatabaseSettings.redactUrl("jdbc:postgresql://h/db?sslpassword=s3cret"))
                .doesNotContain("s3cret");
        assertThat(DatabaseSettings.redactUrl("jdbc:postgresql://flux:s3cret@h/db"))
                .isEqualTo("jdbc:postgresql://flux:****@h/db");
        assertThat(DatabaseSettings.redactUrl("jdbc:postgresql://h:5432/db")).isEqualTo("jdbc:postgresql://h:5432/db");
    }

    @Test
    void thePasswordNeverShowsInTextTheSettingsProduce() {
        DatabaseSettings s = new DatabaseSettings(Dialect.POSTGRESQL, "jdbc:postgresql://h/db?password=inurl",
                "flux", "s3cret", 8, Duration.ofSeconds(5));

        assertThat(s.toString()).doesNotContain("s3cret").doesNotContain("inurl").contains("flux");
        assertThat(s.redactedUrl()).doesNotContain("inurl");
        assertThat(s.redact("FATAL: s3cret rejected for jdbc:postgresql://h/db?password=inurl"))
                .isEqualTo("FATAL: **** rejected for jdbc:postgresql://h/db?password=****");
    }
}
