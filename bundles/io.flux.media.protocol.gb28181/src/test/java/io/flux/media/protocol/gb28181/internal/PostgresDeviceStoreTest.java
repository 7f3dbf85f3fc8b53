package io.flux.media.protocol.gb28181.internal;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.postgresql.ds.PGSimpleDataSource;

import io.flux.media.api.persistence.Database;

/**
 * The device store's tests on a real PostgreSQL, each in a fresh schema. Reads FLUX_TEST_PG_URL, FLUX_TEST_PG_USER
 * and FLUX_TEST_PG_PASSWORD (scripts/postgres.sh start, then eval "$(scripts/postgres.sh env)"); skipped without
 * them, unless CI is set.
 */
class PostgresDeviceStoreTest extends DeviceStoreTest {

    private PGSimpleDataSource admin;
    private String schema;

    @Override
    TestDatabase database() throws SQLException {
        String url = System.getenv("FLUX_TEST_PG_URL");
        if (url == null || url.isBlank()) {
            String how = "FLUX_TEST_PG_URL is not set; run scripts/postgres.sh start and "
                    + "eval \"$(scripts/postgres.sh env)\"";
            if (System.getenv("CI") != null) {
                fail(how + " (CI is set, so the PostgreSQL tests may not be skipped)");
            }
            assumeTrue(false, how);
        }
        admin = dataSource(url);
        schema = "gb_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16).toLowerCase(Locale.ROOT);
        execute("CREATE SCHEMA " + schema);
        PGSimpleDataSource ds = dataSource(url);
        ds.setCurrentSchema(schema);
        return new TestDatabase(ds, Database.Dialect.POSTGRESQL);
    }

    private static PGSimpleDataSource dataSource(String url) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(url);
        ds.setUser(System.getenv().getOrDefault("FLUX_TEST_PG_USER", ""));
        ds.setPassword(System.getenv().getOrDefault("FLUX_TEST_PG_PASSWORD", ""));
        return ds;
    }

    private void execute(String sql) throws SQLException {
        try (Connection c = admin.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    @AfterEach
    void dropSchema() throws SQLException {
        if (schema != null) {
            execute("DROP SCHEMA " + schema + " CASCADE");
        }
    }
}
