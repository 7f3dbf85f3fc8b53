package io.flux.media.management.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.namespace.HostNamespace;
import org.osgi.framework.wiring.BundleWire;
import org.osgi.framework.wiring.BundleWiring;

import io.flux.media.api.rest.ApiException;

/** Install, update, rollback and uninstall against a real embedded Felix framework. */
class BundleManagerFrameworkTest {

    @TempDir
    Path tmp;

    private EmbeddedFelix felix;
    private BundleContext context;
    private BundleManager manager;
    private Path store;
    private Path jars;

    @BeforeEach
    void start() throws Exception {
        felix = new EmbeddedFelix(tmp.resolve("felix"));
        context = felix.context();
        store = tmp.resolve("store");
        jars = Files.createDirectories(tmp.resolve("jars"));
        manager = new BundleManager(context, store, tmp.resolve("deploy"));
    }

    @AfterEach
    void stop() throws Exception {
        felix.close();
    }

    // ------------------------------------------------------------ install

    @Test
    void installStartsAResolvableBundleAndKeepsACopyOfItsJar() throws Exception {
        Path jar = TestJars.bundle(jars, "a.jar", "test.a", "1.0.0", "Export-Package", "test.a;version=1.0.0");

        BundleView view = manager.install(jar);

        assertThat(view.symbolic_name()).isEqualTo("test.a");
        assertThat(view.version()).isEqualTo("1.0.0");
        assertThat(view.state()).isEqualTo("ACTIVE");
        assertThat(view.location()).isEqualTo("flux:api:test.a");
        assertThat(view.source()).isEqualTo("api");
        assertThat(view.core()).isFalse();
        assertThat(context.getBundle(view.id()).getState()).isEqualTo(Bundle.ACTIVE);
        assertThat(manifestVersion(store.resolve(view.id() + ".jar"))).isEqualTo("1.0.0");
    }

