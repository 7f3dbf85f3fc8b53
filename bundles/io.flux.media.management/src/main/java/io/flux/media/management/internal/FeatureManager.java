package io.flux.media.management.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.Version;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.flux.media.api.rest.ApiException;
import io.flux.media.management.internal.FeatureState.BundleKey;

/**
 * Named deployable sets of bundles plus default configuration, read from
 * {@code <features dir>/<name>/feature.json}. Installing a feature is all or nothing: a bundle that
 * does not resolve or start undoes every bundle and configuration that call added. A plain class
 * (tests run it against an embedded Felix with the real Config Admin).
 */
public final class FeatureManager {

    private static final Logger LOG = LoggerFactory.getLogger(FeatureManager.class);

    static final String DESCRIPTOR = "feature.json";
    /** Configurations a feature creates are not bound to one bundle location. */
    private static final String ANY_LOCATION = "?";

    private final BundleManager bundles;
    private final ConfigurationAdmin configAdmin;
    private final Path featuresDir;
    private final FeatureState state;
    // Last problem logged per feature, so a listing does not repeat the same warning on every call.
    private final Map<String, String> reported = new ConcurrentHashMap<>();

    public FeatureManager(BundleManager bundles, ConfigurationAdmin configAdmin, Path featuresDir, Path stateFile) {
        this.bundles = bundles;
        this.configAdmin = configAdmin;
        this.featuresDir = featuresDir.toAbsolutePath().normalize();
        this.state = new FeatureState(stateFile);
    }

    public Path featuresDir() {
        return featuresDir;
    }

    public List<FeatureView> list() {
        return bundles.locked(() -> {
            Map<String, Feature> found = scan();
            Set<String> names = new java.util.TreeSet<>(found.keySet());
            // A feature still recorded as installed stays listed after its folder went away, so it can be uninstalled.
            state.all().forEach((name, entry) -> {
                if (entry.installed()) {
                    names.add(name);
                }
            });
            return names.stream().map(name -> view(name, found.get(name))).toList();
        });
    }

    public FeatureView get(String name) {
        return bundles.locked(() -> {
            Feature feature = find(name);
            if (feature == null && !state.isInstalled(name)) {
                throw unknown(name);
            }
            return view(name, feature);
        });
    }

    public FeatureView install(String name) {
        return bundles.locked(() -> {
            Feature feature = find(name);
            if (feature == null) {
                throw unknown(name);
            }
            if (!feature.usable()) {
                throw ApiException.conflict("feature " + name + " cannot be installed: " + feature.error());
            }
            if (feature.definition().core()) {
                throw coreFeature(name);
            }
            List<Bundle> added = new ArrayList<>();
            List<Configuration> created = new ArrayList<>();
            try {
                List<BundleKey> keys = new ArrayList<>();
                for (Feature.Jar jar : feature.jars()) {
                    BundleJar meta = jar.meta();
                    keys.add(new BundleKey(meta.symbolicName(), meta.version().toString()));
                    if (bundles.findInstalled(meta.symbolicName(), meta.version()).isPresent()) {
                        continue; // shared with whoever installed it first
                    }
                    added.add(installJar(name, jar));
                }
                applyConfigurations(feature.definition(), created);
                Map<Bundle, BundleManager.Unresolved> unresolved = bundles.resolve(added);
                if (!unresolved.isEmpty()) {
                    throw bundles.unresolvable(unresolved);
                }
                for (Bundle bundle : added) {
                    if (!BundleManager.isFragment(bundle)) {
                        bundles.startOrFail(bundle);
                    }
                }
                state.markInstalled(name, keys);
                LOG.info("feature {} installed ({} new bundle(s), {} new configuration(s))", name, added.size(),
                        created.size());
                return view(name, feature);
            } catch (ApiException e) {
                undo(name, added, created);
                throw new ApiException(e.status(), e.code(), "feature " + name + " cannot be installed: "
                        + e.getMessage(), e.details(), e);
            } catch (IOException e) {
                undo(name, added, created);
                throw new ApiException(500, "internal_error", "feature " + name + " cannot be installed: "
                        + e.getMessage(), Map.of(), e);
            }
        });
    }

