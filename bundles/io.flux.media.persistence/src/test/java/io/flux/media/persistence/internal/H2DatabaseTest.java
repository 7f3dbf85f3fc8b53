package io.flux.media.persistence.internal;

import java.nio.file.Path;

import org.h2.Driver;
import org.h2.util.OsgiDataSourceFactory;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.service.jdbc.DataSourceFactory;

import io.flux.media.api.persistence.Database.Dialect;

/** The contract on an embedded H2 file database in a fresh temporary directory per test. */
class H2DatabaseTest extends DatabaseContractTest {

    @TempDir
    Path dir;

    @Override
    Dialect dialect() {
        return Dialect.H2;
    }

    @Override
    DataSourceFactory factory() {
        // The same factory the H2 bundle registers as a service.
        return new OsgiDataSourceFactory(new Driver());
    }

    @Override
    String url() {
        return DatabaseSettings.defaultH2Url(dir);
    }

    @Override
    String user() {
        return "sa";
    }

    @Override
    String password() {
        return "";
    }

    @Override
    String unreachableUrlWithSecret() {
        return "jdbc:h2:tcp://127.0.0.1:1/nowhere;PASSWORD=" + SECRET;
    }
}
