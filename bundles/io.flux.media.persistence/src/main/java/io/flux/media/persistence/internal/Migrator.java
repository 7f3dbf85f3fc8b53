package io.flux.media.persistence.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.flux.media.api.persistence.Database.Dialect;
import io.flux.media.api.persistence.Migration;
import io.flux.media.api.persistence.MigrationException;

/**
 * Applies versioned migrations per owner and records them in {@value #HISTORY_TABLE}.
 * <p>
 * Concurrency: on PostgreSQL each version's transaction takes a transaction-scoped advisory lock for
 * the owner and re-reads the history inside it, so a second migrator (thread or process) waits and then
 * skips. The history primary key is the backstop: a loser that still collides rolls back, re-reads and
 * skips. H2 commits DDL immediately, so a transaction cannot fence it; there the owner is serialized
 * with a lock in this JVM, which suffices because the embedded database (AUTO_SERVER off) belongs to one
 * process.
 */
final class Migrator {

    static final String HISTORY_TABLE = "flux_schema_history";
    static final int MAX_OWNER_LENGTH = 200;
    static final int MAX_DESCRIPTION_LENGTH = 500;

    private static final Logger LOG = LoggerFactory.getLogger(Migrator.class);

    private static final String CREATE_HISTORY = "CREATE TABLE IF NOT EXISTS " + HISTORY_TABLE + " ("
            + "owner VARCHAR(" + MAX_OWNER_LENGTH + ") NOT NULL, "
            + "version INTEGER NOT NULL, "
            + "description VARCHAR(" + MAX_DESCRIPTION_LENGTH + ") NOT NULL, "
            + "checksum VARCHAR(64) NOT NULL, "
            + "applied_at TIMESTAMP WITH TIME ZONE NOT NULL, "
            + "PRIMARY KEY (owner, version))";
    private static final String SELECT_APPLIED =
            "SELECT version, checksum FROM " + HISTORY_TABLE + " WHERE owner = ? ORDER BY version";
    private static final String SELECT_ONE =
            "SELECT checksum FROM " + HISTORY_TABLE + " WHERE owner = ? AND version = ?";
    private static final String INSERT_HISTORY = "INSERT INTO " + HISTORY_TABLE
            + " (owner, version, description, checksum, applied_at) VALUES (?, ?, ?, ?, CURRENT_TIMESTAMP)";

    /** Per-owner locks for H2 (see the class comment). Shared by every Migrator in this bundle. */
    private static final Map<String, ReentrantLock> H2_OWNER_LOCKS = new ConcurrentHashMap<>();

    private final DataSource dataSource;
    private final Dialect dialect;

