package io.flux.media.recording.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import io.flux.media.api.storage.StorageBackend;
import io.flux.media.api.storage.StorageHealth;
import io.flux.media.api.storage.StorageObject;
import io.flux.media.api.storage.StoragePage;

/** A plain StorageBackend over a directory: writes go to a temporary file renamed at the end, as the contract says. */
class DirStorage implements StorageBackend {

    final Path root;
    final String type;
    final AtomicInteger writes = new AtomicInteger();
    /** Keys in the order their writes succeeded. */
    final List<String> order = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Makes every write fail before it reads a byte. */
    volatile boolean failWrites;

    DirStorage(Path root, String type) {
        this.root = root;
        this.type = type;
    }

    @Override
    public String type() {
        return type;
    }

    Path path(String key) {
        return root.resolve(key);
    }

    @Override
    public long write(String key, InputStream data) throws IOException {
        writes.incrementAndGet();
        Path target = path(key);
        Files.createDirectories(target.getParent());
        Path tmp = target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
        long n;
        try (OutputStream out = Files.newOutputStream(tmp)) {
            if (failWrites) {
                throw new IOException("write refused");
            }
            n = data.transferTo(out);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        order.add(key);
        return n;
    }

    @Override
    public InputStream read(String key, long offset, long length) throws IOException {
        InputStream in = Files.newInputStream(path(key));
        in.skipNBytes(offset);
        if (length < 0) {
            return in;
        }
        return new InputStream() {
            long left = length;

            @Override
            public int read() throws IOException {
                if (left <= 0) {
                    return -1;
                }
                int b = in.read();
                if (b >= 0) {
                    left--;
                }
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (left <= 0) {
                    return -1;
                }
                int n = in.read(b, off, (int) Math.min(len, left));
                if (n > 0) {
                    left -= n;
                }
                return n;
            }

            @Override
            public void close() throws IOException {
                in.close();
            }
        };
    }

    /** Lists in key order, {@code maxKeys} per page; the token is the last key of the previous page. */
    @Override
    public StoragePage list(String prefix, String token, int maxKeys) throws IOException {
        List<String> keys = new ArrayList<>();
        if (Files.isDirectory(root)) {
            try (Stream<Path> s = Files.walk(root)) {
                s.filter(Files::isRegularFile)
                        .map(p -> root.relativize(p).toString().replace('\\', '/'))
                        .filter(k -> !k.substring(k.lastIndexOf('/') + 1).startsWith("."))
                        .filter(k -> k.startsWith(prefix))
                        .filter(k -> token == null || k.compareTo(token) > 0)
                        .sorted()
                        .forEach(keys::add);
            }
        }
        List<StorageObject> page = new ArrayList<>();
        for (String k : keys.subList(0, Math.min(maxKeys, keys.size()))) {
            page.add(stat(k).orElseThrow());
        }
        String next = keys.size() > maxKeys ? page.get(page.size() - 1).key() : null;
        return new StoragePage(page, next);
    }

    @Override
    public boolean delete(String key) throws IOException {
        return Files.deleteIfExists(path(key));
    }

    @Override
    public Optional<StorageObject> stat(String key) throws IOException {
        try {
            Path p = path(key);
            return Optional.of(new StorageObject(key, Files.size(p), Files.getLastModifiedTime(p).toInstant()));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override
    public StorageHealth health() {
        return new StorageHealth(true, -1, -1, null);
    }
}
