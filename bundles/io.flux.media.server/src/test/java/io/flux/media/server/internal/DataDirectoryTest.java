package io.flux.media.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataDirectoryTest {

    @TempDir
    Path work;

    @Test
    void relativePathIsResolvedAgainstTheWorkingDirectoryAndCreated() throws IOException {
        Path dir = DataDirectory.prepare(work, "state/data");

        assertThat(dir).isEqualTo(work.resolve("state/data").toAbsolutePath().normalize());
        assertThat(dir).isDirectory();
        try (var entries = Files.list(dir)) {
            assertThat(entries).as("the write probe is cleaned up").isEmpty();
        }
    }

    @Test
    void absolutePathIsUsedAsIs() {
        Path elsewhere = work.resolve("abs");
        assertThat(DataDirectory.prepare(Path.of("/nonexistent-working-dir"), elsewhere.toString())).isEqualTo(elsewhere);
        assertThat(elsewhere).isDirectory();
    }

    @Test
    void aFileInTheWayFailsWithTheSettingAndPathInTheMessage() throws IOException {
        Files.writeString(work.resolve("taken"), "not a directory");

        assertThatThrownBy(() -> DataDirectory.prepare(work, "taken/data"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Cannot create the data directory")
                .hasMessageContaining("data.dir=\"taken/data\"");
    }

    @Test
    void blankSettingIsRejected() {
        assertThatThrownBy(() -> DataDirectory.prepare(work, "  ")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("data.dir is empty");
    }
}
