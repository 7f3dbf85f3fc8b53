package io.flux.media.management.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Version;

class BundleJarTest {

    @TempDir
    Path tmp;

    @Test
    void aValidBundleIsRead() throws Exception {
        Path jar = TestJars.bundle(tmp, "a.jar", "com.acme.a;singleton:=true", "1.2.3.beta");

        BundleJar meta = BundleJar.inspect(jar);

        assertThat(meta.symbolicName()).isEqualTo("com.acme.a");
        assertThat(meta.version()).isEqualTo(new Version(1, 2, 3, "beta"));
        assertThat(meta.fragment()).isFalse();
    }

    @Test
    void aMissingVersionIsZeroAndFragmentHostMakesAFragment() throws Exception {
        Path jar = TestJars.jar(tmp.resolve("f.jar"), Map.of("Bundle-ManifestVersion", "2",
                "Bundle-SymbolicName", "com.acme.f", "Fragment-Host", "com.acme.a;bundle-version=\"[1,2)\""));

        BundleJar meta = BundleJar.inspect(jar);

        assertThat(meta.version()).isEqualTo(Version.emptyVersion);
        assertThat(meta.fragment()).isTrue();
    }

    @Test
    void somethingThatIsNotAZipIsRefused() throws Exception {
        Path file = Files.writeString(tmp.resolve("x.jar"), "PK? no, just text");

        assertThatThrownBy(() -> BundleJar.inspect(file))
                .isInstanceOf(BundleJar.InvalidBundleException.class)
                .hasMessageStartingWith("not an OSGi bundle: not a readable jar");
    }

    @Test
    void anEmptyFileIsRefused() throws Exception {
        Path file = Files.write(tmp.resolve("empty.jar"), new byte[0]);

        assertThatThrownBy(() -> BundleJar.inspect(file))
                .hasMessageStartingWith("not an OSGi bundle: not a readable jar");
    }

    @Test
    void aZipWithoutManifestIsRefused() throws Exception {
        Path file = TestJars.jarWithoutManifest(tmp.resolve("nomf.jar"));

        assertThatThrownBy(() -> BundleJar.inspect(file))
                .hasMessage("not an OSGi bundle: the jar has no META-INF/MANIFEST.MF");
    }

    @Test
    void aPlainJarNamesBothMissingHeaders() throws Exception {
        Path file = TestJars.jar(tmp.resolve("plain.jar"), Map.of("Main-Class", "com.acme.Main"));

        assertThatThrownBy(() -> BundleJar.inspect(file))
                .hasMessage("not an OSGi bundle: the manifest has no Bundle-ManifestVersion (must be 2);"
                        + " the manifest has no Bundle-SymbolicName");
    }

    @Test
    void aMissingSymbolicNameIsNamed() throws Exception {
        Path file = TestJars.jar(tmp.resolve("nobsn.jar"), Map.of("Bundle-ManifestVersion", "2",
                "Bundle-SymbolicName", "  ;singleton:=true"));

        assertThatThrownBy(() -> BundleJar.inspect(file))
                .hasMessage("not an OSGi bundle: the manifest has no Bundle-SymbolicName");
    }

    @Test
    void anR3ManifestAndABadVersionAreNamed() throws Exception {
        Path file = TestJars.jar(tmp.resolve("r3.jar"), Map.of("Bundle-ManifestVersion", "1",
                "Bundle-SymbolicName", "com.acme.old", "Bundle-Version", "one"));

        assertThatThrownBy(() -> BundleJar.inspect(file))
                .hasMessage("not an OSGi bundle: Bundle-ManifestVersion is 1 (must be 2);"
                        + " Bundle-Version 'one' is not a valid version");
    }

    @Test
    void aMissingFileIsRefused() {
        assertThatThrownBy(() -> BundleJar.inspect(tmp.resolve("absent.jar")))
                .hasMessage("not an OSGi bundle: no such file absent.jar");
    }
}
