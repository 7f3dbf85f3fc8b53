package io.flux.media.storage.nas.internal;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import com.hierynomus.msdtyp.AccessMask;
import com.hierynomus.mserref.NtStatus;
import com.hierynomus.msfscc.FileAttributes;
import com.hierynomus.msfscc.fileinformation.FileAllInformation;
import com.hierynomus.msfscc.fileinformation.FileIdBothDirectoryInformation;
import com.hierynomus.msfscc.fileinformation.FileStandardInformation;
import com.hierynomus.msfscc.fileinformation.ShareInfo;
import com.hierynomus.mssmb2.SMB2CreateDisposition;
import com.hierynomus.mssmb2.SMB2CreateOptions;
import com.hierynomus.mssmb2.SMB2ShareAccess;
import com.hierynomus.mssmb2.SMBApiException;
import com.hierynomus.smbj.common.SMBRuntimeException;
import com.hierynomus.smbj.share.DiskShare;
import com.hierynomus.smbj.share.File;

import io.flux.media.api.storage.StorageHealth;
import io.flux.media.api.storage.StorageObject;
import io.flux.media.api.storage.StoragePage;
import io.flux.media.storage.common.Bytes;
import io.flux.media.storage.common.StorageKeys;
import io.flux.media.storage.common.StorageMetrics;

/**
 * Objects as files under the base directory of an SMB share. A write goes to {@code .name.tmp-<uuid>} in the
 * target's directory and is renamed over the target (SMB2 SET_INFO FileRenameInformation with
 * ReplaceIfExists) once complete and flushed, so readers see the old object or the new one, never a partial one.
 */
final class NasStore {

    static final String BACKEND = "nas";
    static final int MAX_KEYS_PER_PAGE = 10_000;
    /** How much a write may add between two free-space checks (each costs a round trip). */
    static final long SPACE_CHECK_INTERVAL = 32L * 1024 * 1024;

    private final ShareUrl url;
    private final ShareConnector connector;
    private final StorageMetrics metrics;
    private final int chunkBytes;
    private final long ioTimeoutMillis;
    /** Chunks written without waiting for the previous acknowledgement. */
    static final int WRITES_IN_FLIGHT = 4;
    private volatile long minFreeBytes;

    NasStore(ShareUrl url, ShareConnector connector, StorageMetrics metrics, long minFreeBytes, int chunkBytes,
            long ioTimeoutMillis) {
        this.ioTimeoutMillis = ioTimeoutMillis;
        this.url = url;
        this.connector = connector;
        this.metrics = metrics;
        this.minFreeBytes = requireNonNegative(minFreeBytes);
        this.chunkBytes = chunkBytes;
    }

    void minFreeBytes(long bytes) {
        this.minFreeBytes = requireNonNegative(bytes);
    }

    long minFreeBytes() {
        return minFreeBytes;
    }

    ShareUrl url() {
        return url;
    }

    @FunctionalInterface
    private interface SmbCall<T> {
        T apply(DiskShare share) throws IOException;
    }

