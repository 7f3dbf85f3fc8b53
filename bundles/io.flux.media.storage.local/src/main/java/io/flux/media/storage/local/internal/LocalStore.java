package io.flux.media.storage.local.internal;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.flux.media.api.storage.StorageHealth;
import io.flux.media.api.storage.StorageObject;
import io.flux.media.api.storage.StoragePage;
import io.flux.media.storage.common.Bytes;
import io.flux.media.storage.common.StorageKeys;
import io.flux.media.storage.common.StorageMetrics;

/**
 * Objects as files under one root directory. A write goes to {@code .name.tmp-<uuid>} in the target's
 * directory and is renamed over the target once complete, so readers see the old object or the new one,
 * never a partial one. No lock is held while doing I/O: atomicity comes from the file system's rename.
 */
final class LocalStore {

    private static final Logger LOG = LoggerFactory.getLogger(LocalStore.class);

    static final String BACKEND = "local";
    static final int WRITE_BUFFER = 64 * 1024;
    /** How much a write may add between two free-space checks. */
    static final long SPACE_CHECK_INTERVAL = 8L * 1024 * 1024;
    static final int MAX_KEYS_PER_PAGE = 10_000;

    /** The settings that apply live. */
    record Settings(FsyncPolicy fsync, long minFreeBytes, int readBufferBytes) {
        Settings {
            if (minFreeBytes < 0) {
                throw new IllegalArgumentException("min.free.bytes must not be negative");
            }
            readBufferBytes = Math.max(512, readBufferBytes);
        }
    }

    private final Path root;
    private final DiskSpace disk;
    private final StorageMetrics metrics;
    /** Temporary files of writes in progress, which the leftover cleaner must not touch. */
    private final Set<Path> inFlight = ConcurrentHashMap.newKeySet();
    private volatile Settings settings;

    LocalStore(Path root, Settings settings, DiskSpace disk, StorageMetrics metrics) throws IOException {
        this.root = root.toAbsolutePath().normalize();
        this.settings = settings;
        this.disk = disk;
        this.metrics = metrics;
        Files.createDirectories(this.root);
    }

    Path root() {
        return root;
    }

    Settings settings() {
        return settings;
    }

    void update(Settings updated) {
        settings = updated;
    }

    long write(String key, InputStream data) throws IOException {
        requireKey(key, "write");
        Settings s = settings;
        refuseWhenFull(key, s, 0);
        Path target = resolve(key);
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp-" + UUID.randomUUID());
        inFlight.add(tmp);
        long written = 0;
        try {
            try (FileChannel out = createTemp(tmp)) {
                byte[] buffer = new byte[WRITE_BUFFER];
                ByteBuffer wrapped = ByteBuffer.wrap(buffer);
                long sinceCheck = 0;
                int n;
                while ((n = data.read(buffer)) >= 0) {
                    if (n == 0) {
                        continue;
                    }
                    wrapped.clear().limit(n);
                    while (wrapped.hasRemaining()) {
                        out.write(wrapped);
                    }
                    written += n;
                    sinceCheck += n;
                    if (s.fsync() == FsyncPolicy.ALWAYS) {
                        out.force(false);
                    }
                    if (sinceCheck >= SPACE_CHECK_INTERVAL) {
                        sinceCheck = 0;
                        refuseWhenFull(key, s, written);
                    }
                }
                if (s.fsync() != FsyncPolicy.NEVER) {
                    out.force(true);
                }
            }
            rename(tmp, target);
            if (s.fsync() != FsyncPolicy.NEVER) {
                syncDirectory(target.getParent());
            }
        } catch (IOException | RuntimeException e) {
            deleteQuietly(tmp);
            if (!(e instanceof DiskFullException)) {
                metrics.error("write", "io");
            }
            throw e;
        } finally {
            inFlight.remove(tmp);
        }
        metrics.written(written);
        return written;
    }

