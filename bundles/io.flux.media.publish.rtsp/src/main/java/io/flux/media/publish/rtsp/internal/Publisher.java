package io.flux.media.publish.rtsp.internal;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import io.flux.media.api.sample.AudioSample;
import io.flux.media.api.sample.MediaSample;
import io.flux.media.api.sample.VideoSample;
import io.flux.media.api.stream.StreamId;
import io.flux.media.api.stream.StreamInfo;
import io.flux.media.api.streaming.PathConfig;
import io.flux.media.api.streaming.PathUrls;
import io.flux.media.api.streaming.StreamingServer;
import io.flux.media.api.streaming.StreamingServerException;
import io.flux.media.publish.rtsp.internal.PublishMetrics.Reason;
import io.flux.media.publish.rtsp.internal.RtspConnection.StatusException;

/**
 * Publishes one live stream to one streaming server: a sender (virtual) thread waits for a keyframe with parameter
 * sets, adds the server path (an existing one is reused), runs the RTSP publish (OPTIONS, ANNOUNCE, SETUP per
 * track, RECORD, interleaved RTP, periodic keep-alives) and reconnects with exponential backoff while the stream is
 * live. When stopped it sends TEARDOWN, closes the connection and deletes the path. The media core thread only
 * calls {@link #offer}, which never blocks.
 */
final class Publisher {

