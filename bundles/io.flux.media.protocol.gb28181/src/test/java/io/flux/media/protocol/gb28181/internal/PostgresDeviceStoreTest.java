package io.flux.media.protocol.gb28181.internal;

import java.sql.SQLException;

import io.flux.media.testing.TestDatabase;

/**
 * The device store's tests on a real PostgreSQL, each in a fresh schema dropped afterwards. Reads FLUX_TEST_PG_URL,
 * FLUX_TEST_PG_USER and FLUX_TEST_PG_PASSWORD (scripts/postgres.sh start, then eval "$(scripts/postgres.sh env)");
 * skipped without them, unless CI is set.
 */
class PostgresDeviceStoreTest extends DeviceStoreTest {

    @Override
    TestDatabase newDatabase() throws SQLException {
        return TestDatabase.postgres();
    }
}
