package io.flux.media.protocol.gb28181.internal.media;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.util.concurrent.ThreadLocalRandom;

/** Free loopback port ranges, and whether a port can be bound again (nothing leaked). */
final class Ports {

    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private Ports() {
    }

    /** The first port of {@code n} consecutive ports free for UDP and TCP on loopback (checked now). */
    static int freeRange(int n) {
        for (int attempt = 0; attempt < 200; attempt++) {
            int base = ThreadLocalRandom.current().nextInt(20_000, 60_000 - n);
            boolean free = true;
            for (int p = base; p < base + n && free; p++) {
                free = udpBindable(p) && tcpBindable(p);
            }
            if (free) {
                return base;
            }
        }
        throw new IllegalStateException("no free range of " + n + " ports");
    }

    static boolean udpBindable(int port) {
        try (DatagramChannel ch = DatagramChannel.open()) {
            ch.bind(new InetSocketAddress(LOOPBACK, port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static boolean tcpBindable(int port) {
        try (ServerSocketChannel ch = ServerSocketChannel.open()) {
            // As any server would (and the JDK does by default on Linux): TIME_WAIT leftovers do not block it.
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            ch.bind(new InetSocketAddress(LOOPBACK, port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
