package io.flux.media.persistence.internal;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import javax.sql.DataSource;

import org.osgi.service.jdbc.DataSourceFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import io.flux.media.api.health.Readiness;
import io.flux.media.api.persistence.Database;

/**
 * Owns the pool: waits for the DataSourceFactory of the configured driver, connects in the background
 * with exponential backoff, and tells its {@link Listener} when a working {@link Database} appears or
 * goes away. State changes run on one connector thread; {@link #readiness()} may be called from any thread.
 */
final class DatabaseManager implements AutoCloseable {

    /**
     * Receives the database once the pool hands out connections, and its loss. Called by the connector
     * thread, or by {@link #close()}.
     */
    interface Listener {
        void up(Database database);

        void down(Database database);
    }

    enum State { MISCONFIGURED, WAITING_FOR_DRIVER, CONNECTING, UP, CLOSED }

    /** What {@link #readiness()} reports; never contains the password. */
    record Status(State state, String error, int failedAttempts) {
    }

    static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    static final Duration MAX_RETRY = Duration.ofSeconds(30);
    static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(2);

    private static final Logger LOG = LoggerFactory.getLogger(DatabaseManager.class);

    private final DatabaseSettings settings;
    private final String reportedDialect;
    private final String reportedUrl;
    private final Listener listener;
    private final Duration firstRetry;
    private final ScheduledExecutorService connector;
    private final ExecutorService health;

    private final Object lock = new Object();
    // Guarded by lock.
    private final Map<DataSourceFactory, String> factories = new LinkedHashMap<>();
    private DataSourceFactory activeFactory;
    private HikariDataSource pool;
    private ScheduledFuture<?> retry;
    private boolean closed;

    // Read without the lock by readiness().
    private volatile PooledDatabase database;
    private volatile Status status;
    private volatile CompletableFuture<Readiness> probe;

    private Duration nextDelay;

    DatabaseManager(DatabaseSettings settings, Listener listener) {
        this(settings, listener, FIRST_RETRY);
    }

    DatabaseManager(DatabaseSettings settings, Listener listener, Duration firstRetry) {
        this(settings, settings.dialect().name(), settings.redactedUrl(), listener, firstRetry);
        status = new Status(State.WAITING_FOR_DRIVER, waitingMessage(), 0);
    }

    /** A manager that never connects because the configuration cannot work; readiness says why. */
    static DatabaseManager misconfigured(Database.Dialect dialect, String url, String error, Listener listener) {
        DatabaseManager m = new DatabaseManager(null, String.valueOf(dialect),
                DatabaseSettings.redactUrl(url == null ? "" : url), listener, FIRST_RETRY);
        m.status = new Status(State.MISCONFIGURED, "database not started: " + error, 0);
        LOG.error("Database not started: {}", error);
        return m;
    }

    private DatabaseManager(DatabaseSettings settings, String reportedDialect, String reportedUrl, Listener listener,
            Duration firstRetry) {
        this.settings = settings;
        this.reportedDialect = reportedDialect;
        this.reportedUrl = reportedUrl;
        this.listener = listener;
        this.firstRetry = firstRetry;
        this.nextDelay = firstRetry;
        this.connector = Executors.newSingleThreadScheduledExecutor(daemon("flux-db-connector"));
        this.health = Executors.newSingleThreadExecutor(daemon("flux-db-health"));
    }

    Status status() {
        return status;
    }

    /** The published database, or null while the pool is not up. */
    Database database() {
        return database;
    }

    void addFactory(DataSourceFactory factory, String driverClass) {
        synchronized (lock) {
            if (closed) {
                return;
            }
            factories.put(factory, driverClass == null ? "" : driverClass);
        }
        if (settings != null && settings.driverClass().equals(driverClass)) {
            submit(this::connectNow);
        }
    }

    void removeFactory(DataSourceFactory factory) {
        synchronized (lock) {
            if (factories.remove(factory) == null || closed) {
                return;
            }
        }
        submit(() -> onFactoryGone(factory));
    }

