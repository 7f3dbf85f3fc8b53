package io.flux.media.storage.common;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BytesTest {

    @Test
    void formatsWithBinaryUnits() {
        assertThat(Bytes.human(-1)).isEqualTo("unknown");
        assertThat(Bytes.human(1023)).isEqualTo("1023 B");
        assertThat(Bytes.human(1536)).isEqualTo("1.5 KiB");
        assertThat(Bytes.human(11L * 1024 * 1024 * 1024)).isEqualTo("11.0 GiB");
        assertThat(Bytes.human(Long.MAX_VALUE)).isEqualTo("8.0 EiB");
    }
}
