package io.flux.media.itests;

import java.util.Map;

import javax.inject.Inject;

import io.flux.media.api.persistence.Database;

import org.junit.Assume;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;

/**
 * PostgreSQL by configuration, against the real server that scripts/postgres.sh starts (./flux test does). In CI
 * a missing server is a failure, not a skip.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class PersistencePostgresIT {

    @Inject
    BundleContext context;

    @Configuration
    public Option[] config() {
        String url = System.getenv("FLUX_TEST_PG_URL");
        if (url == null) {
            return FluxRuntime.options();
        }
        return FluxRuntime.options(Map.of("io.flux.media.persistence.cfg",
                "dialect=POSTGRESQL\nurl=" + url + "\nuser=" + System.getenv("FLUX_TEST_PG_USER")
                        + "\n.password=" + System.getenv("FLUX_TEST_PG_PASSWORD") + "\n"));
    }

    @Test
    public void migrationsAndDataOnPostgres() throws Exception {
        if (System.getenv("FLUX_TEST_PG_URL") == null) {
            if (System.getenv("CI") != null) {
                throw new AssertionError("FLUX_TEST_PG_URL is not set: run the suite with ./flux test "
                        + "(it starts PostgreSQL through scripts/postgres.sh)");
            }
            Assume.assumeTrue("PostgreSQL not started (use ./flux test)", false);
        }
        PersistenceContract.migrationsApplyOnceAndDataRoundTrips(
                PersistenceContract.awaitDatabase(context, Database.Dialect.POSTGRESQL));
    }
}