    /** Unpublishes the database and closes the pool; waits for a connection attempt in progress. */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            if (retry != null) {
                retry.cancel(false);
            }
        }
        connector.shutdown();
        long waitMs = (settings == null ? 0 : settings.connectTimeout().toMillis()) + 5_000;
        try {
            if (!connector.awaitTermination(waitMs, TimeUnit.MILLISECONDS)) {
                connector.shutdownNow();
            }
        } catch (InterruptedException e) {
            connector.shutdownNow();
            Thread.currentThread().interrupt();
        }
        tearDown("the database component stopped");
        health.shutdownNow();
        status = new Status(State.CLOSED, "closed", 0);
    }

    /** Dialect, URL (no password) and state, without touching the database. */
    Map<String, Object> info() {
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("dialect", reportedDialect);
        info.put("url", reportedUrl);
        info.put("state", status.state().name().toLowerCase(Locale.ROOT));
        return info;
    }

    Readiness readiness() {
        Map<String, Object> details = new LinkedHashMap<>();
        Status s = status;
        details.put("dialect", reportedDialect);
        details.put("url", reportedUrl);
        details.put("state", s.state().name().toLowerCase(Locale.ROOT));
        PooledDatabase db = database;
        if (db == null || s.state() != State.UP) {
            details.put("select_ok", false);
            if (s.failedAttempts() > 0) {
                details.put("failed_attempts", s.failedAttempts());
            }
            return new Readiness(false, s.error() == null ? "database not connected" : s.error(), details);
        }
        return probe(db, details);
    }

    /** Runs SELECT 1 with a short bound; a probe still running from an earlier call is reused, not stacked. */
    private Readiness probe(PooledDatabase db, Map<String, Object> details) {
        CompletableFuture<Readiness> p;
        synchronized (lock) {
            p = probe;
            if (p == null || p.isDone()) {
                try {
                    p = CompletableFuture.supplyAsync(() -> selectOne(db), health);
                } catch (RejectedExecutionException e) {
                    return down(details, "database component is stopping");
                }
                probe = p;
            }
        }
        try {
            Readiness r = p.get(HEALTH_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            Map<String, Object> all = new LinkedHashMap<>(details);
            all.putAll(r.details());
            return new Readiness(r.ready(), r.message(), all);
        } catch (TimeoutException e) {
            return down(details, "SELECT 1 did not answer within " + HEALTH_TIMEOUT.toMillis() + " ms");
        } catch (ExecutionException e) {
            return down(details, "SELECT 1 failed: " + settings.redact(String.valueOf(e.getCause())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return down(details, "interrupted");
        }
    }

    private Readiness selectOne(PooledDatabase db) {
        long start = System.nanoTime();
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.setQueryTimeout((int) Math.max(1, HEALTH_TIMEOUT.toSeconds()));
            try (ResultSet rs = s.executeQuery("SELECT 1")) {
                if (!rs.next() || rs.getInt(1) != 1) {
                    return new Readiness(false, "SELECT 1 returned no 1", Map.of("select_ok", false));
                }
            }
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            return new Readiness(true, "SELECT 1 answered in " + ms + " ms",
                    Map.of("select_ok", true, "latency_ms", ms));
        } catch (SQLException e) {
            return new Readiness(false, "SELECT 1 failed: " + settings.redact(e.getMessage()),
                    Map.of("select_ok", false));
        }
    }

    private static Readiness down(Map<String, Object> details, String message) {
        Map<String, Object> all = new LinkedHashMap<>(details);
        all.put("select_ok", false);
        return new Readiness(false, message, all);
    }

    private void submit(Runnable task) {
        try {
            connector.execute(task);
        } catch (RejectedExecutionException e) {
            LOG.debug("Database component is stopping; task dropped");
        }
    }

    private void connectNow() {
        synchronized (lock) {
            if (retry != null) {
                retry.cancel(false);
                retry = null;
            }
        }
        attempt();
    }

    /** One connection attempt; on failure schedules the next with backoff. Runs on the connector thread. */
    private void attempt() {
        DataSourceFactory factory;
        synchronized (lock) {
            if (closed || pool != null) {
                return;
            }
            factory = factories.entrySet().stream()
                    .filter(e -> e.getValue().equals(settings.driverClass()))
                    .map(Map.Entry::getKey)
                    .findFirst().orElse(null);
            if (factory == null) {
                status = new Status(State.WAITING_FOR_DRIVER, waitingMessage(), status.failedAttempts());
                LOG.info("Database waiting for a DataSourceFactory for {}", settings.driverClass());
                return;
            }
            status = new Status(State.CONNECTING, status.error(), status.failedAttempts());
        }
        HikariDataSource opened;
        try {
            opened = open(factory);
        } catch (RuntimeException | SQLException e) {
            onFailure(e);
            return;
        }
        PooledDatabase db;
        synchronized (lock) {
            if (closed || !factories.containsKey(factory)) {
                db = null;
            } else {
                pool = opened;
                activeFactory = factory;
                db = new PooledDatabase(opened, settings.dialect());
                database = db;
                status = new Status(State.UP, null, 0);
                nextDelay = firstRetry;
            }
        }
        if (db == null) {
            opened.close();
            return;
        }
        LOG.info("Database ready: {} at {} as user '{}' (pool size {})", settings.dialect(),
                settings.redactedUrl(), settings.user(), settings.poolSize());
        listener.up(db);
    }

    private HikariDataSource open(DataSourceFactory factory) throws SQLException {
        Properties props = new Properties();
        props.setProperty(DataSourceFactory.JDBC_URL, settings.url());
        if (!settings.user().isEmpty()) {
            props.setProperty(DataSourceFactory.JDBC_USER, settings.user());
        }
        if (!settings.password().isEmpty()) {
            props.setProperty(DataSourceFactory.JDBC_PASSWORD, settings.password());
        }
        DataSource driver = factory.createDataSource(props);
        long timeout = settings.connectTimeout().toMillis();
        int timeoutSeconds = (int) Math.max(1, TimeUnit.MILLISECONDS.toSeconds(timeout + 999));
        try {
            driver.setLoginTimeout(timeoutSeconds);
        } catch (SQLException unsupported) {
            LOG.debug("The driver's DataSource has no login timeout", unsupported);
        }
        // Probe once before building the pool: Hikari would log every failed round as an ERROR with a stack trace.
        try (Connection c = driver.getConnection()) {
            if (!c.isValid(timeoutSeconds)) {
                throw new SQLException("the new connection is not valid");
            }
        }
        HikariConfig config = new HikariConfig();
        config.setPoolName("flux-db");
        config.setDataSource(driver);
        config.setMaximumPoolSize(settings.poolSize());
        config.setMinimumIdle(Math.min(2, settings.poolSize()));
        config.setConnectionTimeout(timeout);
        config.setValidationTimeout(Math.min(timeout, 5_000));
        // One attempt per round: the backoff loop, not Hikari, decides when to try again.
        config.setInitializationFailTimeout(1);
        config.setRegisterMbeans(false);
        return new HikariDataSource(config);
    }

    private void onFailure(Exception e) {
        Duration delay;
        int attempts;
        String reason = settings.redact(rootMessage(e));
        synchronized (lock) {
            if (closed) {
                return;
            }
            attempts = status.failedAttempts() + 1;
            delay = nextDelay;
            nextDelay = min(nextDelay.multipliedBy(2), MAX_RETRY);
            status = new Status(State.CONNECTING, "cannot connect: " + reason, attempts);
            retry = connector.schedule(this::attempt, delay.toMillis(), TimeUnit.MILLISECONDS);
        }
        LOG.warn("Cannot connect to the {} database at {} as user '{}' (attempt {}): {}; retrying in {} ms",
                settings.dialect(), settings.redactedUrl(), settings.user(), attempts, reason, delay.toMillis());
    }

    private void onFactoryGone(DataSourceFactory factory) {
        boolean wasActive;
        synchronized (lock) {
            wasActive = factory == activeFactory;
        }
        if (wasActive) {
            tearDown("its DataSourceFactory went away");
            attempt();
        }
    }

    /** Unpublishes first, then closes the pool, so no consumer is handed a closed pool. */
    private void tearDown(String why) {
        PooledDatabase db;
        HikariDataSource p;
        synchronized (lock) {
            db = database;
            p = pool;
            database = null;
            pool = null;
            activeFactory = null;
        }
        if (db != null) {
            listener.down(db);
        }
        if (p != null) {
            p.close();
            LOG.info("Database pool closed: {}", why);
        }
    }

    private String waitingMessage() {
        return "waiting for the DataSourceFactory of " + settings.driverClass() + " (is the driver bundle installed?)";
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage();
        return m == null ? t.getClass().getSimpleName() : m;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
