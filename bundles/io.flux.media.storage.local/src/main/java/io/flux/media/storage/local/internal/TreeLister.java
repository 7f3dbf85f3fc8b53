package io.flux.media.storage.local.internal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

import io.flux.media.api.storage.StorageObject;
import io.flux.media.storage.common.StorageKeys;

/**
 * Lists the files under a root in key order, one bounded page at a time, without reading the whole tree.
 * <p>
 * Directories are visited depth first with their children ordered by {@code name + "/"} for directories
 * and {@code name} for files: that order equals the order of the full keys (for example {@code a-c} sorts
 * before everything under {@code a/}). Each directory is scanned keeping only the smallest entries still
 * needed (a bounded heap), and subtrees entirely outside the prefix or at or before the continuation key
 * are skipped unread. Memory stays proportional to the page size times the tree depth.
 */
final class TreeLister {

    private record Entry(String sortKey, String name, boolean directory, BasicFileAttributes attributes) {
    }

    private static final Comparator<Entry> ORDER = Comparator.comparing(Entry::sortKey);

    private final String prefix;
    private final String after;

    private TreeLister(String prefix, String after) {
        this.prefix = prefix;
        this.after = after;
    }

    /** Up to {@code limit} files under {@code root} whose key starts with {@code prefix} and sorts after {@code after}. */
    static List<StorageObject> list(Path root, String prefix, String after, int limit) throws IOException {
        List<StorageObject> out = new ArrayList<>(Math.min(limit, 1024));
        new TreeLister(prefix, after == null || after.isEmpty() ? null : after).walk(root, "", limit, out);
        return out;
    }

    private void walk(Path dir, String dirKey, int limit, List<StorageObject> out) throws IOException {
        String done = null;
        while (out.size() < limit) {
            int want = limit - out.size();
            List<Entry> batch = smallest(dir, dirKey, done, want);
            for (Entry e : batch) {
                if (e.directory) {
                    walk(dir.resolve(e.name), dirKey + e.sortKey, limit, out);
                } else {
                    out.add(new StorageObject(dirKey + e.name, e.attributes.size(),
                            e.attributes.lastModifiedTime().toInstant()));
                }
                done = e.sortKey;
                if (out.size() >= limit) {
                    return;
                }
            }
            if (batch.size() < want) {
                return;
            }
            // Some directories in the batch held fewer files than hoped: scan on past the last one visited.
        }
    }

    /** The {@code want} smallest admissible entries of {@code dir} sorting after {@code done}, ascending. */
    private List<Entry> smallest(Path dir, String dirKey, String done, int want) throws IOException {
        PriorityQueue<Entry> heap = new PriorityQueue<>(Math.min(want, 1024) + 1, ORDER.reversed());
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                if (StorageKeys.isTempName(name)) {
                    continue;
                }
                String asDir = name + "/";
                // Cheap name checks first, so only entries that may enter the page cost a stat.
                if (heap.size() >= want && name.compareTo(heap.peek().sortKey) >= 0) {
                    continue;
                }
                if (done != null && asDir.compareTo(done) <= 0) {
                    continue;
                }
                if (!admissible(dirKey + name, false) && !admissible(dirKey + asDir, true)) {
                    continue;
                }
                BasicFileAttributes a;
                try {
                    a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                } catch (NoSuchFileException gone) {
                    continue;
                }
                // Symbolic links and special files are never objects: a link could lead out of the root.
                if (!a.isDirectory() && !a.isRegularFile()) {
                    continue;
                }
                String sortKey = a.isDirectory() ? asDir : name;
                if (done != null && sortKey.compareTo(done) <= 0) {
                    continue;
                }
                if (!admissible(dirKey + sortKey, a.isDirectory())) {
                    continue;
                }
                heap.add(new Entry(sortKey, name, a.isDirectory(), a));
                if (heap.size() > want) {
                    heap.poll();
                }
            }
        } catch (NoSuchFileException | NotDirectoryException gone) {
            // Deleted or replaced while listing: nothing (more) to list here.
        }
        List<Entry> sorted = new ArrayList<>(heap);
        sorted.sort(ORDER);
        return sorted;
    }

    /** Whether a file key, or any key below a directory key ending in '/', can be in the listing. */
    private boolean admissible(String key, boolean directory) {
        if (directory) {
            if (!key.startsWith(prefix) && !prefix.startsWith(key)) {
                return false;
            }
            // Keys below the directory all start with it: some sort after 'after' unless the directory itself
            // sorts before it and is not a prefix of it.
            return after == null || key.compareTo(after) > 0 || after.startsWith(key);
        }
        return key.startsWith(prefix) && (after == null || key.compareTo(after) > 0);
    }
}
