package io.flux.media.mpegps.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class Clock33Test {

    @Test
    void continuesUpwardPastTheWrapAround() {
        Clock33 c = new Clock33();
        long t = Clock33.WRAP - 7200;
        assertThat(c.extend(t)).isEqualTo(t);
        assertThat(c.extend(t + 3600)).isEqualTo(t + 3600);
        assertThat(c.extend(0)).isEqualTo(Clock33.WRAP);
        assertThat(c.extend(3600)).isEqualTo(Clock33.WRAP + 3600);
        // A second wrap-around, in steps shorter than half the range as real streams go.
        for (long q = 1; q < 4; q++) {
            assertThat(c.extend(q * Clock33.WRAP / 4)).isEqualTo(Clock33.WRAP + q * Clock33.WRAP / 4);
        }
        assertThat(c.extend(Clock33.WRAP - 1)).isEqualTo(2 * Clock33.WRAP - 1);
        assertThat(c.extend(1)).isEqualTo(2 * Clock33.WRAP + 1);
    }

    @Test
    void slightlyEarlierValuesStayEarlier() {
        Clock33 c = new Clock33();
        c.extend(100);
        assertThat(c.near(Clock33.WRAP - 100)).isEqualTo(-100);
        assertThat(c.extend(50)).isEqualTo(50);
        assertThat(c.near(10_000)).isEqualTo(10_000);
    }

    @Test
    void resetStartsOver() {
        Clock33 c = new Clock33();
        c.extend(Clock33.WRAP - 10);
        c.extend(5);
        c.reset();
        assertThat(c.extend(5)).isEqualTo(5);
    }
}
