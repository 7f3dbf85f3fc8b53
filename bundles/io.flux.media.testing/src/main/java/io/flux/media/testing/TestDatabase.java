package io.flux.media.testing;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import javax.sql.DataSource;

import org.h2.jdbcx.JdbcDataSource;
import org.postgresql.ds.PGSimpleDataSource;

import io.flux.media.api.persistence.Database;
import io.flux.media.api.persistence.Migration;
import io.flux.media.api.persistence.MigrationException;

/**
 * A real database standing in for the platform {@link Database}: a fresh in-memory H2 ({@link #h2()}) or a fresh
 * schema on a PostgreSQL server ({@link #postgres()}). Migrations are applied once per owner, in version order, as
 * the platform does. {@link #close()} drops the PostgreSQL schema; for H2 it does nothing.
 */
public final class TestDatabase implements Database, AutoCloseable {

    /** Environment variables naming the PostgreSQL server (scripts/postgres.sh env prints them). */
    public static final String PG_URL = "FLUX_TEST_PG_URL";
    public static final String PG_USER = "FLUX_TEST_PG_USER";
    public static final String PG_PASSWORD = "FLUX_TEST_PG_PASSWORD";

    private final DataSource dataSource;
    private final Dialect dialect;
    /** The PostgreSQL schema this instance created, dropped on close; null for H2. */
    private final String schema;
    private final DataSource admin;
    private final Map<String, List<Integer>> applied = new ConcurrentHashMap<>();

    private TestDatabase(DataSource dataSource, Dialect dialect, String schema, DataSource admin) {
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.schema = schema;
        this.admin = admin;
    }

    /** A fresh in-memory H2 database; it lives as long as the JVM. */
    public static TestDatabase h2() {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:test-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        return new TestDatabase(ds, Dialect.H2, null, null);
    }

    /**
     * A fresh schema on the PostgreSQL server named by {@value #PG_URL}, {@value #PG_USER} and {@value #PG_PASSWORD}
     * (scripts/postgres.sh start, then eval "$(scripts/postgres.sh env)"). Without {@value #PG_URL} the calling test
     * is skipped, or fails when the environment variable {@code CI} is set. Close it to drop the schema.
     */
    public static TestDatabase postgres() throws SQLException {
        String url = System.getenv(PG_URL);
        if (url == null || url.isBlank()) {
            String how = PG_URL + " is not set; run scripts/postgres.sh start and "
                    + "eval \"$(scripts/postgres.sh env)\"";
            if (System.getenv("CI") != null) {
                fail(how + " (CI is set, so the PostgreSQL tests may not be skipped)");
            }
            assumeTrue(false, how);
        }
        PGSimpleDataSource admin = pgDataSource(url);
        String schema = "test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16)
                .toLowerCase(Locale.ROOT);
        execute(admin, "CREATE SCHEMA " + schema);
        PGSimpleDataSource ds = pgDataSource(url);
        ds.setCurrentSchema(schema);
        return new TestDatabase(ds, Dialect.POSTGRESQL, schema, admin);
    }

    private static PGSimpleDataSource pgDataSource(String url) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(url);
        ds.setUser(System.getenv().getOrDefault(PG_USER, ""));
        ds.setPassword(System.getenv().getOrDefault(PG_PASSWORD, ""));
        return ds;
    }

    @Override
    public DataSource dataSource() {
        return dataSource;
    }

    @Override
    public Dialect dialect() {
        return dialect;
    }

    @Override
    public synchronized List<Integer> migrate(String owner, List<Migration> migrations) {
        List<Integer> done = applied.computeIfAbsent(owner, o -> new ArrayList<>());
        Map<Integer, Migration> ordered = new TreeMap<>();
        migrations.forEach(m -> ordered.put(m.version(), m));
        List<Integer> now = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            for (Migration m : ordered.values()) {
                if (done.contains(m.version())) {
                    continue;
                }
                for (String sql : m.statementsFor(dialect)) {
                    s.execute(sql);
                }
                done.add(m.version());
                now.add(m.version());
            }
        } catch (SQLException e) {
            throw new MigrationException(e.getMessage(), e);
        }
        return now;
    }

    @Override
    public List<Integer> appliedVersions(String owner) {
        return List.copyOf(applied.getOrDefault(owner, List.of()));
    }

    /** Runs one SQL statement in this database (for a test to break or reset tables behind the code's back). */
    public void execute(String sql) throws SQLException {
        execute(dataSource, sql);
    }

    /** The first column of the first row of a query, as a number; -1 when there is no row. */
    public long queryLong(String sql) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
                var rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getLong(1) : -1;
        }
    }

    /** Drops the PostgreSQL schema with everything in it; nothing for H2. */
    @Override
    public void close() throws SQLException {
        if (schema != null) {
            execute(admin, "DROP SCHEMA " + schema + " CASCADE");
        }
    }

    private static void execute(DataSource ds, String sql) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
