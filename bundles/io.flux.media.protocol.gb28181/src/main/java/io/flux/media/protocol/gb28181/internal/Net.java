package io.flux.media.protocol.gb28181.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.util.HexFormat;

/** Addresses and tokens for the SIP side. */
final class Net {

    private static final SecureRandom RANDOM = new SecureRandom();

    private Net() {
    }

    /** True for {@code 0.0.0.0}, {@code ::} and the like. */
    static boolean isWildcard(String address) {
        try {
            return InetAddress.getByName(address).isAnyLocalAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /**
     * The local address to announce to a device: {@code bindAddress} unless it is the wildcard; then the
     * address the operating system would send from towards {@code remoteHost} (a connected UDP socket sends
     * nothing, it only asks the routing table), so multi-homed hosts announce the interface facing the device.
     */
    static String localAddressFor(String bindAddress, String remoteHost) {
        if (!isWildcard(bindAddress)) {
            return bindAddress;
        }
        try (DatagramSocket probe = new DatagramSocket()) {
            probe.connect(new InetSocketAddress(InetAddress.getByName(remoteHost), 9));
            InetAddress local = probe.getLocalAddress();
            if (local == null || local.isAnyLocalAddress()) {
                return InetAddress.getLocalHost().getHostAddress();
            }
            return local.getHostAddress();
        } catch (IOException e) {
            throw new UncheckedIOException("no route to " + remoteHost, e);
        }
    }

    /** A host for a SIP URI: IPv6 literals in brackets. */
    static String uriHost(String host) {
        return host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    /** A From/To tag. */
    static String tag() {
        byte[] b = new byte[6];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
