package io.flux.media.sources.internal;

import java.sql.SQLException;

import io.flux.media.testing.TestDatabase;

/**
 * The source service's tests on a real PostgreSQL, each in a fresh schema dropped afterwards. Reads FLUX_TEST_PG_URL,
 * FLUX_TEST_PG_USER and FLUX_TEST_PG_PASSWORD (scripts/postgres.sh start, then eval "$(scripts/postgres.sh env)");
 * skipped without them, unless CI is set.
 */
class PostgresSourceServiceTest extends SourceServiceTest {

    @Override
    TestDatabase newDatabase() throws SQLException {
        return TestDatabase.postgres();
    }
}
