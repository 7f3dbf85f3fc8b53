package io.flux.media.persistence.internal;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Properties;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.osgi.service.jdbc.DataSourceFactory;
import org.postgresql.osgi.PGDataSourceFactory;

import io.flux.media.api.persistence.Database.Dialect;

/**
 * The contract on a real PostgreSQL server, each test in a fresh schema. Reads FLUX_TEST_PG_URL,
 * FLUX_TEST_PG_USER and FLUX_TEST_PG_PASSWORD; without them the tests are skipped, unless CI is set.
 */
class PostgresDatabaseTest extends DatabaseContractTest {

    private static String baseUrl;
    private static String user;
    private static String password;

    private String schema;

    /** Per test rather than @BeforeAll, so that a skip shows up as skipped tests in the report. */
    static void requirePostgres() {
        baseUrl = System.getenv("FLUX_TEST_PG_URL");
        user = System.getenv().getOrDefault("FLUX_TEST_PG_USER", "");
        password = System.getenv().getOrDefault("FLUX_TEST_PG_PASSWORD", "");
        if (baseUrl == null || baseUrl.isBlank()) {
            String how = "FLUX_TEST_PG_URL is not set; run `scripts/postgres.sh start` and "
                    + "`eval \"$(scripts/postgres.sh env)\"` to get a PostgreSQL for these tests";
            if (System.getenv("CI") != null) {
                fail(how + " (CI is set, so the PostgreSQL tests may not be skipped)");
            }
            assumeTrue(false, how);
        }
    }

    @BeforeEach
    void createSchema() throws SQLException {
        requirePostgres();
        schema = "flux_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16).toLowerCase(Locale.ROOT);
        execute(baseUrl, "CREATE SCHEMA " + schema);
    }

    @AfterEach
    void dropSchema() throws SQLException {
        if (schema == null) {
            return;
        }
        closeManagers();
        execute(baseUrl, "DROP SCHEMA " + schema + " CASCADE");
    }

    private void execute(String url, String sql) throws SQLException {
        Properties props = new Properties();
        props.setProperty(DataSourceFactory.JDBC_URL, url);
        props.setProperty(DataSourceFactory.JDBC_USER, user);
        props.setProperty(DataSourceFactory.JDBC_PASSWORD, password);
        try (Connection c = factory().createDataSource(props).getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    @Override
    Dialect dialect() {
        return Dialect.POSTGRESQL;
    }

    @Override
    DataSourceFactory factory() {
        // The same factory the PostgreSQL driver bundle registers as a service.
        return new PGDataSourceFactory();
    }

    @Override
    String url() {
        return baseUrl + (baseUrl.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    @Override
    String user() {
        return user;
    }

    @Override
    String password() {
        return password;
    }

    @Override
    String unreachableUrlWithSecret() {
        return "jdbc:postgresql://127.0.0.1:1/flux_test?connectTimeout=2&password=" + SECRET;
    }
}
