package io.flux.media.recording.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongSupplier;
import java.util.function.ToIntFunction;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The recorder's local spool. Every segment is written here first, as {@code <key>.part}, renamed to {@code <key>}
 * when complete, and leaves once a storage backend holds it, so a backend that is slow, down, being swapped or not
 * installed yet never costs a segment. The spool is bounded: when a write would take it past the limit, finished
 * segments waiting for upload are evicted, those of the lowest-priority streams first and the oldest first among
 * them; when nothing can be evicted the write fails and that segment is lost. Both are reported by the caller.
 * <p>
 * This class keeps the bookkeeping (what is where, in which state, how many bytes) under its own lock; file
 * I/O of segment data happens outside it.
 */
final class Spool {

    static final String PART = ".part";
    private static final Logger LOG = LoggerFactory.getLogger(Spool.class);

    enum State {
        /** Being recorded into {@code <key>.part}. */
        WRITING,
        /** Complete, waiting for a backend. */
        PENDING,
        /** Complete, a backend is taking it now. */
        UPLOADING
    }

    /** One segment in the spool. {@code target} is the backend type chosen when it began (null: none was active). */
    static final class Entry {
        final String key;
        final String stream;
        final long startMillis;
        final String target;
        // Both change only under the spool's lock; bytes is read without it (status, index rows).
        private State state = State.WRITING;
        private volatile long bytes;

        Entry(String key, String stream, long startMillis, String target) {
            this.key = key;
            this.stream = stream;
            this.startMillis = startMillis;
            this.target = target;
        }

        long bytes() {
            return bytes;
        }

        @Override
        public String toString() {
            return key;
        }
    }

    /** A segment the spool had to give up to stay within its limit. */
    record Eviction(String key, String stream, long bytes, int priority) {
    }

    /** Thrown when a write cannot fit even after every evictable segment is gone. */
    static final class SpoolFullException extends IOException {
        private static final long serialVersionUID = 1L;

        SpoolFullException(String message) {
            super(message);
        }
    }

    /** Told about state changes, outside the spool's lock. */
    interface Listener {
        void evicted(Eviction e);

        void changed(long bytes, int waiting);
    }

    private static final Comparator<Entry> UPLOAD_ORDER = Comparator.<Entry>comparingLong(e -> e.startMillis)
            .thenComparing(e -> e.key);

    private final Path root;
    private final LongSupplier maxBytes;
    private final ToIntFunction<String> priority;
    private final Listener listener;
    private final Map<String, Entry> entries = new HashMap<>();
    private final TreeSet<Entry> pending = new TreeSet<>(UPLOAD_ORDER);
    private final Set<String> uploadingStreams = new HashSet<>();
    private long bytes;

    Spool(Path root, LongSupplier maxBytes, ToIntFunction<String> priority, Listener listener) {
        this.root = root;
        this.maxBytes = maxBytes;
        this.priority = priority;
        this.listener = listener;
    }

    Path root() {
        return root;
    }

    Path path(String key) {
        return root.resolve(key);
    }

    Path partPath(String key) {
        return root.resolve(key + PART);
    }

