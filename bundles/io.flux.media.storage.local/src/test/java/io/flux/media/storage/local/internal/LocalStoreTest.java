package io.flux.media.storage.local.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.flux.media.api.storage.StorageObject;
import io.flux.media.api.storage.StoragePage;
import io.flux.media.storage.common.StorageMetrics;
import io.flux.media.testing.FakeMetricsRegistry;

class LocalStoreTest {

    @TempDir
    Path dir;

    final FakeMetricsRegistry registry = new FakeMetricsRegistry();
    final StorageMetrics metrics = new StorageMetrics("local");
    final AtomicLong free = new AtomicLong(Long.MAX_VALUE / 2);
    final DiskSpace disk = new DiskSpace() {
        @Override
        public long usableBytes(Path path) {
            return free.get();
        }

        @Override
        public long totalBytes(Path path) {
            return Long.MAX_VALUE;
        }
    };
    final ExecutorService pool = Executors.newCachedThreadPool();
    LocalStore store;

    @BeforeEach
    void setUp() throws IOException {
        metrics.bind(registry);
        store = new LocalStore(dir.resolve("root"), new LocalStore.Settings(FsyncPolicy.ON_CLOSE, 1024, 4096), disk,
                metrics);
    }

    @AfterEach
    void tearDown() {
        pool.shutdownNow();
    }

    @Test
    void writesReadsStatsAndDeletes() throws IOException {
        byte[] data = bytes(100_000);
        assertThat(store.write("rtsp/cam/segments/000001.mp4", new ByteArrayInputStream(data))).isEqualTo(100_000);

        assertThat(readAll("rtsp/cam/segments/000001.mp4", 0, -1)).isEqualTo(data);
        Optional<StorageObject> stat = store.stat("rtsp/cam/segments/000001.mp4");
        assertThat(stat).get().satisfies(o -> {
            assertThat(o.key()).isEqualTo("rtsp/cam/segments/000001.mp4");
            assertThat(o.size()).isEqualTo(100_000);
            assertThat(o.lastModified()).isNotNull();
        });
        assertThat(registry.value(StorageMetrics.WRITE_BYTES, "local")).isEqualTo(100_000);

        assertThat(store.delete("rtsp/cam/segments/000001.mp4")).isTrue();
        assertThat(store.delete("rtsp/cam/segments/000001.mp4")).isFalse();
        assertThat(store.stat("rtsp/cam/segments/000001.mp4")).isEmpty();
        // Empty parents are pruned up to, but not including, the root.
        assertThat(dir.resolve("root/rtsp")).doesNotExist();
        assertThat(dir.resolve("root")).isDirectory();
    }

