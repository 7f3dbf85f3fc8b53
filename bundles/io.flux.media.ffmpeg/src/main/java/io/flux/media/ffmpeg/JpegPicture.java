package io.flux.media.ffmpeg;

/**
 * A JPEG made by {@link JpegSnapshotter}.
 *
 * @param jpeg          the JPEG file bytes
 * @param width         its width in pixels
 * @param height        its height in pixels
 * @param decodedFrames undamaged pictures the decoder produced
 * @param damagedFrames pictures the decoder flagged as damaged (skipped) plus access units it refused
 */
public record JpegPicture(byte[] jpeg, int width, int height, int decodedFrames, int damagedFrames) {
}
