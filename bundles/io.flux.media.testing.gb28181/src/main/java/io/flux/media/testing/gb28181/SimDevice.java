package io.flux.media.testing.gb28181;

import java.io.IOException;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One simulated GB28181 device (an IPC or NVR with channels). Registers with digest authentication, refreshes
 * before expiry, sends keepalives, answers the platform's queries and INVITEs. All of its work runs on the
 * simulator's shared threads; methods may be called from any thread.
 */
public final class SimDevice {

    /** Registration state. */
    public enum State {
        /** Never asked to register, or restarted and not yet registering. */
        IDLE,
        /** A REGISTER is under way (first registration, or again after a keepalive was refused). */
        REGISTERING,
        /** The last REGISTER was answered 200. */
        REGISTERED,
        /** The last attempt failed (see {@link #lastFailure()}); retried after the simulator's retry delay. */
        FAILED,
        /** Unregistered (Expires: 0) on request. */
        UNREGISTERED
    }

    private static final Logger LOG = LoggerFactory.getLogger(SimDevice.class);
    private static final int MAX_AUTH_ROUNDS = 4;
    private static final int KEEPALIVE_MISSES_BEFORE_REREGISTER = 3;

    private final GbSimulator sim;
    private final String id;
    private final List<Manscdp.Channel> channels;
    private final Set<String> channelIds;
    private final SimFaults faults = new SimFaults();
    private final Map<String, MediaSession> sessions = new ConcurrentHashMap<>();
    private final String responseTag = tag();
    private volatile String password;
    private volatile boolean keepalivesPaused;

    private final Object lock = new Object();
    // Everything below is guarded by lock.
    private int generation;
    private String registerCallId = newCallId();
    private String fromTag = tag();
    private long cseq = 1;
    private Map<String, String> challenge;
    private int nonceCount;
    private State state = State.IDLE;
    private boolean wanted;
    private String lastFailure;
    private int grantedExpires;
    private long registrations;
    private long keepaliveSn;
    private int keepaliveMisses;
    private SipStack.Path path;
    private ScheduledFuture<?> refreshTask;
    private ScheduledFuture<?> retryTask;
    private ScheduledFuture<?> keepaliveTask;
    private CompletableFuture<Void> unregistering;

    SimDevice(GbSimulator sim, String id, String password, List<String> channelIds) {
        this.sim = sim;
        this.id = id;
        this.password = password;
        List<Manscdp.Channel> list = new ArrayList<>();
        for (int i = 0; i < channelIds.size(); i++) {
            list.add(new Manscdp.Channel(channelIds.get(i), "通道" + (i + 1)));
        }
        this.channels = List.copyOf(list);
        this.channelIds = Collections.unmodifiableSet(new LinkedHashSet<>(channelIds));
    }

    /** The 20-digit device id. */
    public String id() {
        return id;
    }

    /** The channel ids, in catalog order. */
    public List<String> channelIds() {
        return List.copyOf(channelIds);
    }

    /** This device's fault knobs. */
    public SimFaults faults() {
        return faults;
    }

    /** Changes the password used from the next REGISTER on (a wrong one makes registration fail). */
    public void password(String newPassword) {
        this.password = newPassword;
    }

    public State state() {
        synchronized (lock) {
            return state;
        }
    }

    public boolean registered() {
        return state() == State.REGISTERED;
    }

    /** Why the last registration attempt failed (status and reason, or "no response"), null after a success. */
    public String lastFailure() {
        synchronized (lock) {
            return lastFailure;
        }
    }

    /** Successful REGISTERs (first registrations and refreshes) of this device. */
    public long registrations() {
        synchronized (lock) {
            return registrations;
        }
    }

    /** The expiry the server granted in its last 200 (seconds). */
    public int grantedExpires() {
        synchronized (lock) {
            return grantedExpires;
        }
    }

