package io.flux.media.protocol.gb28181.internal;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import javax.sip.SipException;

import io.flux.media.testing.TestDatabase;

/** The server on a free loopback port with a real H2 database and recording receivers. */
final class TestServer implements AutoCloseable {

    final Gb28181Server server;
    final int port;
    final FakeReceivers receivers;
    final TestDatabase db;
    final TestMetrics metrics = new TestMetrics();

    private TestServer(TestDatabase db, Map<String, Object> overrides) throws Exception {
        this.db = db;
        this.port = SipClient.freePort();
        this.receivers = new FakeReceivers();
        Map<String, Object> config = new HashMap<>(Map.of("bind_address", "127.0.0.1", "bind_port", port,
                "_password", RegistrarTest.PASSWORD, "invite_timeout_s", 1, "query_timeout_s", 1));
        config.putAll(overrides);
        server = new Gb28181Server(Configs.of(Gb28181Server.Config.class, config), Clock.systemUTC(),
                Duration.ofHours(1), db, m -> receivers);
        server.bindMetrics(metrics);
    }

    static TestServer start(TestDatabase db, Map<String, Object> overrides) throws Exception {
        return new TestServer(db, overrides);
    }

    static TestServer start() throws Exception {
        return new TestServer(TestDatabase.h2(), Map.of());
    }

    /** A server as the older tests built it: an in-memory database and recording receivers. */
    static Gb28181Server plain(Gb28181Server.Config config, Clock clock, Duration sweep) throws SipException {
        FakeReceivers receivers = new FakeReceivers();
        return new Gb28181Server(config, clock, sweep, TestDatabase.h2(), m -> receivers);
    }

    EmbeddedBackend backend() {
        return server.backend();
    }

    /** A device registered with the test password. */
    DevicePeer device(String id) throws IOException, InterruptedException {
        DevicePeer peer = new DevicePeer(id, port);
        try {
            return peer.register(RegistrarTest.PASSWORD);
        } catch (IOException | InterruptedException | RuntimeException e) {
            peer.close();
            throw e;
        }
    }

    @Override
    public void close() {
        server.deactivate();
    }
}
