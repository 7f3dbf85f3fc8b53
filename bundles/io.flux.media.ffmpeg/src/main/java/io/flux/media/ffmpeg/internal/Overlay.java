package io.flux.media.ffmpeg.internal;

/**
 * Places overlay text in the top-left corner of a picture: white glyphs on a dark, neutral-grey box.
 * The box is aligned to even coordinates so it covers whole 4:2:0 chroma samples. The glyph size grows
 * with the picture (8 px per 240 lines), and text that does not fit the width is cut.
 */
public final class Overlay {

    private static final int WHITE = 255; // full-range (JPEG) luma

    /** Where the box goes, in luma pixels, and the text that fits in it. */
    public record Box(int x, int y, int width, int height, int scale, String text) {
    }

    private Overlay() {
    }

    /** The box for {@code text} on a {@code frameWidth} x {@code frameHeight} picture, or null if nothing fits. */
    public static Box layout(int frameWidth, int frameHeight, String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        int scale = Math.max(1, frameHeight / 240);
        int cell = BitmapFont.SIZE * scale;
        int pad = 2 * scale;
        int margin = 4 * scale;
        int chars = Math.min(text.length(), (frameWidth - 2 * margin - 2 * pad) / cell);
        int width = even(chars * cell + 2 * pad);
        int height = even(cell + 2 * pad);
        if (chars < 1 || margin + width > frameWidth || margin + height > frameHeight) {
            return null;
        }
        return new Box(margin & ~1, margin & ~1, width, height, scale, text.substring(0, chars));
    }

    /** Darkens {@code luma} (the box's pixels, row by row, {@code box.width()} per row) and draws the text. */
    public static void paint(Box box, byte[] luma) {
        for (int i = 0; i < box.width() * box.height(); i++) {
            luma[i] = (byte) ((luma[i] & 0xff) / 4);
        }
        int s = box.scale();
        int pad = 2 * s;
        int cell = BitmapFont.SIZE * s;
        for (int i = 0; i < box.text().length(); i++) {
            long glyph = BitmapFont.glyph(box.text().charAt(i));
            for (int gy = 0; gy < BitmapFont.SIZE; gy++) {
                for (int gx = 0; gx < BitmapFont.SIZE; gx++) {
                    if (BitmapFont.pixel(glyph, gx, gy)) {
                        fill(luma, box.width(), pad + i * cell + gx * s, pad + gy * s, s);
                    }
                }
            }
        }
    }

    private static void fill(byte[] luma, int stride, int x, int y, int size) {
        for (int dy = 0; dy < size; dy++) {
            int row = (y + dy) * stride + x;
            for (int dx = 0; dx < size; dx++) {
                luma[row + dx] = (byte) WHITE;
            }
        }
    }

    private static int even(int v) {
        return (v + 1) & ~1;
    }
}
