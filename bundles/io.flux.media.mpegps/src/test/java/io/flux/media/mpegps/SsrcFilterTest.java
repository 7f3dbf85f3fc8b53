package io.flux.media.mpegps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SsrcFilterTest {

    @Test
    void anExpectedSsrcCountsTheOthersApart() {
        SsrcFilter f = SsrcFilter.expecting(0xF000_0000L);
        assertThat(f.lastRejected()).isEqualTo(-1);
        assertThat(f.accept(0xF000_0000L)).isTrue();
        assertThat(f.accept(5)).isFalse();
        assertThat(f.accept(6)).isFalse();
        assertThat(f.accept(0xF000_0000L)).isTrue();
        assertThat(f.accepted()).isEqualTo(2);
        assertThat(f.rejected()).isEqualTo(2);
        assertThat(f.lastRejected()).isEqualTo(6);
        assertThat(f.expected()).isEqualTo(0xF000_0000L);
    }

    @Test
    void aLearningFilterLocksOntoTheFirst() {
        SsrcFilter f = SsrcFilter.learning();
        assertThat(f.expected()).isEqualTo(-1);
        assertThat(f.accept(42)).isTrue();
        assertThat(f.accept(43)).isFalse();
        assertThat(f.accept(42)).isTrue();
        assertThat(f.expected()).isEqualTo(42);
        assertThat(f.rejected()).isEqualTo(1);
    }

    @Test
    void onlyUnsigned32BitValues() {
        assertThatThrownBy(() -> SsrcFilter.expecting(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SsrcFilter.expecting(1L << 32)).isInstanceOf(IllegalArgumentException.class);
    }
}
