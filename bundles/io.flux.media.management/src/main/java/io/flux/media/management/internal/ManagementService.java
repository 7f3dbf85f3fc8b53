package io.flux.media.management.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.flux.media.api.config.HotUpdatable;

/**
 * Owns runtime management: the bundle manager behind {@code /api/v1/bundles}, the feature manager
 * behind {@code /api/v1/features} (installing boot features in the background) and the FileInstall
 * configuration watching the deploy folder.
 */
@Component(service = ManagementService.class, immediate = true, configurationPid = ManagementService.Config.PID)
@Designate(ocd = ManagementService.Config.class)
@HotUpdatable({ "upload.max.bytes" })
public class ManagementService {

    private static final Logger LOG = LoggerFactory.getLogger(ManagementService.class);

    /** Framework property naming the features folder when {@code features.dir} is empty. */
    static final String FEATURES_DIR_PROPERTY = "flux.features.dir";
    /**
     * Framework property a runtime sets to choose its boot features (comma-separated names) instead of the
     * features' own {@code boot} flags; {@code flux-gb28181d} boots only GB28181, local storage and snapshots.
     */
    static final String BOOT_FEATURES_PROPERTY = "flux.features.boot";

    @ObjectClassDefinition(name = "Flux runtime management",
            description = "Bundle uploads through the REST API, the deploy folder and named features.")
    public @interface Config {
        String PID = "io.flux.media.management";

        @AttributeDefinition(name = "Upload limit (bytes)",
                description = "Largest bundle jar POST or PUT /api/v1/bundles accepts; larger uploads answer 413."
                        + " Hot-updatable.", min = "1")
        long upload_max_bytes() default 64L * 1024 * 1024;

        @AttributeDefinition(name = "Deploy folder",
                description = "Folder watched for bundle jars (installed and started when dropped, updated when"
                        + " replaced, uninstalled when removed). Relative paths resolve against the working"
                        + " directory. Restart-only.")
        String deploy_dir() default "deploy";

        @AttributeDefinition(name = "Features folder",
                description = "Folder holding one sub-folder per feature (feature.json plus its jars). Empty means"
                        + " the framework property flux.features.dir, else 'features'. Relative paths resolve"
                        + " against the working directory. Restart-only.")
        String features_dir() default "";
    }

    private final BundleManager bundles;
    private final FeatureManager features;
    private final ExecutorService boot;
    private volatile long uploadMaxBytes;

    @Activate
    public ManagementService(BundleContext context, @Reference ConfigurationAdmin configAdmin, Config config) {
        this.uploadMaxBytes = config.upload_max_bytes();
        Path deployDir = resolve(config.deploy_dir());
        String featuresSetting = config.features_dir().isBlank() ? context.getProperty(FEATURES_DIR_PROPERTY)
                : config.features_dir();
        Path featuresDir = resolve(featuresSetting == null || featuresSetting.isBlank() ? "features" : featuresSetting);
        this.bundles = new BundleManager(context, context.getDataFile("jars").toPath(), deployDir);
        bundles.cleanStore();
        this.features = new FeatureManager(bundles, configAdmin, featuresDir,
                context.getDataFile("features.json").toPath());
        try {
            DeployFolder.configure(configAdmin, deployDir, BundleManager.extensionStartLevel(context));
        } catch (IOException e) {
            // Management without the deploy folder is still useful: report and go on.
            LOG.error("the deploy folder {} cannot be set up: {}", deployDir, e.toString());
        }
        this.boot = Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, "flux-features-boot");
            thread.setDaemon(true);
            return thread;
        });
        java.util.Set<String> bootOnly = bootFeatures(context.getProperty(BOOT_FEATURES_PROPERTY));
        boot.execute(() -> features.installBootFeatures(bootOnly));
        LOG.info("runtime management ready: deploy folder {}, features folder {}", deployDir, featuresDir);
    }

    @Modified
    void modified(Config config) {
        // Only the upload limit applies live; the folders are read once at activation.
        uploadMaxBytes = config.upload_max_bytes();
    }

    @Deactivate
    void deactivate() {
        boot.shutdownNow();
        try {
            if (!boot.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("boot feature installation still running at shutdown");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public BundleManager bundles() {
        return bundles;
    }

    public FeatureManager features() {
        return features;
    }

    public long uploadMaxBytes() {
        return uploadMaxBytes;
    }

    /** The names a {@value #BOOT_FEATURES_PROPERTY} value lists; null when the property is absent. */
    static java.util.Set<String> bootFeatures(String property) {
        if (property == null) {
            return null;
        }
        java.util.Set<String> names = new java.util.LinkedHashSet<>();
        for (String name : property.split(",")) {
            if (!name.isBlank()) {
                names.add(name.strip());
            }
        }
        return names;
    }

    static Path resolve(String setting) {
        return Path.of(System.getProperty("user.dir")).resolve(setting.trim()).toAbsolutePath().normalize();
    }
}
