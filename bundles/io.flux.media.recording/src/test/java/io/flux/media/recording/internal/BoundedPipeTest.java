package io.flux.media.recording.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class BoundedPipeTest {

    @Test
    void chunksArriveInOrderAndFinishIsEndOfStream() throws Exception {
        BoundedPipe pipe = new BoundedPipe(1024, 5000);
        CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> {
            try {
                return pipe.readAllBytes();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        for (int i = 0; i < 100; i++) {
            byte[] chunk = new byte[300 + i];
            java.util.Arrays.fill(chunk, (byte) i);
            expected.write(chunk);
            pipe.write(chunk, chunk.length); // three chunks exceed the capacity: the writer waits for the reader
        }
        pipe.finish();
        assertThat(read.get(10, TimeUnit.SECONDS)).isEqualTo(expected.toByteArray());
    }

    @Test
    void aChunkLargerThanTheCapacityStillPasses() throws Exception {
        BoundedPipe pipe = new BoundedPipe(10, 1000);
        pipe.write(new byte[100], 100);
        assertThat(pipe.buffered()).isEqualTo(100);
        assertThat(pipe.available()).isEqualTo(100);
        assertThat(pipe.read(new byte[64], 0, 64)).isEqualTo(64);
        assertThat(pipe.buffered()).isEqualTo(36);
    }

    @Test
    void aReaderThatStopsReadingStallsTheWriterForTheTimeoutOnly() throws Exception {
        BoundedPipe pipe = new BoundedPipe(100, 100);
        pipe.write(new byte[80], 80);
        long start = System.nanoTime();
        assertThatThrownBy(() -> pipe.write(new byte[80], 80)).isInstanceOf(IOException.class)
                .hasMessageContaining("stalled");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(90L, 5000L);
        // The reader learns it too, so the backend discards its temporary file.
        assertThatThrownBy(() -> pipe.read(new byte[10], 0, 10)).hasMessageContaining("stalled");
    }

    @Test
    void failReachesBothSides() throws Exception {
        BoundedPipe pipe = new BoundedPipe(100, 1000);
        pipe.write(new byte[10], 10);
        pipe.fail(new IOException("boom"));
        assertThatThrownBy(() -> pipe.read(new byte[10], 0, 10)).hasMessage("boom");
        assertThatThrownBy(() -> pipe.write(new byte[1], 1)).hasMessage("boom");
    }

    @Test
    void writesAfterTheReaderClosedFailAtOnce() throws Exception {
        BoundedPipe pipe = new BoundedPipe(100, 60_000);
        pipe.write(new byte[90], 90);
        pipe.close();
        long start = System.nanoTime();
        assertThatThrownBy(() -> pipe.write(new byte[90], 90)).hasMessageContaining("stopped reading");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(5000);
    }
}
