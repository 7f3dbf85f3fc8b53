package io.flux.media.recording.internal;

import java.sql.SQLException;

import io.flux.media.testing.TestDatabase;

/**
 * The index contract on a real PostgreSQL, each test in a fresh schema dropped afterwards. Reads FLUX_TEST_PG_URL,
 * FLUX_TEST_PG_USER and FLUX_TEST_PG_PASSWORD (scripts/postgres.sh start, then eval "$(scripts/postgres.sh env)");
 * skipped without them, unless CI is set.
 */
class PostgresRecordingIndexTest extends RecordingIndexContract {

    @Override
    TestDatabase database() throws SQLException {
        return TestDatabase.postgres();
    }
}
