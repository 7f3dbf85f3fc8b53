/**
 * FFmpeg for the rest of the server: {@link io.flux.media.ffmpeg.JpegSnapshotter} turns H.264/H.265
 * access units into a scaled JPEG, {@link io.flux.media.ffmpeg.DecodePool} runs it on a bounded pool
 * with a deadline. The FFmpeg bindings themselves ({@code org.bytedeco.ffmpeg.*}) are exported by this
 * bundle too, for callers that need libavcodec directly.
 */
@Export
@Version("1.1.0")
package io.flux.media.ffmpeg;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
