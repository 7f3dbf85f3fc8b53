package io.flux.media.protocol.gb28181.internal;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import io.flux.media.protocol.gb28181.internal.media.NoMediaPortException;
import io.flux.media.protocol.gb28181.internal.media.ReceiverSpec;
import io.flux.media.protocol.gb28181.internal.media.ReceiverStats;
import io.flux.media.protocol.gb28181.internal.media.RtpReceiver;
import io.flux.media.protocol.gb28181.internal.media.RtpReceivers;

/** Receivers that record what the SIP side does with them; a test ends them or sets their counters. */
final class FakeReceivers implements RtpReceivers {

    final List<Fake> prepared = new CopyOnWriteArrayList<>();
    private final AtomicInteger nextPort = new AtomicInteger(40_000);
    volatile boolean exhausted;

    @Override
    public RtpReceiver prepare(ReceiverSpec spec) throws NoMediaPortException {
        if (exhausted) {
            throw new NoMediaPortException("all 2 media ports in use");
        }
        Fake f = new Fake(spec, nextPort.getAndAdd(2));
        prepared.add(f);
        return f;
    }

    Fake last() {
        return prepared.get(prepared.size() - 1);
    }

    static final class Fake implements RtpReceiver {
        final ReceiverSpec spec;
        final int port;
        volatile InetSocketAddress startedWith;
        volatile EndListener listener;
        volatile boolean closed;
        volatile ReceiverStats stats = ReceiverStats.NONE;
        volatile long expectedSsrc;

        Fake(ReceiverSpec spec, int port) {
            this.spec = spec;
            this.port = port;
            this.expectedSsrc = spec.ssrc();
        }

        @Override
        public int localPort() {
            return port;
        }

        @Override
        public void expectSsrc(long ssrc) {
            expectedSsrc = ssrc;
        }

        @Override
        public void start(InetSocketAddress deviceMedia, EndListener onEnd) {
            startedWith = deviceMedia;
            listener = onEnd;
        }

        @Override
        public ReceiverStats stats() {
            return stats;
        }

        @Override
        public void close() {
            closed = true;
        }

        /** The receiver ends on its own, as a timeout would end it. */
        void end(String reason, String detail) {
            listener.ended(reason, detail);
        }
    }
}
