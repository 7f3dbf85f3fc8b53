package io.flux.media.codec;

/**
 * What a sequence parameter set says about the picture.
 *
 * @param width        display width in luma samples, cropping (conformance window) applied
 * @param height       display height in luma samples, cropping applied
 * @param profile      profile name as ffprobe spells it ("High", "Constrained Baseline", "Main 10", ...)
 * @param level        level_idc as coded (H.264: 31 is level 3.1; H.265: general_level_idc, 93 is level 3.1)
 * @param chromaFormat chroma_format_idc (0 monochrome, 1 4:2:0, 2 4:2:2, 3 4:4:4)
 * @param bitDepth     luma bit depth
 * @param frameRate    frames per second from the VUI timing information, 0 when absent
 */
public record SpsInfo(int width, int height, String profile, int level, int chromaFormat, int bitDepth,
        double frameRate) {

    public SpsInfo(int width, int height, String profile, int level, int chromaFormat, int bitDepth) {
        this(width, height, profile, level, chromaFormat, bitDepth, 0);
    }
}