    Migrator(DataSource dataSource, Dialect dialect) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.dialect = Objects.requireNonNull(dialect, "dialect");
    }

    List<Integer> migrate(String owner, List<Migration> migrations) {
        validateOwner(owner);
        Objects.requireNonNull(migrations, "migrations");
        List<Migration> ordered = ordered(owner, migrations);
        ReentrantLock lock = dialect == Dialect.H2
                ? H2_OWNER_LOCKS.computeIfAbsent(owner, o -> new ReentrantLock()) : null;
        if (lock != null) {
            lock.lock();
        }
        try (Connection c = dataSource.getConnection()) {
            ensureHistoryTable(c);
            Map<Integer, String> applied = readApplied(c, owner);
            List<Integer> done = new ArrayList<>();
            for (Migration m : ordered) {
                String checksum = checksum(m.statementsFor(dialect));
                String recorded = applied.get(m.version());
                if (recorded != null) {
                    verify(owner, m, recorded, checksum);
                } else if (apply(c, owner, m, checksum)) {
                    done.add(m.version());
                }
            }
            if (!done.isEmpty()) {
                LOG.info("Applied migrations {} of {}", done, owner);
            }
            return List.copyOf(done);
        } catch (SQLException e) {
            throw new MigrationException("Cannot migrate " + owner + ": " + e.getMessage(), e);
        } finally {
            if (lock != null) {
                lock.unlock();
            }
        }
    }

    List<Integer> appliedVersions(String owner) {
        validateOwner(owner);
        try (Connection c = dataSource.getConnection()) {
            ensureHistoryTable(c);
            return List.copyOf(readApplied(c, owner).keySet());
        } catch (SQLException e) {
            throw new MigrationException("Cannot read the schema history of " + owner + ": " + e.getMessage(), e);
        }
    }

    /** SHA-256 over the statements, each prefixed by its UTF-8 length so that splits cannot collide. */
    static String checksum(List<String> statements) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (String statement : statements) {
                byte[] bytes = statement.getBytes(StandardCharsets.UTF_8);
                digest.update(ByteBuffer.allocate(Integer.BYTES).putInt(bytes.length).array());
                digest.update(bytes);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is mandatory in every JRE", e);
        }
    }

    /**
     * Runs one version in its own transaction with its history row.
     *
     * @return false when another migrator applied it first
     */
    private boolean apply(Connection c, String owner, Migration m, String checksum) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            if (dialect == Dialect.POSTGRESQL) {
                advisoryLock(c, owner);
            }
            String recorded = readOne(c, owner, m.version());
            if (recorded != null) {
                c.rollback();
                verify(owner, m, recorded, checksum);
                LOG.debug("Migration {} v{} was applied concurrently; skipped", owner, m.version());
                return false;
            }
            for (String sql : m.statementsFor(dialect)) {
                try (Statement s = c.createStatement()) {
                    s.execute(sql);
                }
            }
            try (PreparedStatement ps = c.prepareStatement(INSERT_HISTORY)) {
                ps.setString(1, owner);
                ps.setInt(2, m.version());
                ps.setString(3, truncate(m.description()));
                ps.setString(4, checksum);
                ps.executeUpdate();
            }
            c.commit();
            return true;
        } catch (SQLException e) {
            rollbackQuietly(c);
            // The loser of a race fails on the primary key (or on the DDL the winner ran): re-read and skip.
            String recorded = readOneAfterFailure(c, owner, m.version());
            if (recorded != null) {
                verify(owner, m, recorded, checksum);
                LOG.debug("Migration {} v{} was applied concurrently; skipped", owner, m.version());
                return false;
            }
            throw new MigrationException("Migration " + owner + " v" + m.version() + " (" + m.description()
                    + ") failed and was rolled back: " + e.getMessage(), e);
        } finally {
            restoreAutoCommit(c, autoCommit);
        }
    }

    private void ensureHistoryTable(Connection c) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            if (dialect == Dialect.POSTGRESQL) {
                // Two first-time migrators racing on CREATE TABLE IF NOT EXISTS can collide in the catalog.
                advisoryLock(c, "");
            }
            try (Statement s = c.createStatement()) {
                s.execute(CREATE_HISTORY);
            }
            c.commit();
        } catch (SQLException e) {
            rollbackQuietly(c);
            if (!historyTableExists(c)) {
                throw e;
            }
        } finally {
            restoreAutoCommit(c, autoCommit);
        }
    }

    private boolean historyTableExists(Connection c) {
        try (Statement s = c.createStatement()) {
            s.executeQuery("SELECT 1 FROM " + HISTORY_TABLE + " WHERE 1 = 0").close();
            return true;
        } catch (SQLException e) {
            rollbackQuietly(c);
            return false;
        }
    }

    private static void advisoryLock(Connection c, String owner) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
            ps.setLong(1, lockKey(owner));
            ps.executeQuery().close();
        }
    }

    /** A stable 64-bit key per owner; the empty owner guards the history table itself. */
    static long lockKey(String owner) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256")
                    .digest((HISTORY_TABLE + "/" + owner).getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(hash).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is mandatory in every JRE", e);
        }
    }

    private static Map<Integer, String> readApplied(Connection c, String owner) throws SQLException {
        Map<Integer, String> applied = new TreeMap<>();
        try (PreparedStatement ps = c.prepareStatement(SELECT_APPLIED)) {
            ps.setString(1, owner);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    applied.put(rs.getInt(1), rs.getString(2));
                }
            }
        }
        return applied;
    }

    private static String readOne(Connection c, String owner, int version) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SELECT_ONE)) {
            ps.setString(1, owner);
            ps.setInt(2, version);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private static String readOneAfterFailure(Connection c, String owner, int version) {
        try {
            c.setAutoCommit(true);
            return readOne(c, owner, version);
        } catch (SQLException e) {
            LOG.debug("Cannot re-read the schema history after a failed migration", e);
            return null;
        }
    }

    private static void verify(String owner, Migration m, String recorded, String checksum) {
        if (!recorded.equalsIgnoreCase(checksum)) {
            throw new MigrationException("Migration " + owner + " v" + m.version() + " (" + m.description()
                    + ") was applied with checksum " + recorded + " but its statements now hash to " + checksum
                    + "; an applied migration must never change, add a new version instead");
        }
    }

    private static List<Migration> ordered(String owner, List<Migration> migrations) {
        Map<Integer, Migration> byVersion = new HashMap<>();
        for (Migration m : migrations) {
            Objects.requireNonNull(m, "migration");
            if (byVersion.putIfAbsent(m.version(), m) != null) {
                throw new MigrationException("Migrations of " + owner + " contain version " + m.version()
                        + " more than once");
            }
        }
        List<Migration> ordered = new ArrayList<>(byVersion.values());
        ordered.sort(Comparator.comparingInt(Migration::version));
        return ordered;
    }

    private static void validateOwner(String owner) {
        if (owner == null || owner.isBlank()) {
            throw new IllegalArgumentException("owner must not be blank");
        }
        if (owner.length() > MAX_OWNER_LENGTH) {
            throw new IllegalArgumentException("owner is longer than " + MAX_OWNER_LENGTH + " characters");
        }
    }

    private static String truncate(String description) {
        return description.length() <= MAX_DESCRIPTION_LENGTH
                ? description : description.substring(0, MAX_DESCRIPTION_LENGTH);
    }

    private static void rollbackQuietly(Connection c) {
        try {
            if (!c.getAutoCommit()) {
                c.rollback();
            }
        } catch (SQLException e) {
            LOG.debug("Rollback failed", e);
        }
    }

    private static void restoreAutoCommit(Connection c, boolean autoCommit) {
        try {
            c.setAutoCommit(autoCommit);
        } catch (SQLException e) {
            LOG.debug("Cannot restore auto-commit", e);
        }
    }
}
