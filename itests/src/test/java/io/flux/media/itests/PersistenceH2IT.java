package io.flux.media.itests;

import javax.inject.Inject;

import io.flux.media.api.persistence.Database;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;

/** The embedded default: an H2 file database under the data directory. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class PersistenceH2IT {

    @Inject
    BundleContext context;

    @Configuration
    public Option[] config() {
        return FluxRuntime.options();
    }

    @Test
    public void migrationsAndDataOnH2() throws Exception {
        PersistenceContract.migrationsApplyOnceAndDataRoundTrips(
                PersistenceContract.awaitDatabase(context, Database.Dialect.H2));
    }
}
