package io.flux.media.ffmpeg.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OverlayTest {

    @Test
    void boxIsEvenAlignedAndGrowsWithThePicture() {
        Overlay.Box small = Overlay.layout(320, 240, "AB");
        assertThat(small).isEqualTo(new Overlay.Box(4, 4, 20, 12, 1, "AB"));

        Overlay.Box hd = Overlay.layout(1920, 1080, "AB");
        assertThat(hd.scale()).isEqualTo(4);
        assertThat(hd.x() % 2).isZero();
        assertThat(hd.width() % 2).isZero();
        assertThat(hd.height()).isEqualTo(8 * 4 + 2 * 2 * 4);
    }

    @Test
    void textIsCutToTheWidthAndNothingIsDrawnWhenNothingFits() {
        Overlay.Box box = Overlay.layout(100, 100, "0123456789ABCDEF");
        assertThat(box.text()).isEqualTo("0123456789A"); // (100 - 2 * 4 margin - 2 * 2 padding) / 8 = 11 cells
        assertThat(box.x() + box.width()).isLessThanOrEqualTo(100);

        assertThat(Overlay.layout(12, 100, "A")).isNull();
        assertThat(Overlay.layout(320, 8, "A")).isNull();
        assertThat(Overlay.layout(320, 240, "")).isNull();
        assertThat(Overlay.layout(320, 240, null)).isNull();
    }

    @Test
    void paintDarkensTheBoxAndSetsTheGlyphPixels() {
        Overlay.Box box = Overlay.layout(320, 240, "A");
        byte[] luma = new byte[box.width() * box.height()];
        java.util.Arrays.fill(luma, (byte) 200);

        Overlay.paint(box, luma);

        // 'A' row 0 is 0x0C: pixels 2 and 3 set; the glyph starts after the 2 px padding.
        int row = 2 * box.width();
        assertThat(luma[row + 2 + 2] & 0xff).isEqualTo(255);
        assertThat(luma[row + 2 + 3] & 0xff).isEqualTo(255);
        assertThat(luma[row + 2 + 1] & 0xff).isEqualTo(50);
        assertThat(luma[0] & 0xff).isEqualTo(50);
    }

    @Test
    void unprintableCharactersUseTheQuestionMark() {
        assertThat(BitmapFont.glyph('\u00e9')).isEqualTo(BitmapFont.glyph('?'));
        assertThat(BitmapFont.glyph('\n')).isEqualTo(BitmapFont.glyph('?'));
        assertThat(BitmapFont.glyph(' ')).isZero();
        assertThat(BitmapFont.pixel(BitmapFont.glyph('_'), 0, 7)).isTrue();
    }
}