    /** The Call-ID of this device's REGISTERs (a new one after {@link #restart()}). */
    public String registerCallId() {
        synchronized (lock) {
            return registerCallId;
        }
    }

    /** Starts registering (no-op when registered or registering); failures are retried until {@link #stop()}. */
    public void register() {
        synchronized (lock) {
            wanted = true;
            if (state == State.REGISTERING || state == State.REGISTERED) {
                return;
            }
            cancel(retryTask);
            setState(State.REGISTERING);
            sendRegister(sim.registerExpires(), 0);
        }
    }

    /** Waits until registered; false when the time ran out. */
    public boolean awaitRegistered(Duration timeout) throws InterruptedException {
        return awaitState(State.REGISTERED, timeout);
    }

    /** Waits until the state is {@code wanted}; false when the time ran out. */
    public boolean awaitState(State expected, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (state != expected) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
            return true;
        }
    }

    /** Stops or resumes keepalives (registration refreshes continue): the platform should mark it offline. */
    public void pauseKeepalives(boolean paused) {
        this.keepalivesPaused = paused;
    }

    /**
     * Sends REGISTER with Expires: 0 and stops refreshing and keepalives. The future completes when the server
     * answered (or the transaction timed out).
     */
    public CompletableFuture<Void> unregister() {
        synchronized (lock) {
            wanted = false;
            generation++; // responses to requests in flight no longer matter
            cancelTasks();
            if (state != State.REGISTERED && state != State.REGISTERING) {
                setState(state == State.IDLE ? State.IDLE : State.UNREGISTERED);
                return CompletableFuture.completedFuture(null);
            }
            unregistering = new CompletableFuture<>();
            CompletableFuture<Void> done = unregistering;
            sendRegister(0, 0);
            return done;
        }
    }

    /** Hangs up every session (BYE) and unregisters, as a device switched off cleanly does. */
    public CompletableFuture<Void> stop() {
        List<CompletableFuture<Void>> byes = new ArrayList<>();
        for (MediaSession s : List.copyOf(sessions.values())) {
            byes.add(hangup(s));
        }
        CompletableFuture<Void> unregistered = unregister();
        byes.add(unregistered);
        return CompletableFuture.allOf(byes.toArray(CompletableFuture[]::new));
    }

    /**
     * Reboots the device: sessions vanish without BYE (sockets closed), keepalive SN restarts, and it registers
     * again with a new Call-ID and From tag, like a camera after a power cycle.
     */
    public void restart() {
        for (MediaSession s : List.copyOf(sessions.values())) {
            sessions.remove(s.callId);
            s.close();
        }
        synchronized (lock) {
            generation++;
            cancelTasks();
            if (path instanceof SipStack.TcpConnection c) {
                c.close();
            }
            path = null;
            registerCallId = newCallId();
            fromTag = tag();
            cseq = 1;
            challenge = null;
            nonceCount = 0;
            keepaliveSn = 0;
            keepaliveMisses = 0;
            setState(State.IDLE);
        }
        logInfo("restarted");
        register();
    }

    /** Snapshots of this device's open sessions. */
    public List<SimSession> sessions() {
        List<SimSession> out = new ArrayList<>();
        for (MediaSession s : sessions.values()) {
            out.add(s.snapshot());
        }
        return out;
    }

    /**
     * Ends every session of the channel with a BYE from the device. The future completes when the platform
     * answered each BYE (any status) or its transaction timed out.
     */
    public CompletableFuture<Void> hangup(String channelId) {
        List<CompletableFuture<Void>> byes = new ArrayList<>();
        for (MediaSession s : List.copyOf(sessions.values())) {
            if (s.channelId.equals(channelId)) {
                byes.add(hangup(s));
            }
        }
        return CompletableFuture.allOf(byes.toArray(CompletableFuture[]::new));
    }

    /** Stops sending media on the channel's sessions; the dialogs and TCP connections stay up. */
    public void stopMedia(String channelId) {
        for (MediaSession s : sessions.values()) {
            if (s.channelId.equals(channelId)) {
                s.stopMedia();
            }
        }
    }

    /** Sends {@code count} random non-SIP messages to the server on this device's SIP path. */
    public void sendGarbage(int count) throws IOException {
        SipStack.Path p;
        synchronized (lock) {
            p = path();
        }
        for (int i = 0; i < count; i++) {
            byte[] junk = new byte[32 + ThreadLocalRandom.current().nextInt(200)];
            ThreadLocalRandom.current().nextBytes(junk);
            junk[0] = 'X'; // never a CRLF keepalive
            sim.stack().sendRaw(junk, p);
            sim.stats().garbageSent.increment();
        }
    }

    int openSessions() {
        return sessions.size();
    }

    boolean hasChannel(String channelId) {
        return channelIds.contains(channelId);
    }

    // ---- registration ---------------------------------------------------------------------------------------

    /** Holds lock. */
    private void sendRegister(int expires, int round) {
        SipStack.Path p;
        try {
            p = path();
        } catch (IOException e) {
            registrationFailed(expires, "cannot connect: " + e.getMessage());
            return;
        }
        String uri = sim.registrarUri();
        SipMessage req = request("REGISTER", uri, registerCallId, "<sip:" + id + "@" + sim.domain() + ">");
        req.add("Contact", "<sip:" + id + "@" + sim.contactHostPort() + ">");
        req.add("Expires", Integer.toString(expires));
        boolean credentials = challenge != null;
        if (credentials) {
            req.add("Authorization",
                    Digest.authorization(challenge, id, password, "REGISTER", uri, ++nonceCount, tag()));
        }
        int gen = generation;
        sim.stack().send(req, p)
                .whenComplete((r, e) -> onRegisterResponse(gen, expires, round, credentials, r, e));
    }

    private void onRegisterResponse(int gen, int expires, int round, boolean credentials, SipMessage r,
            Throwable e) {
        synchronized (lock) {
            if (gen != generation) {
                return;
            }
            if (e != null) {
                registrationFailed(expires, "no response (" + e.getClass().getSimpleName() + ")");
                return;
            }
            int status = r.status();
            if (status >= 200 && status < 300) {
                if (expires == 0) {
                    sim.stats().unregistrations.increment();
                    unregistered(null);
                    return;
                }
                registeredOk(r, expires);
                return;
            }
            if (status == 401 || status == 407) {
                Map<String, String> ch = Digest.params(r.header(status == 401 ? "WWW-Authenticate"
                        : "Proxy-Authenticate"));
                boolean stale = "true".equalsIgnoreCase(ch.get("stale"));
                if (ch.get("nonce") == null || round >= MAX_AUTH_ROUNDS || (credentials && !stale)) {
                    challenge = null;
                    registrationFailed(expires, status + " " + r.reason()
                            + (credentials ? " (credentials refused)" : ""));
                    return;
                }
                challenge = ch;
                nonceCount = 0;
                sendRegister(expires, round + 1);
                return;
            }
            if (status == 423 && round < MAX_AUTH_ROUNDS) {
                int min = parseInt(r.header("Min-Expires"), -1);
                if (min > expires) {
                    sendRegister(min, round + 1);
                    return;
                }
            }
            registrationFailed(expires, status + " " + r.reason());
        }
    }

    /** Holds lock. */
    private void registeredOk(SipMessage r, int requested) {
        int granted = requested;
        String contact = r.header("Contact");
        String contactExpires = contact == null ? null : SipMessage.param(contact, "expires");
        if (contactExpires != null) {
            granted = parseInt(contactExpires, granted);
        } else if (r.header("Expires") != null) {
            granted = parseInt(r.header("Expires"), granted);
        }
        grantedExpires = granted;
        registrations++;
        lastFailure = null;
        keepaliveMisses = 0;
        sim.stats().registrationsOk.increment();
        boolean first = state != State.REGISTERED;
        setState(State.REGISTERED);
        cancel(refreshTask);
        // Refresh well before expiry: halfway for short registrations, a minute early for long ones.
        long refreshIn = Math.max(1, Math.max(granted / 2, granted - 60));
        refreshTask = sim.timer().schedule(this::refresh, refreshIn, TimeUnit.SECONDS);
        if (keepaliveTask == null) {
            long every = sim.keepaliveInterval().toMillis();
            keepaliveTask = sim.timer().scheduleAtFixedRate(this::keepalive, every, every, TimeUnit.MILLISECONDS);
        }
        if (first) {
            logDebug("registered, expires " + granted + " s");
        }
    }

    /** Holds lock. */
    private void registrationFailed(int expires, String reason) {
        lastFailure = reason;
        if (expires == 0) {
            unregistered(reason);
            return;
        }
        sim.stats().registrationsFailed.increment();
        cancelTasks();
        setState(State.FAILED);
        logWarn("registration failed: " + reason);
        if (wanted) {
            int gen = generation;
            retryTask = sim.timer().schedule(() -> retry(gen), sim.registerRetry().toMillis(),
                    TimeUnit.MILLISECONDS);
        }
    }

    /** Holds lock. */
    private void unregistered(String failure) {
        setState(State.UNREGISTERED);
        if (failure != null) {
            logWarn("unregister not confirmed: " + failure);
        }
        CompletableFuture<Void> u = unregistering;
        unregistering = null;
        if (u != null) {
            u.complete(null);
        }
    }

    private void retry(int gen) {
        synchronized (lock) {
            if (gen != generation || !wanted || state != State.FAILED) {
                return;
            }
            challenge = null; // start over, as after a reboot: fetch a fresh challenge
            setState(State.REGISTERING);
            sendRegister(sim.registerExpires(), 0);
        }
    }

    private void refresh() {
        synchronized (lock) {
            if (state != State.REGISTERED || !wanted) {
                return;
            }
            sendRegister(sim.registerExpires(), 0); // reuses the nonce with the next nc; stale=true is handled
        }
    }

    /** Holds lock: the server forgot us (keepalive refused or unanswered): register from scratch. */
    private void reregister(String why) {
        logInfo("registering again: " + why);
        cancel(refreshTask);
        challenge = null;
        setState(State.REGISTERING);
        sendRegister(sim.registerExpires(), 0);
    }

    private void keepalive() {
        SipMessage req;
        SipStack.Path p;
        int gen;
        synchronized (lock) {
            if (state != State.REGISTERED || keepalivesPaused) {
                return;
            }
            try {
                p = path();
            } catch (IOException e) {
                reregister("SIP connection lost");
                return;
            }
            gen = generation;
            req = request("MESSAGE", sim.registrarUri(), newCallId(), "<sip:" + sim.platformId() + "@"
                    + sim.domain() + ">");
            req.body(Manscdp.CONTENT_TYPE, Manscdp.keepalive(id, ++keepaliveSn));
        }
        sim.stats().keepalivesSent.increment();
        sim.stack().send(req, p).whenComplete((r, e) -> {
            synchronized (lock) {
                if (gen != generation || state != State.REGISTERED) {
                    return;
                }
                if (e == null && r.status() >= 200 && r.status() < 300) {
                    keepaliveMisses = 0;
                    return;
                }
                sim.stats().keepalivesFailed.increment();
                if (e != null) {
                    if (++keepaliveMisses >= KEEPALIVE_MISSES_BEFORE_REREGISTER) {
                        reregister(keepaliveMisses + " keepalives unanswered");
                    }
                } else if (r.status() == 403 || r.status() == 404 || r.status() == 481) {
                    reregister("keepalive answered " + r.status());
                }
            }
        });
    }

    /** Holds lock. */
    private SipStack.Path path() throws IOException {
        if (path == null || !path.usable()) {
            path = sim.stack().pathToServer();
        }
        return path;
    }

    private void cancelTasks() {
        cancel(refreshTask);
        cancel(retryTask);
        cancel(keepaliveTask);
        refreshTask = null;
        retryTask = null;
        keepaliveTask = null;
    }

    private static void cancel(ScheduledFuture<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }

    /** Holds lock. */
    private void setState(State s) {
        state = s;
        lock.notifyAll();
    }

    /** A new out-of-dialog request from this device (holds lock for the CSeq). */
    private SipMessage request(String method, String uri, String callId, String to) {
        SipMessage m = SipMessage.request(method, uri);
        m.add("Via", sim.stack().via(SipStack.newBranch()));
        m.add("From", "<sip:" + id + "@" + sim.domain() + ">;tag=" + fromTag);
        m.add("To", to);
        m.add("Call-ID", callId);
        m.add("CSeq", (cseq++) + " " + method);
        m.add("Max-Forwards", "70");
        m.add("User-Agent", "FluxSim");
        return m;
    }

    // ---- requests from the platform ---------------------------------------------------------------------------

    /** A request routed to this device (by Request-URI or To user, which may be one of its channels). */
    void onRequest(SipMessage req, SipStack.ServerTransaction tx, String user) {
        try (MDC.MDCCloseable d = MDC.putCloseable("device_id", id)) {
            switch (req.method()) {
                case "MESSAGE" -> onMessage(req, tx);
                case "INVITE" -> onInvite(req, tx, user);
                case "ACK" -> onAck(req);
                case "BYE" -> onBye(req, tx);
                case "CANCEL" -> tx.respond(SipMessage.responseTo(req, 200, "OK", responseTag));
                case "OPTIONS" -> tx.respond(SipMessage.responseTo(req, 200, "OK", responseTag)
                        .add("Allow", "INVITE, ACK, BYE, CANCEL, MESSAGE, OPTIONS"));
                default -> tx.respond(SipMessage.responseTo(req, 405, "Method Not Allowed", responseTag)
                        .add("Allow", "INVITE, ACK, BYE, CANCEL, MESSAGE, OPTIONS"));
            }
        }
    }

    private void onMessage(SipMessage req, SipStack.ServerTransaction tx) {
        Manscdp.Command cmd;
        try {
            cmd = Manscdp.parse(req.body());
        } catch (IllegalArgumentException e) {
            tx.respond(SipMessage.responseTo(req, 400, "Bad Request", responseTag));
            return;
        }
        boolean query = cmd.root().equalsIgnoreCase("Query");
        SimFaults.QueryReply reply = faults.queryReply();
        if (query && reply == SimFaults.QueryReply.SILENT) {
            return;
        }
        tx.respond(SipMessage.responseTo(req, 200, "OK", responseTag));
        if (!query || reply == SimFaults.QueryReply.ACK_ONLY) {
            return; // Control, Notify...: acknowledged, no action simulated
        }
        String sn = cmd.sn() == null ? "0" : cmd.sn();
        String target = cmd.deviceId() != null && (cmd.deviceId().equals(id) || hasChannel(cmd.deviceId()))
                ? cmd.deviceId() : id;
        List<byte[]> bodies = new ArrayList<>();
        switch (cmd.cmdType()) {
            case "Catalog" -> {
                int size = sim.catalogPageSize();
                int pages = Math.max(1, (channels.size() + size - 1) / size);
                int send = Math.min(pages, faults.catalogPageLimit());
                for (int p = 0; p < send; p++) {
                    List<Manscdp.Channel> page = channels.subList(Math.min(p * size, channels.size()),
                            Math.min((p + 1) * size, channels.size()));
                    bodies.add(Manscdp.catalogPage(id, sn, channels.size(), page, sim.facts(id),
                            id.substring(0, 6)));
                }
            }
            case "DeviceInfo" -> bodies.add(Manscdp.deviceInfo(target, sn, sim.facts(id), channels.size()));
            case "DeviceStatus" -> bodies.add(Manscdp.deviceStatus(target, sn, LocalDateTime.now()));
            default -> logDebug("query " + cmd.cmdType() + " acknowledged without a response");
        }
        if (!bodies.isEmpty()) {
            sim.stats().queriesAnswered.increment();
            sendResponses(bodies, 0);
        }
    }

    /** Sends the Response MESSAGEs one after the other, each once the previous one was answered. */
    private void sendResponses(List<byte[]> bodies, int index) {
        SipMessage msg;
        SipStack.Path p;
        synchronized (lock) {
            try {
                p = path();
            } catch (IOException e) {
                logWarn("query response not sent: " + e.getMessage());
                return;
            }
            msg = request("MESSAGE", sim.registrarUri(), newCallId(), "<sip:" + sim.platformId() + "@"
                    + sim.domain() + ">");
        }
        msg.body(Manscdp.CONTENT_TYPE, bodies.get(index));
        sim.stats().responseMessagesSent.increment();
        sim.stack().send(msg, p).whenComplete((r, e) -> {
            if (index + 1 < bodies.size()) {
                sendResponses(bodies, index + 1);
            }
        });
    }

    private void onInvite(SipMessage req, SipStack.ServerTransaction tx, String channelId) {
        if (!hasChannel(channelId)) {
            reject(req, tx, 404, "Not Found");
            return;
        }
        if (faults.busy() || sessions.size() >= sim.maxSessionsPerDevice()) {
            reject(req, tx, 486, "Busy Here");
            return;
        }
        Sdp.Offer offer;
        try {
            offer = Sdp.parseOffer(req.bodyText());
        } catch (IllegalArgumentException e) {
            reject(req, tx, 488, "Not Acceptable Here");
            return;
        }
        long ssrc = offer.ssrc() >= 0 ? offer.ssrc() : subjectSsrc(req.header("Subject"));
        if (ssrc < 0) {
            ssrc = ThreadLocalRandom.current().nextLong(1_000_000_000L);
        }
        if (ssrc > 0xFFFFFFFFL) {
            reject(req, tx, 488, "Not Acceptable Here");
            return;
        }
        if (sim.media() == null && !faults.noMedia()) {
            logWarn("INVITE refused: the simulator has no media file");
            reject(req, tx, 503, "Service Unavailable");
            return;
        }
        tx.respond(SipMessage.responseTo(req, 100, "Trying", null));
        String toTag = tag();
        String contact = req.header("Contact");
        String remoteTarget = contact != null ? SipMessage.uri(contact) : SipMessage.uri(req.header("From"));
        MediaSession s = new MediaSession(sim, faults, id, channelId, req.callId(), ssrc, offer, req.header("From"),
                req.header("To") + ";tag=" + toTag, remoteTarget);
        try {
            s.prepare();
        } catch (IOException e) {
            s.close();
            logWarn("INVITE refused, no media port: " + e.getMessage());
            reject(req, tx, 500, "Server Internal Error");
            return;
        }
        SipMessage ok = SipMessage.responseTo(req, 200, "OK", toTag);
        ok.add("Contact", "<sip:" + channelId + "@" + sim.contactHostPort() + ">");
        ok.add("User-Agent", "FluxSim");
        ok.body("application/sdp", Sdp.answer(channelId, sim.localHost(), s.localPort(), offer.transport(), ssrc)
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        sessions.put(s.callId, s);
        tx.respond(ok);
        sim.stats().invitesAccepted.increment();
        try (MDC.MDCCloseable c = MDC.putCloseable("channel_id", channelId);
                MDC.MDCCloseable i = MDC.putCloseable("call_id", s.callId)) {
            LOG.debug("INVITE answered: {} to {}:{}, SSRC {}", offer.transport(), offer.address(), offer.port(), ssrc);
        }
        if (!tx.reliable()) {
            retransmitOk(s, tx, SipStack.T1_MS, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(64 * SipStack.T1_MS));
        }
    }

    /** Repeats the 2xx until the ACK arrives (RFC 3261 13.3.1.4); without ACK the session is given up. */
    private void retransmitOk(MediaSession s, SipStack.ServerTransaction tx, long interval, long deadline) {
        s.okRetransmit = sim.timer().schedule(() -> {
            if (s.isAcked() || s.closed()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                logWarn("no ACK for the 200 to INVITE " + s.callId + ": hanging up");
                hangup(s);
                return;
            }
            tx.resend();
            retransmitOk(s, tx, Math.min(interval * 2, SipStack.T2_MS), deadline);
        }, interval, TimeUnit.MILLISECONDS);
    }

    private void reject(SipMessage req, SipStack.ServerTransaction tx, int status, String reason) {
        sim.stats().invitesRejected.increment();
        tx.respond(SipMessage.responseTo(req, status, reason, tag()));
    }

    private static long subjectSsrc(String subject) {
        if (subject == null) {
            return -1;
        }
        int colon = subject.indexOf(':');
        int comma = subject.indexOf(',');
        if (colon < 0 || comma < colon) {
            return -1;
        }
        try {
            return Long.parseLong(subject.substring(colon + 1, comma).trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private void onAck(SipMessage req) {
        MediaSession s = sessions.get(req.callId());
        if (s != null) {
            s.acked();
        }
    }

    private void onBye(SipMessage req, SipStack.ServerTransaction tx) {
        MediaSession s = sessions.remove(req.callId());
        if (s == null) {
            tx.respond(SipMessage.responseTo(req, 481, "Call/Transaction Does Not Exist", responseTag));
            return;
        }
        s.close();
        sim.stats().byesReceived.increment();
        tx.respond(SipMessage.responseTo(req, 200, "OK", null));
        try (MDC.MDCCloseable c = MDC.putCloseable("channel_id", s.channelId);
                MDC.MDCCloseable i = MDC.putCloseable("call_id", s.callId)) {
            LOG.debug("BYE from the platform");
        }
    }

    private CompletableFuture<Void> hangup(MediaSession s) {
        if (sessions.remove(s.callId) == null) {
            return CompletableFuture.completedFuture(null);
        }
        s.close();
        SipMessage bye = SipMessage.request("BYE", s.remoteTarget);
        bye.add("Via", sim.stack().via(SipStack.newBranch()));
        bye.add("From", s.localParty);
        bye.add("To", s.remoteParty);
        bye.add("Call-ID", s.callId);
        bye.add("CSeq", s.localCseq.getAndIncrement() + " BYE");
        bye.add("Max-Forwards", "70");
        SipStack.Path p;
        synchronized (lock) {
            try {
                p = path();
            } catch (IOException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        sim.stats().byesSent.increment();
        return sim.stack().send(bye, p).handle((r, e) -> null);
    }

    // ---- helpers --------------------------------------------------------------------------------------------

    private static int parseInt(String s, int fallback) {
        if (s == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    static String tag() {
        return Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
    }

    private static String newCallId() {
        return UUID.randomUUID().toString().replace("-", "");
    }

    private void logInfo(String msg) {
        try (MDC.MDCCloseable d = MDC.putCloseable("device_id", id)) {
            LOG.info(msg);
        }
    }

    private void logWarn(String msg) {
        try (MDC.MDCCloseable d = MDC.putCloseable("device_id", id)) {
            LOG.warn(msg);
        }
    }

    private void logDebug(String msg) {
        try (MDC.MDCCloseable d = MDC.putCloseable("device_id", id)) {
            LOG.debug(msg);
        }
    }

    @Override
    public String toString() {
        return "SimDevice[" + id + ", " + state() + ", " + channels.size() + " channels]";
    }
}