    long write(String key, InputStream data) throws IOException {
        requireKey(key, "write");
        String target = url.path(key);
        int slash = key.lastIndexOf('/');
        String name = key.substring(slash + 1);
        String dirKey = slash < 0 ? null : key.substring(0, slash);
        String tmpName = "." + name + ".tmp-" + UUID.randomUUID();
        String tmp = dirKey == null ? url.path(tmpName) : url.path(dirKey + "/" + tmpName);
        long written = call("write", key, share -> {
            refuseWhenFull(share, key, 0);
            if (dirKey != null) {
                mkdirs(share, dirKey);
            }
            File file = share.openFile(tmp,
                    EnumSet.of(AccessMask.GENERIC_WRITE, AccessMask.DELETE, AccessMask.FILE_READ_ATTRIBUTES),
                    EnumSet.of(FileAttributes.FILE_ATTRIBUTE_NORMAL), EnumSet.of(SMB2ShareAccess.FILE_SHARE_READ),
                    SMB2CreateDisposition.FILE_CREATE, EnumSet.of(SMB2CreateOptions.FILE_NON_DIRECTORY_FILE));
            boolean renamed = false;
            try {
                long offset = 0;
                long sinceCheck = 0;
                // Up to WRITES_IN_FLIGHT chunks travel at once: one write per round trip leaves the link idle
                // while the server answers. A buffer is reused only after its write was acknowledged.
                byte[][] buffers = new byte[WRITES_IN_FLIGHT][];
                ArrayDeque<Future<Long>> inFlight = new ArrayDeque<>();
                ArrayDeque<Integer> lengths = new ArrayDeque<>();
                int next = 0;
                try {
                    while (true) {
                        if (inFlight.size() == WRITES_IN_FLIGHT) {
                            awaitWrite(inFlight.poll(), lengths.poll());
                        }
                        if (buffers[next] == null) {
                            buffers[next] = new byte[chunkBytes];
                        }
                        int n = readFully(data, buffers[next]);
                        if (n <= 0) {
                            break;
                        }
                        inFlight.add(file.writeAsync(buffers[next], offset, 0, n));
                        lengths.add(n);
                        next = (next + 1) % WRITES_IN_FLIGHT;
                        offset += n;
                        sinceCheck += n;
                        if (sinceCheck >= SPACE_CHECK_INTERVAL) {
                            sinceCheck = 0;
                            refuseWhenFull(share, key, offset);
                        }
                    }
                    while (!inFlight.isEmpty()) {
                        awaitWrite(inFlight.poll(), lengths.poll());
                    }
                } finally {
                    // On failure, let what was sent settle before the handle is closed and deleted.
                    for (Future<Long> f : inFlight) {
                        f.cancel(false);
                    }
                }
                file.flush();
                file.rename(target, true);
                renamed = true;
                return offset;
            } finally {
                if (!renamed) {
                    try {
                        // The handle carries DELETE: the temporary file goes when it is closed.
                        file.deleteOnClose();
                    } catch (RuntimeException e) {
                        // The connection is gone; the caller reports the original failure.
                    }
                }
                closeQuietly(file);
            }
        });
        metrics.written(written);
        return written;
    }

    InputStream read(String key, long offset, long length) throws IOException {
        requireKey(key, "read");
        if (offset < 0) {
            throw new IllegalArgumentException("offset must not be negative: " + offset);
        }
        return call("read", key, share -> {
            File file;
            try {
                file = share.openFile(url.path(key), EnumSet.of(AccessMask.GENERIC_READ), null,
                        // A writer may rename over this file while it is read: share delete access.
                        SMB2ShareAccess.ALL, SMB2CreateDisposition.FILE_OPEN,
                        EnumSet.of(SMB2CreateOptions.FILE_NON_DIRECTORY_FILE));
            } catch (SMBApiException e) {
                if (notFound(e.getStatus()) || e.getStatus() == NtStatus.STATUS_FILE_IS_A_DIRECTORY) {
                    throw new NoSuchFileException(key, null, "no such object");
                }
                throw e;
            }
            try {
                long size = file.getFileInformation(FileStandardInformation.class).getEndOfFile();
                if (offset > size) {
                    throw new EOFException("offset " + offset + " is past the end of '" + key + "' (" + size
                            + " bytes)");
                }
                long available = size - offset;
                long count = length < 0 ? available : Math.min(length, available);
                return new SmbRangeInputStream(file, offset, count, chunkBytes, e -> connector.invalidate(share, e));
            } catch (IOException | RuntimeException e) {
                closeQuietly(file);
                throw e;
            }
        });
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
        String after = continuationToken == null || continuationToken.isEmpty() ? null : continuationToken;
        List<StorageObject> found = call("list", p, share -> {
            List<StorageObject> out = new ArrayList<>();
            walk(share, "", p, after, max + 1, out);
            return out;
        });
        if (found.size() <= max) {
            return new StoragePage(found, null);
        }
        List<StorageObject> page = found.subList(0, max);
        return new StoragePage(page, page.get(max - 1).key());
    }

    boolean delete(String key) throws IOException {
        requireKey(key, "delete");
        return call("delete", key, share -> {
            try {
                share.rm(url.path(key));
            } catch (SMBApiException e) {
                if (notFound(e.getStatus()) || e.getStatus() == NtStatus.STATUS_FILE_IS_A_DIRECTORY) {
                    return false;
                }
                throw e;
            }
            pruneEmptyParents(share, key);
            return true;
        });
    }

    Optional<StorageObject> stat(String key) throws IOException {
        requireKey(key, "stat");
        return call("stat", key, share -> {
            FileAllInformation info;
            try {
                info = share.getFileInformation(url.path(key));
            } catch (SMBApiException e) {
                if (notFound(e.getStatus())) {
                    return Optional.empty();
                }
                throw e;
            }
            if (info.getStandardInformation().isDirectory()) {
                return Optional.empty();
            }
            return Optional.of(new StorageObject(key, info.getStandardInformation().getEndOfFile(),
                    info.getBasicInformation().getLastWriteTime().toInstant()));
        });
    }

