package io.flux.media.server.internal;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/** Resolves and prepares the data directory; every failure names the path and the setting. */
final class DataDirectory {

    private DataDirectory() {
    }

    /**
     * Resolves {@code configured} against {@code workingDirectory}, creates it and proves it writable.
     *
     * @throws IllegalStateException with a message an operator can act on
     */
    static Path prepare(Path workingDirectory, String configured) {
        if (configured == null || configured.isBlank()) {
            throw new IllegalStateException("data.dir is empty: set it to a directory path (default \"data\")");
        }
        Path dir;
        try {
            dir = workingDirectory.resolve(configured.trim()).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new IllegalStateException("data.dir \"" + configured + "\" is not a valid path: " + e.getMessage(), e);
        }
        try {
            Files.createDirectories(dir);
        } catch (FileAlreadyExistsException e) {
            throw new IllegalStateException("Cannot create the data directory " + dir + " (data.dir=\"" + configured
                    + "\"): " + e.getFile() + " exists and is not a directory", e);
        } catch (IOException | SecurityException e) {
            throw new IllegalStateException("Cannot create the data directory " + dir + " (data.dir=\"" + configured
                    + "\"): " + e, e);
        }
        // Files.isWritable can say yes on read-only mounts; creating a file is the real test.
        try {
            Path probe = Files.createTempFile(dir, ".write-probe-", ".tmp");
            Files.delete(probe);
        } catch (IOException | SecurityException e) {
            throw new IllegalStateException("The data directory " + dir + " (data.dir=\"" + configured
                    + "\") is not writable: " + e, e);
        }
        return dir;
    }
}
