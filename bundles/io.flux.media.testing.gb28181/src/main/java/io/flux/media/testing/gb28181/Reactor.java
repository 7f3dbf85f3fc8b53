package io.flux.media.testing.gb28181;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One selector thread for every socket of a simulator except the RTP senders: SIP over UDP and TCP, media TCP
 * connects, accepts and close detection. Handlers run on this thread and must not block.
 */
final class Reactor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Reactor.class);

    /** Called when a registered channel is ready for the operations it asked for. */
    interface IoHandler {
        void ready(SelectionKey key) throws IOException;

        /** The handler threw or its channel broke: release it. */
        default void failed(SelectionKey key, Exception e) {
            key.cancel();
            try {
                key.channel().close();
            } catch (IOException ignored) {
                // closing a broken channel
            }
        }
    }

    private final Selector selector;
    private final Thread thread;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private volatile boolean running = true;

    Reactor(String name) throws IOException {
        selector = Selector.open();
        thread = new Thread(this::loop, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** The selector, for registering channels from handlers already running on the reactor thread. */
    Selector selector() {
        return selector;
    }

    boolean inReactor() {
        return Thread.currentThread() == thread;
    }

    /** Runs the task on the reactor thread (soon, after the current select). */
    void execute(Runnable task) {
        tasks.add(task);
        if (!inReactor()) {
            selector.wakeup();
        }
    }

    /** Registers the (non-blocking) channel; the returned key is available to the handler. */
    void register(SelectableChannel channel, int ops, IoHandler handler) {
        execute(() -> {
            try {
                channel.register(selector, ops, handler);
            } catch (ClosedChannelException e) {
                LOG.debug("channel closed before registration");
            }
        });
    }

    private void loop() {
        while (running) {
            try {
                selector.select(1000);
                Runnable task;
                while ((task = tasks.poll()) != null) {
                    try {
                        task.run();
                    } catch (RuntimeException e) {
                        LOG.warn("reactor task failed", e);
                    }
                }
                for (SelectionKey key : selector.selectedKeys()) {
                    IoHandler handler = (IoHandler) key.attachment();
                    try {
                        if (key.isValid()) {
                            handler.ready(key);
                        }
                    } catch (IOException | RuntimeException e) {
                        LOG.debug("I/O handler failed: {}", e.toString());
                        handler.failed(key, e);
                    }
                }
                selector.selectedKeys().clear();
            } catch (IOException e) {
                LOG.warn("selector failed", e);
            }
        }
        for (SelectionKey key : selector.keys()) {
            try {
                key.channel().close();
            } catch (IOException ignored) {
                // shutting down
            }
        }
        try {
            selector.close();
        } catch (IOException ignored) {
            // shutting down
        }
    }

    @Override
    public void close() {
        running = false;
        selector.wakeup();
        if (!inReactor()) {
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
