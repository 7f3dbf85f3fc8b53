package io.flux.media.persistence.internal;

import static io.flux.media.persistence.internal.TestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.Closeable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.osgi.service.jdbc.DataSourceFactory;

import io.flux.media.api.health.Readiness;
import io.flux.media.api.persistence.Database;
import io.flux.media.api.persistence.Database.Dialect;
import io.flux.media.api.persistence.Migration;
import io.flux.media.api.persistence.MigrationException;
import io.flux.media.persistence.internal.TestSupport.LogCapture;
import io.flux.media.persistence.internal.TestSupport.Recorder;

/**
 * The same cases against every dialect, each on a real server through the driver's own
 * {@link DataSourceFactory}. Subclasses give each test a fresh, empty database (or schema).
 */
abstract class DatabaseContractTest {

    static final Duration TIMEOUT = Duration.ofSeconds(20);
    static final String SECRET = "hunter2-not-for-logs";

    private final List<DatabaseManager> managers = new ArrayList<>();

    abstract Dialect dialect();

    abstract DataSourceFactory factory();

    /** A URL to a fresh, empty database (or schema) for the current test. */
    abstract String url();

    abstract String user();

    abstract String password();

    /** A URL with the password in it where nothing listens. */
    abstract String unreachableUrlWithSecret();

    @AfterEach
    void closeManagers() {
        managers.forEach(DatabaseManager::close);
    }

    DatabaseSettings settings(String url, String password) {
        return new DatabaseSettings(dialect(), url, user(), password, 4, Duration.ofSeconds(3));
    }

    DatabaseManager manager(DatabaseSettings settings, Recorder recorder) {
        DatabaseManager m = new DatabaseManager(settings, recorder, Duration.ofMillis(50));
        managers.add(m);
        return m;
    }

    /** A manager on the test database, connected. */
    Database connected(Recorder recorder) {
        DatabaseManager m = manager(settings(url(), password()), recorder);
        m.addFactory(factory(), DatabaseSettings.driverClass(dialect()));
        await(TIMEOUT, () -> recorder.current != null, "the database to come up");
        return recorder.current;
    }

    Database connected() {
        return connected(new Recorder());
    }

    static String owner() {
        return "test.owner." + UUID.randomUUID();
    }

