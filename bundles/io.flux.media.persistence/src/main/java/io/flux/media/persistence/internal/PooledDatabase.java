package io.flux.media.persistence.internal;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.List;
import java.util.logging.Logger;

import javax.sql.DataSource;

import io.flux.media.api.persistence.Database;
import io.flux.media.api.persistence.Migration;

/** The {@link Database} service: a pooled data source plus the migrator. */
final class PooledDatabase implements Database {

    private final DataSource dataSource;
    private final Dialect dialect;
    private final Migrator migrator;

    PooledDatabase(DataSource pool, Dialect dialect) {
        this.dataSource = new NonClosingDataSource(pool);
        this.dialect = dialect;
        this.migrator = new Migrator(pool, dialect);
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
    public List<Integer> migrate(String owner, List<Migration> migrations) {
        return migrator.migrate(owner, migrations);
    }

    @Override
    public List<Integer> appliedVersions(String owner) {
        return migrator.appliedVersions(owner);
    }

    @Override
    public String toString() {
        return "Database[" + dialect + "]";
    }

    /**
     * Hands out the pool's connections but not the pool itself: a consumer must not be able to close
     * (or unwrap and reconfigure) the platform pool that every bundle shares.
     */
    private record NonClosingDataSource(DataSource pool) implements DataSource {

        @Override
        public Connection getConnection() throws SQLException {
            return pool.getConnection();
        }

        @Override
        public Connection getConnection(String username, String password) throws SQLException {
            throw new SQLFeatureNotSupportedException("the platform pool uses the configured credentials");
        }

        @Override
        public PrintWriter getLogWriter() throws SQLException {
            return pool.getLogWriter();
        }

        @Override
        public void setLogWriter(PrintWriter out) throws SQLException {
            throw new SQLFeatureNotSupportedException("the platform pool is configured by io.flux.media.persistence");
        }

        @Override
        public void setLoginTimeout(int seconds) throws SQLException {
            throw new SQLFeatureNotSupportedException("the platform pool is configured by io.flux.media.persistence");
        }

        @Override
        public int getLoginTimeout() throws SQLException {
            return pool.getLoginTimeout();
        }

        @Override
        public Logger getParentLogger() throws SQLFeatureNotSupportedException {
            return pool.getParentLogger();
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            if (iface.isInstance(this)) {
                return iface.cast(this);
            }
            throw new SQLException("the platform pool cannot be unwrapped to " + iface.getName());
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) {
            return iface.isInstance(this);
        }

        @Override
        public String toString() {
            return "Flux platform DataSource";
        }
    }
}