    /** Registers a segment that starts now and creates its {@code .part} file. */
    FileChannel begin(Entry e) throws IOException {
        Path part = partPath(e.key);
        Files.createDirectories(part.getParent());
        FileChannel ch = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE);
        synchronized (this) {
            entries.put(e.key, e);
        }
        return ch;
    }

    /**
     * Accounts {@code n} more bytes for a segment being written, evicting waiting segments when needed. Throws when
     * the bytes cannot fit; the caller then drops the segment with {@link #discard}.
     */
    void reserve(Entry e, long n) throws SpoolFullException {
        List<Eviction> evicted = null;
        long total;
        int waiting;
        synchronized (this) {
            long max = maxBytes.getAsLong();
            if (bytes + n > max) {
                evicted = evictFor(bytes + n - max);
                if (bytes + n > max) {
                    throw new SpoolFullException("the recording spool is full (" + bytes + " of " + max
                            + " bytes) and holds nothing that can be evicted");
                }
            }
            bytes += n;
            e.bytes += n;
            total = bytes;
            waiting = pending.size() + uploadingStreams.size();
        }
        notifyEvictions(evicted);
        listener.changed(total, waiting);
    }

    /** Lowest priority first, then oldest; only segments waiting for upload are candidates. */
    private List<Eviction> evictFor(long needed) {
        List<Entry> candidates = new ArrayList<>(pending);
        candidates.sort(Comparator.<Entry>comparingInt(x -> priority.applyAsInt(x.stream)).thenComparing(UPLOAD_ORDER));
        List<Eviction> out = new ArrayList<>();
        long freed = 0;
        for (Entry c : candidates) {
            if (freed >= needed) {
                break;
            }
            pending.remove(c);
            entries.remove(c.key);
            long b = c.bytes();
            bytes -= b;
            freed += b;
            deleteQuietly(path(c.key));
            out.add(new Eviction(c.key, c.stream, b, priority.applyAsInt(c.stream)));
        }
        return out;
    }

    private void notifyEvictions(List<Eviction> evicted) {
        if (evicted != null) {
            for (Eviction ev : evicted) {
                listener.evicted(ev);
            }
        }
    }

    /** The segment is complete and renamed to its final name: it waits for upload. */
    void sealed(Entry e) {
        long total;
        int waiting;
        synchronized (this) {
            if (entries.get(e.key) != e) {
                return;
            }
            e.state = State.PENDING;
            pending.add(e);
            total = bytes;
            waiting = pending.size() + uploadingStreams.size();
            notifyAll();
        }
        listener.changed(total, waiting);
    }

    /** Adds a complete segment found in the spool directory at start (recovered after a stop or a crash). */
    void recovered(Entry e, long size) {
        synchronized (this) {
            e.bytes = size;
            e.state = State.PENDING;
            entries.put(e.key, e);
            pending.add(e);
            bytes += size;
            notifyAll();
        }
        changed();
    }

    /** Forgets a segment and deletes its files (recording failed, or it was lost). */
    void discard(Entry e) {
        synchronized (this) {
            if (entries.get(e.key) == e) {
                entries.remove(e.key);
                pending.remove(e);
                bytes -= e.bytes();
            }
        }
        deleteQuietly(partPath(e.key));
        deleteQuietly(path(e.key));
        changed();
    }

    /**
     * The next segment to upload: the oldest waiting one whose stream has no upload running (so each stream's
     * segments reach the backend in order) and for which {@code ready} says a backend can take it now. Null when
     * there is none; the caller waits with {@link #awaitChange}.
     */
    synchronized Entry next(java.util.function.Predicate<Entry> ready) {
        for (Entry e : pending) {
            if (!uploadingStreams.contains(e.stream) && ready.test(e)) {
                pending.remove(e);
                e.state = State.UPLOADING;
                uploadingStreams.add(e.stream);
                return e;
            }
        }
        return null;
    }

    /** Waits until something changes (a sealed segment, a finished upload, {@link #wake}) or the time passes. */
    synchronized void awaitChange(long millis) throws InterruptedException {
        wait(Math.max(1, millis));
    }

    synchronized void wake() {
        notifyAll();
    }

    /** A backend holds the segment now: it leaves the spool. */
    void uploaded(Entry e) {
        synchronized (this) {
            uploadingStreams.remove(e.stream);
            if (entries.remove(e.key) != null) {
                bytes -= e.bytes();
            }
            notifyAll();
        }
        deleteQuietly(path(e.key));
        changed();
    }

    /** The upload failed: the segment waits again, in its place in the order. */
    synchronized void requeue(Entry e) {
        uploadingStreams.remove(e.stream);
        if (entries.get(e.key) == e) {
            e.state = State.PENDING;
            pending.add(e);
        }
        notifyAll();
    }

    /** True while a segment is being written or uploaded: retention must leave it alone. */
    synchronized boolean busy(String key) {
        Entry e = entries.get(key);
        return e != null && e.state != State.PENDING;
    }

    synchronized boolean holds(String key) {
        return entries.containsKey(key);
    }

    /** Deletes a waiting segment (retention); false when it is busy or not here. */
    boolean delete(String key) {
        Entry e;
        synchronized (this) {
            e = entries.get(key);
            if (e == null || e.state != State.PENDING) {
                return false;
            }
            entries.remove(key);
            pending.remove(e);
            bytes -= e.bytes();
        }
        deleteQuietly(path(key));
        changed();
        return true;
    }

    /** Reads a complete spooled segment. */
    InputStream read(String key, long offset, long length) throws IOException {
        FileChannel ch = FileChannel.open(path(key), StandardOpenOption.READ);
        try {
            ch.position(Math.max(0, offset));
            InputStream in = Channels.newInputStream(ch);
            return length < 0 ? in : new java.io.FilterInputStream(in) {
                private long left = length;

                @Override
                public int read() throws IOException {
                    if (left <= 0) {
                        return -1;
                    }
                    int b = super.read();
                    if (b >= 0) {
                        left--;
                    }
                    return b;
                }

                @Override
                public int read(byte[] buf, int off, int len) throws IOException {
                    if (left <= 0) {
                        return -1;
                    }
                    int n = super.read(buf, off, (int) Math.min(len, left));
                    if (n > 0) {
                        left -= n;
                    }
                    return n;
                }
            };
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    Optional<Long> size(String key) throws IOException {
        try {
            return Optional.of(Files.size(path(key)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /** Bytes in the spool (segments being written included) and segments waiting for or in upload. */
    synchronized long bytes() {
        return bytes;
    }

    synchronized int waiting() {
        return pending.size() + uploadingStreams.size();
    }

    synchronized int writing() {
        int n = 0;
        for (Entry e : entries.values()) {
            if (e.state == State.WRITING) {
                n++;
            }
        }
        return n;
    }

    long maxBytes() {
        return maxBytes.getAsLong();
    }

    private void changed() {
        long total;
        int waiting;
        synchronized (this) {
            total = bytes;
            waiting = pending.size() + uploadingStreams.size();
        }
        listener.changed(total, waiting);
    }

    /** Files in the spool directory, relative keys with '/' (for recovery at start). */
    List<String> files() throws IOException {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile)
                    .map(p -> root.relativize(p).toString().replace(java.io.File.separatorChar, '/'))
                    .sorted()
                    .toList();
        }
    }

    static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.warn("Cannot delete spool file {}: {}", p, e.toString());
        }
    }
}