    static long count(Database db, String sql) throws SQLException {
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void appliesMissingMigrationsInVersionOrder() throws SQLException {
        Database db = connected();
        String owner = owner();
        Migration v1 = Migration.of(1, "create notes", "CREATE TABLE notes (id INT PRIMARY KEY, body VARCHAR(100))");
        Migration v2 = Migration.of(2, "seed notes", "INSERT INTO notes VALUES (1, 'first')");

        // Given out of order on purpose: v2 needs the table of v1.
        assertThat(db.migrate(owner, List.of(v2, v1))).containsExactly(1, 2);

        assertThat(db.appliedVersions(owner)).containsExactly(1, 2);
        assertThat(count(db, "SELECT COUNT(*) FROM notes")).isEqualTo(1);
        try (Connection c = db.dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT version, description, checksum, applied_at FROM "
                        + "flux_schema_history WHERE owner = ? ORDER BY version")) {
            ps.setString(1, owner);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(1);
                assertThat(rs.getString(2)).isEqualTo("create notes");
                assertThat(rs.getString(3)).isEqualTo(Migrator.checksum(v1.statementsFor(dialect())));
                assertThat(rs.getTimestamp(4)).isNotNull();
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(2);
                assertThat(rs.next()).isFalse();
            }
        }
    }

    @Test
    void rerunAppliesNothingAndLaterVersionsApplyAlone() throws SQLException {
        Database db = connected();
        String owner = owner();
        List<Migration> first = List.of(
                Migration.of(1, "create tags", "CREATE TABLE tags (name VARCHAR(50) PRIMARY KEY)"),
                Migration.of(2, "seed tags", "INSERT INTO tags VALUES ('a')"));
        assertThat(db.migrate(owner, first)).containsExactly(1, 2);

        assertThat(db.migrate(owner, first)).isEmpty();
        assertThat(db.migrate(owner, first)).isEmpty();

        List<Migration> more = new ArrayList<>(first);
        more.add(Migration.of(3, "more tags", "INSERT INTO tags VALUES ('b')"));
        assertThat(db.migrate(owner, more)).containsExactly(3);
        assertThat(db.appliedVersions(owner)).containsExactly(1, 2, 3);
        assertThat(count(db, "SELECT COUNT(*) FROM tags")).isEqualTo(2);
        // Another owner's history is its own.
        assertThat(db.appliedVersions(owner())).isEmpty();
    }

    @Test
    void changedAppliedMigrationFailsNamingOwnerAndVersion() {
        Database db = connected();
        String owner = owner();
        db.migrate(owner, List.of(Migration.of(1, "create a", "CREATE TABLE changed_a (id INT)")));

        List<Migration> edited = List.of(
                Migration.of(1, "create a", "CREATE TABLE changed_a (id BIGINT)"),
                Migration.of(2, "create b", "CREATE TABLE changed_b (id INT)"));
        assertThatThrownBy(() -> db.migrate(owner, edited))
                .isInstanceOf(MigrationException.class)
                .hasMessageContaining(owner)
                .hasMessageContaining("v1")
                .hasMessageContaining("checksum");
        // Nothing after the mismatch ran.
        assertThat(db.appliedVersions(owner)).containsExactly(1);
    }

    @Test
    void checksumCoversOnlyTheStatementsOfTheDialectInUse() {
        Database db = connected();
        String owner = owner();
        String h2 = "CREATE TABLE dialected (id INT)";
        String pg = "CREATE TABLE dialected (id INTEGER)";
        db.migrate(owner, List.of(new Migration(1, "dialected", List.of(h2), List.of(pg))));
        String other = "CREATE TABLE dialected (id INT NOT NULL)";

        // Editing the other dialect's SQL is not a change for this database ...
        List<Migration> otherEdited = dialect() == Dialect.H2
                ? List.of(new Migration(1, "dialected", List.of(h2), List.of(other)))
                : List.of(new Migration(1, "dialected", List.of(other), List.of(pg)));
        assertThat(db.migrate(owner, otherEdited)).isEmpty();

        // ... editing its own is.
        List<Migration> ownEdited = dialect() == Dialect.H2
                ? List.of(new Migration(1, "dialected", List.of(other), List.of(pg)))
                : List.of(new Migration(1, "dialected", List.of(h2), List.of(other)));
        assertThatThrownBy(() -> db.migrate(owner, ownEdited)).isInstanceOf(MigrationException.class);
    }

    @Test
    void duplicateVersionsInOneCallAreRejectedBeforeAnythingRuns() {
        Database db = connected();
        String owner = owner();
        List<Migration> duplicated = List.of(
                Migration.of(1, "one", "CREATE TABLE dup_one (id INT)"),
                Migration.of(1, "one again", "CREATE TABLE dup_two (id INT)"));

        assertThatThrownBy(() -> db.migrate(owner, duplicated))
                .isInstanceOf(MigrationException.class)
                .hasMessageContaining(owner)
                .hasMessageContaining("version 1");
        assertThat(db.appliedVersions(owner)).isEmpty();
    }

    @Test
    void failingMigrationIsRolledBackAndNamed() throws SQLException {
        Database db = connected();
        String owner = owner();
        Migration v1 = Migration.of(1, "create items", "CREATE TABLE failing_items (id INT PRIMARY KEY)");
        Migration broken = Migration.of(2, "seed items",
                "INSERT INTO failing_items VALUES (99)",
                "INSERT INTO no_such_table VALUES (1)");

        assertThatThrownBy(() -> db.migrate(owner, List.of(v1, broken)))
                .isInstanceOf(MigrationException.class)
                .hasMessageContaining(owner)
                .hasMessageContaining("v2");
        assertThat(db.appliedVersions(owner)).containsExactly(1);
        assertThat(count(db, "SELECT COUNT(*) FROM failing_items")).isZero();

        Migration fixed = Migration.of(2, "seed items", "INSERT INTO failing_items VALUES (99)");
        assertThat(db.migrate(owner, List.of(v1, fixed))).containsExactly(2);
        assertThat(count(db, "SELECT COUNT(*) FROM failing_items")).isEqualTo(1);
    }

    @Test
    void concurrentMigratorsApplyEachVersionExactlyOnce() throws Exception {
        // Two separate pools, as two server instances would have.
        Database a = connected();
        Database b = connected();
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 5; round++) {
                String owner = owner();
                String table = "race_" + round;
                List<Migration> migrations = List.of(
                        Migration.of(1, "create", "CREATE TABLE " + table + " (id INT PRIMARY KEY)"),
                        Migration.of(2, "first row", "INSERT INTO " + table + " VALUES (1)"),
                        Migration.of(3, "second row", "INSERT INTO " + table + " VALUES (2)"));
                CyclicBarrier start = new CyclicBarrier(2);
                Callable<List<Integer>> onA = () -> {
                    start.await(10, TimeUnit.SECONDS);
                    return a.migrate(owner, migrations);
                };
                Callable<List<Integer>> onB = () -> {
                    start.await(10, TimeUnit.SECONDS);
                    return b.migrate(owner, migrations);
                };
                Future<List<Integer>> fa = threads.submit(onA);
                Future<List<Integer>> fb = threads.submit(onB);
                List<Integer> byA = fa.get(30, TimeUnit.SECONDS);
                List<Integer> byB = fb.get(30, TimeUnit.SECONDS);

                Set<Integer> both = new HashSet<>(byA);
                both.retainAll(byB);
                assertThat(both).as("versions applied by both migrators in round %d", round).isEmpty();
                List<Integer> all = new ArrayList<>(byA);
                all.addAll(byB);
                assertThat(all).containsExactlyInAnyOrder(1, 2, 3);
                assertThat(count(a, "SELECT COUNT(*) FROM " + table)).isEqualTo(2);
                assertThat(a.appliedVersions(owner)).containsExactly(1, 2, 3);
            }
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void crudRoundTripThroughThePool() throws SQLException {
        Database db = connected();
        db.migrate(owner(), List.of(Migration.of(1, "people",
                "CREATE TABLE people (id INT PRIMARY KEY, name VARCHAR(100) NOT NULL)")));
        DataSource ds = db.dataSource();

        try (Connection c = ds.getConnection();
                PreparedStatement ps = c.prepareStatement("INSERT INTO people (id, name) VALUES (?, ?)")) {
            ps.setInt(1, 1);
            ps.setString(2, "Ada");
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
        try (Connection c = ds.getConnection();
                PreparedStatement ps = c.prepareStatement("UPDATE people SET name = ? WHERE id = ?")) {
            ps.setString(1, "Ada Lovelace");
            ps.setInt(2, 1);
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
        try (Connection c = ds.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT name FROM people WHERE id = ?")) {
            ps.setInt(1, 1);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("Ada Lovelace");
            }
        }
        // A rolled-back transaction leaves nothing behind.
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO people (id, name) VALUES (2, 'Bob')");
            }
            c.rollback();
        }
        assertThat(count(db, "SELECT COUNT(*) FROM people")).isEqualTo(1);
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            assertThat(s.executeUpdate("DELETE FROM people WHERE id = 1")).isEqualTo(1);
        }
        assertThat(count(db, "SELECT COUNT(*) FROM people")).isZero();

        // Connections go back to the pool (size 4): many more sequential borrows than the pool holds work.
        for (int i = 0; i < 20; i++) {
            try (Connection c = ds.getConnection()) {
                assertThat(c.isValid(1)).isTrue();
            }
        }
        // Consumers cannot close or unwrap the shared pool.
        assertThat(ds).isNotInstanceOf(Closeable.class).isNotInstanceOf(AutoCloseable.class);
        assertThatThrownBy(() -> ds.unwrap(Closeable.class)).isInstanceOf(SQLException.class);
    }

    @Test
    void readinessIsUpWithDialectAndUrlButNoPassword() {
        Recorder recorder = new Recorder();
        DatabaseManager m = manager(settings(url(), password()), recorder);
        m.addFactory(factory(), DatabaseSettings.driverClass(dialect()));
        await(TIMEOUT, () -> recorder.current != null, "the database to come up");

        Readiness r = m.readiness();

        assertThat(r.ready()).as(r.message()).isTrue();
        assertThat(r.message()).startsWith("SELECT 1 answered");
        assertThat(r.details())
                .containsEntry("dialect", dialect().name())
                .containsEntry("url", DatabaseSettings.redactUrl(url()))
                .containsEntry("select_ok", true)
                .containsEntry("state", "up");
        if (!password().isEmpty()) {
            assertThat(r.toString()).doesNotContain(password());
        }
    }

    @Test
    void readinessIsDownAndConnectingRetriesWhenTheServerIsUnreachable() {
        Recorder recorder = new Recorder();
        try (LogCapture log = new LogCapture()) {
            DatabaseManager m = manager(settings(unreachableUrlWithSecret(), SECRET), recorder);
            m.addFactory(factory(), DatabaseSettings.driverClass(dialect()));

            await(TIMEOUT, () -> m.status().failedAttempts() >= 3, "three failed connection attempts");

            Readiness r = m.readiness();
            assertThat(r.ready()).isFalse();
            assertThat(r.message()).startsWith("cannot connect");
            assertThat(r.details()).containsEntry("select_ok", false).containsEntry("state", "connecting");
            assertThat(r.toString()).doesNotContain(SECRET);
            assertThat(m.info().toString()).doesNotContain(SECRET);
            assertThat(recorder.events).isEmpty();
            assertThat(m.database()).isNull();
            m.close();

            // Why it cannot connect is logged, with the URL, but never the password, at any level.
            String redacted = DatabaseSettings.redactUrl(unreachableUrlWithSecret());
            assertThat(log.lines()).anySatisfy(line -> assertThat(line)
                    .startsWith("WARN").contains("Cannot connect").contains(redacted));
            assertThat(log.lines()).noneSatisfy(line -> assertThat(line).contains(SECRET));
        }
    }

    @Test
    void waitsForTheDriverOfItsDialect() {
        Recorder recorder = new Recorder();
        DatabaseManager m = manager(settings(url(), password()), recorder);
        Readiness waiting = m.readiness();
        assertThat(waiting.ready()).isFalse();
        assertThat(waiting.details()).containsEntry("state", "waiting_for_driver");
        assertThat(waiting.message()).contains(DatabaseSettings.driverClass(dialect()));

        m.addFactory(factory(), "org.example.OtherDriver");
        assertThat(m.status().state()).isEqualTo(DatabaseManager.State.WAITING_FOR_DRIVER);

        m.addFactory(factory(), DatabaseSettings.driverClass(dialect()));
        await(TIMEOUT, () -> recorder.current != null, "the database to come up");
        assertThat(m.readiness().ready()).isTrue();
    }

    @Test
    void unpublishesWhenTheDriverGoesAwayAndComesBackWithIt() {
        Recorder recorder = new Recorder();
        DatabaseManager m = manager(settings(url(), password()), recorder);
        DataSourceFactory factory = factory();
        m.addFactory(factory, DatabaseSettings.driverClass(dialect()));
        await(TIMEOUT, () -> recorder.current != null, "the database to come up");
        Database first = recorder.current;

        m.removeFactory(factory);
        await(TIMEOUT, () -> recorder.current == null, "the database to be withdrawn");
        assertThat(m.readiness().ready()).isFalse();
        assertThatThrownBy(() -> first.dataSource().getConnection()).isInstanceOf(SQLException.class);

        m.addFactory(factory, DatabaseSettings.driverClass(dialect()));
        await(TIMEOUT, () -> recorder.current != null, "the database to come back");
        assertThat(recorder.events).containsExactly("up", "down", "up");
        assertThat(m.readiness().ready()).isTrue();
    }

    @Test
    void closeWithdrawsTheDatabaseAndClosesThePool() {
        Recorder recorder = new Recorder();
        DatabaseManager m = manager(settings(url(), password()), recorder);
        m.addFactory(factory(), DatabaseSettings.driverClass(dialect()));
        await(TIMEOUT, () -> recorder.current != null, "the database to come up");
        Database db = recorder.current;

        m.close();

        assertThat(recorder.events).containsExactly("up", "down");
        assertThatThrownBy(() -> db.dataSource().getConnection()).isInstanceOf(SQLException.class);
        assertThat(m.readiness().ready()).isFalse();
        assertThat(m.readiness().details()).containsEntry("state", "closed");
    }
}
