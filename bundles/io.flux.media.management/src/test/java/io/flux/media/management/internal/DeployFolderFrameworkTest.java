package io.flux.media.management.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.service.cm.ConfigurationAdmin;

/** The deploy folder driven by the real Felix FileInstall 3.7.4 in an embedded framework. */
class DeployFolderFrameworkTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path tmp;

    private EmbeddedFelix felix;
    private ConfigurationAdmin configAdmin;

    @BeforeEach
    void start() throws Exception {
        felix = new EmbeddedFelix(tmp.resolve("felix"));
        configAdmin = felix.startConfigAdmin();
        felix.installFromClassPath("org/apache/felix/fileinstall/internal/FileInstall.class");
    }

    @AfterEach
    void stop() throws Exception {
        felix.close();
    }

    @Test
    void theConfigurationIsCreatedOnceAndReusedOnLaterActivations() throws Exception {
        Path deploy = tmp.resolve("server/deploy");

        String first = DeployFolder.configure(configAdmin, deploy, BundleManager.extensionStartLevel(felix.context()));
        String second = DeployFolder.configure(configAdmin, deploy, BundleManager.extensionStartLevel(felix.context()));

        assertThat(deploy).isDirectory();
        assertThat(second).isEqualTo(first).isEqualTo("org.apache.felix.fileinstall~flux-deploy");
        assertThat(configAdmin.listConfigurations("(service.factoryPid=org.apache.felix.fileinstall)"))
                .singleElement()
                .satisfies(c -> {
                    assertThat(c.getProperties().get("felix.fileinstall.dir")).isEqualTo(deploy.toString());
                    assertThat(c.getProperties().get("felix.fileinstall.enableConfigSave")).isEqualTo("false");
                });
    }

    @Test
    void jarsDroppedReplacedAndRemovedAreInstalledUpdatedAndUninstalled() throws Exception {
        Path deploy = tmp.resolve("deploy");
        DeployFolder.configure(configAdmin, deploy, BundleManager.extensionStartLevel(felix.context()));
        BundleManager manager = new BundleManager(felix.context(), tmp.resolve("store"), deploy);
        Path staging = Files.createDirectories(tmp.resolve("staging"));

        drop(TestJars.bundle(staging, "x.jar", "test.deployed", "1.0.0"), deploy.resolve("x.jar"), 0);
        EmbeddedFelix.await("the dropped jar to be active", TIMEOUT,
                () -> find().filter(b -> b.getState() == Bundle.ACTIVE).isPresent());
        assertThat(manager.view(find().orElseThrow()).source()).isEqualTo("deploy");

        drop(TestJars.bundle(staging, "x.jar", "test.deployed", "2.0.0"), deploy.resolve("x.jar"), 10);
        EmbeddedFelix.await("the replaced jar to be updated", TIMEOUT,
                () -> find().filter(b -> b.getVersion().toString().equals("2.0.0")).isPresent());

        Files.delete(deploy.resolve("x.jar"));
        EmbeddedFelix.await("the removed jar to be uninstalled", TIMEOUT, () -> find().isEmpty());
    }

    /** Moves a finished jar into place, so FileInstall never sees it half-written. */
    private static void drop(Path jar, Path target, int secondsAhead) throws Exception {
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().plusSeconds(secondsAhead)));
        Files.move(jar, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private Optional<Bundle> find() {
        return Arrays.stream(felix.context().getBundles()).filter(b -> "test.deployed".equals(b.getSymbolicName()))
                .findFirst();
    }
}