    InputStream read(String key, long offset, long length) throws IOException {
        requireKey(key, "read");
        if (offset < 0) {
            throw new IllegalArgumentException("offset must not be negative: " + offset);
        }
        Path file = resolve(key);
        FileChannel channel;
        try {
            if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
                throw new NoSuchFileException(key, null, "no such object (a directory)");
            }
            channel = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(key, null, "no such object");
        } catch (IOException e) {
            metrics.error("read", "io");
            throw e;
        }
        try {
            long size = channel.size();
            if (offset > size) {
                throw new EOFException("offset " + offset + " is past the end of '" + key + "' (" + size + " bytes)");
            }
            long available = size - offset;
            long count = length < 0 ? available : Math.min(length, available);
            channel.position(offset);
            return new BufferedInputStream(new RangeInputStream(channel, count), settings.readBufferBytes());
        } catch (IOException | RuntimeException e) {
            channel.close();
            if (!(e instanceof EOFException)) {
                metrics.error("read", "io");
            }
            throw e;
        }
    }

    StoragePage list(String prefix, String continuationToken, int maxKeys) throws IOException {
        String p;
        try {
            p = StorageKeys.requireValidPrefix(prefix);
        } catch (IllegalArgumentException e) {
            metrics.error("list", "invalid_key");
            throw e;
        }
        if (maxKeys <= 0) {
            throw new IllegalArgumentException("maxKeys must be positive: " + maxKeys);
        }
        int max = Math.min(maxKeys, MAX_KEYS_PER_PAGE);
        List<StorageObject> found;
        try {
            found = TreeLister.list(root, p, continuationToken, max + 1);
        } catch (IOException e) {
            metrics.error("list", "io");
            throw e;
        }
        if (found.size() <= max) {
            return new StoragePage(found, null);
        }
        List<StorageObject> page = found.subList(0, max);
        return new StoragePage(page, page.get(max - 1).key());
    }

    boolean delete(String key) throws IOException {
        requireKey(key, "delete");
        Path file = resolve(key);
        boolean deleted;
        try {
            if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
                return false;
            }
            deleted = Files.deleteIfExists(file);
        } catch (IOException e) {
            metrics.error("delete", "io");
            throw e;
        }
        if (deleted) {
            pruneEmptyParents(file.getParent());
        }
        return deleted;
    }

    Optional<StorageObject> stat(String key) throws IOException {
        requireKey(key, "stat");
        try {
            BasicFileAttributes a = Files.readAttributes(resolve(key), BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            if (!a.isRegularFile()) {
                return Optional.empty();
            }
            return Optional.of(new StorageObject(key, a.size(), a.lastModifiedTime().toInstant()));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            metrics.error("stat", "io");
            throw e;
        }
    }

    StorageHealth health() {
        Settings s = settings;
        try {
            long free = disk.usableBytes(root);
            long total = disk.totalBytes(root);
            if (!Files.isDirectory(root) || !Files.isWritable(root)) {
                return new StorageHealth(false, free, total, "root " + root + " is not a writable directory");
            }
            if (free < s.minFreeBytes()) {
                return new StorageHealth(false, free, total, "only " + Bytes.human(free) + " free under " + root
                        + ", below min.free.bytes (" + Bytes.human(s.minFreeBytes()) + "): writes are refused");
            }
            return new StorageHealth(true, free, total, Bytes.human(free) + " free of " + Bytes.human(total)
                    + " under " + root);
        } catch (IOException e) {
            return new StorageHealth(false, -1, -1, "cannot read the free space of " + root + ": " + e);
        }
    }

    /**
     * Removes temporary files a crash left behind, skipping those of writes in progress. Walks the tree
     * lazily; returns how many were removed.
     */
    int removeLeftovers() throws IOException {
        AtomicInteger removed = new AtomicInteger();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (attrs.isRegularFile() && StorageKeys.isTempName(file.getFileName().toString())
                        && !inFlight.contains(file)) {
                    try {
                        if (Files.deleteIfExists(file)) {
                            removed.incrementAndGet();
                        }
                    } catch (IOException e) {
                        LOG.warn("Cannot remove the leftover temporary file {}: {}", file, e.toString());
                    }
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                // Deleted under us, or unreadable: neither stops the walk.
                return FileVisitResult.CONTINUE;
            }
        });
        return removed.get();
    }

    private void requireKey(String key, String op) {
        try {
            StorageKeys.requireValidKey(key);
        } catch (IllegalArgumentException e) {
            metrics.error(op, "invalid_key");
            throw e;
        }
    }

    /**
     * Takes a finished file over: a rename when it is on this store's file system (no second copy of the bytes),
     * else a copy through {@link #write}. The file is synced first unless the fsync policy is NEVER.
     */
    long writeFile(String key, Path file) throws IOException {
        requireKey(key, "write");
        Settings s = settings;
        long size = Files.size(file);
        refuseWhenFull(key, s, 0);
        Path target = resolve(key);
        try {
            if (s.fsync() != FsyncPolicy.NEVER) {
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                    ch.force(true);
                }
            }
            Files.createDirectories(target.getParent());
            Files.move(file, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            // Another file system: copy, with the usual temporary name and rename.
            try (InputStream in = Files.newInputStream(file)) {
                return write(key, in);
            }
        } catch (IOException | RuntimeException e) {
            metrics.error("write", "io");
            throw e;
        }
        if (s.fsync() != FsyncPolicy.NEVER) {
            syncDirectory(target.getParent());
        }
        metrics.written(size);
        return size;
    }

    private Path resolve(String key) {
        Path p = root.resolve(key).normalize();
        // Keys were validated; this guards the guard.
        if (!p.startsWith(root) || p.equals(root)) {
            throw new IllegalArgumentException("invalid storage key '" + key + "': resolves outside the root");
        }
        return p;
    }

    private void refuseWhenFull(String key, Settings s, long writtenSoFar) throws IOException {
        long free;
        try {
            free = disk.usableBytes(root);
        } catch (IOException e) {
            metrics.error("write", "io");
            throw new IOException("local storage: cannot read the free space of " + root + ": " + e.getMessage(), e);
        }
        if (free < s.minFreeBytes()) {
            metrics.error("write", "disk_full");
            throw new DiskFullException("local storage: refusing to write '" + key + "'"
                    + (writtenSoFar > 0 ? " (aborted after " + writtenSoFar + " bytes)" : "") + ": only "
                    + Bytes.human(free) + " free under " + root + ", below min.free.bytes ("
                    + Bytes.human(s.minFreeBytes()) + ")");
        }
    }

    /** Creates the temporary file, recreating its directory if a concurrent delete pruned it meanwhile. */
    private static FileChannel createTemp(Path tmp) throws IOException {
        for (int attempt = 0;; attempt++) {
            Files.createDirectories(tmp.getParent());
            try {
                return FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            } catch (NoSuchFileException e) {
                if (attempt >= 3) {
                    throw e;
                }
            }
        }
    }

    private static void rename(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("local storage: the file system under " + target.getParent()
                    + " cannot rename atomically; refusing a non-atomic write", e);
        }
    }

    /** Makes the rename itself durable. Some file systems refuse to sync a directory; that is not fatal. */
    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            LOG.debug("Cannot fsync directory {}: {}", dir, e.toString());
        }
    }

    private void pruneEmptyParents(Path dir) {
        for (Path d = dir; d != null && d.startsWith(root) && !d.equals(root); d = d.getParent()) {
            try {
                Files.delete(d);
            } catch (DirectoryNotEmptyException e) {
                return;
            } catch (NoSuchFileException e) {
                // Pruned by a concurrent delete: carry on upwards.
            } catch (IOException e) {
                LOG.debug("Cannot prune empty directory {}: {}", d, e.toString());
                return;
            }
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.warn("Cannot remove temporary file {}: {}", p, e.toString());
        }
    }

    /** The write was refused because the disk is (nearly) full. */
    static final class DiskFullException extends IOException {
        private static final long serialVersionUID = 1L;

        DiskFullException(String message) {
            super(message);
        }
    }
}
