package io.flux.media.protocol.gb28181.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import io.flux.media.api.gb28181.CatalogResult;
import io.flux.media.api.gb28181.ChannelView;
import io.flux.media.api.gb28181.DeviceInfoResult;
import io.flux.media.api.gb28181.DeviceRequest;
import io.flux.media.api.gb28181.DeviceView;
import io.flux.media.api.gb28181.Gb28181Exception;
import io.flux.media.api.gb28181.Gb28181Exception.Reason;
import io.flux.media.api.gb28181.InviteRequest;
import io.flux.media.protocol.gb28181.internal.DevicePeer.Msg;
import io.flux.media.testing.TestDatabase;

/** Devices and channels in a real H2 database, across a server restart. */
class DeviceStoreTest {

    /** The test's database, closed after it (which drops a PostgreSQL schema). */
    @AutoClose
    private TestDatabase opened;

    /** A fresh database: in-memory H2 here, PostgreSQL in {@link PostgresDeviceStoreTest}. */
    TestDatabase newDatabase() throws Exception {
        return TestDatabase.h2();
    }

    private TestDatabase database() throws Exception {
        opened = newDatabase();
        return opened;
    }

    static final String DEVICE = RegistrarTest.DEVICE;

    @Test
    void registrationInfoAndCatalogSurviveARestartAndTheDeviceComesBackOfflineRestarted() throws Exception {
        TestDatabase db = database();
        DeviceView before;
        try (TestServer server = TestServer.start(db, Map.of()); DevicePeer device = server.device(DEVICE)) {
            CompletableFuture<CatalogResult> catalog = CompletableFuture.supplyAsync(
                    () -> server.backend().catalog(new DeviceRequest(DEVICE)));
            Msg q = device.next("MESSAGE");
            device.reply(q, 200, "OK");
            device.message(QueryManagerTest.page(q.xml("SN"), 2, 0, 2));
            assertThat(catalog.get(5, TimeUnit.SECONDS).complete()).isTrue();

            CompletableFuture<DeviceInfoResult> info = CompletableFuture.supplyAsync(
                    () -> server.backend().deviceInfo(new DeviceRequest(DEVICE)));
            Msg i = device.next("MESSAGE");
            device.reply(i, 200, "OK");
            device.message(("<?xml version=\"1.0\" encoding=\"GB2312\"?><Response><CmdType>DeviceInfo</CmdType><SN>"
                    + i.xml("SN") + "</SN><DeviceID>" + DEVICE + "</DeviceID><DeviceName>南门</DeviceName>"
                    + "<Manufacturer>Uniview</Manufacturer><Model>IPC-1</Model><Firmware>B1</Firmware></Response>")
                    .getBytes(DevicePeer.GB18030));
            info.get(5, TimeUnit.SECONDS);
            // The registration is written behind, at once for a new registration.
            RegistrarTest.await(() -> count(db, "SELECT COUNT(*) FROM gb28181_device WHERE host = '127.0.0.1' "
                    + "AND transport = 'UDP' AND port = " + device.port() + " AND registered_at IS NOT NULL") == 1,
                    "the registration row");
            before = server.backend().device(DEVICE).orElseThrow();
            assertThat(before.online()).isTrue();
        }

        try (TestServer restarted = TestServer.start(db, Map.of())) {
            DeviceView after = restarted.backend().device(DEVICE).orElseThrow();
            assertThat(after.online()).isFalse();
            assertThat(after.offline_reason()).isEqualTo("restarted");
            assertThat(after.name()).isEqualTo("南门");
            assertThat(after.manufacturer()).isEqualTo("Uniview");
            assertThat(after.model()).isEqualTo("IPC-1");
            assertThat(after.firmware()).isEqualTo("B1");
            assertThat(after.transport()).isEqualTo("UDP");
            assertThat(after.host()).isEqualTo("127.0.0.1");
            assertThat(after.port()).isEqualTo(before.port());
            // Stored as epoch milliseconds.
            assertThat(after.registered_at()).isEqualTo(before.registered_at().truncatedTo(ChronoUnit.MILLIS));
            assertThat(after.channel_count()).isEqualTo(2);
            assertThat(restarted.backend().devices()).extracting(DeviceView::device_id).containsExactly(DEVICE);
            assertThat(restarted.backend().channels(DEVICE)).extracting(ChannelView::name)
                    .containsExactly("大门摄像机 0 镕", "大门摄像机 1 镕");
            assertThatThrownBy(() -> restarted.backend().invite(new InviteRequest(DEVICE,
                    SessionManagerTest.CHANNEL, null))).isInstanceOfSatisfying(Gb28181Exception.class, e -> {
                        assertThat(e.reason()).isEqualTo(Reason.OFFLINE);
                        assertThat(e.getMessage()).contains("restarted");
                    });

            // Registering again brings it online with what the database knew.
            try (DevicePeer device = restarted.device(DEVICE)) {
                DeviceView online = restarted.backend().device(DEVICE).orElseThrow();
                assertThat(online.online()).isTrue();
                assertThat(online.offline_reason()).isNull();
                assertThat(online.name()).isEqualTo("南门");
                assertThat(online.port()).isEqualTo(device.port());
            }
        }
    }

