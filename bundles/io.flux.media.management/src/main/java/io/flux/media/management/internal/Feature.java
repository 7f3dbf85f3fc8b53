package io.flux.media.management.internal;

import java.nio.file.Path;
import java.util.List;

/**
 * A feature folder as found on disk: its definition and jars, or why it cannot be used.
 *
 * @param definition null when {@code error} is set by an unreadable or invalid feature.json
 * @param jars       the jars the definition names; {@code meta} is null for a core feature's absent jar
 */
record Feature(String name, Path folder, FeatureDefinition definition, List<Jar> jars, String error) {

    record Jar(String file, Path path, BundleJar meta) {
    }

    boolean usable() {
        return error == null;
    }
}
