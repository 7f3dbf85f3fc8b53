package io.flux.media.storage.local.internal;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;

/** Free and total space of the file system holding a path; an interface so tests can fake a full disk. */
interface DiskSpace {

    long usableBytes(Path path) throws IOException;

    long totalBytes(Path path) throws IOException;

    DiskSpace FILE_STORE = new DiskSpace() {
        @Override
        public long usableBytes(Path path) throws IOException {
            return store(path).getUsableSpace();
        }

        @Override
        public long totalBytes(Path path) throws IOException {
            return store(path).getTotalSpace();
        }

        private FileStore store(Path path) throws IOException {
            return Files.getFileStore(path);
        }
    };
}
