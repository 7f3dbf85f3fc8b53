package io.flux.media.management.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

class BundleOriginTest {

    private static final Path DEPLOY = Path.of("/srv/flux/deploy");

    @Test
    void theSystemBundleIsCore() {
        assertThat(BundleOrigin.of(0, "System Bundle", DEPLOY).core()).isTrue();
        assertThat(BundleOrigin.of(0, "flux:api:trick", DEPLOY).core()).isTrue();
    }

    @Test
    void apiFeatureAndDeployLocationsAreNotCore() {
        assertThat(BundleOrigin.of(7, "flux:api:com.acme.a", DEPLOY).source()).isEqualTo("api");
        assertThat(BundleOrigin.of(7, "flux:feature:console:console.jar", DEPLOY).source())
                .isEqualTo("feature:console");
        assertThat(BundleOrigin.of(7, "file:/srv/flux/deploy/a.jar", DEPLOY).source()).isEqualTo("deploy");
        assertThat(BundleOrigin.of(7, "file:/srv/flux/deploy/sub/a.jar", DEPLOY).source()).isEqualTo("deploy");
        assertThat(BundleOrigin.of(7, "file:/srv/flux/deploy/a.jar", DEPLOY).core()).isFalse();
    }

    @Test
    void everythingElseIsCore() {
        for (String location : new String[] { "file:/srv/flux/bundles/scr.jar", "reference:file:/srv/flux/deploy/a.jar",
                "file:/srv/flux/deploy", "file:/srv/flux/deploy/../bundles/x.jar", "file:/srv/flux/deployed/x.jar",
                "flux:api:", "flux:feature:no-file", "jar/org.apache.felix.scr-2.2.18.jar", "" }) {
            assertThat(BundleOrigin.of(7, location, DEPLOY).source()).as(location).isEqualTo("core");
        }
        assertThat(BundleOrigin.of(7, null, DEPLOY).core()).isTrue();
    }
}
