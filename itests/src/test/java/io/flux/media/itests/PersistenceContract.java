package io.flux.media.itests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import io.flux.media.api.persistence.Database;
import io.flux.media.api.persistence.Migration;
import io.flux.media.api.persistence.MigrationException;

import org.osgi.framework.BundleContext;
import org.osgi.util.tracker.ServiceTracker;

/** What every dialect must do inside the running server, through the Database service bundles use. */
final class PersistenceContract {

    private PersistenceContract() {
    }

    static Database awaitDatabase(BundleContext context, Database.Dialect dialect) throws InterruptedException {
        ServiceTracker<Database, Database> tracker = new ServiceTracker<>(context, Database.class, null);
        tracker.open();
        Database db = tracker.waitForService(Duration.ofSeconds(60).toMillis());
        assertThat(db).as("Database service").isNotNull();
        assertThat(db.dialect()).isEqualTo(dialect);
        return db;
    }

    static void migrationsApplyOnceAndDataRoundTrips(Database db) throws SQLException {
        String owner = "itest." + UUID.randomUUID().toString().substring(0, 8);
        String table = "itest_" + owner.substring(6).replace('-', '_');
        List<Migration> migrations = List.of(
                Migration.of(1, "create table", "CREATE TABLE " + table + " (id VARCHAR(36) PRIMARY KEY, name VARCHAR(200) NOT NULL)"),
                Migration.of(2, "add column", "ALTER TABLE " + table + " ADD COLUMN created_at TIMESTAMP"));
        assertThat(db.migrate(owner, migrations)).containsExactly(1, 2);
        assertThat(db.migrate(owner, migrations)).as("rerun applies nothing").isEmpty();
        assertThat(db.appliedVersions(owner)).containsExactly(1, 2);

        try (Connection c = db.dataSource().getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " (id, name) VALUES (?, ?)")) {
                ps.setString(1, "a");
                ps.setString(2, "\u6444\u50cf\u673a camera");
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT name FROM " + table + " WHERE id = ?")) {
                ps.setString(1, "a");
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1)).isEqualTo("\u6444\u50cf\u673a camera");
                }
            }
        }

        List<Migration> changed = List.of(migrations.get(0),
                Migration.of(2, "add column", "ALTER TABLE " + table + " ADD COLUMN updated_at TIMESTAMP"));
        assertThatThrownBy(() -> db.migrate(owner, changed)).isInstanceOf(MigrationException.class)
                .hasMessageContaining(owner);
    }
}