    @Test
    void aFileOnTheSameFileSystemIsTakenOverByARename() throws IOException {
        byte[] data = bytes(300_000);
        Path file = dir.resolve("spooled.mp4");
        Files.write(file, data);
        Object inode = Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        assertThat(store.writeFile("rtsp/cam/segments/000002.mp4", file)).isEqualTo(data.length);
        assertThat(file).doesNotExist();
        assertThat(store.read("rtsp/cam/segments/000002.mp4", 0, -1).readAllBytes()).isEqualTo(data);
        Path stored = dir.resolve("root").resolve("rtsp/cam/segments/000002.mp4");
        if (Files.exists(stored) && inode != null) {
            assertThat(Files.readAttributes(stored, java.nio.file.attribute.BasicFileAttributes.class).fileKey())
                    .as("moved, not copied").isEqualTo(inode);
        }
        assertThatThrownBy(() -> store.writeFile("../escape", dir.resolve("x")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void deleteKeepsParentsThatStillHoldObjects() throws IOException {
        write("a/b/one", "1");
        write("a/two", "2");
        assertThat(store.delete("a/b/one")).isTrue();
        assertThat(dir.resolve("root/a/b")).doesNotExist();
        assertThat(dir.resolve("root/a/two")).exists();
    }

    @Test
    void replacesAnExistingObjectAndLeavesNoTemporaryFile() throws IOException {
        write("x/obj", "first version");
        write("x/obj", "second");
        assertThat(new String(readAll("x/obj", 0, -1), StandardCharsets.UTF_8)).isEqualTo("second");
        try (Stream<Path> files = Files.list(dir.resolve("root/x"))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("obj");
        }
    }

    @Test
    void everyFsyncPolicyWritesTheSameBytes() throws IOException {
        byte[] data = bytes(200_000);
        for (FsyncPolicy p : FsyncPolicy.values()) {
            store.update(new LocalStore.Settings(p, 0, 4096));
            store.write("f/" + p, new ByteArrayInputStream(data));
            assertThat(readAll("f/" + p, 0, -1)).as(p.name()).isEqualTo(data);
        }
    }

    @Test
    void rangeReadsAtTheEdges() throws IOException {
        byte[] data = bytes(10_000);
        store.write("r/obj", new ByteArrayInputStream(data));

        assertThat(readAll("r/obj", 0, 1)).containsExactly(data[0]);
        assertThat(readAll("r/obj", 9_999, 1)).containsExactly(data[9_999]);
        assertThat(readAll("r/obj", 9_999, 100)).containsExactly(data[9_999]);
        assertThat(readAll("r/obj", 9_990, -1)).isEqualTo(Arrays.copyOfRange(data, 9_990, 10_000));
        assertThat(readAll("r/obj", 1234, 4321)).isEqualTo(Arrays.copyOfRange(data, 1234, 1234 + 4321));
        assertThat(readAll("r/obj", 10_000, -1)).isEmpty();
        assertThat(readAll("r/obj", 0, 0)).isEmpty();
        assertThatThrownBy(() -> store.read("r/obj", 10_001, -1)).isInstanceOf(EOFException.class)
                .hasMessageContaining("past the end");
        assertThatThrownBy(() -> store.read("r/obj", -1, 5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.read("r/missing", 0, -1)).isInstanceOf(NoSuchFileException.class);
        assertThatThrownBy(() -> store.read("r", 0, -1)).isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void rangeStreamReadsByteByByteAndSkips() throws IOException {
        byte[] data = bytes(300);
        store.write("r/small", new ByteArrayInputStream(data));
        try (InputStream in = store.read("r/small", 100, 50)) {
            assertThat(in.read()).isEqualTo(data[100] & 0xff);
            assertThat(in.skip(10)).isEqualTo(10);
            assertThat(in.read()).isEqualTo(data[111] & 0xff);
            assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(data, 112, 150));
            assertThat(in.read()).isEqualTo(-1);
        }
    }

    @Test
    void refusesTraversalAndMalformedKeysEverywhere() {
        // "a:b" and "dir./x" are valid file names here, but every backend refuses what an SMB share cannot
        // store (the shared StorageKeys rules), so that a recording can always move to the NAS backend.
        for (String bad : List.of("../outside", "a/../../outside", "/etc/passwd", "a//b", "a\\b", "a/\0b", "",
                "a:b", "dir./x")) {
            assertThatThrownBy(() -> store.write(bad, new ByteArrayInputStream(new byte[1])))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("invalid storage key");
            assertThatThrownBy(() -> store.read(bad, 0, -1)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> store.stat(bad)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> store.delete(bad)).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> store.list("../", null, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThat(dir.resolve("outside")).doesNotExist();
        assertThat(registry.value(StorageMetrics.ERRORS, "local", "write", "invalid_key")).isEqualTo(9);
        assertThat(dir.resolve("root/a:b")).doesNotExist();
    }

    @Test
    void listsInKeyOrderWithPagesAndTokens() throws IOException {
        // 'a-c' sorts before 'a/...' ('-' < '/'), and 'a0' after it: the walk must not go by directory.
        List<String> keys = List.of("a-c", "a/b", "a/c/d", "a/c/e", "a/z", "a0", "b/x/y/z", "c");
        for (String k : keys.reversed()) {
            write(k, k);
        }
        assertThat(allKeys("", 100)).containsExactlyElementsOf(keys);
        for (int pageSize = 1; pageSize <= 9; pageSize++) {
            assertThat(allKeys("", pageSize)).as("page size " + pageSize).containsExactlyElementsOf(keys);
        }
        StoragePage first = store.list("", null, 3);
        assertThat(first.objects()).extracting(StorageObject::key).containsExactly("a-c", "a/b", "a/c/d");
        assertThat(first.nextToken()).isEqualTo("a/c/d");
        StoragePage last = store.list("", "b/x/y/z", 3);
        assertThat(last.objects()).extracting(StorageObject::key).containsExactly("c");
        assertThat(last.nextToken()).isNull();
        StoragePage exact = store.list("", null, 8);
        assertThat(exact.objects()).hasSize(8);
        assertThat(exact.nextToken()).isNull();
        assertThat(store.list("a/c/", null, 10).objects()).extracting(StorageObject::size).containsExactly(5L, 5L);
    }

    @Test
    void listFiltersByPrefixIncludingPartialNames() throws IOException {
        for (String k : List.of("s/1/segments/000009.mp4", "s/1/segments/000010.mp4", "s/1/segments/000011.mp4",
                "s/1/keyframes/k1", "s/10/segments/000001.mp4", "s/2/segments/000001.mp4")) {
            write(k, "x");
        }
        assertThat(allKeys("s/1/", 2)).containsExactly("s/1/keyframes/k1", "s/1/segments/000009.mp4",
                "s/1/segments/000010.mp4", "s/1/segments/000011.mp4");
        assertThat(allKeys("s/1/segments/00001", 1)).containsExactly("s/1/segments/000010.mp4",
                "s/1/segments/000011.mp4");
        assertThat(allKeys("s/1", 10)).hasSize(5);
        assertThat(allKeys("nothing/", 10)).isEmpty();
        assertThat(allKeys("s/1/segments/000011.mp4", 10)).containsExactly("s/1/segments/000011.mp4");
    }

    @Test
    void listPagesThroughADirectoryWithEmptySubdirectories() throws IOException {
        // Empty directories (a crash between mkdir and the first write) yield nothing but must not end a page early.
        for (int i = 0; i < 30; i++) {
            Files.createDirectories(dir.resolve("root/d/empty-" + String.format("%02d", i)));
        }
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            String k = String.format("d/f-%03d", i);
            write(k, "x");
            expected.add(k);
        }
        write("d/zz/last", "x");
        expected.add("d/zz/last");
        assertThat(allKeys("d/", 4)).containsExactlyElementsOf(expected);
    }

    @Test
    void listSkipsTemporaryFilesAndSymbolicLinks() throws IOException {
        write("k/real", "x");
        Files.writeString(dir.resolve("root/k/.real.tmp-123e4567-e89b-12d3-a456-426614174000"), "partial");
        Files.createDirectories(dir.resolve("elsewhere"));
        Files.writeString(dir.resolve("elsewhere/secret"), "s");
        Files.createSymbolicLink(dir.resolve("root/k/link"), dir.resolve("elsewhere"));
        assertThat(allKeys("", 10)).containsExactly("k/real");
    }

    @Test
    void listOfAnEmptyOrMissingRootIsEmptyAndBadPageSizesAreRefused() throws IOException {
        assertThat(store.list("", null, 10).objects()).isEmpty();
        Files.delete(dir.resolve("root"));
        assertThat(store.list("", null, 10).objects()).isEmpty();
        assertThatThrownBy(() -> store.list("", null, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aReaderNeverSeesAPartialObject() throws Exception {
        byte[] old = bytes(50_000);
        byte[] replacement = new byte[300_000];
        Arrays.fill(replacement, (byte) 7);
        store.write("live/obj", new ByteArrayInputStream(old));

        CountDownLatch halfWritten = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        InputStream slow = new InputStream() {
            int pos;

            @Override
            public int read() {
                throw new UnsupportedOperationException();
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (pos >= replacement.length) {
                    return -1;
                }
                if (pos >= replacement.length / 2 && halfWritten.getCount() > 0) {
                    halfWritten.countDown();
                    try {
                        if (!release.await(10, TimeUnit.SECONDS)) {
                            throw new IOException("test never released the writer");
                        }
                    } catch (InterruptedException e) {
                        throw new IOException(e);
                    }
                }
                int n = Math.min(Math.min(len, 10_000), replacement.length - pos);
                System.arraycopy(replacement, pos, b, off, n);
                pos += n;
                return n;
            }
        };
        Future<Long> writer = pool.submit(() -> store.write("live/obj", slow));
        assertThat(halfWritten.await(10, TimeUnit.SECONDS)).isTrue();

        // Half of the new object is on disk under a temporary name: the key still shows the old object whole.
        assertThat(store.stat("live/obj")).get().extracting(StorageObject::size).isEqualTo(50_000L);
        assertThat(readAll("live/obj", 0, -1)).isEqualTo(old);
        assertThat(allKeys("live/", 10)).containsExactly("live/obj");

        AtomicBoolean stop = new AtomicBoolean();
        List<String> violations = new ArrayList<>();
        Future<Integer> reader = pool.submit(() -> {
            int reads = 0;
            while (!stop.get()) {
                byte[] seen = readAll("live/obj", 0, -1);
                if (!Arrays.equals(seen, old) && !Arrays.equals(seen, replacement)) {
                    synchronized (violations) {
                        violations.add("saw " + seen.length + " bytes");
                    }
                }
                long size = store.stat("live/obj").orElseThrow().size();
                if (size != old.length && size != replacement.length) {
                    synchronized (violations) {
                        violations.add("stat said " + size);
                    }
                }
                reads++;
            }
            return reads;
        });
        release.countDown();
        assertThat(writer.get(10, TimeUnit.SECONDS)).isEqualTo(300_000L);
        stop.set(true);
        assertThat(reader.get(10, TimeUnit.SECONDS)).isPositive();
        assertThat(violations).isEmpty();
        assertThat(readAll("live/obj", 0, -1)).isEqualTo(replacement);
    }

    @Test
    void aNewKeyIsInvisibleUntilItsWriteCompletes() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        InputStream slow = new InputStream() {
            int calls;

            @Override
            public int read() {
                throw new UnsupportedOperationException();
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                calls++;
                if (calls == 1) {
                    b[off] = 1;
                    return 1;
                }
                if (calls == 2) {
                    started.countDown();
                    try {
                        release.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        throw new IOException(e);
                    }
                    b[off] = 2;
                    return 1;
                }
                return -1;
            }
        };
        Future<Long> writer = pool.submit(() -> store.write("new/obj", slow));
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(store.stat("new/obj")).isEmpty();
        assertThatThrownBy(() -> store.read("new/obj", 0, -1)).isInstanceOf(NoSuchFileException.class);
        assertThat(store.list("new/", null, 10).objects()).isEmpty();
        release.countDown();
        assertThat(writer.get(10, TimeUnit.SECONDS)).isEqualTo(2L);
        assertThat(readAll("new/obj", 0, -1)).containsExactly(1, 2);
    }

    @Test
    void refusesWritesBelowTheFreeSpaceThreshold() throws IOException {
        free.set(1023);
        assertThatThrownBy(() -> write("full/obj", "data"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("refusing to write 'full/obj'")
                .hasMessageContaining("below min.free.bytes");
        assertThat(store.stat("full/obj")).isEmpty();
        assertThat(registry.value(StorageMetrics.ERRORS, "local", "write", "disk_full")).isEqualTo(1);
        assertThat(registry.has(StorageMetrics.ERRORS, "local", "write", "io")).isFalse();
        assertThat(store.health().available()).isFalse();
        assertThat(store.health().message()).contains("writes are refused");

        free.set(1024);
        write("full/obj", "data");
        assertThat(store.health().available()).isTrue();
    }

    @Test
    void abortsAWriteThatRunsTheDiskBelowTheThreshold() throws IOException {
        byte[] big = bytes((int) (LocalStore.SPACE_CHECK_INTERVAL * 2));
        InputStream shrinking = new InputStream() {
            int pos;

            @Override
            public int read() {
                throw new UnsupportedOperationException();
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (pos >= big.length) {
                    return -1;
                }
                int n = Math.min(len, big.length - pos);
                System.arraycopy(big, pos, b, off, n);
                pos += n;
                // The disk fills up as the object grows.
                free.addAndGet(-n);
                return n;
            }
        };
        free.set(LocalStore.SPACE_CHECK_INTERVAL + 1024);
        assertThatThrownBy(() -> store.write("big/obj", shrinking)).isInstanceOf(IOException.class)
                .hasMessageContaining("aborted after");
        assertThat(store.stat("big/obj")).isEmpty();
        try (Stream<Path> left = Files.walk(dir.resolve("root"))) {
            assertThat(left.filter(Files::isRegularFile)).isEmpty();
        }
    }

    @Test
    void aFailingSourceLeavesNothingBehind() {
        InputStream broken = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("client went away");
            }
        };
        assertThatThrownBy(() -> store.write("broken/obj", broken)).hasMessageContaining("client went away");
        assertThat(dir.resolve("root/broken")).isEmptyDirectory();
        assertThat(registry.value(StorageMetrics.ERRORS, "local", "write", "io")).isEqualTo(1);
    }

    @Test
    void removesLeftoversButNotTheTemporaryFileOfAWriteInProgress() throws Exception {
        Path leftover = dir.resolve("root/s/segments/.000001.mp4.tmp-123e4567-e89b-12d3-a456-426614174000");
        Files.createDirectories(leftover.getParent());
        Files.writeString(leftover, "half a segment");
        Files.writeString(dir.resolve("root/s/segments/.not-a-temp-file"), "kept");

        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        InputStream slow = new InputStream() {
            boolean first = true;

            @Override
            public int read() {
                throw new UnsupportedOperationException();
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (first) {
                    first = false;
                    b[off] = 9;
                    return 1;
                }
                started.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
                return -1;
            }
        };
        Future<Long> writer = pool.submit(() -> store.write("s/segments/000002.mp4", slow));
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

        assertThat(store.removeLeftovers()).isEqualTo(1);
        assertThat(leftover).doesNotExist();
        assertThat(dir.resolve("root/s/segments/.not-a-temp-file")).exists();

        release.countDown();
        assertThat(writer.get(10, TimeUnit.SECONDS)).isEqualTo(1L);
        assertThat(readAll("s/segments/000002.mp4", 0, -1)).containsExactly(9);
    }

    @Test
    void healthReportsSpace() {
        assertThat(store.health().available()).isTrue();
        assertThat(store.health().freeBytes()).isEqualTo(free.get());
        assertThat(store.health().totalBytes()).isEqualTo(Long.MAX_VALUE);
    }

    private List<String> allKeys(String prefix, int pageSize) throws IOException {
        List<String> keys = new ArrayList<>();
        String token = null;
        int pages = 0;
        do {
            StoragePage page = store.list(prefix, token, pageSize);
            assertThat(page.objects().size()).isLessThanOrEqualTo(pageSize);
            page.objects().forEach(o -> keys.add(o.key()));
            token = page.nextToken();
            assertThat(++pages).as("too many pages").isLessThan(1000);
        } while (token != null);
        return keys;
    }

    private void write(String key, String content) throws IOException {
        store.write(key, new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8)));
    }

    private byte[] readAll(String key, long offset, long length) throws IOException {
        try (InputStream in = store.read(key, offset, length)) {
            return in.readAllBytes();
        }
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + (i >> 8));
        }
        return b;
    }
}
