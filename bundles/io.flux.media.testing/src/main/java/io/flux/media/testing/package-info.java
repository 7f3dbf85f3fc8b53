/**
 * Helpers shared by the bundles' unit tests: {@link io.flux.media.testing.Configs} builds typed-config
 * instances, {@link io.flux.media.testing.FakeMetricsRegistry} records metrics in memory,
 * {@link io.flux.media.testing.Ffmpeg} runs the ffmpeg/ffprobe executables, {@link io.flux.media.testing.FakeSink}
 * records what reaches a media sink and {@link io.flux.media.testing.TestDatabase} is a real H2 or PostgreSQL
 * database behind the platform's Database interface. Used with test scope only;
 * the jar is never deployed, so the package is not exported.
 */
package io.flux.media.testing;