    public FeatureView uninstall(String name) {
        return bundles.locked(() -> {
            Feature feature = find(name);
            Optional<FeatureState.Entry> entry = state.get(name);
            if (feature == null && entry.isEmpty()) {
                throw unknown(name);
            }
            if (feature != null && feature.definition() != null && feature.definition().core()) {
                throw coreFeature(name);
            }
            List<Bundle> removed = new ArrayList<>();
            if (entry.isPresent() && entry.get().installed()) {
                Set<BundleKey> usedElsewhere = new HashSet<>();
                state.all().forEach((other, record) -> {
                    if (!other.equals(name) && record.installed()) {
                        usedElsewhere.addAll(record.bundles());
                    }
                });
                for (BundleKey key : entry.get().bundles()) {
                    if (usedElsewhere.contains(key)) {
                        continue;
                    }
                    Optional<Bundle> bundle = bundles.findInstalled(key.symbolic_name(), Version.parseVersion(key.version()));
                    // Only what a feature installed goes; a shared core, API or deployed bundle stays.
                    if (bundle.isPresent() && bundles.origin(bundle.get()).kind() == BundleOrigin.Kind.FEATURE) {
                        try {
                            bundle.get().uninstall();
                            removed.add(bundle.get());
                        } catch (BundleException | IllegalStateException e) {
                            LOG.error("feature {}: cannot uninstall {}: {}", name, BundleManager.label(bundle.get()),
                                    e.toString());
                        }
                    }
                }
                bundles.refresh(removed);
            }
            try {
                state.markUninstalled(name);
            } catch (IOException e) {
                throw new ApiException(500, "internal_error", "feature " + name + " was uninstalled but that could"
                        + " not be recorded: " + e.getMessage(), Map.of(), e);
            }
            LOG.info("feature {} uninstalled ({} bundle(s) removed)", name, removed.size());
            return view(name, feature);
        });
    }

    /**
     * Installs every boot feature that is neither installed nor was ever explicitly uninstalled
     * (Karaf's featuresBoot). Failures are logged: the feature stays unrecorded and is tried again at
     * the next start.
     */
    public void installBootFeatures() {
        installBootFeatures(null);
    }

    /**
     * As {@link #installBootFeatures()}, but with {@code only} non-null the boot features are exactly the features
     * it names, whatever their {@code boot} flag: a runtime such as {@code flux-gb28181d} boots a smaller set from the
     * same features folder. Names without a usable feature are logged.
     */
    public void installBootFeatures(Set<String> only) {
        if (only != null) {
            Map<String, Feature> known = bundles.locked(this::scan);
            only.stream().filter(n -> !known.containsKey(n) || !known.get(n).usable())
                    .forEach(n -> LOG.warn("boot feature {} listed by the runtime is not a usable feature in {}", n,
                            featuresDir));
        }
        List<String> names = bundles.locked(() -> scan().values().stream()
                .filter(f -> f.usable() && !f.definition().core()
                        && (only == null ? f.definition().boot() : only.contains(f.name())))
                .map(Feature::name)
                .filter(name -> state.get(name).isEmpty())
                .toList());
        for (String name : names) {
            if (Thread.currentThread().isInterrupted()) {
                return;
            }
            try {
                install(name);
                LOG.info("boot feature {} installed", name);
            } catch (ApiException e) {
                LOG.warn("boot feature {} could not be installed: {}", name, e.getMessage());
            }
        }
    }

    // ---------------------------------------------------------------- internals

