/**
 * A stand-in for the MediaMTX v1.20.1 control API and playback server, for tests and demos:
 * {@link io.flux.media.testing.mediamtx.MediaMtxStandIn} serves the v3 path-config, runtime-path and recording
 * endpoints and the playback {@code /list} and {@code /get} with the real server's status codes and error bodies,
 * simulates publishers and recordings, and can refuse, hang or fail with 500
 * ({@link io.flux.media.testing.mediamtx.MediaMtxStandIn.Fault}). {@link
 * io.flux.media.testing.mediamtx.MediaMtxStandInMain} is the command line. Used with test scope or from the
 * command line only; the jar is never deployed, so the package is not exported.
 */
package io.flux.media.testing.mediamtx;