    @Test
    void aBundleImportingAPackageNobodyExportsIsRefusedAndLeavesNothingBehind() throws Exception {
        int before = felix.bundleCount();
        Path jar = TestJars.bundle(jars, "b.jar", "test.b", "1.0.0", "Import-Package",
                "com.nobody;version=\"[1.0,2)\",org.osgi.framework");

        assertThatThrownBy(() -> manager.install(jar))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(409);
                    assertThat(e.getMessage()).contains("test.b").contains("com.nobody");
                    assertThat(missing(e)).containsExactly(
                            "osgi.wiring.package; (&(osgi.wiring.package=com.nobody)(version>=1.0.0)(!(version>=2.0.0)))");
                });

        assertNothingLeftOf("test.b", before);
    }

    @Test
    void aRequirementMissingFurtherDownIsNamedToo() throws Exception {
        // A core bundle that exports what the upload needs but cannot resolve itself.
        Path lib = TestJars.bundle(jars, "lib.jar", "test.lib", "1.0.0", "Export-Package", "test.lib",
                "Import-Package", "com.nobody");
        try (InputStream in = Files.newInputStream(lib)) {
            context.installBundle("file:/opt/flux/lib.jar", in);
        }
        int before = felix.bundleCount();
        Path app = TestJars.bundle(jars, "app.jar", "test.app", "1.0.0", "Import-Package", "test.lib");

        assertThatThrownBy(() -> manager.install(app))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(409);
                    assertThat(missing(e)).contains("osgi.wiring.package; (osgi.wiring.package=test.lib)",
                            "osgi.wiring.package; (osgi.wiring.package=com.nobody)");
                });
        assertNothingLeftOf("test.app", before);
    }

    @Test
    void aJarThatIsNoBundleAnswers400BeforeTheFrameworkSeesIt() throws Exception {
        int before = felix.bundleCount();
        Path garbage = Files.writeString(jars.resolve("garbage.jar"), "this is not a zip");
        Path plainJar = TestJars.jar(jars.resolve("plain.jar"), java.util.Map.of("Created-By", "test"));

        assertThatThrownBy(() -> manager.install(garbage))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.getMessage()).startsWith("not an OSGi bundle: not a readable jar");
                });
        assertThatThrownBy(() -> manager.install(plainJar))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.getMessage()).contains("Bundle-ManifestVersion").contains("Bundle-SymbolicName");
                });
        assertThat(felix.bundleCount()).isEqualTo(before);
    }

    @Test
    void theSameSymbolicNameAndVersionTwiceIsAConflict() throws Exception {
        Path jar = TestJars.bundle(jars, "a.jar", "test.a", "1.0.0");
        BundleView first = manager.install(jar);
        int before = felix.bundleCount();

        assertThatThrownBy(() -> manager.install(jar))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(409);
                    assertThat(e.getMessage()).contains("already installed (id " + first.id() + ")");
                });
        // Another version through the API would reuse the location: it must be an update instead.
        Path v2 = TestJars.bundle(jars, "a2.jar", "test.a", "2.0.0");
        assertThatThrownBy(() -> manager.install(v2))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(409);
                    assertThat(e.getMessage()).contains("PUT /api/v1/bundles/" + first.id());
                });
        assertThat(felix.bundleCount()).isEqualTo(before);
        assertThat(context.getBundle(first.id()).getVersion().toString()).isEqualTo("1.0.0");
    }

    @Test
    void aBundleWhoseActivatorFailsIsUninstalledAgain() throws Exception {
        int before = felix.bundleCount();
        Path jar = TestJars.bundle(jars, "c.jar", "test.c", "1.0.0", "Bundle-Activator", "test.c.Missing");

        assertThatThrownBy(() -> manager.install(jar))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(409);
                    assertThat(e.getMessage()).contains("failed to start");
                    assertThat(e.details()).containsKey("cause");
                });
        assertNothingLeftOf("test.c", before);
    }

    @Test
    void aFragmentAttachesToItsAlreadyRunningHost() throws Exception {
        BundleView host = manager.install(TestJars.bundle(jars, "host.jar", "test.host", "1.0.0"));
        Path fragmentJar = TestJars.bundle(jars, "frag.jar", "test.frag", "1.0.0", "Fragment-Host", "test.host");

        BundleView fragment = manager.install(fragmentJar);

        assertThat(fragment.fragment()).isTrue();
        assertThat(fragment.state()).isEqualTo("RESOLVED");
        Bundle hostBundle = context.getBundle(host.id());
        assertThat(hostBundle.getState()).isEqualTo(Bundle.ACTIVE);
        List<BundleWire> wires = hostBundle.adapt(BundleWiring.class).getProvidedWires(HostNamespace.HOST_NAMESPACE);
        assertThat(wires).extracting(w -> w.getRequirer().getBundle().getBundleId()).containsExactly(fragment.id());
    }

    @Test
    void aFragmentWithoutItsHostIsRefused() throws Exception {
        int before = felix.bundleCount();
        Path jar = TestJars.bundle(jars, "frag.jar", "test.frag", "1.0.0", "Fragment-Host", "test.nohost");

        assertThatThrownBy(() -> manager.install(jar))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(409);
                    assertThat(missing(e)).singleElement().asString().startsWith("osgi.wiring.host; ")
                            .contains("test.nohost");
                });
        assertNothingLeftOf("test.frag", before);
    }

    // ------------------------------------------------------------ update

    @Test
    void updateReplacesTheJarAndKeepsTheBundleRunning() throws Exception {
        BundleView v1 = manager.install(TestJars.bundle(jars, "a.jar", "test.a", "1.0.0"));

        BundleView v2 = manager.update(v1.id(), TestJars.bundle(jars, "a2.jar", "test.a", "2.0.0"));

        assertThat(v2.id()).isEqualTo(v1.id());
        assertThat(v2.version()).isEqualTo("2.0.0");
        assertThat(v2.state()).isEqualTo("ACTIVE");
        assertThat(manifestVersion(store.resolve(v1.id() + ".jar"))).isEqualTo("2.0.0");
    }

    @Test
    void anUpdateThatCannotResolveIsRolledBackToThePreviousJar() throws Exception {
        BundleView v1 = manager.install(TestJars.bundle(jars, "a.jar", "test.a", "1.0.0",
                "Export-Package", "test.a;version=1.0.0"));
        Path broken = TestJars.bundle(jars, "a2.jar", "test.a", "2.0.0", "Import-Package", "com.nobody");

        assertThatThrownBy(() -> manager.update(v1.id(), broken))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(409);
                    assertThat(missing(e)).containsExactly("osgi.wiring.package; (osgi.wiring.package=com.nobody)");
                    assertThat(e.getMessage()).startsWith("bundle test.a 2.0.0 (id " + v1.id() + ") cannot be resolved");
                });

        Bundle bundle = context.getBundle(v1.id());
        assertThat(bundle.getVersion().toString()).isEqualTo("1.0.0");
        assertThat(bundle.getState()).isEqualTo(Bundle.ACTIVE);
        assertThat(bundle.getHeaders("").get("Export-Package")).isEqualTo("test.a;version=1.0.0");
        assertThat(manifestVersion(store.resolve(v1.id() + ".jar"))).isEqualTo("1.0.0");
        assertThat(leftoverUploads()).isEmpty();
    }

    @Test
    void anUpdateWhoseActivatorFailsIsRolledBack() throws Exception {
        BundleView v1 = manager.install(TestJars.bundle(jars, "a.jar", "test.a", "1.0.0"));
        Path failing = TestJars.bundle(jars, "a2.jar", "test.a", "2.0.0", "Bundle-Activator", "test.a.Missing");

        assertThatThrownBy(() -> manager.update(v1.id(), failing))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(409));

        Bundle bundle = context.getBundle(v1.id());
        assertThat(bundle.getVersion().toString()).isEqualTo("1.0.0");
        assertThat(bundle.getState()).isEqualTo(Bundle.ACTIVE);
    }

    @Test
    void aStoppedBundleStaysStoppedAcrossAnUpdate() throws Exception {
        BundleView v1 = manager.install(TestJars.bundle(jars, "a.jar", "test.a", "1.0.0"));
        manager.stop(v1.id());

        BundleView v2 = manager.update(v1.id(), TestJars.bundle(jars, "a2.jar", "test.a", "2.0.0"));

        assertThat(v2.state()).isEqualTo("RESOLVED");
    }

    @Test
    void aBundleWithoutAStoredCopyIsRolledBackFromASnapshotOfItsEntries() throws Exception {
        Path original = TestJars.bundle(jars, "f.jar", "test.f", "1.0.0", "Export-Package", "test.f");
        Bundle bundle;
        try (InputStream in = Files.newInputStream(original)) {
            bundle = context.installBundle(BundleOrigin.featureLocation("demo", "f.jar"), in);
        }
        bundle.start();
        Path broken = TestJars.bundle(jars, "f2.jar", "test.f", "2.0.0", "Import-Package", "com.nobody");

        assertThatThrownBy(() -> manager.update(bundle.getBundleId(), broken))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(409));

        assertThat(bundle.getVersion().toString()).isEqualTo("1.0.0");
        assertThat(bundle.getState()).isEqualTo(Bundle.ACTIVE);
        assertThat(bundle.getEntry("readme.txt")).isNotNull();
    }

    @Test
    void anUpdateMustKeepTheSymbolicName() throws Exception {
        BundleView v1 = manager.install(TestJars.bundle(jars, "a.jar", "test.a", "1.0.0"));
        Path other = TestJars.bundle(jars, "b.jar", "test.b", "2.0.0");

        assertThatThrownBy(() -> manager.update(v1.id(), other))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.getMessage()).contains("test.b").contains("test.a");
                });
        assertThatThrownBy(() -> manager.update(v1.id(), Files.writeString(jars.resolve("x.jar"), "nope")))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(400));
        assertThat(context.getBundle(v1.id()).getVersion().toString()).isEqualTo("1.0.0");
    }

    // ------------------------------------------------------------ start, stop, uninstall, core

    @Test
    void stopStartAndUninstall() throws Exception {
        BundleView installed = manager.install(TestJars.bundle(jars, "a.jar", "test.a", "1.0.0"));

        assertThat(manager.stop(installed.id()).state()).isEqualTo("RESOLVED");
        assertThat(manager.start(installed.id()).state()).isEqualTo("ACTIVE");
        manager.uninstall(installed.id());

        assertThat(context.getBundle(installed.id())).isNull();
        assertThat(store.resolve(installed.id() + ".jar")).doesNotExist();
        assertThatThrownBy(() -> manager.detail(installed.id()))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(404));
    }

    @Test
    void coreBundlesRefuseStopUpdateAndUninstall() throws Exception {
        Path jar = TestJars.bundle(jars, "core.jar", "test.core", "1.0.0");
        Bundle core;
        try (InputStream in = Files.newInputStream(jar)) {
            core = context.installBundle("file:/opt/flux/bundles/core.jar", in);
        }
        core.start();
        Path newer = TestJars.bundle(jars, "core2.jar", "test.core", "2.0.0");

        for (long id : new long[] { 0, core.getBundleId() }) {
            assertCoreRefusal(() -> manager.stop(id));
            assertCoreRefusal(() -> manager.update(id, newer));
            assertCoreRefusal(() -> manager.uninstall(id));
        }
        assertThat(core.getState()).isEqualTo(Bundle.ACTIVE);
        assertThat(core.getVersion().toString()).isEqualTo("1.0.0");
        assertThat(manager.start(core.getBundleId()).state()).isEqualTo("ACTIVE");
    }

    @Test
    void unknownIdsAnswer404() {
        for (Runnable call : List.<Runnable>of(() -> manager.detail(999), () -> manager.start(999),
                () -> manager.stop(999), () -> manager.uninstall(999))) {
            assertThatThrownBy(call::run)
                    .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(404));
        }
    }

    @Test
    void theListingShowsSourcesAndTheDetailShowsHeadersAndServices() throws Exception {
        BundleView api = manager.install(TestJars.bundle(jars, "a.jar", "test.a", "1.0.0", "Bundle-Name", "Test A"));
        Bundle bundle = context.getBundle(api.id());
        bundle.getBundleContext().registerService(Runnable.class, () -> { }, null);
        Path deployDir = tmp.resolve("deploy");
        Path deployed = TestJars.bundle(deployDir, "d.jar", "test.d", "1.0.0");
        try (InputStream in = Files.newInputStream(deployed)) {
            context.installBundle(deployed.toUri().toString(), in);
        }

        List<BundleView> all = manager.list();

        assertThat(all).filteredOn(b -> b.id() == 0).singleElement()
                .satisfies(b -> assertThat(b.core()).isTrue())
                .satisfies(b -> assertThat(b.source()).isEqualTo("core"));
        assertThat(all).filteredOn(b -> "test.d".equals(b.symbolic_name())).singleElement()
                .satisfies(b -> assertThat(b.source()).isEqualTo("deploy"))
                .satisfies(b -> assertThat(b.core()).isFalse());
        BundleView.Detail detail = manager.detail(api.id());
        assertThat(detail.headers()).containsEntry("Bundle-Name", "Test A");
        assertThat(detail.services()).singleElement()
                .satisfies(s -> assertThat(s.object_class()).containsExactly("java.lang.Runnable"));
    }

    // ------------------------------------------------------------ helpers

    private void assertCoreRefusal(Runnable call) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status()).isEqualTo(409);
            assertThat(e.getMessage()).startsWith("core bundle ");
        });
    }

    private void assertNothingLeftOf(String symbolicName, int bundlesBefore) throws IOException {
        assertThat(felix.bundleCount()).isEqualTo(bundlesBefore);
        assertThat(Arrays.stream(context.getBundles()).map(Bundle::getSymbolicName)).doesNotContain(symbolicName);
        assertThat(context.getBundle(BundleOrigin.apiLocation(symbolicName))).isNull();
        try (Stream<Path> files = Files.list(store)) {
            assertThat(files).isEmpty();
        }
    }

    private List<Path> leftoverUploads() throws IOException {
        try (Stream<Path> files = Files.list(store)) {
            return files.filter(p -> p.getFileName().toString().startsWith("upload-")).toList();
        }
    }

    @SuppressWarnings("unchecked")
    private static List<String> missing(ApiException e) {
        return (List<String>) e.details().get("missing_requirements");
    }

    private static String manifestVersion(Path jar) throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            return file.getManifest().getMainAttributes().getValue("Bundle-Version");
        }
    }
}
