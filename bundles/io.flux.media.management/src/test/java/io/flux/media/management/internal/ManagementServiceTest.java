package io.flux.media.management.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.service.cm.ConfigurationAdmin;

import io.flux.media.api.rest.ApiException;
import io.flux.media.testing.Configs;

/** The DS component and the REST resources built with {@code new} over an embedded Felix. */
class ManagementServiceTest {

    @TempDir
    Path tmp;

    private EmbeddedFelix felix;
    private ConfigurationAdmin configAdmin;
    private ManagementService service;

    @AfterEach
    void stop() throws Exception {
        if (service != null) {
            service.deactivate();
        }
        if (felix != null) {
            felix.close();
        }
    }

    private ManagementService activate(Map<String, String> frameworkProperties, Map<String, Object> config)
            throws Exception {
        felix = new EmbeddedFelix(tmp.resolve("felix"), frameworkProperties);
        configAdmin = felix.startConfigAdmin();
        service = new ManagementService(felix.context(), configAdmin, Configs.of(ManagementService.Config.class, config));
        return service;
    }

    @Test
    void activationSetsUpTheDeployFolderAndInstallsBootFeaturesInTheBackground() throws Exception {
        Path features = tmp.resolve("features");
        Path boot = Files.createDirectories(features.resolve("extras"));
        TestJars.bundle(boot, "extras.jar", "test.extras", "1.0.0");
        Files.writeString(boot.resolve("feature.json"), "{\"boot\":true,\"bundles\":[\"extras.jar\"]}");
        Path deploy = tmp.resolve("deploy");

        ManagementService management = activate(Map.of(ManagementService.FEATURES_DIR_PROPERTY, features.toString()),
                Map.of("deploy_dir", deploy.toString()));

        assertThat(deploy).isDirectory();
        assertThat(configAdmin.listConfigurations("(service.pid=org.apache.felix.fileinstall~flux-deploy)"))
                .singleElement()
                .satisfies(c -> assertThat(c.getProperties().get("felix.fileinstall.dir")).isEqualTo(deploy.toString()));
        assertThat(management.features().featuresDir()).isEqualTo(features);
        EmbeddedFelix.await("the boot feature", Duration.ofSeconds(20),
                () -> Arrays.stream(felix.context().getBundles())
                        .anyMatch(b -> "test.extras".equals(b.getSymbolicName()) && b.getState() == Bundle.ACTIVE));
        EmbeddedFelix.await("the boot feature to be recorded", Duration.ofSeconds(20),
                () -> management.features().get("extras").installed());
    }

    @Test
    void theUploadLimitIsHotAndEnforcedByTheResource() throws Exception {
        ManagementService management = activate(Map.of(), Map.of("deploy_dir", tmp.resolve("deploy").toString(),
                "features_dir", tmp.resolve("features").toString(), "upload_max_bytes", 100L));
        BundlesResource resource = new BundlesResource(management);
        byte[] jar = Files.readAllBytes(TestJars.bundle(tmp, "a.jar", "test.a", "1.0.0"));
        assertThat(jar.length).isGreaterThan(100);

        assertThatThrownBy(() -> resource.install(new ByteArrayInputStream(jar), null, null))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(413));

        management.modified(Configs.of(ManagementService.Config.class, Map.of("upload_max_bytes", 1_000_000L)));
        assertThat(management.uploadMaxBytes()).isEqualTo(1_000_000L);
        // Within the new limit the body reaches validation: an update of the system bundle is refused as core.
        assertThatThrownBy(() -> resource.update(0, new ByteArrayInputStream(jar), Integer.toString(jar.length)))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(409);
                    assertThat(e.getMessage()).startsWith("core bundle");
                });
        assertThat(uploadsLeft()).isZero();
    }

    @Test
    void resourcesDelegateToTheManagers() throws Exception {
        Path features = tmp.resolve("features");
        Path folder = Files.createDirectories(features.resolve("tools"));
        TestJars.bundle(folder, "tools.jar", "test.tools", "1.0.0");
        Files.writeString(folder.resolve("feature.json"), "{\"bundles\":[\"tools.jar\"]}");
        ManagementService management = activate(Map.of(), Map.of("deploy_dir", tmp.resolve("deploy").toString(),
                "features_dir", features.toString()));
        BundlesResource bundles = new BundlesResource(management);
        FeaturesResource featureResource = new FeaturesResource(management);

        assertThat(bundles.list()).anySatisfy(b -> assertThat(b.id()).isZero());
        assertThat(bundles.get(0).core()).isTrue();
        assertThat(featureResource.list()).extracting(FeatureView::name).containsExactly("tools");

        FeatureView installed = featureResource.install("tools");
        assertThat(installed.installed()).isTrue();
        long id = installed.bundles().get(0).id();
        assertThat(bundles.stop(id).state()).isEqualTo("RESOLVED");
        assertThat(bundles.start(id).state()).isEqualTo("ACTIVE");
        byte[] v2 = Files.readAllBytes(TestJars.bundle(tmp, "tools2.jar", "test.tools", "2.0.0"));
        try (InputStream body = new ByteArrayInputStream(v2)) {
            assertThat(bundles.update(id, body, null).version()).isEqualTo("2.0.0");
        }
        assertThat(featureResource.uninstall("tools").installed()).isFalse();
        assertThatThrownBy(() -> featureResource.get("absent"))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(404));
    }

    @Test
    void relativeFoldersResolveAgainstTheWorkingDirectory() {
        assertThat(ManagementService.resolve("deploy"))
                .isEqualTo(Path.of(System.getProperty("user.dir"), "deploy").toAbsolutePath().normalize());
        assertThat(ManagementService.resolve("/srv/flux/deploy")).isEqualTo(Path.of("/srv/flux/deploy"));
    }

    private long uploadsLeft() throws Exception {
        Path store = felix.context().getDataFile("jars").toPath();
        try (var files = Files.list(store)) {
            return files.filter(p -> p.getFileName().toString().startsWith("upload-")).count();
        }
    }
}