    private static final Logger LOG = LoggerFactory.getLogger(Publisher.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration INITIAL_BACKOFF = Duration.ofSeconds(1);
    private static final Duration TEARDOWN_WAIT = Duration.ofSeconds(2);
    private static final Duration PREDECESSOR_WAIT = Duration.ofSeconds(15);
    /** Bounds one GOP's samples in the queue (a stream that never sends another keyframe). */
    private static final int MAX_QUEUED_SAMPLES = 8192;
    private static final Pattern INTERLEAVED = Pattern.compile("interleaved=(\\d+)(?:-(\\d+))?");
    private static final Pattern TIMEOUT = Pattern.compile("timeout=(\\d+)");

    enum State {
        /** Waiting for a keyframe that carries parameter sets. */
        WAITING_FOR_KEYFRAME,
        /** Adding the path, connecting, announcing. */
        CONNECTING,
        /** RECORD accepted, RTP flowing. */
        PUBLISHING,
        /** The last attempt failed; the next one follows after a backoff. */
        RECONNECTING,
        STOPPED
    }

    private final StreamId id;
    private final String pathName;
    private final StreamingServer server;
    private final Supplier<Settings> settings;
    private final Function<StreamId, Optional<StreamInfo>> streams;
    private final PublishMetrics metrics;
    private final Publisher predecessor;
    private final SampleQueue queue;
    private final int maxPayload;
    private final Thread thread;
    private volatile State state = State.WAITING_FOR_KEYFRAME;
    private volatile RtspConnection connection;
    private volatile String lastError;

    Publisher(StreamId id, String pathName, StreamingServer server, Supplier<Settings> settings,
            Function<StreamId, Optional<StreamInfo>> streams, PublishMetrics metrics, Publisher predecessor,
            int maxPayload) {
        this.id = id;
        this.pathName = pathName;
        this.server = server;
        this.settings = settings;
        this.streams = streams;
        this.metrics = metrics;
        this.predecessor = predecessor;
        this.maxPayload = maxPayload;
        this.queue = new SampleQueue(settings.get().maxQueuedGops(), MAX_QUEUED_SAMPLES);
        this.thread = Thread.ofVirtual().name("flux-rtsp-publish-" + id).unstarted(this::run);
    }

    void start() {
        thread.start();
    }

    StreamId id() {
        return id;
    }

    String pathName() {
        return pathName;
    }

    StreamingServer server() {
        return server;
    }

    State state() {
        return state;
    }

    String lastError() {
        return lastError;
    }

    long droppedGops() {
        return queue.droppedGops();
    }

    /** Hands a sample over without blocking; whole GOPs go when the sender is behind. */
    void offer(MediaSample sample) {
        int dropped = queue.offer(sample);
        if (dropped > 0) {
            metrics.gopsDropped(dropped);
            try (var mdc = MDC.putCloseable("stream_id", id.value())) {
                LOG.debug("RTSP publisher behind: dropped {} GOP(s) ({} in all)", dropped, queue.droppedGops());
            }
        }
    }

    /**
     * Asks the sender to finish: {@code drain} sends what is queued first (the stream ended), otherwise it is
     * dropped (publishing disabled, server gone). Never blocks.
     */
    void stop(boolean drain) {
        queue.close(!drain);
    }

    /** Waits for the sender to finish; a sender stuck writing to a server that does not read is cut off. */
    boolean awaitStopped(Duration wait) throws InterruptedException {
        if (!thread.isAlive()) {
            return true;
        }
        if (thread.join(wait)) {
            return true;
        }
        RtspConnection c = connection;
        if (c != null) {
            c.close();
        }
        return thread.join(Duration.ofSeconds(5));
    }

    private void run() {
        try (var mdc = MDC.putCloseable("stream_id", id.value())) {
            if (predecessor != null && !predecessor.awaitStopped(PREDECESSOR_WAIT)) {
                LOG.warn("Previous RTSP publisher of path {} did not stop in time", pathName);
            }
            publish();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("RTSP publisher of path {} failed", pathName, e);
        } finally {
            state = State.STOPPED;
        }
    }

    private void publish() throws InterruptedException {
        boolean pathAdded = false;
        try {
            SampleQueue.Queued keyframe = nextKeyframe();
            Tracks tracks = null;
            while (keyframe != null && (tracks = tracks(keyframe)) == null) {
                keyframe = nextKeyframe();
            }
            if (keyframe == null) {
                return;
            }
            Duration backoff = INITIAL_BACKOFF;
            while (true) {
                state = State.CONNECTING;
                Session session = null;
                try {
                    addPath();
                    pathAdded = true;
                    session = open(rtspUrl(), tracks);
                    state = State.PUBLISHING;
                    metrics.sessionStarted();
                    lastError = null;
                    backoff = INITIAL_BACKOFF;
                    LOG.info("Publishing stream {} to {} ({}{})", id, session.url, tracks.video(),
                            tracks.audio() == null ? "" : " + " + tracks.audio());
                    session.send(keyframe);
                    session.pump();
                    session.teardown();
                    LOG.info("Stopped publishing stream {} to path {}", id, pathName);
                    return;
                } catch (StreamingServerException e) {
                    fail(Reason.STREAMING_SERVER, "streaming server: " + e.getMessage());
                } catch (StatusException e) {
                    fail(e.status() == 401 ? Reason.AUTH : Reason.RTSP_STATUS, e.getMessage());
                } catch (ConnectFailed e) {
                    fail(Reason.CONNECT, e.getMessage());
                } catch (IOException e) {
                    fail(Reason.IO, e.getMessage());
                } finally {
                    if (session != null) {
                        session.close();
                    }
                }
                state = State.RECONNECTING;
                if (queue.awaitClosed(backoff.toMillis())) {
                    return;
                }
                Duration max = settings.get().maxBackoff();
                backoff = backoff.multipliedBy(2).compareTo(max) > 0 ? max : backoff.multipliedBy(2);
                // Resume at a keyframe: whatever came meanwhile cannot be decoded without its GOP start.
                keyframe = nextKeyframe();
                if (keyframe == null) {
                    return;
                }
            }
        } finally {
            if (pathAdded) {
                deletePath();
            }
        }
    }

    private void fail(Reason reason, String message) {
        metrics.error(reason);
        boolean repeated = message.equals(lastError);
        lastError = message;
        if (repeated) {
            LOG.debug("RTSP publish of stream {} to path {} failed again ({}): {}", id, pathName,
                    reason.label(), message);
        } else {
            LOG.warn("RTSP publish of stream {} to path {} failed ({}): {}; retrying", id, pathName,
                    reason.label(), message);
        }
    }

    /** The next video keyframe of the stream's codec, discarding what comes before; null once stopped. */
    private SampleQueue.Queued nextKeyframe() throws InterruptedException {
        state = state == State.RECONNECTING ? State.RECONNECTING : State.WAITING_FOR_KEYFRAME;
        while (true) {
            SampleQueue.Queued q = queue.poll(1000);
            if (q == null) {
                if (queue.isClosed() && queue.size() == 0) {
                    return null;
                }
                continue;
            }
            if (q.sample() instanceof VideoSample v && v.keyframe()) {
                return q;
            }
        }
    }

    private Tracks tracks(SampleQueue.Queued queued) {
        VideoSample keyframe = (VideoSample) queued.sample();
        Optional<StreamInfo> info = streams.apply(id);
        Tracks t = Tracks.of(keyframe.codec(), keyframe.payload(), info.map(StreamInfo::video).orElse(null),
                info.map(StreamInfo::audio).orElse(null));
        if (t == null) {
            fail(Reason.UNSUPPORTED, "keyframe without complete " + keyframe.codec() + " parameter sets");
        }
        return t;
    }

    private void addPath() {
        try {
            server.addPath(pathName, PathConfig.publisher());
        } catch (StreamingServerException e) {
            if (e.reason() != StreamingServerException.Reason.CONFLICT) {
                throw e;
            }
            LOG.debug("Path {} exists already; publishing to it", pathName);
        }
    }

    private void deletePath() {
        try {
            server.deletePath(pathName);
            LOG.info("Removed path {} from the streaming server", pathName);
        } catch (StreamingServerException e) {
            if (e.reason() != StreamingServerException.Reason.NOT_FOUND) {
                metrics.error(Reason.STREAMING_SERVER);
                LOG.warn("Could not remove path {} from the streaming server: {}", pathName, e.getMessage());
            }
        } catch (RuntimeException e) {
            // The service may be unregistering under us (server bundle stopped).
            LOG.warn("Could not remove path {} from the streaming server: {}", pathName, e.toString());
        }
    }

    private URI rtspUrl() {
        PathUrls urls = server.urls(pathName);
        String rtsp = urls == null ? null : urls.rtsp();
        if (rtsp == null || rtsp.isBlank()) {
            throw new StreamingServerException(StreamingServerException.Reason.INVALID,
                    "no RTSP address configured for path " + pathName);
        }
        try {
            URI u = new URI(rtsp);
            // Credentials go in Authorization headers, never in request lines.
            return new URI(u.getScheme(), null, u.getHost(), u.getPort(), u.getPath(), u.getQuery(), null);
        } catch (URISyntaxException e) {
            throw new StreamingServerException(StreamingServerException.Reason.INVALID,
                    "bad RTSP URL '" + rtsp + "': " + e.getMessage());
        }
    }

    /** TCP connect failed (as opposed to a failure of an established connection). */
    static final class ConnectFailed extends IOException {
        private static final long serialVersionUID = 1L;

        ConnectFailed(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private Session open(URI url, Tracks tracks) throws IOException, InterruptedException {
        Settings s = settings.get();
        RtspConnection c;
        try {
            c = RtspConnection.connect(url, new RtspAuth(s.user(), s.password()), s.requestTimeout());
        } catch (IOException e) {
            throw new ConnectFailed("cannot connect to " + url.getHost() + ":" + url.getPort() + ": " + e, e);
        }
        connection = c;
        Session session = new Session(c, url, tracks, s.keepalive());
        try {
            session.handshake();
            return session;
        } catch (IOException | RuntimeException e) {
            session.close();
            throw e;
        }
    }

    /** One RTSP publish session on one connection. */
    private final class Session {

        private final RtspConnection c;
        private final String url;
        private final Tracks tracks;
        private final RtpPacketizer video;
        private final RtpPacketizer audio;
        /** Made once: packets go from the packetizer's scratch header and the sample straight to the socket buffer. */
        private final RtpPacketizer.PacketSink connectionSink;
        private int videoChannel = 0;
        private int audioChannel = 2;
        private String keepaliveMethod = "OPTIONS";
        private long keepaliveMillis;
        private long bytesCounted;
        private boolean recording;

        Session(RtspConnection c, URI url, Tracks tracks, Duration keepalive) {
            this.c = c;
            this.url = url.toString();
            this.tracks = tracks;
            this.keepaliveMillis = keepalive.toMillis();
            this.connectionSink = c::writeInterleaved;
            this.video = new RtpPacketizer(tracks.video(), Tracks.VIDEO_PAYLOAD_TYPE, MediaSample.CLOCK_RATE,
                    RANDOM.nextInt(), RANDOM.nextInt(), RANDOM.nextInt() & 0xFFFF_FFFFL, maxPayload);
            this.audio = tracks.audio() == null ? null
                    : new RtpPacketizer(tracks.audio(), Tracks.audioPayloadType(tracks.audio()), 8000,
                            RANDOM.nextInt(), RANDOM.nextInt(), RANDOM.nextInt() & 0xFFFF_FFFFL, maxPayload);
        }

        void handshake() throws IOException {
            var options = c.request("OPTIONS", url, Map.of(), null, null);
            String methods = options.header("public");
            if (methods != null && methods.toUpperCase(java.util.Locale.ROOT).contains("GET_PARAMETER")) {
                keepaliveMethod = "GET_PARAMETER";
            }
            c.request("ANNOUNCE", url, Map.of(), "application/sdp",
                    tracks.sdp("Flux " + id, c.localAddress()));
            videoChannel = setup(Tracks.VIDEO_CONTROL, 0);
            if (audio != null) {
                audioChannel = setup(Tracks.AUDIO_CONTROL, 2);
            }
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Range", "npt=0.000-");
            c.request("RECORD", url, headers, null, null);
            recording = true;
        }

        private int setup(String control, int channel) throws IOException {
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Transport", "RTP/AVP/TCP;unicast;interleaved=" + channel + "-" + (channel + 1)
                    + ";mode=record");
            var r = c.request("SETUP", url + (url.endsWith("/") ? "" : "/") + control, headers, null, null);
            String session = r.header("session");
            if (session != null) {
                Matcher m = TIMEOUT.matcher(session);
                if (m.find()) {
                    // Stay well inside the server's session timeout.
                    keepaliveMillis = Math.min(keepaliveMillis, Math.max(1000, Long.parseLong(m.group(1)) * 500));
                }
            }
            String transport = r.header("transport");
            if (transport != null) {
                Matcher m = INTERLEAVED.matcher(transport);
                if (m.find()) {
                    return Integer.parseInt(m.group(1));
                }
            }
            return channel;
        }

        /** Sends samples until the queue is closed and drained. */
        void pump() throws IOException, InterruptedException {
            long nextKeepalive = System.nanoTime() + keepaliveMillis * 1_000_000L;
            while (true) {
                long waitMillis = Math.max(0, (nextKeepalive - System.nanoTime()) / 1_000_000L);
                SampleQueue.Queued q = queue.poll(Math.min(waitMillis, 500));
                if (q != null) {
                    send(q);
                } else if (queue.isClosed() && queue.size() == 0) {
                    return;
                }
                if (c.broken()) {
                    throw new IOException("RTSP connection lost");
                }
                if (System.nanoTime() - nextKeepalive >= 0) {
                    c.send(keepaliveMethod, url);
                    nextKeepalive = System.nanoTime() + keepaliveMillis * 1_000_000L;
                }
            }
        }

        void send(SampleQueue.Queued q) throws IOException {
            MediaSample s = q.sample();
            if (s instanceof VideoSample v && v.codec() == video.codec()) {
                video.packetize(v.pts(), q.payload(), videoChannel, connectionSink);
            } else if (s instanceof AudioSample a && audio != null && a.codec() == audio.codec()) {
                audio.packetize(a.pts(), q.payload(), audioChannel, connectionSink);
            } else {
                return;
            }
            c.flush();
            long written = c.bytesWritten();
            metrics.bytes(written - bytesCounted);
            bytesCounted = written;
        }

        void teardown() {
            try {
                // A server may close without answering (ffmpeg does): do not hold the stop up for long.
                c.request("TEARDOWN", url, Map.of(), null, null, TEARDOWN_WAIT);
            } catch (IOException e) {
                LOG.debug("TEARDOWN of {} failed: {}", url, e.getMessage());
            }
        }

        void close() {
            if (recording) {
                recording = false;
                metrics.sessionEnded();
            }
            connection = null;
            c.close();
        }
    }
}
