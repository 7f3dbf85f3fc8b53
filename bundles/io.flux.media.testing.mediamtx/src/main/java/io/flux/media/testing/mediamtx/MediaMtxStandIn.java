package io.flux.media.testing.mediamtx;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.sun.net.httpserver.HttpServer;

/**
 * An in-process stand-in for MediaMTX v1.20.1: the v3 control API (info, path configs, runtime paths, recordings)
 * on one port and the playback server ({@code /list}, {@code /get}) on another, both on 127.0.0.1. It answers with
 * the real server's status codes and bodies (see the module README), keeps its state in memory, and has switches
 * for the failures a client must survive ({@link #fault(Fault)}). Media is simulated: {@link #publish} makes a
 * path online, {@link #addRecording} makes recorded segments appear. Thread-safe.
 *
 * <pre>{@code
 * try (MediaMtxStandIn mtx = MediaMtxStandIn.start()) {
 *     client.get(mtx.apiUrl() + "/v3/paths/list");
 * }
 * }</pre>
 */
public final class MediaMtxStandIn implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MediaMtxStandIn.class);

    /** The version {@code /v3/info} reports. */
    public static final String VERSION = "v1.20.1";

    /** How the stand-in misbehaves. */
    public enum Fault {
        /** Normal operation. Switching back to NONE from REFUSE listens again on the same ports. */
        NONE,
        /** Listening sockets closed: connections are refused (API and playback). */
        REFUSE,
        /** Connections accepted and requests read, but never answered (until the fault changes or close()). */
        HANG,
        /** Every request answered 500 {@code {"status":"error","error":"internal error"}}. */
        ERROR_500
    }

    /** One request as received (before auth and faults are applied); query and body may be empty. */
    public record Request(String method, String path, String query, String body, String server) {

        /** {@code "METHOD /path"}, the form {@link #requests()} lists. */
        public String line() {
            return method + " " + path;
        }
    }

    /** Options for {@link #start()}; ports 0 mean free ports. */
    public static final class Builder {
        private int apiPort;
        private int playbackPort;
        private String user;
        private String password;

        private Builder() {
        }

        public Builder apiPort(int port) {
            this.apiPort = port;
            return this;
        }

        public Builder playbackPort(int port) {
            this.playbackPort = port;
            return this;
        }

        /** Require HTTP Basic with these credentials on API and playback (null user = no authentication). */
        public Builder credentials(String user, String password) {
            this.user = user;
            this.password = password;
            return this;
        }

        public MediaMtxStandIn start() {
            MediaMtxStandIn standIn = new MediaMtxStandIn(apiPort, playbackPort);
            standIn.credentials(user, password);
            return standIn;
        }
    }

    private final Object lock = new Object();
    private final Instant started = Instant.now();
    private final ExecutorService executor;
    private final StandInState state = new StandInState();
    private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
    private final ApiHandler apiHandler;
    private final PlaybackHandler playbackHandler;

    private volatile Fault fault = Fault.NONE;
    private volatile String[] credentials; // {user, password} or null
    private volatile boolean closed;
    private HttpServer apiServer;
    private HttpServer playbackServer;
    private final int apiPort;
    private final int playbackPort;

    private MediaMtxStandIn(int requestedApiPort, int requestedPlaybackPort) {
        AtomicInteger threads = new AtomicInteger();
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "mediamtx-standin-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.apiHandler = new ApiHandler(this, state);
        this.playbackHandler = new PlaybackHandler(this, state);
        try {
            apiServer = bind(requestedApiPort, new Front(this, "api", apiHandler));
            playbackServer = bind(requestedPlaybackPort, new Front(this, "playback", playbackHandler));
        } catch (IOException e) {
            if (apiServer != null) {
                apiServer.stop(0);
            }
            executor.shutdownNow();
            throw new UncheckedIOException("cannot listen", e);
        }
        this.apiPort = apiServer.getAddress().getPort();
        this.playbackPort = playbackServer.getAddress().getPort();
        LOG.debug("MediaMTX stand-in listening: api {}, playback {}", apiUrl(), playbackUrl());
    }

    /** Starts a stand-in on free ports without authentication. */
    public static MediaMtxStandIn start() {
        return builder().start();
    }

    public static Builder builder() {
        return new Builder();
    }

    private HttpServer bind(int port, Front front) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
        server.createContext("/", front);
        server.setExecutor(executor);
        server.start();
        return server;
    }

    /** {@code http://127.0.0.1:PORT} of the control API (no trailing slash). */
    public String apiUrl() {
        return "http://127.0.0.1:" + apiPort;
    }

    /** {@code http://127.0.0.1:PORT} of the playback server (no trailing slash). */
    public String playbackUrl() {
        return "http://127.0.0.1:" + playbackPort;
    }

    public int apiPort() {
        return apiPort;
    }

    public int playbackPort() {
        return playbackPort;
    }

    /** The time {@code /v3/info} reports as {@code started}. */
    public Instant started() {
        return started;
    }

    /** Requires HTTP Basic with these credentials from now on; a null user turns authentication off. */
    public void credentials(String user, String password) {
        this.credentials = user == null ? null : new String[] {user, password == null ? "" : password};
    }

    /** Current credentials as {user, password}, or null. */
    String[] credentials() {
        return credentials;
    }

    /** Switches the failure mode; takes effect for the next request (REFUSE and back: at once). */
    public void fault(Fault newFault) {
        Objects.requireNonNull(newFault, "fault");
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("closed");
            }
            Fault old = this.fault;
            if (newFault == Fault.REFUSE && old != Fault.REFUSE) {
                apiServer.stop(0);
                playbackServer.stop(0);
            } else if (newFault != Fault.REFUSE && old == Fault.REFUSE) {
                try {
                    apiServer = bind(apiPort, new Front(this, "api", apiHandler));
                    playbackServer = bind(playbackPort, new Front(this, "playback", playbackHandler));
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot listen again on " + apiPort + "/" + playbackPort, e);
                }
            }
            this.fault = newFault;
            lock.notifyAll(); // releases hung requests
        }
        LOG.info("MediaMTX stand-in fault {}", newFault);
    }

    public Fault fault() {
        return fault;
    }

    /** Blocks a request while the fault is HANG; returns false when the request must be dropped unanswered. */
    boolean awaitNotHanging() {
        synchronized (lock) {
            if (fault != Fault.HANG) {
                return true;
            }
            while (fault == Fault.HANG && !closed) {
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return false;
        }
    }

    void record(Request request) {
        requests.add(request);
    }

    /** Every request received so far as {@code "METHOD /path"} (path decoded, without query), oldest first. */
    public List<String> requests() {
        synchronized (requests) {
            return requests.stream().map(Request::line).toList();
        }
    }

    /** Every request received so far, with query, body and which server ("api" or "playback") got it. */
    public List<Request> requestLog() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    public void clearRequests() {
        requests.clear();
    }

    /** Snapshot of the path configurations, name to full JSON object (as {@code /v3/config/paths/get} answers). */
    public Map<String, Map<String, Object>> pathConfigs() {
        return state.pathConfigs();
    }

    /** One path configuration as {@code /v3/config/paths/get} answers it, or null. */
    public Map<String, Object> pathConfig(String name) {
        return state.pathConfigs().get(name);
    }

    /**
     * Adds a path configuration directly, as if it were in mediamtx.yml; fields as in the API body.
     *
     * @throws IllegalArgumentException on an invalid name or field, or when the path exists
     */
    public void addPathConfig(String name, Map<String, Object> fields) {
        state.addDirect(name, fields == null ? Map.of() : fields);
    }

    /**
     * Simulates a publisher (for a {@code publisher} path: an RTSP session) or, for a pull path, the upstream source
     * becoming ready: the runtime path goes online with these track codecs ({@code "H264"}, {@code "H265"},
     * {@code "MPEG-4 Audio"}, ...; none given = one H264 track).
     *
     * @throws IllegalArgumentException when no path configuration has this name (MediaMTX refuses the publisher)
     */
    public void publish(String name, String... tracks) {
        state.publish(name, null, tracks == null || tracks.length == 0 ? List.of("H264") : List.of(tracks));
    }

    /** As {@link #publish(String, String...)} with an explicit source type such as {@code rtmpConn}. */
    public void publishAs(String name, String sourceType, String... tracks) {
        state.publish(name, Objects.requireNonNull(sourceType, "sourceType"),
                tracks == null || tracks.length == 0 ? List.of("H264") : List.of(tracks));
    }

    /** Ends the simulated publisher / upstream: the path goes offline (it stays configured). */
    public void unpublish(String name) {
        state.unpublish(name);
    }

    /** Sets the byte counters the runtime path reports (inboundBytes/bytesReceived, outboundBytes/bytesSent). */
    public void traffic(String name, long bytesReceived, long bytesSent) {
        state.traffic(name, bytesReceived, bytesSent);
    }

    /** Adds a simulated reader ({@code rtspSession}, {@code hlsMuxer}, {@code webRTCSession}, ...); returns its id. */
    public String addReader(String name, String type) {
        String id = UUID.randomUUID().toString();
        state.addReader(name, type, id);
        return id;
    }

    public void removeReader(String name, String id) {
        state.removeReader(name, id);
    }

    /**
     * Simulates a recorded segment of a path (a file the recorder wrote). Recordings are visible through the API and
     * the playback server only while a path configuration with this name exists, as MediaMTX looks for them through
     * the path configurations.
     */
    public void addRecording(String name, Instant start, Duration duration) {
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(duration, "duration");
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("duration must be positive");
        }
        state.addRecording(name, start, duration);
    }

    /** The simulated segments of a path, start to duration, oldest first (whether or not the path is configured). */
    public Map<Instant, Duration> recordings(String name) {
        return state.recordingsOf(name);
    }

    /** Forgets every configuration, publisher, reader, recording and logged request; fault and credentials stay. */
    public void reset() {
        state.reset();
        clearRequests();
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            lock.notifyAll();
            if (fault != Fault.REFUSE) {
                apiServer.stop(0);
                playbackServer.stop(0);
            }
        }
        executor.shutdownNow();
        LOG.debug("MediaMTX stand-in stopped");
    }
}
