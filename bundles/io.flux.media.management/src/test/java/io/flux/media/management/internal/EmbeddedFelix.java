package io.flux.media.management.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.function.BooleanSupplier;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.util.tracker.ServiceTracker;

/**
 * A real Felix framework for tests, its storage in a temporary folder. The system bundle exports
 * the Config Admin API from the test class path so the Config Admin bundle's service can be used here.
 */
final class EmbeddedFelix implements AutoCloseable {

    private final Framework framework;

    EmbeddedFelix(Path storage) throws BundleException {
        this(storage, Map.of());
    }

    EmbeddedFelix(Path storage, Map<String, String> frameworkProperties) throws BundleException {
        Map<String, String> properties = new HashMap<>(frameworkProperties);
        properties.put(Constants.FRAMEWORK_STORAGE, storage.toString());
        properties.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        properties.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, "org.osgi.service.cm;version=1.6.0");
        FrameworkFactory factory = ServiceLoader.load(FrameworkFactory.class).findFirst().orElseThrow();
        framework = factory.newFramework(properties);
        framework.start();
    }

    BundleContext context() {
        return framework.getBundleContext();
    }

    int bundleCount() {
        return context().getBundles().length;
    }

    /** Installs and starts a bundle found on the test class path by one of its classes (as a resource). */
    Bundle installFromClassPath(String classResource) throws IOException, BundleException {
        URL url = EmbeddedFelix.class.getClassLoader().getResource(classResource);
        if (url == null) {
            throw new IOException(classResource + " is not on the test class path");
        }
        URL jar = ((JarURLConnection) url.openConnection()).getJarFileURL();
        Bundle bundle;
        try (InputStream in = jar.openStream()) {
            bundle = context().installBundle(jar.toString(), in);
        }
        bundle.start();
        return bundle;
    }

    /** Starts Felix Config Admin in the framework and answers its service. */
    ConfigurationAdmin startConfigAdmin() throws Exception {
        installFromClassPath("org/apache/felix/cm/impl/ConfigurationManager.class");
        ServiceTracker<ConfigurationAdmin, ConfigurationAdmin> tracker = new ServiceTracker<>(context(),
                ConfigurationAdmin.class, null);
        tracker.open();
        ConfigurationAdmin admin = tracker.waitForService(10_000);
        if (admin == null) {
            throw new IllegalStateException("Config Admin did not come up");
        }
        return admin;
    }

    /** Waits for a condition, failing after the deadline. */
    static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(50); // polling interval of the wait, not a wait in itself
        }
    }

    @Override
    public void close() throws Exception {
        framework.stop();
        framework.waitForStop(20_000);
    }
}
