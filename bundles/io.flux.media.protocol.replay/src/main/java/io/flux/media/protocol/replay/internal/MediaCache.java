package io.flux.media.protocol.replay.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import io.flux.media.codec.CodecException;

/**
 * Loads each file once for all replays playing it (a benchmark runs many replays of one file) and frees it when
 * the last one ends. A changed file (size or modification time) is loaded afresh. Loading happens outside the
 * lock; concurrent requests for the same file wait for the one load.
 */
final class MediaCache {

    interface Loader {
        MediaFile load(Path file, double frameRate) throws IOException, CodecException;
    }

    private record Key(Path file, long size, FileTime modified, double frameRate) {
    }

    private static final class Entry {
        final CompletableFuture<MediaFile> future = new CompletableFuture<>();
        int refs;
    }

    /** A reference to a loaded file; close it when done. */
    final class Lease implements AutoCloseable {
        private final Key key;
        private final Entry entry;
        private final MediaFile media;
        private boolean closed;

        private Lease(Key key, Entry entry, MediaFile media) {
            this.key = key;
            this.entry = entry;
            this.media = media;
        }

        MediaFile media() {
            return media;
        }

        @Override
        public void close() {
            synchronized (MediaCache.this) {
                if (closed) {
                    return;
                }
                closed = true;
                if (--entry.refs == 0) {
                    entries.remove(key, entry);
                }
            }
        }
    }

    private final Loader loader;
    private final Map<Key, Entry> entries = new HashMap<>();

    MediaCache(Loader loader) {
        this.loader = loader;
    }

    Lease acquire(Path file, double frameRate) throws IOException, CodecException {
        BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class);
        Key key = new Key(file, attrs.size(), attrs.lastModifiedTime(), frameRate);
        Entry entry;
        boolean load;
        synchronized (this) {
            entry = entries.get(key);
            load = entry == null;
            if (load) {
                entry = new Entry();
                entries.put(key, entry);
            }
            entry.refs++;
        }
        if (load) {
            try {
                entry.future.complete(loader.load(file, frameRate));
            } catch (IOException | CodecException | RuntimeException | Error e) {
                entry.future.completeExceptionally(e);
            }
        }
        try {
            return new Lease(key, entry, entry.future.get());
        } catch (ExecutionException e) {
            new Lease(key, entry, null).close();
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof CodecException ce) {
                throw ce;
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw (Error) cause;
        } catch (InterruptedException e) {
            new Lease(key, entry, null).close();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while loading " + file.getFileName(), e);
        }
    }

    synchronized int size() {
        return entries.size();
    }
}
