package io.flux.media.management.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

import io.flux.media.api.rest.ApiException;

/** Features against a real embedded Felix with the real Felix Config Admin. */
class FeatureManagerFrameworkTest {

    @TempDir
    Path tmp;

    private EmbeddedFelix felix;
    private BundleContext context;
    private ConfigurationAdmin configAdmin;
    private BundleManager bundles;
    private Path featuresDir;
    private Path stateFile;
    private FeatureManager features;

    @BeforeEach
    void start() throws Exception {
        felix = new EmbeddedFelix(tmp.resolve("felix"));
        context = felix.context();
        configAdmin = felix.startConfigAdmin();
        bundles = new BundleManager(context, tmp.resolve("store"), tmp.resolve("deploy"));
        featuresDir = Files.createDirectories(tmp.resolve("features"));
        stateFile = tmp.resolve("data/features.json");
        features = new FeatureManager(bundles, configAdmin, featuresDir, stateFile);
    }

    @AfterEach
    void stop() throws Exception {
        felix.close();
    }

    @Test
    void installStartsEveryBundleAndAppliesOnlyMissingConfigurations() throws Exception {
        demoFeature();
        Configuration userOwned = configAdmin.getConfiguration("demo.user", "?");
        userOwned.update(new Hashtable<>(java.util.Map.of("x", 42)));

        FeatureView view = features.install("demo");

        assertThat(view.installed()).isTrue();
        assertThat(view.bundles()).extracting(FeatureView.BundleEntry::symbolic_name)
                .containsExactly("test.lib", "test.app");
        assertThat(view.bundles()).extracting(FeatureView.BundleEntry::state).containsOnly("ACTIVE");
        Bundle app = bundle("test.app");
        assertThat(app.getLocation()).isEqualTo("flux:feature:demo:app.jar");
        assertThat(bundles.view(app).source()).isEqualTo("feature:demo");
        Dictionary<String, Object> created = configAdmin.getConfiguration("demo.app", "?").getProperties();
        assertThat(created.get("greeting")).isEqualTo("hello");
        assertThat(created.get("port")).isEqualTo(8080);
        assertThat((String[]) created.get("tags")).containsExactly("a", "b");
        assertThat(configAdmin.getConfiguration("demo.user", "?").getProperties().get("x")).isEqualTo(42);
        assertThat(configAdmin.listConfigurations("(service.factoryPid=demo.factory)")).singleElement()
                .satisfies(c -> assertThat(c.getPid()).isEqualTo("demo.factory~one"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void aFeatureThatCannotResolveIsUndoneCompletely() throws Exception {
        Path folder = Files.createDirectories(featuresDir.resolve("broken"));
        TestJars.bundle(folder, "ok.jar", "test.ok", "1.0.0");
        TestJars.bundle(folder, "bad.jar", "test.bad", "1.0.0", "Import-Package", "com.nobody");
        Files.writeString(folder.resolve("feature.json"), """
                {"name":"broken","bundles":["ok.jar","bad.jar"],"configurations":{"broken.pid":{"a":1}}}
                """);
        int before = felix.bundleCount();

        assertThatThrownBy(() -> features.install("broken"))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(409);
                    assertThat(e.getMessage()).startsWith("feature broken cannot be installed").contains("com.nobody");
                    assertThat((List<Object>) e.details().get("missing_requirements"))
                            .containsExactly("osgi.wiring.package; (osgi.wiring.package=com.nobody)");
                });

        assertThat(felix.bundleCount()).isEqualTo(before);
        assertThat(configAdmin.listConfigurations("(service.pid=broken.pid)")).isNull();
        assertThat(features.get("broken").installed()).isFalse();
    }

    @Test
    void aBundleThatFailsToStartUndoesTheFeature() throws Exception {
        Path folder = Files.createDirectories(featuresDir.resolve("crashing"));
        TestJars.bundle(folder, "ok.jar", "test.ok", "1.0.0");
        TestJars.bundle(folder, "crash.jar", "test.crash", "1.0.0", "Bundle-Activator", "test.crash.Missing");
        Files.writeString(folder.resolve("feature.json"), "{\"bundles\":[\"ok.jar\",\"crash.jar\"]}");
        int before = felix.bundleCount();

        assertThatThrownBy(() -> features.install("crashing"))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(409);
                    assertThat(e.getMessage()).contains("test.crash").contains("failed to start");
                });
        assertThat(felix.bundleCount()).isEqualTo(before);
    }

    @Test
    void sharedBundlesAreInstalledOnceAndStayWhileAnotherFeatureUsesThem() throws Exception {
        demoFeature();
        Path other = Files.createDirectories(featuresDir.resolve("other"));
        Files.copy(featuresDir.resolve("demo/lib.jar"), other.resolve("lib.jar"));
        TestJars.bundle(other, "tool.jar", "test.tool", "1.0.0", "Import-Package", "test.lib");
        Files.writeString(other.resolve("feature.json"), "{\"bundles\":[\"lib.jar\",\"tool.jar\"]}");

        features.install("demo");
        features.install("other");
        assertThat(Arrays.stream(context.getBundles()).filter(b -> "test.lib".equals(b.getSymbolicName()))).hasSize(1);

        FeatureView demo = features.uninstall("demo");

        assertThat(demo.installed()).isFalse();
        assertThat(find("test.app")).isNull();
        assertThat(bundle("test.lib").getState()).isEqualTo(Bundle.ACTIVE);
        assertThat(bundle("test.tool").getState()).isEqualTo(Bundle.ACTIVE);
        // Configurations outlive the feature.
        assertThat(configAdmin.listConfigurations("(service.pid=demo.app)")).hasSize(1);

        features.uninstall("other");
        assertThat(find("test.lib")).isNull();
        assertThat(find("test.tool")).isNull();
    }

    @Test
    void aBundleInstalledThroughTheApiIsSharedButNeverRemovedByAFeature() throws Exception {
        demoFeature();
        BundleView api = bundles.install(featuresDir.resolve("demo/lib.jar"));

        features.install("demo");
        features.uninstall("demo");

        assertThat(context.getBundle(api.id()).getState()).isEqualTo(Bundle.ACTIVE);
        assertThat(find("test.app")).isNull();
    }

    @Test
    void installedStatePersistsAndBootFeaturesInstallOnceUnlessUninstalled() throws Exception {
        Path folder = Files.createDirectories(featuresDir.resolve("console"));
        TestJars.bundle(folder, "console.jar", "test.console", "1.0.0");
        Files.writeString(folder.resolve("feature.json"), """
                {"name":"console","description":"The console","boot":true,"bundles":["console.jar"]}
                """);

        features.installBootFeatures();
        assertThat(features.get("console").installed()).isTrue();
        assertThat(bundle("test.console").getState()).isEqualTo(Bundle.ACTIVE);

        // A later start reads the record: nothing to do.
        FeatureManager restarted = new FeatureManager(bundles, configAdmin, featuresDir, stateFile);
        assertThat(restarted.get("console").installed()).isTrue();
        restarted.uninstall("console");
        assertThat(find("test.console")).isNull();

        FeatureManager again = new FeatureManager(bundles, configAdmin, featuresDir, stateFile);
        again.installBootFeatures();
        assertThat(again.get("console").installed()).isFalse();
        assertThat(find("test.console")).isNull();
    }

    @Test
    void aRuntimeBootListReplacesTheBootFlags() throws Exception {
        Path console = Files.createDirectories(featuresDir.resolve("console"));
        TestJars.bundle(console, "console.jar", "test.console", "1.0.0");
        Files.writeString(console.resolve("feature.json"), """
                {"name":"console","description":"The console","boot":true,"bundles":["console.jar"]}
                """);
        Path extra = Files.createDirectories(featuresDir.resolve("extra"));
        TestJars.bundle(extra, "extra.jar", "test.extra", "1.0.0");
        Files.writeString(extra.resolve("feature.json"), """
                {"name":"extra","description":"Not booted by default","boot":false,"bundles":["extra.jar"]}
                """);

        features.installBootFeatures(ManagementService.bootFeatures(" extra, missing ,"));

        assertThat(features.get("extra").installed()).isTrue();
        assertThat(features.get("console").installed()).as("boot flag ignored under a runtime list").isFalse();
        assertThat(find("test.console")).isNull();
        assertThat(ManagementService.bootFeatures(null)).isNull();
    }

    @Test
    void coreFeaturesAreListedAsInstalledAndRefuseInstallAndUninstall() throws Exception {
        Path folder = Files.createDirectories(featuresDir.resolve("core"));
        Files.writeString(folder.resolve("feature.json"), """
                {"core":true,"description":"the platform","bundles":["org.apache.felix.configadmin-1.9.26.jar"]}
                """);

        FeatureView core = features.get("core");

        assertThat(core.installed()).isTrue();
        assertThat(core.error()).isNull();
        assertThat(core.bundles()).singleElement().satisfies(b -> {
            assertThat(b.symbolic_name()).isEqualTo("org.apache.felix.configadmin");
            assertThat(b.state()).isEqualTo("ACTIVE");
        });
        assertThatThrownBy(() -> features.install("core"))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(409));
        assertThatThrownBy(() -> features.uninstall("core"))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(409));
    }

    @Test
    void invalidFeaturesAreListedWithTheirErrorAndCannotBeInstalled() throws Exception {
        Path typo = Files.createDirectories(featuresDir.resolve("typo"));
        Files.writeString(typo.resolve("feature.json"), "{\"bundle\":[\"x.jar\"]}");
        Path missingJar = Files.createDirectories(featuresDir.resolve("nojar"));
        Files.writeString(missingJar.resolve("feature.json"), "{\"bundles\":[\"absent.jar\"]}");
        Path notABundle = Files.createDirectories(featuresDir.resolve("plain"));
        Files.writeString(notABundle.resolve("plain.jar"), "not a zip");
        Files.writeString(notABundle.resolve("feature.json"), "{\"bundles\":[\"plain.jar\"]}");
        Files.createDirectories(featuresDir.resolve("no-descriptor"));

        List<FeatureView> listed = features.list();

        assertThat(listed).extracting(FeatureView::name).containsExactly("nojar", "plain", "typo");
        assertThat(features.get("typo").error()).contains("unknown field 'bundle'");
        assertThat(features.get("nojar").error()).contains("absent.jar is missing");
        assertThat(features.get("plain").error()).contains("not an OSGi bundle");
        for (String name : List.of("typo", "nojar", "plain")) {
            assertThatThrownBy(() -> features.install(name))
                    .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(409));
        }
    }

    @Test
    void unknownFeaturesAnswer404() {
        for (String name : List.of("nope", "../etc", "")) {
            assertThatThrownBy(() -> features.get(name))
                    .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(404));
            assertThatThrownBy(() -> features.install(name))
                    .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(404));
            assertThatThrownBy(() -> features.uninstall(name))
                    .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(404));
        }
    }

    @Test
    void anInstalledFeatureWhoseFolderWentAwayCanStillBeUninstalled() throws Exception {
        demoFeature();
        features.install("demo");
        Path moved = tmp.resolve("moved");
        Files.move(featuresDir.resolve("demo"), moved, StandardCopyOption.ATOMIC_MOVE);

        assertThat(features.list()).singleElement().satisfies(f -> {
            assertThat(f.installed()).isTrue();
            assertThat(f.error()).contains("is gone");
        });
        features.uninstall("demo");

        assertThat(find("test.app")).isNull();
        assertThat(find("test.lib")).isNull();
        assertThatThrownBy(() -> features.get("demo")).isInstanceOf(ApiException.class);
    }

    // ------------------------------------------------------------ helpers

    private void demoFeature() throws IOException {
        Path folder = Files.createDirectories(featuresDir.resolve("demo"));
        TestJars.bundle(folder, "lib.jar", "test.lib", "1.0.0", "Export-Package", "test.lib");
        TestJars.bundle(folder, "app.jar", "test.app", "1.0.0", "Import-Package", "test.lib");
        Files.writeString(folder.resolve("feature.json"), """
                {
                  "name": "demo",
                  "description": "A demo",
                  "bundles": ["lib.jar", "app.jar"],
                  "configurations": {
                    "demo.app": {"greeting": "hello", "port": 8080, "tags": ["a", "b"]},
                    "demo.user": {"x": 1},
                    "demo.factory~one": {"y": true}
                  }
                }
                """);
    }

    private Bundle find(String symbolicName) {
        return Arrays.stream(context.getBundles()).filter(b -> symbolicName.equals(b.getSymbolicName())).findFirst()
                .orElse(null);
    }

    private Bundle bundle(String symbolicName) {
        Bundle bundle = find(symbolicName);
        assertThat(bundle).as(symbolicName).isNotNull();
        return bundle;
    }
}
