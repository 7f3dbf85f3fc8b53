package io.flux.media.snapshot.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

import io.flux.media.api.storage.StorageBackend;
import io.flux.media.api.storage.StorageHealth;
import io.flux.media.api.storage.StorageObject;
import io.flux.media.api.storage.StoragePage;

/** Objects in a sorted map; {@code failWrites} simulates a full disk. */
final class MemoryStorage implements StorageBackend {

    final Map<String, byte[]> objects = new ConcurrentSkipListMap<>();
    volatile boolean failWrites;

    @Override
    public String type() {
        return "memory";
    }

    @Override
    public long write(String key, InputStream data) throws IOException {
        if (failWrites) {
            throw new IOException("disk full");
        }
        byte[] b = data.readAllBytes();
        objects.put(key, b);
        return b.length;
    }

    @Override
    public InputStream read(String key, long offset, long length) {
        return new ByteArrayInputStream(objects.get(key));
    }

    @Override
    public StoragePage list(String prefix, String continuationToken, int maxKeys) {
        return new StoragePage(objects.keySet().stream().filter(k -> k.startsWith(prefix))
                .map(k -> new StorageObject(k, objects.get(k).length, Instant.EPOCH)).toList(), null);
    }

    @Override
    public boolean delete(String key) {
        return objects.remove(key) != null;
    }

    @Override
    public Optional<StorageObject> stat(String key) {
        return Optional.ofNullable(objects.get(key)).map(b -> new StorageObject(key, b.length, Instant.EPOCH));
    }

    @Override
    public StorageHealth health() {
        return new StorageHealth(true, -1, -1, "memory");
    }
}
