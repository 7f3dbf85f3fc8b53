package io.flux.media.storage.nas.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

import javax.net.SocketFactory;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.hierynomus.mserref.NtStatus;
import com.hierynomus.mssmb2.SMBApiException;
import com.hierynomus.smbj.SMBClient;
import com.hierynomus.smbj.SmbConfig;
import com.hierynomus.smbj.auth.AuthenticationContext;
import com.hierynomus.smbj.connection.Connection;
import com.hierynomus.smbj.session.Session;
import com.hierynomus.smbj.share.DiskShare;
import com.hierynomus.smbj.share.Share;

/**
 * One SMB connection, session and tree connect to the share, built on demand. A connection found dead, or
 * reported broken by an operation ({@link #invalidate}), is dropped and rebuilt by the next call. A failed
 * attempt starts a backoff (doubling from the minimum up to the maximum): calls meanwhile fail at once with
 * the last error instead of hammering the server, so wrong credentials cost one attempt per backoff step.
 */
final class ShareConnector implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ShareConnector.class);

    record Credentials(String domain, String user, String password) {
        @Override
        public String toString() {
            // Records print every component; the password must never reach a log line.
            return (domain == null || domain.isEmpty() ? "" : domain + "\\") + user;
        }
    }

    record Backoff(long minMillis, long maxMillis) {
        Backoff {
            if (minMillis <= 0 || maxMillis < minMillis) {
                throw new IllegalArgumentException("reconnect backoff must satisfy 0 < min <= max, got " + minMillis
                        + ".." + maxMillis + " ms");
            }
        }
    }

    /** The share cannot be reached right now; {@code reason} is the metric label. */
    static final class UnavailableException extends IOException {
        private static final long serialVersionUID = 1L;
        final String reason;

        UnavailableException(String message, String reason, Throwable cause) {
            super(message, cause);
            this.reason = reason;
        }
    }

    private final ShareUrl url;
    private final SMBClient client;
    private final LongSupplier nanoClock;
    private final AtomicInteger attempts = new AtomicInteger();

    // Guarded by this.
    private Credentials credentials;
    private Backoff backoff;
    private Connection connection;
    private DiskShare share;
    private UnavailableException lastFailure;
    private long delayMillis;
    private long retryAtNanos;

    ShareConnector(ShareUrl url, Credentials credentials, Backoff backoff, int connectTimeoutMillis,
            int ioTimeoutMillis) {
        this(url, credentials, backoff, newClient(connectTimeoutMillis, ioTimeoutMillis), System::nanoTime);
    }

    ShareConnector(ShareUrl url, Credentials credentials, Backoff backoff, SMBClient client, LongSupplier nanoClock) {
        this.url = url;
        this.credentials = credentials;
        this.backoff = backoff;
        this.client = client;
        this.nanoClock = nanoClock;
    }

    static SMBClient newClient(int connectTimeoutMillis, int ioTimeoutMillis) {
        SmbConfig config = SmbConfig.builder()
                .withSecurityProvider(new FastSigningSecurityProvider())
                .withSocketFactory(new TimedSocketFactory(connectTimeoutMillis))
                // Bounds the wait for each response; the socket itself has no read timeout because an idle
                // connection is normal.
                .withTimeout(ioTimeoutMillis, TimeUnit.MILLISECONDS)
                .withMultiProtocolNegotiate(true)
                .withDfsEnabled(false)
                .build();
        return new SMBClient(config);
    }

    ShareUrl url() {
        return url;
    }

    /** How many connection attempts were made (for tests and diagnostics). */
    int attempts() {
        return attempts.get();
    }

    /** The live share, connecting first when there is none; fails fast during a backoff. */
    synchronized DiskShare share() throws UnavailableException {
        if (share != null) {
            if (share.isConnected() && connection.isConnected()) {
                return share;
            }
            LOG.info("Connection to {} is gone; reconnecting", url);
            dropLocked();
        }
        long now = nanoClock.getAsLong();
        if (lastFailure != null && now - retryAtNanos < 0) {
            long waitMs = TimeUnit.NANOSECONDS.toMillis(retryAtNanos - now) + 1;
            throw new UnavailableException("NAS share " + url + " is unavailable, next connection attempt in "
                    + waitMs + " ms; last error: " + lastFailure.getMessage(), lastFailure.reason, lastFailure);
        }
        attempts.incrementAndGet();
        try {
            connectLocked();
        } catch (UnavailableException e) {
            delayMillis = delayMillis == 0 ? backoff.minMillis() : Math.min(backoff.maxMillis(), delayMillis * 2);
            retryAtNanos = now + TimeUnit.MILLISECONDS.toNanos(delayMillis);
            boolean first = lastFailure == null;
            lastFailure = e;
            if (first) {
                LOG.warn("{}; retrying in {} ms, backing off up to {} ms", e.getMessage(), delayMillis,
                        backoff.maxMillis());
            } else {
                LOG.debug("{}; next attempt in {} ms", e.getMessage(), delayMillis);
            }
            throw e;
        }
        if (lastFailure != null) {
            LOG.info("Reconnected to {} as {}", url, credentials);
        } else {
            LOG.info("Connected to {} as {}", url, credentials);
        }
        lastFailure = null;
        delayMillis = 0;
        return share;
    }

    /** An operation on {@code broken} failed at the transport or session level: the next call reconnects. */
    synchronized void invalidate(DiskShare broken, Throwable cause) {
        if (share == broken && share != null) {
            LOG.warn("Dropping the connection to {} after: {}", url, cause.toString());
            dropLocked();
        }
    }

    /**
     * New credentials or backoff bounds. New credentials drop the current connection (operations in flight on
     * it fail) and end any backoff, so the next call authenticates with them at once.
     */
    synchronized void update(Credentials newCredentials, Backoff newBackoff) {
        this.backoff = newBackoff;
        if (!newCredentials.equals(credentials)) {
            this.credentials = newCredentials;
            LOG.info("NAS credentials for {} changed (now {}); reconnecting on the next call", url, newCredentials);
            dropLocked();
            lastFailure = null;
            delayMillis = 0;
        }
    }

    /** Whether a share is connected now, without trying to connect. */
    synchronized boolean connected() {
        return share != null && share.isConnected() && connection.isConnected();
    }

    /** The last connection failure while no connection is up, or null. */
    synchronized IOException lastFailure() {
        return lastFailure;
    }

    @Override
    public synchronized void close() {
        dropLocked();
        client.close();
    }

    private void connectLocked() throws UnavailableException {
        Connection c;
        try {
            c = client.connect(url.host(), url.port());
        } catch (IOException | RuntimeException e) {
            throw new UnavailableException("cannot connect to NAS " + url + ": " + rootMessage(e), "unreachable", e);
        }
        try {
            Credentials cr = credentials;
            AuthenticationContext auth = cr.user() == null || cr.user().isEmpty()
                    ? AuthenticationContext.anonymous()
                    : new AuthenticationContext(cr.user(), cr.password() == null ? new char[0]
                            : cr.password().toCharArray(), cr.domain() == null ? "" : cr.domain());
            Session session;
            try {
                session = c.authenticate(auth);
            } catch (SMBApiException e) {
                throw new UnavailableException("NAS " + url + " refused the login of " + cr + ": "
                        + describe(e.getStatus()), "auth", e);
            }
            Share s;
            try {
                s = session.connectShare(url.share());
            } catch (SMBApiException e) {
                String reason = e.getStatus() == NtStatus.STATUS_ACCESS_DENIED ? "auth" : "unreachable";
                throw new UnavailableException("NAS " + url + ": cannot open share '" + url.share() + "' as " + cr
                        + ": " + describe(e.getStatus()), reason, e);
            }
            if (!(s instanceof DiskShare disk)) {
                s.close();
                throw new UnavailableException("NAS " + url + ": '" + url.share() + "' is not a disk share",
                        "unreachable", null);
            }
            ensureBaseDir(disk);
            connection = c;
            share = disk;
        } catch (UnavailableException e) {
            closeQuietly(c);
            throw e;
        } catch (IOException | RuntimeException e) {
            closeQuietly(c);
            throw new UnavailableException("cannot connect to NAS " + url + ": " + rootMessage(e), "unreachable", e);
        }
    }

    private void ensureBaseDir(DiskShare disk) {
        StringBuilder path = new StringBuilder();
        for (String segment : url.baseDir()) {
            if (path.length() > 0) {
                path.append('\\');
            }
            path.append(segment);
            if (!disk.folderExists(path.toString())) {
                try {
                    disk.mkdir(path.toString());
                } catch (SMBApiException e) {
                    if (e.getStatus() != NtStatus.STATUS_OBJECT_NAME_COLLISION) {
                        throw e;
                    }
                }
            }
        }
    }

    private void dropLocked() {
        Connection c = connection;
        connection = null;
        share = null;
        if (c != null) {
            closeQuietly(c);
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            // Forced: a dead server would make a polite logoff wait for the I/O timeout.
            c.close(true);
        } catch (IOException | RuntimeException e) {
            LOG.debug("Closing an SMB connection failed: {}", e.toString());
        }
    }

    static String describe(NtStatus status) {
        if (status == null) {
            return "unknown status";
        }
        return switch (status) {
            case STATUS_LOGON_FAILURE -> "wrong user, domain or password (STATUS_LOGON_FAILURE)";
            case STATUS_ACCOUNT_DISABLED, STATUS_PASSWORD_EXPIRED,
                    STATUS_LOGON_TYPE_NOT_GRANTED -> "the account may not log in (" + status + ")";
            case STATUS_ACCESS_DENIED -> "access denied (STATUS_ACCESS_DENIED)";
            case STATUS_BAD_NETWORK_NAME -> "no such share (STATUS_BAD_NETWORK_NAME)";
            default -> status.name();
        };
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage();
        return t == e ? String.valueOf(m) : e.getMessage() + " (" + t.getClass().getSimpleName()
                + (m == null ? "" : ": " + m) + ")";
    }

    /** smbj connects with {@link SocketFactory#createSocket(String, int)}, which has no timeout: add one. */
    static final class TimedSocketFactory extends SocketFactory {
        private final int connectTimeoutMillis;

        TimedSocketFactory(int connectTimeoutMillis) {
            this.connectTimeoutMillis = connectTimeoutMillis;
        }

        @Override
        public Socket createSocket() {
            return new Socket();
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return connect(new InetSocketAddress(host, port));
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            return createSocket(host, port);
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return connect(new InetSocketAddress(host, port));
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
                throws IOException {
            return createSocket(address, port);
        }

        private Socket connect(InetSocketAddress address) throws IOException {
            Socket s = new Socket();
            try {
                s.setTcpNoDelay(true);
                s.connect(address, connectTimeoutMillis);
                return s;
            } catch (IOException e) {
                s.close();
                throw e;
            }
        }
    }
}