    private Bundle installJar(String feature, Feature.Jar jar) {
        String location = BundleOrigin.featureLocation(feature, jar.file());
        Bundle atLocation = bundles.context().getBundle(location);
        if (atLocation != null) {
            throw ApiException.conflict(jar.file() + " was installed earlier as " + BundleManager.label(atLocation)
                    + ", and the folder now holds " + jar.meta() + ": uninstall the feature first, then install it again");
        }
        try (InputStream in = Files.newInputStream(jar.path())) {
            Bundle bundle = bundles.context().installBundle(location, in);
            BundleManager.placeBelowCore(bundles.context(), bundle);
            return bundle;
        } catch (BundleException e) {
            throw ApiException.conflict(jar.file() + " (" + jar.meta() + ") cannot be installed: " + e.getMessage());
        } catch (IOException e) {
            throw new ApiException(500, "internal_error", "cannot read " + jar.path() + ": " + e.getMessage(), Map.of(),
                    e);
        }
    }

    /** Creates the configurations that do not exist yet; a user's existing values are never touched. */
    private void applyConfigurations(FeatureDefinition definition, List<Configuration> created) throws IOException {
        for (Map.Entry<String, Map<String, Object>> entry : definition.configurations().entrySet()) {
            String pid = entry.getKey();
            if (configurationExists(pid)) {
                LOG.debug("feature {}: configuration {} exists, left as it is", definition.name(), pid);
                continue;
            }
            int tilde = pid.indexOf('~');
            Configuration configuration = tilde < 0 ? configAdmin.getConfiguration(pid, ANY_LOCATION)
                    : configAdmin.getFactoryConfiguration(pid.substring(0, tilde), pid.substring(tilde + 1), ANY_LOCATION);
            configuration.update(new Hashtable<>(entry.getValue()));
            created.add(configuration);
        }
    }

    private boolean configurationExists(String pid) throws IOException {
        try {
            Configuration[] found = configAdmin.listConfigurations("(" + Constants.SERVICE_PID + "=" + escape(pid) + ")");
            return found != null && found.length > 0;
        } catch (InvalidSyntaxException e) {
            throw new IOException("configuration PID " + pid + " cannot be looked up: " + e.getMessage(), e);
        }
    }

