package io.flux.media.protocol.gb28181.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.flux.media.api.gb28181.ChannelView;
import io.flux.media.api.gb28181.DeviceInfoResult;
import io.flux.media.api.gb28181.Gb28181Exception;
import io.flux.media.api.persistence.Database;
import io.flux.media.api.persistence.Migration;

/**
 * Devices and channels in the platform database, with an in-memory copy that answers every read.
 * <p>
 * All writes run on one writer thread, so that an insert-or-update never races another. Registration data is
 * written behind: a registration, unregistration or online change is flushed at once (queued, not awaited),
 * keepalives (last seen) at the next periodic flush. A failed flush keeps the rows dirty and retries. Catalog and
 * DeviceInfo writes come from API threads, which wait for them. The queue is bounded: past
 * {@link #MAX_QUEUED} tasks, waiting writers get {@code UNAVAILABLE} and notification writes are dropped with a
 * warning; registration flushes coalesce into one pending task and never queue up.
 */
final class DeviceStore implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DeviceStore.class);

    /** Migration owner: the bundle's symbolic name. */
    static final String OWNER = "io.flux.media.protocol.gb28181";
    static final String DEVICES = "gb28181_device";
    static final String CHANNELS = "gb28181_channel";
    static final int MAX_QUEUED = 1000;
    private static final int TEXT = 255;

    static final List<Migration> MIGRATIONS = List.of(Migration.of(1, "GB28181 devices and channels",
            "CREATE TABLE " + DEVICES + " ("
                    + "device_id VARCHAR(20) NOT NULL PRIMARY KEY, "
                    + "name VARCHAR(255), "
                    + "manufacturer VARCHAR(255), "
                    + "model VARCHAR(255), "
                    + "firmware VARCHAR(255), "
                    + "transport VARCHAR(8), "
                    + "host VARCHAR(255), "
                    + "port INTEGER, "
                    + "contact VARCHAR(512), "
                    + "registered_at BIGINT, "
                    + "expires_at BIGINT, "
                    + "last_seen BIGINT, "
                    + "offline_reason VARCHAR(32), "
                    + "updated_at BIGINT NOT NULL)",
            "CREATE TABLE " + CHANNELS + " ("
                    + "device_id VARCHAR(20) NOT NULL, "
                    + "channel_id VARCHAR(64) NOT NULL, "
                    + "name VARCHAR(255), "
                    + "manufacturer VARCHAR(255), "
                    + "model VARCHAR(255), "
                    + "status VARCHAR(16), "
                    + "parent_id VARCHAR(64), "
                    + "address VARCHAR(255), "
                    + "longitude DOUBLE PRECISION, "
                    + "latitude DOUBLE PRECISION, "
                    + "updated_at BIGINT NOT NULL, "
                    + "PRIMARY KEY (device_id, channel_id))"));

    /** What the database knows of a device. */
    record StoredDevice(String id, String name, String manufacturer, String model, String firmware,
            String transport, String host, Integer port, String contact, Instant registeredAt, Instant expiresAt,
            Instant lastSeen, String offlineReason) {

        StoredDevice withRegistration(DeviceRegistry.Device d) {
            return new StoredDevice(id, name, manufacturer, model, firmware, d.transport(), d.host(), d.port(),
                    d.contact(), d.registeredAt(), d.expiresAt(), d.lastSeen(),
                    d.online() ? null : d.offlineReason() == null ? null : d.offlineReason().label);
        }

        StoredDevice withInfo(DeviceInfoResult r) {
            return new StoredDevice(id, or(r.name(), name), or(r.manufacturer(), manufacturer),
                    or(r.model(), model), or(r.firmware(), firmware), transport, host, port, contact, registeredAt,
                    expiresAt, lastSeen, offlineReason);
        }

        static StoredDevice empty(String id) {
            return new StoredDevice(id, null, null, null, null, null, null, null, null, null, null, null, null);
        }

        private static String or(String a, String b) {
            return a != null ? a : b;
        }
    }

    private final Database db;
    private final Duration flushPeriod;
    private final Duration writeTimeout;
    private final Clock clock;
    private final Map<String, StoredDevice> devices = new ConcurrentHashMap<>();
    private final Map<String, Map<String, ChannelView>> channels = new ConcurrentHashMap<>();
    /** Devices whose registration data is newer in memory than in the database. */
    private final Map<String, Boolean> dirty = new ConcurrentHashMap<>();
    private final AtomicBoolean flushQueued = new AtomicBoolean();
    private final AtomicInteger queued = new AtomicInteger();
    private ScheduledThreadPoolExecutor writer;

    DeviceStore(Database db, Duration flushPeriod, Duration writeTimeout, Clock clock) {
        this.db = db;
        this.flushPeriod = flushPeriod;
        this.writeTimeout = writeTimeout;
        this.clock = clock;
    }

    /** Migrates, loads everything into memory and starts the writer. */
    void start() {
        db.migrate(OWNER, MIGRATIONS);
        try (Connection c = db.dataSource().getConnection()) {
            load(c);
        } catch (SQLException e) {
            throw new IllegalStateException("GB28181 devices could not be loaded: " + e.getMessage(), e);
        }
        writer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "flux-gb28181-db");
            t.setDaemon(true);
            return t;
        });
        writer.setRemoveOnCancelPolicy(true);
        long period = flushPeriod.toMillis();
        writer.scheduleWithFixedDelay(this::flush, period, period, TimeUnit.MILLISECONDS);
        LOG.info("GB28181 store: {} devices, {} channels loaded", devices.size(),
                channels.values().stream().mapToInt(Map::size).sum());
    }

    private void load(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT device_id, name, manufacturer, model, firmware, "
                + "transport, host, port, contact, registered_at, expires_at, last_seen, offline_reason FROM "
                + DEVICES); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                int port = rs.getInt(8);
                Integer p = rs.wasNull() ? null : port;
                devices.put(rs.getString(1), new StoredDevice(rs.getString(1), rs.getString(2), rs.getString(3),
                        rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7), p, rs.getString(9),
                        instant(rs, 10), instant(rs, 11), instant(rs, 12), rs.getString(13)));
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT device_id, channel_id, name, manufacturer, model, "
                + "status, parent_id, address, longitude, latitude, updated_at FROM " + CHANNELS
                + " ORDER BY device_id, channel_id"); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                double lon = rs.getDouble(9);
                Double longitude = rs.wasNull() ? null : lon;
                double lat = rs.getDouble(10);
                Double latitude = rs.wasNull() ? null : lat;
                ChannelView ch = new ChannelView(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8), longitude, latitude,
                        instant(rs, 11));
                channels.computeIfAbsent(ch.device_id(), k -> new LinkedHashMap<>()).put(ch.channel_id(), ch);
            }
        }
    }

    // ---- reads (memory) ----

    Optional<StoredDevice> device(String id) {
        return Optional.ofNullable(devices.get(id));
    }

    Collection<StoredDevice> devices() {
        return List.copyOf(devices.values());
    }

    List<ChannelView> channels(String deviceId) {
        Map<String, ChannelView> m = channels.get(deviceId);
        if (m == null) {
            return List.of();
        }
        synchronized (m) {
            List<ChannelView> out = new ArrayList<>(m.values());
            out.sort(Comparator.comparing(ChannelView::channel_id));
            return out;
        }
    }

    int channelCount(String deviceId) {
        Map<String, ChannelView> m = channels.get(deviceId);
        if (m == null) {
            return 0;
        }
        synchronized (m) {
            return m.size();
        }
    }

    boolean hasChannel(String deviceId, String channelId) {
        Map<String, ChannelView> m = channels.get(deviceId);
        if (m == null) {
            return false;
        }
        synchronized (m) {
            return m.containsKey(channelId);
        }
    }

    // ---- writes ----

    /**
     * A registration changed (SIP threads, never blocks). {@code urgent}: registered, unregistered, online
     * changed — flushed now; otherwise (keepalive) at the next periodic flush.
     */
    void registration(DeviceRegistry.Device d, boolean urgent) {
        devices.compute(d.id(), (k, old) -> (old == null ? StoredDevice.empty(k) : old).withRegistration(d));
        dirty.put(d.id(), Boolean.TRUE);
        if (urgent) {
            flushSoon();
        }
    }

    private void flushSoon() {
        ScheduledThreadPoolExecutor w = writer;
        if (w != null && flushQueued.compareAndSet(false, true)) {
            try {
                w.execute(() -> {
                    flushQueued.set(false);
                    flush();
                });
            } catch (RejectedExecutionException e) {
                flushQueued.set(false); // stopping: close() flushes
            }
        }
    }

    /** Writes the dirty registrations; on failure they stay dirty for the next run. On the writer thread. */
    void flush() {
        if (dirty.isEmpty()) {
            return;
        }
        List<String> ids = new ArrayList<>(dirty.keySet());
        try (Connection c = db.dataSource().getConnection()) {
            c.setAutoCommit(false);
            try {
                for (String id : ids) {
                    dirty.remove(id);
                    StoredDevice d = devices.get(id);
                    if (d != null) {
                        upsertRegistration(c, d);
                    }
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException | RuntimeException e) {
            ids.forEach(id -> dirty.put(id, Boolean.TRUE));
            LOG.warn("GB28181 registrations not saved ({} devices), retrying in {} s: {}", ids.size(),
                    flushPeriod.toSeconds(), e.toString());
        }
    }

    private void upsertRegistration(Connection c, StoredDevice d) throws SQLException {
        long now = clock.millis();
        try (PreparedStatement up = c.prepareStatement("UPDATE " + DEVICES + " SET transport = ?, host = ?, port = ?, "
                + "contact = ?, registered_at = ?, expires_at = ?, last_seen = ?, offline_reason = ?, updated_at = ? "
                + "WHERE device_id = ?")) {
            setRegistration(up, 1, d);
            up.setLong(9, now);
            up.setString(10, d.id());
            if (up.executeUpdate() > 0) {
                return;
            }
        }
        try (PreparedStatement in = c.prepareStatement("INSERT INTO " + DEVICES + " (transport, host, port, contact, "
                + "registered_at, expires_at, last_seen, offline_reason, updated_at, device_id) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            setRegistration(in, 1, d);
            in.setLong(9, now);
            in.setString(10, d.id());
            in.executeUpdate();
        }
    }

    private static void setRegistration(PreparedStatement ps, int i, StoredDevice d) throws SQLException {
        ps.setString(i, d.transport());
        ps.setString(i + 1, cut(d.host(), TEXT));
        if (d.port() == null) {
            ps.setNull(i + 2, Types.INTEGER);
        } else {
            ps.setInt(i + 2, d.port());
        }
        ps.setString(i + 3, cut(d.contact(), 512));
        setInstant(ps, i + 4, d.registeredAt());
        setInstant(ps, i + 5, d.expiresAt());
        setInstant(ps, i + 6, d.lastSeen());
        ps.setString(i + 7, d.offlineReason());
    }

    /** Stores a DeviceInfo answer; waits for the write (API thread). */
    void info(DeviceInfoResult r) {
        StoredDevice updated = devices.compute(r.device_id(),
                (k, old) -> (old == null ? StoredDevice.empty(k) : old).withInfo(r));
        await(() -> {
            try (Connection c = db.dataSource().getConnection()) {
                long now = clock.millis();
                try (PreparedStatement up = c.prepareStatement("UPDATE " + DEVICES + " SET name = ?, manufacturer = ?, "
                        + "model = ?, firmware = ?, updated_at = ? WHERE device_id = ?")) {
                    setInfo(up, updated, now);
                    if (up.executeUpdate() > 0) {
                        return null;
                    }
                }
                try (PreparedStatement in = c.prepareStatement("INSERT INTO " + DEVICES + " (name, manufacturer, "
                        + "model, firmware, updated_at, device_id) VALUES (?, ?, ?, ?, ?, ?)")) {
                    setInfo(in, updated, now);
                    in.executeUpdate();
                }
                // The registration columns of a row created here come with the next flush.
                dirty.put(r.device_id(), Boolean.TRUE);
            }
            return null;
        }, "device info of " + r.device_id());
    }

    private static void setInfo(PreparedStatement ps, StoredDevice d, long now) throws SQLException {
        ps.setString(1, cut(d.name(), TEXT));
        ps.setString(2, cut(d.manufacturer(), TEXT));
        ps.setString(3, cut(d.model(), TEXT));
        ps.setString(4, cut(d.firmware(), TEXT));
        ps.setLong(5, now);
        ps.setString(6, d.id());
    }

    /**
     * Stores catalog items; waits for the write (API thread). {@code replace}: a complete catalog replaces the
     * device's channels; otherwise the items are added or updated.
     */
    void catalog(String deviceId, List<ChannelView> items, boolean replace) {
        applyToMemory(deviceId, items, replace);
        await(() -> {
            writeChannels(deviceId, items, replace);
            return null;
        }, "catalog of " + deviceId);
    }

    /** Catalog change notifications (SIP threads): upserted in the background, dropped when the queue is full. */
    void catalogNotify(String deviceId, List<ChannelView> items) {
        applyToMemory(deviceId, items, false);
        if (!submit(() -> {
            try {
                writeChannels(deviceId, items, false);
            } catch (SQLException e) {
                LOG.warn("catalog notification of device {} not saved: {}", deviceId, e.toString());
            }
            return null;
        })) {
            LOG.warn("catalog notification of device {} not saved: the write queue is full", deviceId);
        }
    }

    private void applyToMemory(String deviceId, List<ChannelView> items, boolean replace) {
        devices.computeIfAbsent(deviceId, StoredDevice::empty);
        Map<String, ChannelView> m = channels.computeIfAbsent(deviceId, k -> new LinkedHashMap<>());
        synchronized (m) {
            if (replace) {
                m.clear();
            }
            for (ChannelView c : items) {
                m.put(c.channel_id(), c);
            }
        }
    }

    private void writeChannels(String deviceId, List<ChannelView> items, boolean replace) throws SQLException {
        try (Connection c = db.dataSource().getConnection()) {
            c.setAutoCommit(false);
            try {
                ensureDeviceRow(c, deviceId);
                if (replace) {
                    try (PreparedStatement del = c.prepareStatement("DELETE FROM " + CHANNELS + " WHERE device_id = ?")) {
                        del.setString(1, deviceId);
                        del.executeUpdate();
                    }
                    try (PreparedStatement in = c.prepareStatement(insertChannel())) {
                        for (ChannelView ch : items) {
                            setChannel(in, ch);
                            in.addBatch();
                        }
                        in.executeBatch();
                    }
                } else {
                    for (ChannelView ch : items) {
                        try (PreparedStatement up = c.prepareStatement("UPDATE " + CHANNELS + " SET name = ?, "
                                + "manufacturer = ?, model = ?, status = ?, parent_id = ?, address = ?, longitude = ?, "
                                + "latitude = ?, updated_at = ? WHERE device_id = ? AND channel_id = ?")) {
                            setChannelFields(up, ch);
                            up.setString(10, ch.device_id());
                            up.setString(11, ch.channel_id());
                            if (up.executeUpdate() > 0) {
                                continue;
                            }
                        }
                        try (PreparedStatement in = c.prepareStatement(insertChannel())) {
                            setChannel(in, ch);
                            in.executeUpdate();
                        }
                    }
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** A catalog may come before the device row was flushed; the row then starts with the id alone. */
    private void ensureDeviceRow(Connection c, String deviceId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM " + DEVICES + " WHERE device_id = ?")) {
            ps.setString(1, deviceId);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    return;
                }
            }
        }
        try (PreparedStatement in = c.prepareStatement("INSERT INTO " + DEVICES + " (device_id, updated_at) "
                + "VALUES (?, ?)")) {
            in.setString(1, deviceId);
            in.setLong(2, clock.millis());
            in.executeUpdate();
        }
        dirty.put(deviceId, Boolean.TRUE);
    }

    private static String insertChannel() {
        return "INSERT INTO " + CHANNELS + " (name, manufacturer, model, status, parent_id, address, longitude, "
                + "latitude, updated_at, device_id, channel_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    }

    private static void setChannel(PreparedStatement ps, ChannelView ch) throws SQLException {
        setChannelFields(ps, ch);
        ps.setString(10, ch.device_id());
        ps.setString(11, ch.channel_id());
    }

    private static void setChannelFields(PreparedStatement ps, ChannelView ch) throws SQLException {
        ps.setString(1, cut(ch.name(), TEXT));
        ps.setString(2, cut(ch.manufacturer(), TEXT));
        ps.setString(3, cut(ch.model(), TEXT));
        ps.setString(4, cut(ch.status(), 16));
        ps.setString(5, cut(ch.parent_id(), 64));
        ps.setString(6, cut(ch.address(), TEXT));
        setDouble(ps, 7, ch.longitude());
        setDouble(ps, 8, ch.latitude());
        setInstant(ps, 9, ch.updated_at());
    }

    private boolean submit(Callable<Void> task) {
        ScheduledThreadPoolExecutor w = writer;
        if (w == null || queued.incrementAndGet() > MAX_QUEUED) {
            queued.decrementAndGet();
            return false;
        }
        try {
            w.submit(() -> {
                queued.decrementAndGet();
                return task.call();
            });
            return true;
        } catch (RejectedExecutionException e) {
            queued.decrementAndGet();
            return false;
        }
    }

    private void await(Callable<Void> task, String what) {
        ScheduledThreadPoolExecutor w = writer;
        if (w == null || queued.incrementAndGet() > MAX_QUEUED) {
            if (w != null) {
                queued.decrementAndGet();
            }
            throw new Gb28181Exception(Gb28181Exception.Reason.UNAVAILABLE, "the GB28181 database writer is busy");
        }
        Future<Void> f;
        try {
            f = w.submit(() -> {
                queued.decrementAndGet();
                return task.call();
            });
        } catch (RejectedExecutionException e) {
            queued.decrementAndGet();
            throw new Gb28181Exception(Gb28181Exception.Reason.UNAVAILABLE, "the GB28181 server is stopping");
        }
        try {
            f.get(writeTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            LOG.warn("saving the {} failed: {}", what, e.getCause().toString());
            throw new Gb28181Exception(Gb28181Exception.Reason.UNAVAILABLE, "saving the " + what + " failed: "
                    + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new Gb28181Exception(Gb28181Exception.Reason.UNAVAILABLE, "saving the " + what + " timed out");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Gb28181Exception(Gb28181Exception.Reason.UNAVAILABLE, "interrupted saving the " + what);
        }
    }

    /** Stops the writer after a last flush of registrations. */
    @Override
    public void close() {
        ScheduledThreadPoolExecutor w = writer;
        if (w == null) {
            return;
        }
        w.shutdown();
        try {
            if (!w.awaitTermination(writeTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                w.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            w.shutdownNow();
        }
        flush();
        writer = null;
        if (!dirty.isEmpty()) {
            LOG.warn("GB28181 registrations of {} devices not saved at shutdown", dirty.size());
        }
    }

    private static String cut(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }

    private static void setInstant(PreparedStatement ps, int i, Instant t) throws SQLException {
        if (t == null) {
            ps.setNull(i, Types.BIGINT);
        } else {
            ps.setLong(i, t.toEpochMilli());
        }
    }

    private static void setDouble(PreparedStatement ps, int i, Double d) throws SQLException {
        if (d == null) {
            ps.setNull(i, Types.DOUBLE);
        } else {
            ps.setDouble(i, d);
        }
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : Instant.ofEpochMilli(v);
    }
}
