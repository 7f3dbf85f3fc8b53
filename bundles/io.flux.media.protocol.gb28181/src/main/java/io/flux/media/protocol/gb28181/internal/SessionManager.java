package io.flux.media.protocol.gb28181.internal;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.InvalidArgumentException;
import javax.sip.SipException;
import javax.sip.header.CallIdHeader;
import javax.sip.header.HeaderFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.flux.media.api.gb28181.Gb28181Exception;
import io.flux.media.api.gb28181.Gb28181Exception.Reason;
import io.flux.media.api.gb28181.SessionView;
import io.flux.media.api.gb28181.Transport;
import io.flux.media.api.stream.StreamId;
import io.flux.media.protocol.gb28181.internal.media.LogContext;
import io.flux.media.protocol.gb28181.internal.media.NoMediaPortException;
import io.flux.media.protocol.gb28181.internal.media.ReceiverSpec;
import io.flux.media.protocol.gb28181.internal.media.ReceiverStats;
import io.flux.media.protocol.gb28181.internal.media.RtpReceiver;
import io.flux.media.protocol.gb28181.internal.media.RtpReceiverPool;
import io.flux.media.protocol.gb28181.internal.media.RtpReceivers;

/**
 * Live sessions: one per (device, channel). An invite prepares an RTP receiver, sends INVITE with the SDP offer,
 * ACKs the 200 and starts the receiver; concurrent invites for a channel wait for the first one and share its
 * outcome. A session ends by BYE (API or device), by its receiver (no media, wrong SSRC, timeouts), when its
 * device goes offline, or at shutdown; the last {@value #HISTORY} ended sessions stay listed with why.
 */
final class SessionManager {

    private static final Logger LOG = LoggerFactory.getLogger(SessionManager.class);
    /** How long a closed TCP media connection waits for the device's BYE before it ends the session itself. */
    static final long TCP_CLOSE_GRACE_MS = 1000;

    static final int HISTORY = 100;

    /**
     * @param mediaAddress      announced media address; empty: derived (see {@link #mediaAddress})
     * @param mediaBindAddress  where receivers listen
     * @param sipBindAddress    where SIP listens
     */
    record Settings(String platformId, String domain, String mediaAddress, String mediaBindAddress,
            String sipBindAddress, Duration inviteTimeout, int maxSessions) {
    }

    record Key(String deviceId, String channelId) {
    }

    private final Settings settings;
    private final Registrar sip;
    private final DeviceStore store;
    private final RtpReceivers receivers;
    private final GbMetrics metrics;
    private final Clock clock;
    private final SsrcAllocator ssrcs;
    private final Map<Key, Session> byChannel = new ConcurrentHashMap<>();
    private final Map<String, Session> byCallId = new ConcurrentHashMap<>();
    private final Deque<SessionView> history = new ArrayDeque<>();
    private volatile boolean closed;

    SessionManager(Settings settings, Registrar sip, DeviceStore store, RtpReceivers receivers, GbMetrics metrics,
            Clock clock) {
        this.settings = settings;
        this.sip = sip;
        this.store = store;
        this.receivers = receivers;
        this.metrics = metrics;
        this.clock = clock;
        this.ssrcs = new SsrcAllocator(settings.domain());
    }

    /** One session, from the invite on. */
    private final class Session {
        final Key key;
        final Transport transport;
        final StreamId streamId;
        /** Done when the device accepted (or the invite failed: then exceptionally). */
        final CompletableFuture<Void> established = new CompletableFuture<>();
        /** The INVITE's final response (or a timeout). */
        final CompletableFuture<Response> answer = new CompletableFuture<>();
        /** A 1xx arrived: only then may the INVITE be cancelled (RFC 3261 section 9.1). */
        volatile boolean provisional;
        final AtomicBoolean over = new AtomicBoolean();
        volatile String callId;
        volatile String ssrc;
        volatile RtpReceiver receiver;
        volatile Dialog dialog;
        volatile int mediaPort;
        volatile Instant startedAt;
        volatile SessionView endedView;

        Session(Key key, Transport transport) {
            this.key = key;
            this.transport = transport;
            this.streamId = StreamId.of("gb28181", key.deviceId(), key.channelId());
        }

        /** Accepted by the device and not ended. */
        boolean live() {
            return startedAt != null && !over.get();
        }

        SessionView view(boolean existing) {
            SessionView ended = endedView;
            if (ended != null) {
                return existing ? ended.asExisting() : ended;
            }
            RtpReceiver rx = receiver;
            return build(rx == null ? ReceiverStats.NONE : rx.stats(), null, null, null, existing);
        }

