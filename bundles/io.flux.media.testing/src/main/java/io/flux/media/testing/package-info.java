/**
 * Helpers shared by the bundles' unit tests: {@link io.flux.media.testing.Configs} builds typed-config
 * instances, {@link io.flux.media.testing.FakeMetricsRegistry} records metrics in memory and
 * {@link io.flux.media.testing.Ffmpeg} runs the ffmpeg/ffprobe executables. Used with test scope only;
 * the jar is never deployed, so the package is not exported.
 */
package io.flux.media.testing;
