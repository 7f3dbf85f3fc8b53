package io.flux.media.ffmpeg;

/**
 * How {@link JpegSnapshotter} makes its picture.
 *
 * @param width          target width; 0 derives it from {@code height} (or keeps the source size when both are 0)
 * @param height         target height; 0 derives it from {@code width}
 * @param overlayText    text drawn in the top-left corner (printable ASCII; others become '?'), or null/blank for none
 * @param quality        JPEG quantizer scale, 2 (best, largest) to 31 (worst, smallest)
 * @param decoderThreads libavcodec threads for one decode (1 keeps each decode on the calling thread)
 * @param picture        which decoded picture becomes the JPEG
 */
public record JpegOptions(int width, int height, String overlayText, int quality, int decoderThreads, Picture picture) {

    /** Largest accepted width or height. */
    public static final int MAX_DIMENSION = 8192;
    /** Longest overlay text; longer text is cut. */
    public static final int MAX_OVERLAY_LENGTH = 256;
    public static final int DEFAULT_QUALITY = 4;
    public static final int MIN_QUALITY = 2;
    public static final int MAX_QUALITY = 31;
    public static final int MAX_DECODER_THREADS = 16;

    /** Which decoded picture to keep. */
    public enum Picture {
        /** The first picture: stops decoding as soon as there is one (keyframe snapshots). */
        FIRST,
        /** The last picture in presentation order: decodes every access unit (freshest snapshots). */
        LAST
    }

    public JpegOptions {
        if (width < 0 || height < 0 || width > MAX_DIMENSION || height > MAX_DIMENSION) {
            throw new IllegalArgumentException("width and height must be 0.." + MAX_DIMENSION + ", got " + width + "x" + height);
        }
        if (quality < MIN_QUALITY || quality > MAX_QUALITY) {
            throw new IllegalArgumentException("quality must be " + MIN_QUALITY + ".." + MAX_QUALITY + ", got " + quality);
        }
        if (decoderThreads < 1 || decoderThreads > MAX_DECODER_THREADS) {
            throw new IllegalArgumentException("decoder threads must be 1.." + MAX_DECODER_THREADS + ", got " + decoderThreads);
        }
        if (picture == null) {
            throw new IllegalArgumentException("picture must not be null");
        }
        if (overlayText != null) {
            overlayText = overlayText.strip();
            if (overlayText.isEmpty()) {
                overlayText = null;
            } else if (overlayText.length() > MAX_OVERLAY_LENGTH) {
                overlayText = overlayText.substring(0, MAX_OVERLAY_LENGTH);
            }
        }
    }

    /** Source size, no overlay, default quality, one decoder thread. */
    public static JpegOptions of(Picture picture) {
        return new JpegOptions(0, 0, null, DEFAULT_QUALITY, 1, picture);
    }

    public JpegOptions withSize(int width, int height) {
        return new JpegOptions(width, height, overlayText, quality, decoderThreads, picture);
    }

    public JpegOptions withOverlayText(String text) {
        return new JpegOptions(width, height, text, quality, decoderThreads, picture);
    }

    public JpegOptions withQuality(int quality) {
        return new JpegOptions(width, height, overlayText, quality, decoderThreads, picture);
    }

    public JpegOptions withDecoderThreads(int threads) {
        return new JpegOptions(width, height, overlayText, quality, threads, picture);
    }
}
