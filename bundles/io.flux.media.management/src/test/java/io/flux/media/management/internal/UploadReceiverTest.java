package io.flux.media.management.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.flux.media.api.rest.ApiException;

class UploadReceiverTest {

    @TempDir
    Path tmp;

    @Test
    void aBodyWithinTheLimitIsStored() throws Exception {
        byte[] body = new byte[1000];
        body[999] = 7;

        Path stored = UploadReceiver.receive(new ByteArrayInputStream(body), 1000, 1000, tmp.resolve("u"));

        assertThat(Files.readAllBytes(stored)).isEqualTo(body);
    }

    @Test
    void aDeclaredLengthOverTheLimitAnswers413WithoutReading() {
        AtomicInteger reads = new AtomicInteger();
        InputStream body = new InputStream() {
            @Override
            public int read() {
                reads.incrementAndGet();
                return 0;
            }
        };

        assertThatThrownBy(() -> UploadReceiver.receive(body, 1001, 1000, tmp.resolve("u")))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(413);
                    assertThat(e.getMessage()).contains("1000 bytes").contains("upload.max.bytes");
                });
        assertThat(reads).hasValue(0);
    }

    @Test
    void aChunkedBodyOverTheLimitAnswers413() {
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                return 1;
            }
        };

        assertThatThrownBy(() -> UploadReceiver.receive(endless, -1, 100_000, tmp.resolve("u")))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(413));
    }

    @Test
    void anEmptyBodyIsNotABundle() {
        assertThatThrownBy(() -> UploadReceiver.receive(new ByteArrayInputStream(new byte[0]), 0, 10, tmp.resolve("u")))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.getMessage()).startsWith("not an OSGi bundle");
                });
    }

    @Test
    void contentLengthHeaderParsing() {
        assertThat(UploadReceiver.contentLength("123")).isEqualTo(123);
        assertThat(UploadReceiver.contentLength(" 5 ")).isEqualTo(5);
        assertThat(UploadReceiver.contentLength(null)).isEqualTo(-1);
        assertThat(UploadReceiver.contentLength("lots")).isEqualTo(-1);
    }
}