    StorageHealth health() {
        DiskShare share;
        try {
            share = connector.share();
        } catch (ShareConnector.UnavailableException e) {
            return new StorageHealth(false, -1, -1, e.getMessage());
        }
        try {
            ShareInfo info = share.getShareInformation();
            long free = info.getCallerFreeSpace();
            long total = info.getTotalSpace();
            long min = minFreeBytes;
            if (free < min) {
                return new StorageHealth(false, free, total, "only " + Bytes.human(free) + " free on " + url
                        + ", below min.free.bytes (" + Bytes.human(min) + "): writes are refused");
            }
            return new StorageHealth(true, free, total, Bytes.human(free) + " free of " + Bytes.human(total)
                    + " on " + url);
        } catch (SMBRuntimeException e) {
            if (!(e instanceof SMBApiException api) || sessionGone(api.getStatus())) {
                connector.invalidate(share, e);
            }
            return new StorageHealth(false, -1, -1, "cannot read the free space of " + url + ": "
                    + ShareConnector.rootMessage(e));
        }
    }

    /**
     * Runs {@code body} on the live share. SMB status errors become IOExceptions naming the key; transport
     * errors (and session-level statuses) also drop the connection, so the next call reconnects.
     */
    private <T> T call(String op, String key, SmbCall<T> body) throws IOException {
        DiskShare share;
        try {
            share = connector.share();
        } catch (ShareConnector.UnavailableException e) {
            metrics.error(op, e.reason);
            throw e;
        }
        try {
            return body.apply(share);
        } catch (NoSuchFileException | EOFException answer) {
            throw answer;
        } catch (DiskFullException e) {
            metrics.error(op, "disk_full");
            throw e;
        } catch (SMBApiException e) {
            if (sessionGone(e.getStatus())) {
                connector.invalidate(share, e);
            }
            metrics.error(op, "io");
            throw new IOException("NAS " + op + " of '" + key + "' on " + url + " failed: "
                    + ShareConnector.describe(e.getStatus()), e);
        } catch (SMBRuntimeException e) {
            connector.invalidate(share, e);
            metrics.error(op, "io");
            throw new IOException("NAS " + op + " of '" + key + "' on " + url + " failed, connection dropped: "
                    + ShareConnector.rootMessage(e), e);
        } catch (IOException | RuntimeException e) {
            metrics.error(op, "io");
            throw e;
        }
    }

    private void refuseWhenFull(DiskShare share, String key, long writtenSoFar) throws DiskFullException {
        long min = minFreeBytes;
        if (min <= 0) {
            return;
        }
        long free = share.getShareInformation().getCallerFreeSpace();
        if (free < min) {
            throw new DiskFullException("NAS storage: refusing to write '" + key + "'"
                    + (writtenSoFar > 0 ? " (aborted after " + writtenSoFar + " bytes)" : "") + ": only "
                    + Bytes.human(free) + " free on " + url + ", below min.free.bytes (" + Bytes.human(min) + ")");
        }
    }

    /** Lists files below {@code dirKey} (ending in '/' unless empty) depth first in key order, up to {@code limit}. */
    private void walk(DiskShare share, String dirKey, String prefix, String after, int limit,
            List<StorageObject> out) {
        String dirPath = dirKey.isEmpty() ? url.basePath() : url.path(dirKey.substring(0, dirKey.length() - 1));
        List<FileIdBothDirectoryInformation> entries;
        try {
            entries = share.list(dirPath);
        } catch (SMBApiException e) {
            if (notFound(e.getStatus()) || e.getStatus() == NtStatus.STATUS_NOT_A_DIRECTORY) {
                return; // Deleted while listing, or never there.
            }
            throw e;
        }
        // Directories sort as 'name/': that order equals the order of the full keys.
        record Entry(String sortKey, FileIdBothDirectoryInformation info, boolean directory) {
        }
        List<Entry> admissible = new ArrayList<>();
        for (FileIdBothDirectoryInformation info : entries) {
            String name = info.getFileName();
            if (name.equals(".") || name.equals("..") || StorageKeys.isTempName(name)) {
                continue;
            }
            long attributes = info.getFileAttributes();
            if ((attributes & FileAttributes.FILE_ATTRIBUTE_REPARSE_POINT.getValue()) != 0) {
                continue; // Links are never objects: they could lead out of the base directory.
            }
            boolean directory = (attributes & FileAttributes.FILE_ATTRIBUTE_DIRECTORY.getValue()) != 0;
            String sortKey = directory ? name + "/" : name;
            if (admissible(dirKey + sortKey, directory, prefix, after)) {
                admissible.add(new Entry(sortKey, info, directory));
            }
        }
        admissible.sort((a, b) -> a.sortKey.compareTo(b.sortKey));
        for (Entry e : admissible) {
            if (out.size() >= limit) {
                return;
            }
            if (e.directory) {
                walk(share, dirKey + e.sortKey, prefix, after, limit, out);
            } else {
                out.add(new StorageObject(dirKey + e.sortKey, e.info.getEndOfFile(),
                        e.info.getLastWriteTime().toInstant()));
            }
        }
    }

