package io.flux.media.protocol.gb28181.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import javax.sql.DataSource;

import org.h2.jdbcx.JdbcDataSource;

import io.flux.media.api.persistence.Database;
import io.flux.media.api.persistence.Migration;
import io.flux.media.api.persistence.MigrationException;

/**
 * A real database standing in for the platform Database (in-memory H2, or a PostgreSQL schema): migrations are
 * applied once per owner, in version order, as the platform does.
 */
final class TestDatabase implements Database {

    private final DataSource dataSource;
    private final Dialect dialect;
    private final Map<String, List<Integer>> applied = new ConcurrentHashMap<>();

    TestDatabase(DataSource dataSource, Dialect dialect) {
        this.dataSource = dataSource;
        this.dialect = dialect;
    }

    /** A fresh in-memory H2 database. */
    static TestDatabase h2() {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:gb28181-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        return new TestDatabase(ds, Dialect.H2);
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

    void execute(String sql) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
