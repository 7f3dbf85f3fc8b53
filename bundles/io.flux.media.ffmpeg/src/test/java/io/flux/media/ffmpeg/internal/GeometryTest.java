package io.flux.media.ffmpeg.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import io.flux.media.ffmpeg.JpegOptions;

class GeometryTest {

    @Test
    void zeroByZeroKeepsTheCodedSizeAndItsPixelAspect() {
        assertThat(Geometry.fit(720, 576, 16, 15, 0, 0)).isEqualTo(new Geometry.Size(720, 576, true));
    }

    @Test
    void nonSquarePixelsAreMadeSquareWhenScaling() {
        // PAL 720x576 with 16:15 pixels displays as 768x576 (4:3).
        assertThat(Geometry.fit(720, 576, 16, 15, 384, 0)).isEqualTo(new Geometry.Size(384, 288, false));
        assertThat(Geometry.fit(720, 576, 16, 15, 0, 288)).isEqualTo(new Geometry.Size(384, 288, false));
    }

    @Test
    void fitsInsideTheBoxOnTheLimitingSide() {
        assertThat(Geometry.fit(1920, 1080, 1, 1, 640, 640)).isEqualTo(new Geometry.Size(640, 360, false));
        assertThat(Geometry.fit(1080, 1920, 0, 1, 640, 640)).isEqualTo(new Geometry.Size(360, 640, false));
        assertThat(Geometry.fit(1920, 1080, 0, 0, 3840, 0)).isEqualTo(new Geometry.Size(3840, 2160, false));
    }

    @Test
    void extremeAspectIsClampedToTheMaximum() {
        Geometry.Size s = Geometry.fit(100, 1, 1, 1, 0, 8000);
        assertThat(s.width()).isEqualTo(JpegOptions.MAX_DIMENSION);
        assertThat(Geometry.fit(8000, 2, 1, 1, 10, 0).height()).isEqualTo(1);
    }

    @Test
    void refusesAnEmptySource() {
        assertThatThrownBy(() -> Geometry.fit(0, 10, 1, 1, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
