package io.flux.media.management.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.zip.ZipException;

import org.osgi.framework.Constants;
import org.osgi.framework.Version;

/**
 * What the manifest of a jar says about it as an OSGi bundle. {@link #inspect(Path)} is the gate every
 * jar passes before the framework sees it.
 */
public record BundleJar(String symbolicName, Version version, boolean fragment) {

    /** Thrown for a jar the framework must not be asked to install. */
    public static final class InvalidBundleException extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidBundleException(String reason) {
            super("not an OSGi bundle: " + reason);
        }
    }

    public static BundleJar inspect(Path jar) throws InvalidBundleException {
        if (!Files.isRegularFile(jar)) {
            throw new InvalidBundleException("no such file " + jar.getFileName());
        }
        Manifest manifest;
        // No signature verification: the framework checks signatures itself when it cares.
        try (JarFile file = new JarFile(jar.toFile(), false)) {
            manifest = file.getManifest();
        } catch (ZipException e) {
            throw new InvalidBundleException("not a readable jar (" + e.getMessage() + ")");
        } catch (IOException | SecurityException e) {
            throw new InvalidBundleException("not a readable jar (" + e.getMessage() + ")");
        }
        if (manifest == null) {
            throw new InvalidBundleException("the jar has no META-INF/MANIFEST.MF");
        }
        return fromManifest(manifest.getMainAttributes());
    }

    static BundleJar fromManifest(Attributes main) throws InvalidBundleException {
        List<String> problems = new ArrayList<>();
        String manifestVersion = main.getValue(Constants.BUNDLE_MANIFESTVERSION);
        if (manifestVersion == null || manifestVersion.isBlank()) {
            problems.add("the manifest has no Bundle-ManifestVersion (must be 2)");
        } else if (!"2".equals(manifestVersion.trim())) {
            problems.add("Bundle-ManifestVersion is " + manifestVersion.trim() + " (must be 2)");
        }
        String symbolicName = headerValue(main.getValue(Constants.BUNDLE_SYMBOLICNAME));
        if (symbolicName.isEmpty()) {
            problems.add("the manifest has no Bundle-SymbolicName");
        }
        Version version = Version.emptyVersion;
        String rawVersion = main.getValue(Constants.BUNDLE_VERSION);
        if (rawVersion != null && !rawVersion.isBlank()) {
            try {
                version = Version.parseVersion(rawVersion.trim());
            } catch (IllegalArgumentException e) {
                problems.add("Bundle-Version '" + rawVersion.trim() + "' is not a valid version");
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidBundleException(String.join("; ", problems));
        }
        boolean fragment = !headerValue(main.getValue(Constants.FRAGMENT_HOST)).isEmpty();
        return new BundleJar(symbolicName, version, fragment);
    }

    /** The value of a header without its parameters ({@code a.b;singleton:=true} is {@code a.b}). */
    private static String headerValue(String header) {
        if (header == null) {
            return "";
        }
        int semicolon = header.indexOf(';');
        return (semicolon < 0 ? header : header.substring(0, semicolon)).trim();
    }

    @Override
    public String toString() {
        return symbolicName + " " + version;
    }
}