        SessionView build(ReceiverStats st, Instant endedAt, String reason, String detail, boolean existing) {
            String state = reason != null ? "ended" : st.firstPacketAt() != null ? "streaming" : "waiting_media";
            return new SessionView(streamId.value(), callId, key.deviceId(), key.channelId(), ssrc,
                    transport.apiName(), mediaPort, state, startedAt, st.firstPacketAt(), endedAt, reason, detail,
                    st.rtpPackets(), st.rtpBytes(), st.lost(), st.wrongSsrcPackets(), st.samples(), existing);
        }

        /** MDC for every log line about the session. */
        LogContext.Scope mdc() {
            return LogContext.session(key.deviceId(), key.channelId(), callId, streamId.value());
        }
    }

    /**
     * Starts live media, or returns the session already on the channel. The device must be online (the caller
     * checked); ids are validated by the caller.
     */
    SessionView invite(DeviceRegistry.Device device, String channelId, Transport transport) {
        Key key = new Key(device.id(), channelId);
        Session s;
        boolean owner = false;
        synchronized (this) {
            if (closed) {
                throw new Gb28181Exception(Reason.UNAVAILABLE, "the GB28181 server is stopping");
            }
            s = byChannel.get(key);
            if (s == null) {
                if (byChannel.size() >= settings.maxSessions()) {
                    metrics.invite("unavailable");
                    throw new Gb28181Exception(Reason.UNAVAILABLE, "session limit reached (sessions.max = "
                            + settings.maxSessions() + ")");
                }
                s = new Session(key, transport);
                byChannel.put(key, s);
                owner = true;
            }
        }
        if (!owner) {
            return awaitExisting(s);
        }
        try {
            establish(s, device);
            metrics.invite("ok");
            return s.view(false);
        } catch (Gb28181Exception e) {
            metrics.invite(e.reason().code());
            s.established.completeExceptionally(e);
            throw e;
        } catch (RuntimeException e) {
            metrics.invite("error");
            abandon(s);
            Gb28181Exception g = new Gb28181Exception(Reason.UNAVAILABLE, "invite failed: " + e, e);
            s.established.completeExceptionally(g);
            throw g;
        } finally {
            // Waiters are released whatever happened.
            s.established.complete(null);
        }
    }

