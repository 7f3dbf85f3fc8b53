package io.flux.media.management.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;
import java.util.Objects;

import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Points Apache Felix FileInstall at the deploy folder through one named factory configuration
 * ({@value #FACTORY_PID}~{@value #NAME}): jars dropped there are installed and started, replaced
 * jars updated, removed jars uninstalled. Later activations reuse the same configuration and only
 * write it when a value changed, so FileInstall does not restart its watcher for nothing.
 */
final class DeployFolder {

    private static final Logger LOG = LoggerFactory.getLogger(DeployFolder.class);

    static final String FACTORY_PID = "org.apache.felix.fileinstall";
    static final String NAME = "flux-deploy";

    private DeployFolder() {
    }

    /** FileInstall settings for the folder (FileInstall reads every value as a string). */
    static Map<String, String> settings(Path dir, int startLevel) {
        return Map.of(
                "felix.fileinstall.dir", dir.toString(),
                "felix.fileinstall.poll", "1000",
                "felix.fileinstall.bundles.new.start", "true",
                // Otherwise FileInstall writes configurations it sees back into the folder.
                "felix.fileinstall.enableConfigSave", "false",
                "felix.fileinstall.noInitialDelay", "true",
                // Like bundles installed through the API: below the core, so that they stop after it.
                "felix.fileinstall.start.level", Integer.toString(startLevel),
                "felix.fileinstall.filter", ".*\\.jar");
    }

    /**
     * Creates the folder when missing and creates or updates the FileInstall configuration.
     *
     * @return the configuration's PID
     */
    static String configure(ConfigurationAdmin configAdmin, Path dir, int startLevel) throws IOException {
        Files.createDirectories(dir);
        Configuration configuration = configAdmin.getFactoryConfiguration(FACTORY_PID, NAME, "?");
        Map<String, String> wanted = settings(dir, startLevel);
        Dictionary<String, Object> current = configuration.getProperties();
        if (current == null || !matches(current, wanted)) {
            configuration.update(new Hashtable<>(wanted));
            LOG.info("deploy folder {} is watched by FileInstall ({})", dir, configuration.getPid());
        } else {
            LOG.debug("deploy folder {} already configured ({})", dir, configuration.getPid());
        }
        return configuration.getPid();
    }

    private static boolean matches(Dictionary<String, Object> current, Map<String, String> wanted) {
        for (Map.Entry<String, String> entry : wanted.entrySet()) {
            if (!Objects.equals(String.valueOf(current.get(entry.getKey())), entry.getValue())) {
                return false;
            }
        }
        return true;
    }
}