    @Test
    void keepalivesAreWrittenBehindAndAFailedFlushIsRetried() throws Exception {
        TestDatabase db = database();
        MutableClock clock = new MutableClock(Instant.parse("2026-03-01T08:00:00Z"));
        DeviceStore store = new DeviceStore(db, Duration.ofHours(1), Duration.ofSeconds(5), clock);
        store.start();
        try {
            DeviceRegistry.Device d = new DeviceRegistry.Device(DEVICE, "TCP", "10.0.0.7", 5060, null,
                    clock.instant(), clock.instant().plusSeconds(3600), clock.instant(), true, null);
            store.registration(d, true);
            RegistrarTest.await(() -> count(db, "SELECT COUNT(*) FROM gb28181_device") == 1, "the first write");

            DeviceRegistry.Device seen = new DeviceRegistry.Device(DEVICE, "TCP", "10.0.0.7", 5060, null,
                    d.registeredAt(), d.expiresAt(), clock.instant().plusSeconds(60), true, null);
            store.registration(seen, false);
            // Not urgent: waits for the periodic flush (an hour here), so the row still has the old time.
            assertThat(count(db, "SELECT last_seen FROM gb28181_device")).isEqualTo(d.lastSeen().toEpochMilli());

            db.execute("ALTER TABLE gb28181_device RENAME TO gb28181_device_away");
            store.flush();
            db.execute("ALTER TABLE gb28181_device_away RENAME TO gb28181_device");
            store.flush();
            assertThat(count(db, "SELECT last_seen FROM gb28181_device"))
                    .isEqualTo(seen.lastSeen().toEpochMilli());
        } finally {
            store.close();
        }
    }

    @Test
    void migrationsApplyOnceAndTheSchemaIsTheOneDocumented() throws Exception {
        TestDatabase db = database();
        DeviceStore store = new DeviceStore(db, Duration.ofHours(1), Duration.ofSeconds(5), java.time.Clock.systemUTC());
        store.start();
        store.close();
        assertThat(db.appliedVersions(DeviceStore.OWNER)).containsExactly(1);
        assertThat(db.migrate(DeviceStore.OWNER, DeviceStore.MIGRATIONS)).isEmpty();
        assertThat(count(db, "SELECT COUNT(*) FROM gb28181_channel")).isZero();
        // The PostgreSQL statements are the same SQL (no dialect-specific syntax is used).
        assertThat(DeviceStore.MIGRATIONS.get(0).postgresqlStatements()).isEmpty();
        assertThat(String.join(" ", DeviceStore.MIGRATIONS.get(0).statements())).doesNotContain("MERGE", "AUTO_INCREMENT",
                "CLOB", "DOUBLE,");
    }

    private static long count(TestDatabase db, String sql) {
        try {
            return db.queryLong(sql);
        } catch (java.sql.SQLException e) {
            throw new AssertionError(e);
        }
    }
}
