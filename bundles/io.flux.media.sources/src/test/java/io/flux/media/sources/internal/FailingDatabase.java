package io.flux.media.sources.internal;

import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.logging.Logger;

import javax.sql.DataSource;

import io.flux.media.api.persistence.Database;
import io.flux.media.api.persistence.Migration;

/**
 * A real database whose connections refuse to prepare chosen statements (e.g. every {@code INSERT INTO
 * media_source}), to inject a failure at exactly one step.
 */
final class FailingDatabase implements Database {

    private final Database inner;
    private volatile Predicate<String> failing = sql -> false;
    private final DataSource dataSource;

    FailingDatabase(Database inner) {
        this.inner = inner;
        this.dataSource = new FailingDataSource();
    }

    /** Statements starting with {@code prefix} (ignoring case) fail from now on; null: none. */
    void failStatementsStartingWith(String prefix) {
        failing = prefix == null ? sql -> false
                : sql -> sql.strip().toUpperCase(Locale.ROOT).startsWith(prefix.toUpperCase(Locale.ROOT));
    }

    @Override
    public DataSource dataSource() {
        return dataSource;
    }

    @Override
    public Dialect dialect() {
        return inner.dialect();
    }

    @Override
    public List<Integer> migrate(String owner, List<Migration> migrations) {
        return inner.migrate(owner, migrations);
    }

    @Override
    public List<Integer> appliedVersions(String owner) {
        return inner.appliedVersions(owner);
    }

    private Connection wrap(Connection c) {
        InvocationHandler h = (proxy, method, args) -> {
            if (method.getName().startsWith("prepare") && args != null && args.length > 0
                    && args[0] instanceof String sql && failing.test(sql)) {
                throw new SQLException("injected failure: " + sql, "08006");
            }
            try {
                return method.invoke(c, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class}, h);
    }

    private final class FailingDataSource implements DataSource {
        private DataSource real() {
            return inner.dataSource();
        }

        @Override
        public Connection getConnection() throws SQLException {
            return wrap(real().getConnection());
        }

        @Override
        public Connection getConnection(String user, String password) throws SQLException {
            return wrap(real().getConnection(user, password));
        }

        @Override
        public PrintWriter getLogWriter() throws SQLException {
            return real().getLogWriter();
        }

        @Override
        public void setLogWriter(PrintWriter out) throws SQLException {
            real().setLogWriter(out);
        }

        @Override
        public void setLoginTimeout(int seconds) throws SQLException {
            real().setLoginTimeout(seconds);
        }

        @Override
        public int getLoginTimeout() throws SQLException {
            return real().getLoginTimeout();
        }

        @Override
        public Logger getParentLogger() {
            return Logger.getGlobal();
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            return real().unwrap(iface);
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) throws SQLException {
            return real().isWrapperFor(iface);
        }
    }
}
