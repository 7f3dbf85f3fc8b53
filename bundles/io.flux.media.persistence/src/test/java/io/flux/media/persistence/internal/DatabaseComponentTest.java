package io.flux.media.persistence.internal;

import static io.flux.media.persistence.internal.TestSupport.config;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.timeout;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Dictionary;
import java.util.List;
import java.util.Map;

import org.h2.Driver;
import org.h2.util.OsgiDataSourceFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mockito.ArgumentCaptor;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.jdbc.DataSourceFactory;

import io.flux.media.api.health.Readiness;
import io.flux.media.api.persistence.Database;
import io.flux.media.api.persistence.Database.Dialect;
import io.flux.media.api.persistence.Migration;
import io.flux.media.persistence.internal.DatabaseComponent.Config;

/** The DS component on its defaults: the embedded H2 file under the data directory, registered by hand. */
class DatabaseComponentTest {

    private static final Map<String, Object> H2_PROPS =
            Map.of(DataSourceFactory.OSGI_JDBC_DRIVER_CLASS, "org.h2.Driver");

    @TempDir
    Path data;

    private BundleContext context;
    private ServiceRegistration<Database> registration;
    private DatabaseComponent component;

    @BeforeEach
    @SuppressWarnings("unchecked")
    void mockFramework() {
        context = mock(BundleContext.class);
        registration = mock(ServiceRegistration.class);
        when(context.registerService(eq(Database.class), any(Database.class), any())).thenReturn(registration);
    }

    @AfterEach
    void deactivate() {
        if (component != null) {
            component.deactivate();
        }
    }

    private DatabaseComponent activate(Map<String, Object> overrides) {
        component = new DatabaseComponent(context, new TestSupport.Environment(data), config(Config.class, overrides));
        return component;
    }

    @SuppressWarnings("unchecked")
    private Database awaitRegistered() {
        ArgumentCaptor<Database> db = ArgumentCaptor.forClass(Database.class);
        ArgumentCaptor<Dictionary<String, Object>> props = ArgumentCaptor.forClass(Dictionary.class);
        verify(context, timeout(20_000)).registerService(eq(Database.class), db.capture(), props.capture());
        assertThat(props.getValue().get(DatabaseComponent.DIALECT_PROPERTY)).isEqualTo("H2");
        return db.getValue();
    }

    @Test
    void defaultsToAnH2FileInTheDataDirectoryAndRegistersOnceItWorks() throws SQLException {
        DatabaseComponent c = activate(Map.of());
        assertThat(c.name()).isEqualTo("database");
        assertThat(c.check().ready()).isFalse();
        verify(context, never()).registerService(eq(Database.class), any(Database.class), any());

        c.bindDriver(new OsgiDataSourceFactory(new Driver()), H2_PROPS);
        Database db = awaitRegistered();

        assertThat(db.dialect()).isEqualTo(Dialect.H2);
        assertThat(db.migrate("io.flux.media.test", List.of(Migration.of(1, "t", "CREATE TABLE t (id INT)"))))
                .containsExactly(1);
        assertThat(Files.exists(data.resolve("db").resolve("flux.mv.db"))).isTrue();
        Readiness r = c.check();
        assertThat(r.ready()).as(r.message()).isTrue();
        assertThat(r.details()).containsEntry("dialect", "H2");
        assertThat((String) r.details().get("url")).startsWith("jdbc:h2:file:" + data.toAbsolutePath());
        assertThat(c.info()).isEqualTo(Map.of("dialect", "H2", "url", r.details().get("url"), "state", "up"));

        c.deactivate();
        component = null;

        verify(registration).unregister();
        assertThatThrownBy(() -> db.dataSource().getConnection()).isInstanceOf(SQLException.class);
    }

    @Test
    void aConfigurationChangeWaitsForTheRestart() {
        DatabaseComponent c = activate(Map.of());
        c.bindDriver(new OsgiDataSourceFactory(new Driver()), H2_PROPS);
        Database db = awaitRegistered();

        c.modified(config(Config.class, Map.of("dialect", Dialect.POSTGRESQL, "url", "jdbc:postgresql://h/db",
                "pool_size", 2)));

        verify(registration, never()).unregister();
        assertThat(db.dialect()).isEqualTo(Dialect.H2);
        assertThat(c.check().ready()).isTrue();
    }

    @Test
    void losingTheDriverWithdrawsTheDatabase() {
        DatabaseComponent c = activate(Map.of());
        OsgiDataSourceFactory factory = new OsgiDataSourceFactory(new Driver());
        c.bindDriver(factory, H2_PROPS);
        awaitRegistered();

        c.unbindDriver(factory, H2_PROPS);

        verify(registration, timeout(20_000)).unregister();
        TestSupport.await(Duration.ofSeconds(20), () -> "waiting_for_driver".equals(c.check().details().get("state")),
                "the component to wait for a driver again");
        assertThat(c.check().ready()).isFalse();
    }

    @Test
    void postgresqlWithoutUrlIsReportedAndNeverConnects() {
        DatabaseComponent c = activate(Map.of("dialect", Dialect.POSTGRESQL, "_password", "s3cret"));
        c.bindDriver(new OsgiDataSourceFactory(new Driver()), H2_PROPS);

        Readiness r = c.check();

        assertThat(r.ready()).isFalse();
        assertThat(r.message()).contains("url is required");
        assertThat(r.details()).containsEntry("state", "misconfigured").containsEntry("dialect", "POSTGRESQL");
        assertThat(r.toString()).doesNotContain("s3cret");
        verify(context, never()).registerService(eq(Database.class), any(Database.class), any());
    }
}