    static String escape(String value) {
        StringBuilder out = new StringBuilder(value.length());
        for (char c : value.toCharArray()) {
            if (c == '\\' || c == '(' || c == ')' || c == '*') {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
    }

    private void undo(String feature, List<Bundle> added, List<Configuration> created) {
        bundles.discard(added);
        for (Configuration configuration : created) {
            try {
                configuration.delete();
            } catch (IOException | IllegalStateException e) {
                LOG.error("feature {}: cannot delete configuration {} while undoing the install: {}", feature,
                        configuration.getPid(), e.toString());
            }
        }
        if (!added.isEmpty() || !created.isEmpty()) {
            LOG.info("feature {}: undid {} bundle(s) and {} configuration(s)", feature, added.size(), created.size());
        }
    }

    private Feature find(String name) {
        if (name == null || !FeatureDefinition.NAME.matcher(name).matches()) {
            return null;
        }
        Path folder = featuresDir.resolve(name);
        return Files.isRegularFile(folder.resolve(DESCRIPTOR)) ? load(name, folder) : null;
    }

    private Map<String, Feature> scan() {
        Map<String, Feature> found = new TreeMap<>();
        if (!Files.isDirectory(featuresDir)) {
            return found;
        }
        try (DirectoryStream<Path> folders = Files.newDirectoryStream(featuresDir, Files::isDirectory)) {
            for (Path folder : folders) {
                if (Files.isRegularFile(folder.resolve(DESCRIPTOR))) {
                    String name = folder.getFileName().toString();
                    found.put(name, load(name, folder));
                }
            }
        } catch (IOException e) {
            LOG.warn("cannot list the features folder {}: {}", featuresDir, e.toString());
        }
        return found;
    }

    private Feature load(String name, Path folder) {
        if (!FeatureDefinition.NAME.matcher(name).matches()) {
            return invalid(name, folder, null, "folder name '" + name + "' may only hold letters, digits, '.', '_' and '-'");
        }
        FeatureDefinition definition;
        try {
            definition = FeatureDefinition.parse(name, Files.readAllBytes(folder.resolve(DESCRIPTOR)));
        } catch (IOException e) {
            return invalid(name, folder, null, "feature.json cannot be read: " + e.getMessage());
        } catch (FeatureDefinition.InvalidFeatureException e) {
            return invalid(name, folder, null, e.getMessage());
        }
        List<Feature.Jar> jars = new ArrayList<>();
        for (String file : definition.bundles()) {
            Path path = folder.resolve(file);
            if (!Files.exists(path)) {
                if (definition.core()) {
                    jars.add(new Feature.Jar(file, path, null)); // the launcher's own: the jar need not be here
                    continue;
                }
                return invalid(name, folder, definition, "bundle file " + file + " is missing from " + folder);
            }
            try {
                jars.add(new Feature.Jar(file, path, BundleJar.inspect(path)));
            } catch (BundleJar.InvalidBundleException e) {
                return invalid(name, folder, definition, "bundle file " + file + ": " + e.getMessage());
            }
        }
        reported.remove(name);
        return new Feature(name, folder, definition, List.copyOf(jars), null);
    }

    private Feature invalid(String name, Path folder, FeatureDefinition definition, String error) {
        if (!error.equals(reported.put(name, error))) {
            LOG.warn("feature {} in {} is not usable: {}", name, folder, error);
        }
        return new Feature(name, folder, definition, List.of(), error);
    }

    private FeatureView view(String name, Feature feature) {
        FeatureState.Entry entry = state.get(name).orElse(null);
        if (feature == null) {
            // Recorded as installed, but its folder is gone: show what the record knows.
            List<FeatureView.BundleEntry> entries = entry == null ? List.of() : entry.bundles().stream()
                    .map(key -> entryFor(null, key.symbolic_name(), key.version(),
                            bundles.findInstalled(key.symbolic_name(), Version.parseVersion(key.version()))))
                    .toList();
            return new FeatureView(name, "", false, false, entry != null && entry.installed(), entries, List.of(),
                    "the feature's folder " + featuresDir.resolve(name) + " is gone");
        }
        FeatureDefinition definition = feature.definition();
        if (definition == null) {
            return new FeatureView(name, "", false, false, entry != null && entry.installed(), List.of(), List.of(),
                    feature.error());
        }
        List<FeatureView.BundleEntry> entries = new ArrayList<>();
        if (feature.usable()) {
            for (Feature.Jar jar : feature.jars()) {
                if (jar.meta() != null) {
                    entries.add(entryFor(jar.file(), jar.meta().symbolicName(), jar.meta().version().toString(),
                            bundles.findInstalled(jar.meta().symbolicName(), jar.meta().version())));
                } else {
                    Optional<Bundle> running = byFileName(jar.file());
                    entries.add(entryFor(jar.file(), running.map(Bundle::getSymbolicName).orElse(null),
                            running.map(b -> b.getVersion().toString()).orElse(null), running));
                }
            }
        } else {
            definition.bundles().forEach(file -> entries.add(new FeatureView.BundleEntry(file, null, null, null, null)));
        }
        boolean installed = definition.core() || (entry != null && entry.installed());
        return new FeatureView(name, definition.description(), definition.core(), definition.boot(), installed,
                List.copyOf(entries), List.copyOf(definition.configurations().keySet()), feature.error());
    }

    private static FeatureView.BundleEntry entryFor(String file, String symbolicName, String version,
            Optional<Bundle> installed) {
        return new FeatureView.BundleEntry(file, symbolicName, version, installed.map(Bundle::getBundleId).orElse(null),
                installed.map(b -> BundleView.stateName(b.getState())).orElse(null));
    }

    /** A core feature's bundle, found by the file name its (launcher-chosen) location ends with. */
    private Optional<Bundle> byFileName(String file) {
        return Arrays.stream(bundles.context().getBundles())
                .filter(b -> {
                    String location = b.getLocation();
                    return location.equals(file) || location.endsWith("/" + file) || location.endsWith(":" + file);
                })
                .findFirst();
    }

    private static ApiException unknown(String name) {
        return ApiException.notFound("no feature named " + name);
    }

    private static ApiException coreFeature(String name) {
        return ApiException.conflict("feature " + name + " is a core feature: its bundles are part of the launcher"
                + " and cannot be installed or uninstalled at runtime");
    }
}
