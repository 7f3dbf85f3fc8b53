package io.flux.media.api.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Where recordings, keyframes and snapshots are kept: local disk, an SMB share or an S3 bucket.
 * Keys are relative, '/'-separated paths such as {@code gb28181/dev/ch/segments/000123.mp4}; the
 * backend refuses keys with {@code ..}, empty or absolute segments.
 * <p>
 * A write is atomic: readers see either nothing or the whole object, never a partial one.
 */
@ConsumerType
public interface StorageBackend {

    /** Service property naming the backend type ({@code local}, {@code nas}, {@code s3}). */
    String TYPE = "flux.storage.type";

    /** The backend type, equal to the {@link #TYPE} service property. */
    String type();

    /** Writes the whole stream under {@code key}, replacing any previous object. Returns the bytes written. */
    long write(String key, InputStream data) throws IOException;

    /**
     * Stores a finished local file under {@code key}, as atomically as {@link #write}. A backend on the same file
     * system may move the file instead of copying it, so the caller must not use {@code file} afterwards (it deletes
     * it when it is still there). Returns the bytes stored.
     *
     * @since 1.1
     */
    default long writeFile(String key, Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return write(key, in);
        }
    }

    /** Opens {@code key} for reading, from {@code offset} for at most {@code length} bytes (negative: to the end). */
    InputStream read(String key, long offset, long length) throws IOException;

    /** Lists objects whose key starts with {@code prefix}, in key order, one page at a time. */
    StoragePage list(String prefix, String continuationToken, int maxKeys) throws IOException;

    /** Deletes {@code key}; returns false when it did not exist. */
    boolean delete(String key) throws IOException;

    /** Size and modification time of {@code key}, or empty when absent. */
    Optional<StorageObject> stat(String key) throws IOException;

    /** Reachability and free space, cheap enough for a health endpoint. */
    StorageHealth health();
}
