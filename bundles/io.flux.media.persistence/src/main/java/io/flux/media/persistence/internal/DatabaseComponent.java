package io.flux.media.persistence.internal;

import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.osgi.annotation.bundle.Capability;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.jdbc.DataSourceFactory;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.flux.media.api.health.InfoContributor;
import io.flux.media.api.health.Readiness;
import io.flux.media.api.health.ReadinessCheck;
import io.flux.media.api.persistence.Database;
import io.flux.media.api.persistence.Database.Dialect;
import io.flux.media.api.server.ServerEnvironment;

/**
 * The platform database. Always registers the {@code database} readiness check (and info section);
 * registers {@link Database} only while the pool hands out connections, so consumers that reference it
 * start once the database really works and stop when it goes away.
 * <p>
 * The driver comes from the {@link DataSourceFactory} services of the H2 and PostgreSQL bundles; the
 * configured dialect picks the one whose {@code osgi.jdbc.driver.class} matches. Every setting is
 * restart-only: switching databases under running bundles is not a live change.
 */
@Designate(ocd = DatabaseComponent.Config.class)
// The Database service is registered by hand (only once the pool works), so declare it for the resolver.
@Capability(namespace = "osgi.service",
        attribute = "objectClass:List<String>=io.flux.media.api.persistence.Database")
@Component(name = DatabaseComponent.Config.PID, configurationPid = DatabaseComponent.Config.PID,
        service = { ReadinessCheck.class, InfoContributor.class }, immediate = true,
        property = ReadinessCheck.NAME + "=" + DatabaseComponent.NAME)
public class DatabaseComponent implements ReadinessCheck, InfoContributor {

    static final String NAME = "database";

    /** Service property on the registered {@link Database}: its dialect. */
    static final String DIALECT_PROPERTY = "flux.database.dialect";

    @ObjectClassDefinition(name = "Flux database",
            description = "The platform database every stateful bundle uses: an embedded H2 file database under "
                    + "the data directory by default, PostgreSQL by configuration. The server must be restarted "
                    + "for any change here to take effect.")
    public @interface Config {

        String PID = "io.flux.media.persistence";

        @AttributeDefinition(name = "Dialect",
                description = "Which database to use: H2 (embedded, the default) or POSTGRESQL. Picks the JDBC "
                        + "driver's DataSourceFactory service. Restart-only.")
        Dialect dialect() default Dialect.H2;

        @AttributeDefinition(name = "JDBC URL",
                description = "JDBC URL of the database. Empty means the embedded H2 file database "
                        + "<data directory>/db/flux (H2 only). Required for POSTGRESQL, e.g. "
                        + "jdbc:postgresql://localhost:5432/flux. Put the password in the password field, "
                        + "not here. Restart-only.", required = false)
        String url() default "";

        @AttributeDefinition(name = "User", description = "Database user name. Restart-only.", required = false)
        String user() default "";

        /*
         * Key ".password": Declarative Services publishes every component property as a service property
         * of the readiness check, except those whose name starts with a dot.
         */
        @AttributeDefinition(name = "Password", type = AttributeType.PASSWORD,
                description = "Database password (configuration key .password). Never logged or reported. "
                        + "Restart-only.", required = false)
        String _password() default "";

        @AttributeDefinition(name = "Pool size", min = "1", max = "200",
                description = "Maximum number of pooled connections. Restart-only.")
        int pool_size() default 8;

        @AttributeDefinition(name = "Connect timeout (ms)", min = "250",
                description = "How long to wait for a connection, from the pool or when connecting. Restart-only.")
        int connect_timeout_ms() default 5000;
    }

    private static final Logger LOG = LoggerFactory.getLogger(DatabaseComponent.class);

    private final BundleContext context;
    private final Config config;
    private final DatabaseManager manager;

    private final Object registrationLock = new Object();
    // Guarded by registrationLock.
    private ServiceRegistration<Database> registration;
    private boolean deactivated;

    @Activate
    public DatabaseComponent(BundleContext context, @Reference ServerEnvironment environment, Config config) {
        this.context = context;
        this.config = config;
        DatabaseManager.Listener listener = new DatabaseManager.Listener() {
            @Override
            public void up(Database database) {
                register(database);
            }

            @Override
            public void down(Database database) {
                unregister();
            }
        };
        DatabaseManager m;
        try {
            m = new DatabaseManager(DatabaseSettings.resolve(config.dialect(), config.url(), config.user(),
                    config._password(), config.pool_size(), config.connect_timeout_ms(),
                    environment.dataDirectory()), listener);
        } catch (IllegalArgumentException e) {
            m = DatabaseManager.misconfigured(config.dialect(), config.url(), e.getMessage(), listener);
        }
        this.manager = m;
    }

    @Reference(name = "driver", service = DataSourceFactory.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY,
            target = "(|(" + DataSourceFactory.OSGI_JDBC_DRIVER_CLASS + "=" + DatabaseSettings.H2_DRIVER + ")("
                    + DataSourceFactory.OSGI_JDBC_DRIVER_CLASS + "=" + DatabaseSettings.POSTGRESQL_DRIVER + "))")
    void bindDriver(DataSourceFactory factory, Map<String, Object> properties) {
        manager.addFactory(factory, Objects.toString(properties.get(DataSourceFactory.OSGI_JDBC_DRIVER_CLASS), ""));
    }

    void unbindDriver(DataSourceFactory factory, Map<String, Object> properties) {
        manager.removeFactory(factory);
    }

    /** Nothing here applies live; a change is logged and waits for the restart. */
    @Modified
    void modified(Config updated) {
        List<String> changed = new ArrayList<>();
        if (updated.dialect() != config.dialect()) {
            changed.add("dialect");
        }
        if (!updated.url().equals(config.url())) {
            changed.add("url");
        }
        if (!updated.user().equals(config.user())) {
            changed.add("user");
        }
        if (!updated._password().equals(config._password())) {
            changed.add(".password");
        }
        if (updated.pool_size() != config.pool_size()) {
            changed.add("pool.size");
        }
        if (updated.connect_timeout_ms() != config.connect_timeout_ms()) {
            changed.add("connect.timeout.ms");
        }
        if (!changed.isEmpty()) {
            LOG.warn("Database settings {} changed; they are restart-only and apply after the next restart", changed);
        }
    }

    @Deactivate
    void deactivate() {
        synchronized (registrationLock) {
            deactivated = true;
        }
        // Unregisters Database before the pool closes.
        manager.close();
        unregister();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Readiness check() {
        return manager.readiness();
    }

    @Override
    public Object info() {
        return manager.info();
    }

    private void register(Database database) {
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(DIALECT_PROPERTY, database.dialect().name());
        props.put(Constants.SERVICE_DESCRIPTION, "Flux platform database (" + database.dialect() + ")");
        // Registering under a lock would call out to other bundles' listeners while holding it.
        ServiceRegistration<Database> reg = context.registerService(Database.class, database, props);
        boolean keep;
        synchronized (registrationLock) {
            keep = !deactivated && registration == null;
            if (keep) {
                registration = reg;
            }
        }
        if (!keep) {
            reg.unregister();
        }
    }

    private void unregister() {
        ServiceRegistration<Database> reg;
        synchronized (registrationLock) {
            reg = registration;
            registration = null;
        }
        if (reg != null) {
            try {
                reg.unregister();
            } catch (IllegalStateException alreadyGone) {
                LOG.debug("Database registration was already gone");
            }
        }
    }
}
