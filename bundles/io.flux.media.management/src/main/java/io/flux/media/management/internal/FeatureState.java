package io.flux.media.management.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * Which features were installed or explicitly uninstalled, kept in a JSON file in the bundle's data
 * area. An installed feature remembers the bundles (symbolic name and version) it uses, so it can be
 * uninstalled even after its folder changed. Not thread-safe: {@link FeatureManager} guards it.
 */
final class FeatureState {

    private static final Logger LOG = LoggerFactory.getLogger(FeatureState.class);
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    static final String INSTALLED = "installed";
    static final String UNINSTALLED = "uninstalled";

    /** A bundle a feature uses. */
    record BundleKey(String symbolic_name, String version) {
    }

    /** One feature's record: {@link #INSTALLED} with its bundles, or {@link #UNINSTALLED}. */
    record Entry(String status, List<BundleKey> bundles) {
        Entry {
            bundles = bundles == null ? List.of() : List.copyOf(bundles);
        }

        boolean installed() {
            return INSTALLED.equals(status);
        }
    }

    /** The file's shape. */
    record Document(Map<String, Entry> features) {
    }

    private final Path file;
    private final Map<String, Entry> features = new TreeMap<>();

    FeatureState(Path file) {
        this.file = file;
        if (Files.isRegularFile(file)) {
            try {
                Document document = MAPPER.readValue(file.toFile(), Document.class);
                if (document.features() != null) {
                    features.putAll(document.features());
                }
            } catch (IOException e) {
                // Losing the record only means boot features may be installed again: not worth failing for.
                LOG.error("cannot read the feature state {}; starting from an empty one: {}", file, e.toString());
            }
        }
    }

    Optional<Entry> get(String name) {
        return Optional.ofNullable(features.get(name));
    }

    boolean isInstalled(String name) {
        Entry entry = features.get(name);
        return entry != null && entry.installed();
    }

    Map<String, Entry> all() {
        return Map.copyOf(features);
    }

    void markInstalled(String name, List<BundleKey> bundles) throws IOException {
        features.put(name, new Entry(INSTALLED, bundles));
        save();
    }

    void markUninstalled(String name) throws IOException {
        features.put(name, new Entry(UNINSTALLED, List.of()));
        save();
    }

    private void save() throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        MAPPER.writeValue(temp.toFile(), new Document(new TreeMap<>(features)));
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
