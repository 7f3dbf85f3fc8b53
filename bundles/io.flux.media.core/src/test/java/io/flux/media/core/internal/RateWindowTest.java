package io.flux.media.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class RateWindowTest {

    private final RateWindow window = new RateWindow();

    @Test
    void steadyStreamGivesItsRates() {
        long t = 1_000_000;
        // 25 fps, 5000 bytes per frame = 1 Mbit/s, for 10 s.
        for (int i = 0; i < 250; i++) {
            window.add(t + i * 40L, true, 5000);
        }
        long now = t + 249 * 40L;

        assertThat(window.frameRate(now)).isCloseTo(25.0, within(0.5));
        assertThat(window.bitrate(now)).isCloseTo(1_000_000L, within(25_000L));
    }

    @Test
    void youngStreamIsMeasuredOverItsLifetime() {
        long t = 1_000_000;
        for (int i = 0; i <= 25; i++) {
            window.add(t + i * 40L, true, 1000);
        }

        assertThat(window.frameRate(t + 1000)).isCloseTo(26.0, within(0.01));
    }

    @Test
    void audioCountsForBitrateNotFrameRate() {
        long t = 1_000_000;
        for (int i = 0; i < 100; i++) {
            window.add(t + i * 20L, false, 250);
        }
        long now = t + 2000;

        assertThat(window.frameRate(now)).isZero();
        assertThat(window.bitrate(now)).isCloseTo(100_000L, within(2_000L));
    }

    @Test
    void ratesFallToZeroWhenSamplesStop() {
        long t = 1_000_000;
        for (int i = 0; i < 50; i++) {
            window.add(t + i * 40L, true, 1000);
        }

        assertThat(window.frameRate(t + 2000 + RateWindow.WINDOW_MS)).isZero();
        assertThat(window.bitrate(t + 2000 + RateWindow.WINDOW_MS)).isZero();
        assertThat(new RateWindow().frameRate(t)).isZero();
    }
}