    /** A second invite for a channel: the first one's outcome. */
    private SessionView awaitExisting(Session s) {
        try {
            s.established.get(settings.inviteTimeout().toMillis() + 5000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Gb28181Exception g) {
                throw new Gb28181Exception(g.reason(), g.getMessage(), g);
            }
            throw new Gb28181Exception(Reason.UNAVAILABLE, "invite failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new Gb28181Exception(Reason.TIMEOUT, "the invite already under way for this channel did not finish");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Gb28181Exception(Reason.UNAVAILABLE, "interrupted");
        }
        metrics.invite("existing");
        return s.view(true);
    }

    private void establish(Session s, DeviceRegistry.Device device) {
        String ssrc = ssrcs.allocate();
        if (ssrc == null) {
            abandon(s);
            throw new Gb28181Exception(Reason.UNAVAILABLE, "no SSRC left: 10000 live sessions");
        }
        s.ssrc = ssrc;
        s.callId = sip.newCallId();
        byCallId.put(s.callId, s);
        String channelId = s.key.channelId();
        try (AutoCloseable mdc = s.mdc()) {
            if (!store.hasChannel(device.id(), channelId)) {
                LOG.info("channel {} is not in the catalog of device {}: inviting anyway", channelId, device.id());
            }
            RtpReceiver rx;
            try {
                rx = receivers.prepare(new ReceiverSpec(s.transport, Long.parseLong(ssrc), s.streamId, device.id(),
                        channelId, s.callId));
            } catch (NoMediaPortException e) {
                abandon(s);
                LOG.warn("invite of channel {} refused: {}", channelId, e.getMessage());
                throw new Gb28181Exception(Reason.UNAVAILABLE, "no media port: " + e.getMessage(), e);
            }
            s.receiver = rx;
            String mediaIp = mediaAddress(device);
            String offer = Sdp.offer(settings.platformId(), mediaIp, rx.localPort(), s.transport, ssrc);
            ClientTransaction tx;
            try {
                Request invite = sip.request(Request.INVITE, device, channelId, s.callId);
                HeaderFactory h = sip.headerFactory();
                invite.addHeader(h.createSubjectHeader(channelId + ":" + ssrc + "," + settings.platformId() + ":0"));
                invite.setContent(offer.getBytes(StandardCharsets.US_ASCII), h.createContentTypeHeader("APPLICATION",
                        "SDP"));
                tx = sip.clientTransaction(invite, handler(s));
                s.dialog = tx.getDialog();
                tx.sendRequest();
            } catch (ParseException | InvalidArgumentException | SipException | RuntimeException e) {
                abandon(s);
                LOG.warn("INVITE for channel {} not sent: {}", channelId, e.toString());
                throw new Gb28181Exception(Reason.TIMEOUT, "could not send the INVITE to device " + device.id()
                        + " at " + device.host() + ":" + device.port() + ": " + e.getMessage(), e);
            }
            LOG.info("INVITE sent for channel {} of device {}: {} to {}:{}, SSRC {}", channelId, device.id(),
                    s.transport.apiName(), mediaIp, rx.localPort(), ssrc);
            Response response = awaitAnswer(s, tx);
            int status = response.getStatusCode();
            if (status >= 300) {
                abandon(s);
                LOG.warn("device refused the INVITE for channel {}: {} {}", channelId, status,
                        response.getReasonPhrase());
                throw new Gb28181Exception(Reason.REJECTED, "device " + device.id() + " answered the INVITE for "
                        + "channel " + channelId + " with " + status + " " + response.getReasonPhrase());
            }
            accepted(s, response);
        } catch (Gb28181Exception e) {
            throw e;
        } catch (Exception e) {
            abandon(s);
            throw new Gb28181Exception(Reason.UNAVAILABLE, "invite failed: " + e, e);
        }
    }

    /** The INVITE's final response within the invite timeout; a CANCEL and TIMEOUT otherwise. */
    private Response awaitAnswer(Session s, ClientTransaction tx) throws InterruptedException {
        Duration timeout = settings.inviteTimeout();
        try {
            return s.answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            if (!s.answer.completeExceptionally(new TimeoutException("no final response"))) {
                return s.answer.join(); // answered in the same instant
            }
            // RFC 3261 section 9.1: without a provisional response no CANCEL; the transaction then runs out on its
            // own, and a 200 that still comes is ACKed and ended with BYE (see the response handler).
            boolean cancelled = s.provisional;
            if (cancelled) {
                sip.cancel(tx);
            }
            abandon(s);
            LOG.warn("device did not answer the INVITE for channel {} within {} s{}", s.key.channelId(),
                    timeout.toSeconds(), cancelled ? ": CANCEL sent" : " (no provisional response either)");
            throw new Gb28181Exception(Reason.TIMEOUT, "device " + s.key.deviceId() + " did not answer the INVITE "
                    + "for channel " + s.key.channelId() + " within " + timeout.toSeconds() + " s");
        } catch (ExecutionException e) {
            abandon(s);
            if (e.getCause() instanceof Gb28181Exception g) {
                throw g;
            }
            throw new Gb28181Exception(Reason.TIMEOUT, "device " + s.key.deviceId() + " did not answer the INVITE "
                    + "for channel " + s.key.channelId() + " (SIP transaction timeout)");
        }
    }

    private Registrar.ResponseHandler handler(Session s) {
        return new Registrar.ResponseHandler() {
            @Override
            public void response(Response response, ClientTransaction tx) {
                int status = response.getStatusCode();
                if (status < 200) {
                    s.provisional = true;
                    LOG.debug("INVITE {}: {} {}", s.callId, status, response.getReasonPhrase());
                    return;
                }
                if (!s.answer.complete(response) && status < 300) {
                    // Accepted after we gave up (timeout, CANCEL crossing the 200): end the call properly.
                    try (AutoCloseable mdc = s.mdc()) {
                        LOG.info("device accepted the INVITE for channel {} after it was abandoned: ACK and BYE",
                                s.key.channelId());
                        Dialog d = tx.getDialog();
                        sip.ack(d, response);
                        sip.bye(d);
                    } catch (Exception e) {
                        LOG.debug("late 200 not cleared: {}", e.toString());
                    }
                }
            }

            @Override
            public void timeout() {
                s.answer.completeExceptionally(new TimeoutException("SIP transaction timeout"));
            }
        };
    }

    /** The device accepted: ACK, read its SDP, start the receiver. */
    private void accepted(Session s, Response ok) {
        try {
            sip.ack(s.dialog, ok);
        } catch (SipException | InvalidArgumentException | RuntimeException e) {
            LOG.warn("ACK for channel {} not sent: {}", s.key.channelId(), e.toString());
        }
        Sdp.Answer answer;
        try {
            byte[] raw = ok.getRawContent();
            answer = Sdp.parse(raw == null ? null : new String(raw, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            sip.bye(s.dialog);
            abandon(s);
            LOG.warn("device accepted the INVITE for channel {} with an unusable SDP ({}): BYE sent",
                    s.key.channelId(), e.getMessage());
            throw new Gb28181Exception(Reason.REJECTED, "device " + s.key.deviceId() + " answered the INVITE with an "
                    + "unusable SDP: " + e.getMessage());
        }
        if (answer.ssrc() != null && !answer.ssrc().equals(s.ssrc)) {
            // Some devices pick their own SSRC: what they announce is what they send.
            LOG.warn("device answered y={} instead of the offered {} for channel {}; the session uses the device's",
                    answer.ssrc(), s.ssrc, s.key.channelId());
            ssrcs.release(s.ssrc);
            ssrcs.reserve(answer.ssrc());
            s.ssrc = answer.ssrc();
        }
        RtpReceiver rx = s.receiver;
        rx.expectSsrc(Long.parseLong(s.ssrc));
        s.mediaPort = s.transport == Transport.TCP_ACTIVE ? answer.port() : rx.localPort();
        s.startedAt = clock.instant();
        if (s.over.get()) {
            sip.bye(s.dialog); // ended (device offline, shutdown) while the INVITE was pending
            return;
        }
        rx.start(new InetSocketAddress(answer.address(), answer.port()),
                (reason, detail) -> receiverEnded(s, reason, detail));
        metrics.sessions(liveCount());
        LOG.info("session of channel {} accepted: media from {}:{}, SSRC {}", s.key.channelId(), answer.address(),
                answer.port(), s.ssrc);
    }

    /** An invite that failed before it became a session: everything it held is released. */
    private void abandon(Session s) {
        if (!s.over.compareAndSet(false, true)) {
            return; // ended meanwhile (device offline, shutdown): end() released everything
        }
        release(s);
    }

    /** Frees what a session holds (its map entries, receiver and SSRC); once, by whoever set {@code over}. */
    private void release(Session s) {
        byChannel.remove(s.key, s);
        if (s.callId != null) {
            byCallId.remove(s.callId, s);
        }
        RtpReceiver rx = s.receiver;
        if (rx != null) {
            rx.close();
        }
        if (s.ssrc != null) {
            ssrcs.release(s.ssrc);
        }
    }

    /**
     * Ends a session once (later calls return the first end); {@code sendBye} sends BYE in its dialog. Returns the
     * ended view.
     */
    private SessionView end(Session s, String reason, String detail, boolean sendBye) {
        if (!s.over.compareAndSet(false, true)) {
            SessionView v = s.endedView;
            return v != null ? v : s.view(false);
        }
        RtpReceiver rx = s.receiver;
        ReceiverStats stats = rx == null ? ReceiverStats.NONE : rx.stats();
        release(s);
        if (sendBye) {
            sip.bye(s.dialog);
        }
        SessionView ended = s.build(stats, clock.instant(), reason, detail, false);
        s.endedView = ended;
        synchronized (history) {
            history.addFirst(ended);
            while (history.size() > HISTORY) {
                history.removeLast();
            }
        }
        metrics.sessions(liveCount());
        return ended;
    }

    private void receiverEnded(Session s, String reason, String detail) {
        if (RtpReceiverPool.TCP_CLOSED.equals(reason) && !s.over.get()) {
            // A device hanging up closes its TCP connection and then sends BYE: give the BYE a moment, so that the
            // session records the real reason (bye_device) rather than the closed connection.
            CompletableFuture.delayedExecutor(TCP_CLOSE_GRACE_MS, TimeUnit.MILLISECONDS)
                    .execute(() -> receiverEndedNow(s, reason, detail));
            return;
        }
        receiverEndedNow(s, reason, detail);
    }

    private void receiverEndedNow(Session s, String reason, String detail) {
        try (AutoCloseable mdc = s.mdc()) {
            SessionView ended = end(s, reason, detail, true);
            if (reason.equals(ended.end_reason())) {
                LOG.warn("session of channel {} ended by its receiver: {} ({}); BYE sent", s.key.channelId(), reason,
                        detail);
            }
        } catch (Exception e) {
            LOG.warn("ending session {} failed: {}", s.callId, e.toString());
        }
    }

    /** Ends a session through the API. */
    SessionView bye(String callId, String deviceId, String channelId) {
        Session s = callId != null ? byCallId.get(callId) : byChannel.get(new Key(deviceId, channelId));
        if (s == null) {
            throw new Gb28181Exception(Reason.UNKNOWN_SESSION, callId != null ? "no session with call id " + callId
                    : "no session for channel " + channelId + " of device " + deviceId);
        }
        try {
            // A session still being invited is ended once the device answered.
            s.established.get(settings.inviteTimeout().toMillis() + 5000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new Gb28181Exception(Reason.UNKNOWN_SESSION, "the invite of that session failed");
        } catch (TimeoutException e) {
            throw new Gb28181Exception(Reason.TIMEOUT, "the session's invite did not finish");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Gb28181Exception(Reason.UNAVAILABLE, "interrupted");
        }
        try (AutoCloseable mdc = s.mdc()) {
            LOG.info("session of channel {} ended through the API: BYE sent", s.key.channelId());
            return end(s, "bye_api", "ended through the API", true);
        } catch (Exception e) {
            throw new Gb28181Exception(Reason.UNAVAILABLE, "bye failed: " + e, e);
        }
    }

    /** A BYE from a device (SIP thread): the status to answer. */
    int onBye(Request request) {
        CallIdHeader call = (CallIdHeader) request.getHeader(CallIdHeader.NAME);
        Session s = call == null ? null : byCallId.get(call.getCallId());
        if (s == null) {
            return Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST;
        }
        try (AutoCloseable mdc = s.mdc()) {
            LOG.info("device ended the session of channel {} (BYE)", s.key.channelId());
            end(s, "bye_device", "the device sent BYE", false);
        } catch (Exception e) {
            LOG.warn("ending session {} failed: {}", s.callId, e.toString());
        }
        return Response.OK;
    }

    /** The device went offline: its sessions end (BYE best effort). */
    void deviceOffline(String deviceId, String why) {
        for (Session s : List.copyOf(byChannel.values())) {
            if (s.key.deviceId().equals(deviceId)) {
                try (AutoCloseable mdc = s.mdc()) {
                    LOG.info("session of channel {} ended: device offline ({})", s.key.channelId(), why);
                    end(s, "device_offline", "the device went offline: " + why, true);
                    s.answer.completeExceptionally(new Gb28181Exception(Reason.OFFLINE, "device " + deviceId
                            + " went offline during the invite"));
                } catch (Exception e) {
                    LOG.warn("ending session {} failed: {}", s.callId, e.toString());
                }
            }
        }
    }

    /** Ends every session (BYE) and refuses new ones. */
    void shutdown() {
        synchronized (this) {
            closed = true;
        }
        for (Session s : List.copyOf(byChannel.values())) {
            try (AutoCloseable mdc = s.mdc()) {
                end(s, "shutdown", "the GB28181 server stopped", true);
                s.answer.completeExceptionally(new Gb28181Exception(Reason.UNAVAILABLE, "the GB28181 server stopped"));
            } catch (Exception e) {
                LOG.warn("ending session {} failed: {}", s.callId, e.toString());
            }
        }
        metrics.sessions(0);
    }

    /** Live sessions newest first, then ended ones newest first. */
    List<SessionView> sessions() {
        List<Session> live = new ArrayList<>();
        for (Session s : byChannel.values()) {
            if (s.live()) {
                live.add(s);
            }
        }
        live.sort(Comparator.comparing((Session s) -> s.startedAt, Comparator.nullsLast(Comparator.reverseOrder())));
        List<SessionView> out = new ArrayList<>();
        for (Session s : live) {
            out.add(s.view(false));
        }
        synchronized (history) {
            out.addAll(history);
        }
        return out;
    }

    int liveCount() {
        int n = 0;
        for (Session s : byChannel.values()) {
            if (s.live()) {
                n++;
            }
        }
        return n;
    }

    int ssrcsInUse() {
        return ssrcs.inUse();
    }

    /**
     * The address devices send media to: {@code media.address} when set; else the media bind address, else the
     * SIP bind address, whichever is a specific address; else the local address the host routes to the device
     * from (so a multi-homed server announces the interface facing the device).
     */
    String mediaAddress(DeviceRegistry.Device device) {
        if (!settings.mediaAddress().isBlank()) {
            return settings.mediaAddress();
        }
        if (!Net.isWildcard(settings.mediaBindAddress())) {
            return settings.mediaBindAddress();
        }
        return Net.localAddressFor(settings.sipBindAddress(), device.host());
    }
}