    /** Whether a file key, or any key below a directory key ending in '/', can be in the listing. */
    private static boolean admissible(String key, boolean directory, String prefix, String after) {
        if (directory) {
            if (!key.startsWith(prefix) && !prefix.startsWith(key)) {
                return false;
            }
            return after == null || key.compareTo(after) > 0 || after.startsWith(key);
        }
        return key.startsWith(prefix) && (after == null || key.compareTo(after) > 0);
    }

    private void mkdirs(DiskShare share, String dirKey) {
        String full = url.path(dirKey);
        // Usually the directory exists already: one round trip.
        if (share.folderExists(full)) {
            return;
        }
        String[] segments = dirKey.split("/");
        StringBuilder k = new StringBuilder();
        for (String s : segments) {
            if (k.length() > 0) {
                k.append('/');
            }
            k.append(s);
            String path = url.path(k.toString());
            try {
                share.mkdir(path);
            } catch (SMBApiException e) {
                // Present already, perhaps made by a concurrent write.
                if (e.getStatus() != NtStatus.STATUS_OBJECT_NAME_COLLISION) {
                    throw e;
                }
            }
        }
    }

    private void pruneEmptyParents(DiskShare share, String key) {
        for (int slash = key.lastIndexOf('/'); slash > 0; slash = key.lastIndexOf('/', slash - 1)) {
            try {
                share.rmdir(url.path(key.substring(0, slash)), false);
            } catch (SMBApiException e) {
                if (notFound(e.getStatus())) {
                    continue; // Pruned by a concurrent delete: carry on upwards.
                }
                return; // Not empty (or not ours to remove): stop.
            }
        }
    }

    private void requireKey(String key, String op) {
        try {
            StorageKeys.requireValidKey(key);
        } catch (IllegalArgumentException e) {
            metrics.error(op, "invalid_key");
            throw e;
        }
    }

    static boolean notFound(NtStatus status) {
        return status == NtStatus.STATUS_OBJECT_NAME_NOT_FOUND || status == NtStatus.STATUS_OBJECT_PATH_NOT_FOUND
                || status == NtStatus.STATUS_NO_SUCH_FILE || status == NtStatus.STATUS_DELETE_PENDING
                || status == NtStatus.STATUS_FILE_DELETED;
    }

    static boolean sessionGone(NtStatus status) {
        return status == NtStatus.STATUS_USER_SESSION_DELETED || status == NtStatus.STATUS_NETWORK_NAME_DELETED
                || status == NtStatus.STATUS_NETWORK_SESSION_EXPIRED;
    }

    /** Reads until {@code buffer} is full or the stream ends, so each SMB write carries a whole chunk. */
    /** Waits for one pipelined write; a short write or a failure is the write's failure. */
    private void awaitWrite(Future<Long> write, int expected) throws IOException {
        long n;
        try {
            n = write.get(ioTimeoutMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while writing to the NAS");
        } catch (TimeoutException e) {
            throw new IOException("NAS write not acknowledged within " + ioTimeoutMillis + " ms", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) {
                throw io;
            }
            if (c instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException(c);
        }
        if (n != expected) {
            throw new IOException("NAS wrote " + n + " of " + expected + " bytes");
        }
    }

    private static int readFully(InputStream in, byte[] buffer) throws IOException {
        int total = 0;
        while (total < buffer.length) {
            int n = in.read(buffer, total, buffer.length - total);
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }

    private static void closeQuietly(File file) {
        try {
            file.closeNoWait();
        } catch (RuntimeException e) {
            // The connection is gone; the server drops the handle with it.
        }
    }

    private static long requireNonNegative(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("min.free.bytes must not be negative");
        }
        return bytes;
    }

    /** The write was refused because the share is (nearly) full. */
    static final class DiskFullException extends IOException {
        private static final long serialVersionUID = 1L;

        DiskFullException(String message) {
            super(message);
        }
    }
}
