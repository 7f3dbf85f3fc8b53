package io.flux.media.api.storage;

import java.time.Instant;

/** One stored object. */
public record StorageObject(String key, long size, Instant lastModified) {
}
