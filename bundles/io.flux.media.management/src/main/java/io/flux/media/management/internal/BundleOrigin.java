package io.flux.media.management.internal;

import java.net.URI;
import java.nio.file.Path;

import org.osgi.framework.Constants;

/**
 * Where a bundle came from, told by its location. Only bundles this bundle installed (through the API
 * or a feature) or Felix FileInstall installed from the deploy folder may be stopped, updated or
 * uninstalled through the API; everything else is the launcher's own platform ("core").
 */
public record BundleOrigin(Kind kind, String feature) {

    public enum Kind { CORE, API, DEPLOY, FEATURE }

    /** Location prefix of bundles installed through {@code POST /api/v1/bundles}. */
    public static final String API_PREFIX = "flux:api:";
    /** Location prefix of bundles installed by a feature: {@code flux:feature:<name>:<file>}. */
    public static final String FEATURE_PREFIX = "flux:feature:";

    private static final BundleOrigin CORE = new BundleOrigin(Kind.CORE, null);

    public static String apiLocation(String symbolicName) {
        return API_PREFIX + symbolicName;
    }

    public static String featureLocation(String feature, String file) {
        return FEATURE_PREFIX + feature + ":" + file;
    }

    /**
     * @param deployDir absolute, normalized deploy folder; FileInstall installs its jars with their
     *            {@code file:} URI as location
     */
    public static BundleOrigin of(long bundleId, String location, Path deployDir) {
        if (bundleId == 0 || location == null || Constants.SYSTEM_BUNDLE_LOCATION.equals(location)) {
            return CORE;
        }
        if (location.startsWith(API_PREFIX) && location.length() > API_PREFIX.length()) {
            return new BundleOrigin(Kind.API, null);
        }
        if (location.startsWith(FEATURE_PREFIX)) {
            String rest = location.substring(FEATURE_PREFIX.length());
            int colon = rest.indexOf(':');
            if (colon > 0) {
                return new BundleOrigin(Kind.FEATURE, rest.substring(0, colon));
            }
            return CORE;
        }
        if (deployDir != null && isInDirectory(location, deployDir)) {
            return new BundleOrigin(Kind.DEPLOY, null);
        }
        return CORE;
    }

    private static boolean isInDirectory(String location, Path dir) {
        if (!location.startsWith("file:")) {
            return false;
        }
        try {
            Path file = Path.of(URI.create(location)).toAbsolutePath().normalize();
            return file.startsWith(dir) && !file.equals(dir);
        } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
            return false;
        }
    }

    public boolean core() {
        return kind == Kind.CORE;
    }

    /** {@code core}, {@code api}, {@code deploy} or {@code feature:<name>}. */
    public String source() {
        return switch (kind) {
            case CORE -> "core";
            case API -> "api";
            case DEPLOY -> "deploy";
            case FEATURE -> "feature:" + feature;
        };
    }
}
