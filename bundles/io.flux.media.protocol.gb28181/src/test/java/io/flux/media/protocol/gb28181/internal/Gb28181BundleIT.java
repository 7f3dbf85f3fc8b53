package io.flux.media.protocol.gb28181.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import javax.sql.DataSource;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.util.tracker.ServiceTracker;

import io.flux.media.protocol.gb28181.internal.SipClient.Response;

/**
 * The built bundle, the JAIN SIP wrapper and the media libraries in a real Felix with SCR and Config Admin: all
 * resolve with only what a Flux runtime has (no log4j), the component activates from a configuration once a
 * Database (H2) and a MediaSink are there, provides the backend service, and a device registers with digest. SLF4J comes from the system bundle (the test's logback), as the runtime's
 * SLF4J bundles would provide it.
 */
class Gb28181BundleIT {

    @TempDir
    Path storage;

    @Test
    void bundlesResolveInFelixAndTheRegistrarServes() throws Exception {
        Path built = Path.of(System.getProperty("flux.bundle", "target/missing.jar"));
        assertThat(built).as("the bundle under test, built by the package phase").exists();

        Map<String, String> props = new HashMap<>();
        props.put(Constants.FRAMEWORK_STORAGE, storage.toString());
        props.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        props.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, "org.slf4j;version=2.0.17,org.slf4j.spi;version=2.0.17,"
                + "org.slf4j.event;version=2.0.17,org.slf4j.helpers;version=2.0.17,org.osgi.service.cm;version=1.6.1");
        Framework framework = ServiceLoader.load(FrameworkFactory.class).findFirst().orElseThrow().newFramework(props);
        framework.start();
        try {
            BundleContext ctx = framework.getBundleContext();
            List<Bundle> bundles = new ArrayList<>();
            for (String cls : List.of("org/osgi/util/function/Function.class", "org/osgi/util/promise/Promise.class",
                    "org/osgi/service/component/ComponentContext.class",
                    "org/apache/felix/scr/component/ExtComponentContext.class",
                    "org/apache/felix/cm/impl/ConfigurationManager.class",
                    "io/flux/media/api/metrics/MetricsRegistry.class",
                    "io/flux/media/codec/AccessUnit.class",
                    "io/flux/media/mpegps/GbMediaPipeline.class",
                    "io/flux/media/lib/jainsip/JainSip.class")) {
                bundles.add(install(ctx, jarOf(cls)));
            }
            Bundle jainsip = bundles.get(bundles.size() - 1);
            for (Bundle b : bundles) {
                b.start();
            }
            // The core services the component needs, as the persistence and core bundles would provide them.
            Bundle api = bundles.stream().filter(b -> b.getSymbolicName().equals("io.flux.media.api")).findFirst()
                    .orElseThrow();
            JdbcDataSource h2 = new JdbcDataSource();
            h2.setURL("jdbc:h2:mem:gb28181-it-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
            ctx.registerService("io.flux.media.api.persistence.Database", database(api, h2), null);
            ctx.registerService("io.flux.media.api.ingest.MediaSink", mediaSink(api), null);

            // The configuration exists before the bundle starts, as File Install provides it at start level 3:
            // bind.port is restart-only, so a running component would not move to it.
            int port = SipClient.freePort();
            ServiceTracker<ConfigurationAdmin, ConfigurationAdmin> cm = new ServiceTracker<>(ctx,
                    ConfigurationAdmin.class, null);
            cm.open();
            ConfigurationAdmin admin = cm.waitForService(10_000);
            assertThat(admin).as("Config Admin").isNotNull();
            Configuration c = admin.getConfiguration(Gb28181Server.Config.PID, "?");
            Dictionary<String, Object> config = new Hashtable<>();
            config.put("bind.address", "127.0.0.1");
            config.put("bind.port", port);
            config.put(".password", "felix-secret");
            c.update(config);

            Bundle gb;
            try (InputStream in = Files.newInputStream(built)) {
                gb = ctx.installBundle(built.toUri().toString(), in);
            }
            bundles.add(gb);
            gb.start();
            for (Bundle b : bundles) {
                assertThat(b.getState()).as(b.getSymbolicName()).isEqualTo(Bundle.ACTIVE);
            }
            assertThat(jainsip.getSymbolicName()).isEqualTo("io.flux.media.lib.jainsip");

            try (SipClient client = SipClient.udp(port)) {
                Response options = awaitAnswer(client, client.request("OPTIONS", RegistrarTest.DEVICE, "", null));
                assertThat(options.status()).isEqualTo(200);

                Response challenge = client.send(client.register(RegistrarTest.DEVICE, 3600, null));
                assertThat(challenge.status()).isEqualTo(401);
                Response ok = client.send(client.register(RegistrarTest.DEVICE, 3600,
                        SipClient.answer(challenge, RegistrarTest.DEVICE, "felix-secret", 1)));
                assertThat(ok.status()).isEqualTo(200);
                assertThat(ok.header("Date")).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}");
            }

            // The backend service is registered while the embedded server runs, and its tables exist.
            // getAllServiceReferences: the test's own copy of the API class is not the bundle's.
            ServiceReference<?>[] found = ctx.getAllServiceReferences("io.flux.media.api.gb28181.Gb28181Backend", null);
            assertThat(found).as("Gb28181Backend service").isNotNull().hasSize(1);
            ServiceReference<?> backend = found[0];
            assertThat(backend.getProperty("flux.gb28181.backend")).isEqualTo("embedded");
            Object service = ctx.getService(backend);
            assertThat(api.loadClass("io.flux.media.api.gb28181.Gb28181Backend").getMethod("kind").invoke(service))
                    .isEqualTo("embedded");
            try (var conn = h2.getConnection(); var st = conn.createStatement();
                    var rs = st.executeQuery("SELECT COUNT(*) FROM gb28181_channel")) {
                assertThat(rs.next()).isTrue();
            }

            // Stopping the bundle deactivates the component, which releases the port.
            gb.stop();
            assertThat(ctx.getAllServiceReferences("io.flux.media.api.gb28181.Gb28181Backend", null)).isNull();
            try (java.net.DatagramSocket rebind = new java.net.DatagramSocket(
                    new java.net.InetSocketAddress("127.0.0.1", port))) {
                assertThat(rebind.getLocalPort()).isEqualTo(port);
            }
            cm.close();
        } finally {
            framework.stop();
            framework.waitForStop(10_000);
        }
    }

    /** Retries until the component (activated asynchronously by SCR) answers, with a deadline. */
    private static Response awaitAnswer(SipClient client, String request) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (true) {
            client.sendRaw(request.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            Response r = client.receiveWithin(200);
            if (r != null) {
                return r;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the SIP server in Felix never answered");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
    }

    /**
     * A Database over H2 typed by the API bundle's own interface (the test class path has another copy of it):
     * migrations are applied in order, once, as the platform's implementation does.
     */
    private static Object database(Bundle api, DataSource ds) throws Exception {
        Class<?> type = api.loadClass("io.flux.media.api.persistence.Database");
        @SuppressWarnings({"unchecked", "rawtypes"})
        Object h2 = Enum.valueOf((Class<Enum>) api.loadClass("io.flux.media.api.persistence.Database$Dialect"), "H2");
        Map<String, List<Integer>> applied = new HashMap<>();
        return Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (self, method, args) -> {
            switch (method.getName()) {
                case "dataSource":
                    return ds;
                case "dialect":
                    return h2;
                case "appliedVersions":
                    return List.copyOf(applied.getOrDefault((String) args[0], List.of()));
                case "migrate": {
                    List<Integer> done = applied.computeIfAbsent((String) args[0], k -> new ArrayList<>());
                    List<Integer> now = new ArrayList<>();
                    try (var c = ds.getConnection(); var st = c.createStatement()) {
                        for (Object m : (List<?>) args[1]) {
                            int version = (Integer) m.getClass().getMethod("version").invoke(m);
                            if (done.contains(version)) {
                                continue;
                            }
                            for (Object sql : (List<?>) m.getClass().getMethod("statementsFor", h2.getClass())
                                    .invoke(m, h2)) {
                                st.execute((String) sql);
                            }
                            done.add(version);
                            now.add(version);
                        }
                    }
                    return now;
                }
                case "toString":
                    return "H2 test database";
                case "hashCode":
                    return System.identityHashCode(self);
                case "equals":
                    return self == args[0];
                default:
                    throw new UnsupportedOperationException(method.getName());
            }
        });
    }

    /** A MediaSink that accepts streams and drops their samples (no media flows in this test). */
    private static Object mediaSink(Bundle api) throws Exception {
        Class<?> type = api.loadClass("io.flux.media.api.ingest.MediaSink");
        Class<?> handle = api.loadClass("io.flux.media.api.ingest.MediaSink$StreamHandle");
        return Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (self, method, args) -> {
            switch (method.getName()) {
                case "open": {
                    Object id = args[0];
                    return Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {handle},
                            (h, m, a) -> m.getName().equals("id") ? id : m.getName().equals("hashCode")
                                    ? System.identityHashCode(h) : m.getName().equals("equals") ? h == a[0] : null);
                }
                case "toString":
                    return "dropping media sink";
                case "hashCode":
                    return System.identityHashCode(self);
                case "equals":
                    return self == args[0];
                default:
                    throw new UnsupportedOperationException(method.getName());
            }
        });
    }

    private static Bundle install(BundleContext ctx, URL jar) throws Exception {
        try (InputStream in = jar.openStream()) {
            return ctx.installBundle(jar.toString(), in);
        }
    }

    private static URL jarOf(String classResource) throws IOException {
        URL url = Gb28181BundleIT.class.getClassLoader().getResource(classResource);
        if (url == null) {
            throw new IOException(classResource + " is not on the test class path");
        }
        return ((JarURLConnection) url.openConnection()).getJarFileURL();
    }
}
