/**
 * A GB28181 device simulator for tests, demos and load tests: {@link io.flux.media.testing.gb28181.GbSimulator}
 * runs {@link io.flux.media.testing.gb28181.SimDevice}s against a platform (SIP over UDP or TCP, digest
 * registration, keepalives, Catalog/DeviceInfo/DeviceStatus, INVITE with PS over RTP on UDP or TCP) with
 * {@link io.flux.media.testing.gb28181.SimFaults} for error cases; {@link
 * io.flux.media.testing.gb28181.SimulatorMain} is the command line. SIP is written by hand here, independent of the
 * server's stack, so that the simulator tests the server rather than mirroring it. Used with test scope or from the
 * command line only; the jar is never deployed, so the package is not exported.
 */
package io.flux.media.testing.gb28181;
