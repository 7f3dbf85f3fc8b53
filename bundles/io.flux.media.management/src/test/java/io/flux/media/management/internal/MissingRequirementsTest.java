package io.flux.media.management.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Parsing of Felix 7 resolver messages (the samples are what Felix 7.0.5 prints). */
class MissingRequirementsTest {

    @Test
    void aSingleMissingPackageWithAVersionRange() {
        String message = "Unable to resolve test.lib [1](R 1.0): missing requirement [test.lib [1](R 1.0)]"
                + " osgi.wiring.package; (&(osgi.wiring.package=com.nobody)(version>=1.0.0)(!(version>=2.0.0)))"
                + " Unresolved requirements: [[test.lib [1](R 1.0)] osgi.wiring.package;"
                + " (&(osgi.wiring.package=com.nobody)(version>=1.0.0)(!(version>=2.0.0)))]";

        assertThat(MissingRequirements.parse(message)).containsExactly(
                "osgi.wiring.package; (&(osgi.wiring.package=com.nobody)(version>=1.0.0)(!(version>=2.0.0)))");
    }

    @Test
    void aCausedByChainListsEveryLinkOnceOutermostFirst() {
        String message = "Unable to resolve test.app [3](R 3.0): missing requirement [test.app [3](R 3.0)]"
                + " osgi.wiring.package; (osgi.wiring.package=test.lib) [caused by: Unable to resolve test.lib"
                + " [2](R 2.0): missing requirement [test.lib [2](R 2.0)] osgi.wiring.package;"
                + " (osgi.wiring.package=com.nobody)] Unresolved requirements: [[test.app [3](R 3.0)]"
                + " osgi.wiring.package; (osgi.wiring.package=test.lib)]";

        assertThat(MissingRequirements.parse(message)).containsExactly(
                "osgi.wiring.package; (osgi.wiring.package=test.lib)",
                "osgi.wiring.package; (osgi.wiring.package=com.nobody)");
    }

    @Test
    void otherNamespacesAndEscapedParenthesesInFilters() {
        String message = "Unable to resolve a [4](R 4.0): missing requirement [a [4](R 4.0)] osgi.extender;"
                + " (&(osgi.extender=osgi.component)(version>=1.5.0)) Unresolved requirements: [[a [4](R 4.0)]"
                + " osgi.extender; (&(osgi.extender=osgi.component)(version>=1.5.0))] missing requirement"
                + " [a [4](R 4.0)] osgi.service; (objectClass=com.acme.Odd\\(Name\\))";

        assertThat(MissingRequirements.parse(message)).containsExactly(
                "osgi.extender; (&(osgi.extender=osgi.component)(version>=1.5.0))",
                "osgi.service; (objectClass=com.acme.Odd\\(Name\\))");
    }

    @Test
    void messagesWithoutMissingRequirementsGiveNothing() {
        assertThat(MissingRequirements.parse(null)).isEmpty();
        assertThat(MissingRequirements.parse("Fragment bundles can not be started.")).isEmpty();
        assertThat(MissingRequirements.parse("Uses constraint violation. Unable to resolve a [1](R 1.0) because"
                + " it is exposed to package 'x' from resources b and c")).isEmpty();
    }

    @Test
    void aTruncatedMessageYieldsWhatItCanWithoutFailing() {
        assertThat(MissingRequirements.parse("missing requirement [a [1](R 1.0)] osgi.wiring.package;"
                + " (&(osgi.wiring.package=x)")).containsExactly("osgi.wiring.package");
        assertThat(MissingRequirements.parse("missing requirement [a [1](R 1.0")).isEmpty();
    }
}
