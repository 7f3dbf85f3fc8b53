package io.flux.media.management.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class FeatureDefinitionTest {

    private static FeatureDefinition parse(String folder, String json) throws Exception {
        return FeatureDefinition.parse(folder, json.getBytes(StandardCharsets.UTF_8));
    }

    private static void assertInvalid(String json, String message) {
        assertThatThrownBy(() -> parse("f", json))
                .isInstanceOf(FeatureDefinition.InvalidFeatureException.class)
                .hasMessageContaining(message);
    }

    @Test
    void aCompleteFeature() throws Exception {
        FeatureDefinition feature = parse("console", """
                {"name":"console","description":"Web console","core":false,"boot":true,
                 "bundles":["org.apache.felix.webconsole-5.0.18.jar","encoder-1.3.1.jar"],
                 "configurations":{
                   "org.apache.felix.webconsole.internal.servlet.OsgiManager":{
                     "manager.root":"/system/console","http.port":8080,"big":4294967296,"ratio":0.5,
                     "enabled":true,"roles":["admin","ops"],"ports":[1,2],"bigs":[1,4294967296],
                     "mixed":[1,2.5],"flags":[true,false],"none":[]},
                   "org.apache.felix.fileinstall~extra":{"felix.fileinstall.dir":"extra"}}}
                """);

        assertThat(feature.name()).isEqualTo("console");
        assertThat(feature.description()).isEqualTo("Web console");
        assertThat(feature.core()).isFalse();
        assertThat(feature.boot()).isTrue();
        assertThat(feature.bundles()).containsExactly("org.apache.felix.webconsole-5.0.18.jar", "encoder-1.3.1.jar");
        assertThat(feature.configurations()).containsOnlyKeys(
                "org.apache.felix.webconsole.internal.servlet.OsgiManager", "org.apache.felix.fileinstall~extra");
        var props = feature.configurations().get("org.apache.felix.webconsole.internal.servlet.OsgiManager");
        assertThat(props.get("manager.root")).isEqualTo("/system/console");
        assertThat(props.get("http.port")).isEqualTo(8080);
        assertThat(props.get("big")).isEqualTo(4294967296L);
        assertThat(props.get("ratio")).isEqualTo(0.5);
        assertThat(props.get("enabled")).isEqualTo(true);
        assertThat((String[]) props.get("roles")).containsExactly("admin", "ops");
        assertThat((Integer[]) props.get("ports")).containsExactly(1, 2);
        assertThat((Long[]) props.get("bigs")).containsExactly(1L, 4294967296L);
        assertThat((Double[]) props.get("mixed")).containsExactly(1.0, 2.5);
        assertThat((Boolean[]) props.get("flags")).containsExactly(true, false);
        assertThat((String[]) props.get("none")).isEmpty();
    }

    @Test
    void defaultsApplyAndTheNameComesFromTheFolder() throws Exception {
        FeatureDefinition feature = parse("minimal", "{}");

        assertThat(feature.name()).isEqualTo("minimal");
        assertThat(feature.description()).isEmpty();
        assertThat(feature.core()).isFalse();
        assertThat(feature.boot()).isFalse();
        assertThat(feature.bundles()).isEmpty();
        assertThat(feature.configurations()).isEmpty();
    }

    @Test
    void structuralErrorsAreNamed() {
        assertInvalid("{\"name\":", "not valid JSON");
        assertInvalid("[]", "must hold a JSON object");
        assertInvalid("{\"name\":\"other\"}", "name 'other' does not match its folder 'f'");
        assertInvalid("{\"bundle\":[]}", "unknown field 'bundle'");
        assertInvalid("{\"core\":\"yes\"}", "'core' must be true or false");
        assertInvalid("{\"description\":3}", "'description' must be a string");
        assertInvalid("{\"bundles\":\"a.jar\"}", "'bundles' must be an array");
        assertInvalid("{\"bundles\":[\"a.jar\",\"a.jar\"]}", "lists a.jar twice");
        assertInvalid("{\"configurations\":[]}", "'configurations' must be an object");
        assertInvalid("{\"configurations\":{\"p\":1}}", "configuration 'p' must be an object");
        assertInvalid("{\"configurations\":{\"a~b~c\":{}}}", "PID 'a~b~c' is not valid");
    }

    @Test
    void bundleEntriesMustBePlainJarNamesInTheFolder() {
        for (String entry : new String[] { "../evil.jar", "/abs/a.jar", "sub/a.jar", "a.zip", ".hidden.jar", "" }) {
            assertInvalid("{\"bundles\":[\"" + entry + "\"]}", "is not a jar file name");
        }
        assertInvalid("{\"bundles\":[3]}", "is not a jar file name");
    }

    @Test
    void configurationValuesMustBeScalarsOrArraysOfOneKind() {
        assertInvalid("{\"configurations\":{\"p\":{\"k\":{\"nested\":1}}}}", "property 'k' must be a string");
        assertInvalid("{\"configurations\":{\"p\":{\"k\":null}}}", "property 'k' must be a string");
        assertInvalid("{\"configurations\":{\"p\":{\"k\":[\"a\",1]}}}", "all of one kind");
        assertInvalid("{\"configurations\":{\"p\":{\"k\":123456789012345678901234567890}}}", "too large");
    }

    @Test
    void namesAreRestricted() {
        assertThatThrownBy(() -> parse("bad name", "{}")).hasMessageContaining("may only hold");
    }
}
