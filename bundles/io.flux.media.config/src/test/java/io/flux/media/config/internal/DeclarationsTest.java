package io.flux.media.config.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

import io.flux.media.api.config.HotUpdatable;

class DeclarationsTest {

    static ComponentDescriptionDTO component(String name, String policy, Object hot, String... pids) {
        ComponentDescriptionDTO dto = new ComponentDescriptionDTO();
        dto.name = name;
        dto.configurationPolicy = policy;
        dto.configurationPid = pids;
        dto.properties = hot == null ? Map.of() : Map.of(HotUpdatable.PROPERTY, hot);
        return dto;
    }

    @Test
    void managedPidsComeFromHotUpdatableDeclarations() {
        Declarations declarations = Declarations.of(List.of(
                component("server", "optional", new String[] { "log.level", "log.levels" }, "io.flux.media.server"),
                component("rest", "optional", "request.max.bytes", "io.flux.media.rest"),
                component("jersey", "require", null, "JakartarsWhiteboardComponent"),
                component("ignored", "ignore", new String[] { "x" }, "ignored.pid")));

        assertThat(declarations.managed()).extracting(Declarations.ManagedPid::pid)
                .containsExactly("io.flux.media.rest", "io.flux.media.server");
        Declarations.ManagedPid server = declarations.managed("io.flux.media.server").orElseThrow();
        assertThat(server.hotFields()).containsExactly("log.level", "log.levels");
        assertThat(server.runsWithoutConfiguration()).isTrue();
        assertThat(declarations.managed("io.flux.media.rest").orElseThrow().hotFields())
                .containsExactly("request.max.bytes");
        assertThat(declarations.managed("JakartarsWhiteboardComponent")).isEmpty();
        assertThat(declarations.isConfigured("JakartarsWhiteboardComponent")).isTrue();
        assertThat(declarations.isConfigured("ignored.pid")).isFalse();
    }

    @Test
    void sharedPidIsHotOnlyWhereEveryDeclaringComponentAgrees() {
        Declarations declarations = Declarations.of(List.of(
                component("a", "require", new String[] { "x", "y" }, "shared"),
                component("b", "optional", new String[] { "y", "z" }, "shared")));

        Declarations.ManagedPid shared = declarations.managed("shared").orElseThrow();
        assertThat(shared.hotFields()).containsExactly("y");
        assertThat(shared.components()).containsExactly("a", "b");
        assertThat(shared.runsWithoutConfiguration()).isTrue();
    }

    @Test
    void emptyDeclarationStillManagesThePid() {
        Declarations declarations = Declarations.of(List.of(component("c", "require", new String[0], "p")));

        assertThat(declarations.managed("p").orElseThrow().hotFields()).isEmpty();
        assertThat(declarations.managed("p").orElseThrow().runsWithoutConfiguration()).isFalse();
    }

    @Test
    void policyPidStripsFactoryNameAndTargeting() {
        assertThat(Declarations.policyPid("io.flux.media.server", null)).isEqualTo("io.flux.media.server");
        assertThat(Declarations.policyPid("flux.storage~nas", null)).isEqualTo("flux.storage");
        assertThat(Declarations.policyPid("flux.storage.6c1f", "flux.storage")).isEqualTo("flux.storage");
        assertThat(Declarations.policyPid("p|bsn|1.0", null)).isEqualTo("p");
    }
}
