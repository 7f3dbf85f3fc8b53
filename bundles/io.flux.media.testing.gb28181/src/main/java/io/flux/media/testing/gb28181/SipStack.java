package io.flux.media.testing.gb28181;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SIP transport and transaction layers of the simulator, shared by all its devices: one UDP socket (or one
 * TCP connection per device plus a listening socket on the same port), client transactions that retransmit over
 * UDP (T1 doubling up to T2, RFC 3261 17.1.2) and give up after the transaction timeout, and server transactions
 * that answer a retransmitted request with the response already sent, without handing it up again.
 */
final class SipStack implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SipStack.class);
    static final long T1_MS = 500;
    static final long T2_MS = 4000;

    /** Receives requests that are not retransmissions. Runs on the reactor thread. */
    interface RequestHandler {
        void onRequest(SipMessage request, ServerTransaction tx);
    }

    /** Where bytes for the platform go: the shared UDP socket or one TCP connection. */
    interface Path {
        void send(byte[] bytes) throws IOException;

        boolean reliable();

        /** False once a TCP connection broke: the device opens a new one. */
        default boolean usable() {
            return true;
        }
    }

    private final Reactor reactor;
    private final ScheduledExecutorService timer;
    private final SimTransport transport;
    private final InetSocketAddress server;
    private final long timeoutMs;
    private final RequestHandler handler;
    private final SimStats stats;
    private final DatagramChannel udp;
    private final ServerSocketChannel tcpListener;
    private final InetSocketAddress local;
    private final UdpPath udpToServer;
    private final Map<String, ClientTransaction> clientTransactions = new ConcurrentHashMap<>();
    private final Map<String, ServerTransaction> serverTransactions = new ConcurrentHashMap<>();
    private final ByteBuffer receiveBuffer = ByteBuffer.allocateDirect(65536);

    SipStack(Reactor reactor, ScheduledExecutorService timer, InetSocketAddress bind, SimTransport transport,
            InetSocketAddress server, Duration transactionTimeout, RequestHandler handler, SimStats stats)
            throws IOException {
        this.reactor = reactor;
        this.timer = timer;
        this.transport = transport;
        this.server = server;
        this.timeoutMs = transactionTimeout.toMillis();
        this.handler = handler;
        this.stats = stats;
        if (transport == SimTransport.UDP) {
            udp = DatagramChannel.open();
            // Thousands of devices answer and refresh through this one socket: room for bursts.
            udp.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
            udp.setOption(StandardSocketOptions.SO_SNDBUF, 4 << 20);
            udp.bind(bind);
            udp.configureBlocking(false);
            local = (InetSocketAddress) udp.getLocalAddress();
            tcpListener = null;
            udpToServer = new UdpPath(server);
            reactor.register(udp, SelectionKey.OP_READ, key -> receiveUdp());
        } else {
            udp = null;
            udpToServer = null;
            tcpListener = ServerSocketChannel.open();
            tcpListener.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            tcpListener.bind(bind, 1024);
            tcpListener.configureBlocking(false);
            local = (InetSocketAddress) tcpListener.getLocalAddress();
            reactor.register(tcpListener, SelectionKey.OP_ACCEPT, key -> accept());
        }
    }

    InetSocketAddress localAddress() {
        return local;
    }

    /** A Via header for a new request from this stack. */
    String via(String branch) {
        return "SIP/2.0/" + transport.name() + " " + local.getAddress().getHostAddress() + ":" + local.getPort()
                + ";rport;branch=" + branch;
    }

    static String newBranch() {
        return "z9hG4bK" + UUID.randomUUID().toString().replace("-", "");
    }

    /** The path a device's requests take: the shared UDP socket, or a fresh TCP connection to the server. */
    Path pathToServer() throws IOException {
        if (udp != null) {
            return udpToServer;
        }
        TcpConnection c = new TcpConnection(SocketChannel.open());
        c.channel.configureBlocking(false);
        c.channel.bind(new InetSocketAddress(local.getAddress(), 0));
        boolean connected = c.channel.connect(server);
        c.connected = connected;
        reactor.register(c.channel, connected ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT, c);
        return c;
    }

    /**
     * Sends a request in a new client transaction. The future completes with the final response, or
     * exceptionally with a {@link TimeoutException} after the transaction timeout (or an IOException when the
     * path is broken). Provisional responses are absorbed.
     */
    CompletableFuture<SipMessage> send(SipMessage request, Path path) {
        String branch = request.topBranch();
        byte[] bytes = request.encode();
        ClientTransaction tx = new ClientTransaction(branch, request.method(), bytes, path);
        clientTransactions.put(branch, tx);
        tx.transmit();
        tx.timeout = timer.schedule(() -> tx.fail(new TimeoutException(request.method() + " timed out")), timeoutMs,
                TimeUnit.MILLISECONDS);
        if (!path.reliable()) {
            tx.retransmit = timer.schedule(() -> tx.retransmit(T1_MS), T1_MS, TimeUnit.MILLISECONDS);
        }
        return tx.result;
    }

    /** Sends bytes outside any transaction (a fault knob's garbage). */
    void sendRaw(byte[] bytes, Path path) throws IOException {
        path.send(bytes);
    }

    private void receiveUdp() throws IOException {
        while (true) {
            receiveBuffer.clear();
            SocketAddress from = udp.receive(receiveBuffer);
            if (from == null) {
                return;
            }
            receiveBuffer.flip();
            byte[] data = new byte[receiveBuffer.remaining()];
            receiveBuffer.get(data);
            if (isBlank(data)) {
                continue; // CRLF keepalive
            }
            SipMessage msg;
            try {
                msg = SipMessage.parse(data, 0, data.length);
            } catch (IllegalArgumentException e) {
                stats.malformedSip.increment();
                LOG.debug("unparseable datagram from {}: {}", from, e.getMessage());
                continue;
            }
            dispatch(msg, new UdpPath((InetSocketAddress) from));
        }
    }

    private static boolean isBlank(byte[] data) {
        for (byte b : data) {
            if (b != '\r' && b != '\n') {
                return false;
            }
        }
        return true;
    }

    private void accept() throws IOException {
        SocketChannel ch;
        while ((ch = tcpListener.accept()) != null) {
            ch.configureBlocking(false);
            TcpConnection c = new TcpConnection(ch);
            c.connected = true;
            ch.register(reactor.selector(), SelectionKey.OP_READ, c);
        }
    }

    private void dispatch(SipMessage msg, Path path) {
        if (!msg.isRequest()) {
            String branch = msg.topBranch();
            ClientTransaction tx = branch == null ? null : clientTransactions.get(branch);
            if (tx == null) {
                LOG.debug("response without transaction: {}", msg);
                return;
            }
            tx.onResponse(msg);
            return;
        }
        if (msg.method().equals("ACK")) {
            handler.onRequest(msg, null); // ACK for a 2xx has its own branch and no transaction
            return;
        }
        String branch = msg.topBranch();
        String key = (branch != null ? branch : msg.callId() + "/" + msg.cseqNumber()) + "/" + msg.method();
        ServerTransaction fresh = new ServerTransaction(key, path);
        ServerTransaction existing = serverTransactions.putIfAbsent(key, fresh);
        if (existing != null) {
            stats.retransmissionsReceived.increment();
            existing.resend();
            return;
        }
        // 64*T1 after the request its retransmissions have stopped (RFC 3261 timer J).
        timer.schedule(() -> serverTransactions.remove(key), 64 * T1_MS, TimeUnit.MILLISECONDS);
        handler.onRequest(msg, fresh);
    }

    @Override
    public void close() {
        for (ClientTransaction tx : clientTransactions.values()) {
            tx.fail(new IOException("simulator closed"));
        }
        try {
            if (udp != null) {
                udp.close();
            } else {
                tcpListener.close();
            }
        } catch (IOException ignored) {
            // closing
        }
    }

    /** The response side of one incoming request: responses sent are kept to answer retransmissions. */
    final class ServerTransaction {
        private final String key;
        private final Path path;
        private volatile byte[] last;

        ServerTransaction(String key, Path path) {
            this.key = key;
            this.path = path;
        }

        void respond(SipMessage response) {
            byte[] bytes = response.encode();
            last = bytes;
            write(bytes);
        }

        /** Sends the last response again (a retransmitted request, or the 2xx of an INVITE awaiting ACK). */
        void resend() {
            byte[] bytes = last;
            if (bytes != null) {
                write(bytes);
            }
        }

        boolean reliable() {
            return path.reliable();
        }

        private void write(byte[] bytes) {
            try {
                path.send(bytes);
            } catch (IOException e) {
                LOG.debug("response not sent ({}): {}", key, e.toString());
            }
        }
    }

    private final class ClientTransaction {
        final String branch;
        final String method;
        final byte[] bytes;
        final Path path;
        final CompletableFuture<SipMessage> result = new CompletableFuture<>();
        volatile ScheduledFuture<?> retransmit;
        volatile ScheduledFuture<?> timeout;
        volatile boolean provisional;

        ClientTransaction(String branch, String method, byte[] bytes, Path path) {
            this.branch = branch;
            this.method = method;
            this.bytes = bytes;
            this.path = path;
        }

        void transmit() {
            try {
                path.send(bytes);
            } catch (IOException e) {
                fail(e);
            }
        }

        void retransmit(long intervalMs) {
            if (result.isDone()) {
                return;
            }
            stats.retransmissionsSent.increment();
            transmit();
            // After a provisional response a non-INVITE request is repeated every T2 (timer E).
            long next = provisional ? T2_MS : Math.min(intervalMs * 2, T2_MS);
            retransmit = timer.schedule(() -> retransmit(next), next, TimeUnit.MILLISECONDS);
        }

        void onResponse(SipMessage response) {
            if (response.status() < 200) {
                provisional = true;
                return;
            }
            if (!method.equals(response.cseqMethod())) {
                return;
            }
            finish();
            result.complete(response);
        }

        void fail(Exception e) {
            finish();
            result.completeExceptionally(e);
        }

        private void finish() {
            clientTransactions.remove(branch, this);
            ScheduledFuture<?> r = retransmit;
            if (r != null) {
                r.cancel(false);
            }
            ScheduledFuture<?> t = timeout;
            if (t != null) {
                t.cancel(false);
            }
        }
    }

    private final class UdpPath implements Path {
        private final InetSocketAddress to;

        UdpPath(InetSocketAddress to) {
            this.to = to;
        }

        @Override
        public void send(byte[] bytes) throws IOException {
            if (udp.send(ByteBuffer.wrap(bytes), to) == 0) {
                stats.sipSendDrops.increment(); // socket buffer full: the retransmission timer covers it
            }
        }

        @Override
        public boolean reliable() {
            return false;
        }
    }

    /** One SIP TCP connection; writes are queued while it connects or while the socket buffer is full. */
    final class TcpConnection implements Path, Reactor.IoHandler {
        final SocketChannel channel;
        private final SipStreamDecoder decoder = new SipStreamDecoder();
        private final ArrayDeque<ByteBuffer> queue = new ArrayDeque<>();
        private final ByteBuffer readBuffer = ByteBuffer.allocate(16384);
        volatile boolean connected;
        volatile boolean closed;

        TcpConnection(SocketChannel channel) {
            this.channel = channel;
        }

        @Override
        public boolean reliable() {
            return true;
        }

        @Override
        public synchronized void send(byte[] bytes) throws IOException {
            if (closed) {
                throw new IOException("SIP connection closed");
            }
            ByteBuffer b = ByteBuffer.wrap(bytes);
            if (connected && queue.isEmpty()) {
                channel.write(b);
                if (!b.hasRemaining()) {
                    return;
                }
            }
            queue.add(b);
            if (connected) {
                reactor.execute(() -> {
                    SelectionKey k = channel.keyFor(reactor.selector());
                    if (k != null && k.isValid()) {
                        k.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                    }
                });
            }
        }

        @Override
        public boolean usable() {
            return !closed;
        }

        @Override
        public void ready(SelectionKey k) throws IOException {
            if (k.isConnectable()) {
                channel.finishConnect();
                synchronized (this) {
                    connected = true;
                    k.interestOps(SelectionKey.OP_READ | (queue.isEmpty() ? 0 : SelectionKey.OP_WRITE));
                }
                return;
            }
            if (k.isWritable()) {
                synchronized (this) {
                    while (!queue.isEmpty()) {
                        ByteBuffer b = queue.peek();
                        channel.write(b);
                        if (b.hasRemaining()) {
                            break;
                        }
                        queue.poll();
                    }
                    k.interestOps(SelectionKey.OP_READ | (queue.isEmpty() ? 0 : SelectionKey.OP_WRITE));
                }
            }
            if (k.isValid() && k.isReadable()) {
                readBuffer.clear();
                int n = channel.read(readBuffer);
                if (n < 0) {
                    failed(k, new IOException("closed by peer"));
                    return;
                }
                readBuffer.flip();
                decoder.feed(readBuffer, msg -> dispatch(msg, this));
            }
        }

        @Override
        public void failed(SelectionKey k, Exception e) {
            close();
        }

        void close() {
            synchronized (this) {
                closed = true;
                queue.clear();
            }
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
