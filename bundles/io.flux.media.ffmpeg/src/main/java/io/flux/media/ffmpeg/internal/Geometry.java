package io.flux.media.ffmpeg.internal;

import io.flux.media.ffmpeg.JpegOptions;

/** Output size: fit the request keeping the display aspect ratio (pixel aspect included). */
public final class Geometry {

    /** The output size, and whether the source's pixel aspect ratio still applies to it. */
    public record Size(int width, int height, boolean keepsPixelAspect) {
    }

    private Geometry() {
    }

    /**
     * @param sarNum sample (pixel) aspect ratio of the source; 0/anything or n/n means square pixels
     */
    public static Size fit(int srcWidth, int srcHeight, int sarNum, int sarDen, int width, int height) {
        if (srcWidth <= 0 || srcHeight <= 0) {
            throw new IllegalArgumentException("source size " + srcWidth + "x" + srcHeight);
        }
        if (width == 0 && height == 0) {
            return new Size(srcWidth, srcHeight, true);
        }
        // Display size in (possibly fractional) square pixels.
        double dispW = srcWidth;
        double dispH = srcHeight;
        if (sarNum > 0 && sarDen > 0 && sarNum != sarDen) {
            dispW = dispW * sarNum / sarDen;
        }
        double w;
        double h;
        if (height == 0 || (width > 0 && (double) width * dispH <= (double) height * dispW)) {
            w = width;
            h = width * dispH / dispW;
        } else {
            h = height;
            w = height * dispW / dispH;
        }
        return new Size(clamp(w), clamp(h), false);
    }

    private static int clamp(double v) {
        return (int) Math.max(1, Math.min(JpegOptions.MAX_DIMENSION, Math.round(v)));
    }
}
