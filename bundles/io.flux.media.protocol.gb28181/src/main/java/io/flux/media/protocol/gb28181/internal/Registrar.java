package io.flux.media.protocol.gb28181.internal;

import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.ListIterator;
import java.util.Locale;
import java.util.Properties;
import java.util.TooManyListenersException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.DialogState;
import javax.sip.DialogTerminatedEvent;
import javax.sip.IOExceptionEvent;
import javax.sip.InvalidArgumentException;
import javax.sip.ListeningPoint;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.ServerTransaction;
import javax.sip.SipException;
import javax.sip.SipListener;
import javax.sip.SipProvider;
import javax.sip.TimeoutEvent;
import javax.sip.TransactionAlreadyExistsException;
import javax.sip.TransactionTerminatedEvent;
import javax.sip.TransactionUnavailableException;
import javax.sip.address.AddressFactory;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.header.AuthorizationHeader;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.ContentLengthHeader;
import javax.sip.header.ExpiresHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.Header;
import javax.sip.header.HeaderFactory;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import gov.nist.javax.sip.ListeningPointImpl;
import gov.nist.javax.sip.RequestEventExt;
import gov.nist.javax.sip.SipStackImpl;
import gov.nist.javax.sip.address.AddressFactoryImpl;
import gov.nist.javax.sip.header.ExtensionHeaderImpl;
import gov.nist.javax.sip.header.HeaderFactoryImpl;
import gov.nist.javax.sip.message.MessageFactoryImpl;
import gov.nist.javax.sip.stack.MessageProcessor;
import io.flux.media.lib.jainsip.JainSip;
import io.flux.media.protocol.gb28181.internal.media.LogContext;

/**
 * The GB28181 registrar on JAIN SIP: REGISTER with digest authentication, keepalive MESSAGEs, device
 * presence. Listens on UDP and TCP at the same address and port; every request gets a server
 * transaction, so UDP retransmissions are answered by the stack and never authenticated twice.
 * <p>
 * Requests the stack cannot parse are answered 400 (or dropped when not even the headers needed for a
 * response are there) by the stack itself; requests that parse but make no sense here get 400 from
 * {@link #processRequest}. No request, however bad, escapes as an exception into the stack.
 */
final class Registrar implements SipListener {

    private static final Logger LOG = LoggerFactory.getLogger(Registrar.class);
    private static final java.security.SecureRandom CALL_ID_RANDOM = new java.security.SecureRandom();

    static final Pattern GB_ID = Pattern.compile("\\d{20}");
    /** GB/T 28181 section 9.10: the 200 OK to REGISTER carries local time in this form, for time sync. */
    static final DateTimeFormatter GB_DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS");
    /** Shortest registration accepted (RFC 3261 section 10.3 step 7: 423 with Min-Expires below it). */
    static final int MIN_EXPIRES_S = 60;
    /** Registration time when a REGISTER states none (RFC 3261 section 10.2.1.1). */
    static final int DEFAULT_EXPIRES_S = 3600;
    /** The methods this server answers as a UAS (INVITE is only ever sent, never accepted). */
    static final String ALLOW = "REGISTER, MESSAGE, OPTIONS, INFO, BYE, CANCEL, ACK";

    /**
     * Where the registrar hands what it does not handle itself. Called on SIP stack or sweeper threads: no
     * implementation may block.
     */
    interface Handlers {

        /** A MANSCDP {@code Response} from a registered device (the 200 is sent by the registrar). */
        default void response(String deviceId, ManscdpXml.Message message) {
        }

        /** A MANSCDP {@code Notify} other than a keepalive from a registered device. */
        default void notify(String deviceId, ManscdpXml.Message message) {
        }

        /** An incoming BYE; returns the status to answer (200 or 481). */
        default int bye(Request request) {
            return Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST;
        }

        /** A device registered, refreshed its registration or kept alive; {@code onlineChanged}: it was offline. */
        default void deviceChanged(DeviceRegistry.Device device, boolean onlineChanged) {
        }

        /** A device went offline (unregistered, expired, keepalives missed). */
        default void deviceOffline(String deviceId, DeviceRegistry.OfflineReason reason) {
        }
    }

    /** Outcome of a request this server sent (a client transaction). Called on SIP stack threads. */
    interface ResponseHandler {

        /** Any response, provisional or final. */
        void response(Response response, ClientTransaction tx);

        /** The transaction timed out without a final response. */
        void timeout();
    }

    record Settings(String sipId, String domain, String bindAddress, int port, Duration maxExpiry,
            Duration sweepPeriod) {
    }

    private final Settings settings;
    private final DigestAuthenticator auth;
    private final DeviceRegistry devices;
    private final ManscdpXml xml;
    private final GbMetrics metrics;
    private final Clock clock;
    private volatile Handlers handlers = new Handlers() {
    };
    private SipStackImpl stack;
    private volatile SipProvider provider;
    private HeaderFactory headers;
    private MessageFactory messages;
    private AddressFactory addresses;
    private ScheduledExecutorService sweeper;
    private final List<ListeningPoint> listeningPoints = new ArrayList<>();

    Registrar(Settings settings, DigestAuthenticator auth, DeviceRegistry devices, ManscdpXml xml, GbMetrics metrics,
            Clock clock) {
        this.settings = settings;
        this.auth = auth;
        this.devices = devices;
        this.xml = xml;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** Binds UDP and TCP and starts the presence sweeper; on failure nothing stays bound. */
    synchronized void start() throws SipException {
        Properties p = JainSip.properties("flux-gb28181-" + settings.port());
        p.setProperty("javax.sip.AUTOMATIC_DIALOG_SUPPORT", "off");
        p.setProperty("gov.nist.javax.sip.REENTRANT_LISTENER", "true");
        p.setProperty("gov.nist.javax.sip.THREAD_POOL_SIZE", "16");
        // A TCP peer cannot make the stack buffer a body larger than the XML cap (plus headers). The stack also
        // allocates a buffer of this size for every UDP datagram and queues it until a worker takes it, so the cap
        // is what a backlog costs per message: keep it small (message.max.bytes) rather than at the 64 KiB maximum.
        p.setProperty("gov.nist.javax.sip.MAX_MESSAGE_SIZE", Integer.toString(Math.max(xml.maxBytes() + 8192, 4096)));
        // Datagrams waiting longer than this are dropped (the device retransmits): bounds the backlog, and memory,
        // under a burst such as thousands of devices registering at once. The stack's default is 8 s.
        p.setProperty("gov.nist.javax.sip.CONGESTION_CONTROL_TIMEOUT", "2000");
        // 10,000 devices keepalive every 60 s with transactions living 32 s over UDP: room for twice that.
        p.setProperty("gov.nist.javax.sip.MAX_SERVER_TRANSACTIONS", "20000");
        p.setProperty("gov.nist.javax.sip.CACHE_CLIENT_CONNECTIONS", "true");
        try {
            stack = new SipStackImpl(p);
            headers = new HeaderFactoryImpl();
            messages = new MessageFactoryImpl();
            addresses = new AddressFactoryImpl();
            ListeningPoint udp = stack.createListeningPoint(settings.bindAddress(), settings.port(), ListeningPoint.UDP);
            listeningPoints.add(udp);
            ListeningPoint tcp = stack.createListeningPoint(settings.bindAddress(), settings.port(), ListeningPoint.TCP);
            listeningPoints.add(tcp);
            provider = stack.createSipProvider(udp);
            provider.addListeningPoint(tcp);
            provider.addSipListener(this);
            stack.start();
        } catch (SipException | InvalidArgumentException | TooManyListenersException e) {
            stop();
            throw e instanceof SipException se ? se : new SipException(e.getMessage(), e);
        } catch (RuntimeException e) {
            stop();
            throw new SipException("SIP stack did not start: " + e.getMessage(), e);
        }
        sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "flux-gb28181-presence");
            t.setDaemon(true);
            return t;
        });
        long period = settings.sweepPeriod().toMillis();
        sweeper.scheduleWithFixedDelay(this::sweep, period, period, TimeUnit.MILLISECONDS);
        LOG.info("GB28181 SIP server {}@{} listening on {}:{} (UDP and TCP)", settings.sipId(), settings.domain(),
                settings.bindAddress(), settings.port());
    }

    synchronized void stop() {
        if (sweeper != null) {
            sweeper.shutdownNow();
            sweeper = null;
        }
        if (stack == null) {
            return;
        }
        if (provider != null) {
            provider.removeSipListener(this);
        }
        List<MessageProcessor> processors = new ArrayList<>();
        for (ListeningPoint lp : listeningPoints) {
            processors.add(((ListeningPointImpl) lp).getMessageProcessor());
        }
        try {
            stack.stop();
        } catch (RuntimeException e) {
            // JAIN SIP race: right after a start, UDPMessageProcessor.stop() can iterate its channel list while
            // the processor thread is still filling it, and the stack stop ends half way. Its socket is closed
            // by then; stopping every processor again (idempotent) and the stack finishes the job.
            LOG.debug("SIP stack stop interrupted, stopping again: {}", e.toString());
            for (MessageProcessor mp : processors) {
                try {
                    mp.stop();
                } catch (RuntimeException again) {
                    LOG.warn("SIP {} listener did not stop cleanly: {}", mp.getTransport(), again.toString());
                }
            }
            try {
                stack.stop();
            } catch (RuntimeException again) {
                LOG.warn("SIP stack did not stop cleanly: {}", again.toString());
            }
        }
        stack = null;
        provider = null;
        listeningPoints.clear();
    }

    DeviceRegistry devices() {
        return devices;
    }

    /** Sets who receives query answers, BYEs and presence changes; before {@link #start()}. */
    void handlers(Handlers handlers) {
        this.handlers = handlers;
    }

    HeaderFactory headerFactory() {
        return headers;
    }

    /**
     * The address this server puts in Via and Contact towards a device: the bind address, or when that is the
     * wildcard, the local address the operating system routes to the device from.
     */
    String localAddressFor(String deviceHost) {
        return Net.localAddressFor(settings.bindAddress(), deviceHost);
    }

    /**
     * A new out-of-dialog request to a device at the address its REGISTER came from, over its transport:
     * Request-URI and To {@code sip:<target>@host:port}, From the platform id with a tag, Via and Contact with
     * {@link #localAddressFor}. {@code callId} null: a new one.
     */
    Request request(String method, DeviceRegistry.Device device, String target, String callId)
            throws ParseException, InvalidArgumentException {
        SipProvider p = provider;
        if (p == null) {
            throw new IllegalStateException("the SIP server is stopped");
        }
        boolean tcp = "TCP".equals(device.transport());
        String local = localAddressFor(device.host());
        SipURI uri = addresses.createSipURI(target, Net.uriHost(device.host()) + ":" + device.port());
        if (tcp) {
            uri.setTransportParam("tcp");
        }
        SipURI fromUri = addresses.createSipURI(settings.sipId(), settings.domain());
        FromHeader from = headers.createFromHeader(addresses.createAddress(fromUri), Net.tag());
        SipURI toUri = addresses.createSipURI(target, Net.uriHost(device.host()) + ":" + device.port());
        ToHeader to = headers.createToHeader(addresses.createAddress(toUri), null);
        ViaHeader via = headers.createViaHeader(local, settings.port(), tcp ? ListeningPoint.TCP : ListeningPoint.UDP,
                null);
        via.setRPort();
        CallIdHeader call = headers.createCallIdHeader(callId == null ? newCallId() : callId);
        Request r = messages.createRequest(uri, method, call, headers.createCSeqHeader(1L, method), from, to,
                List.of(via), headers.createMaxForwardsHeader(70));
        SipURI contactUri = addresses.createSipURI(settings.sipId(), Net.uriHost(local) + ":" + settings.port());
        if (tcp) {
            contactUri.setTransportParam("tcp");
        }
        r.addHeader(headers.createContactHeader(addresses.createAddress(contactUri)));
        return r;
    }

    /**
     * A new Call-ID: 128 random bits at the platform's domain. The stack's own would name the bind address, which
     * is {@code 0:0:0:0:0:0:0:0} when listening on every interface.
     */
    String newCallId() {
        byte[] random = new byte[16];
        CALL_ID_RANDOM.nextBytes(random);
        return java.util.HexFormat.of().formatHex(random) + "@" + settings.domain();
    }

    /**
     * Creates the client transaction (and for INVITE its dialog) without sending: the caller keeps the
     * transaction to CANCEL it. {@link ClientTransaction#sendRequest()} sends.
     */
    ClientTransaction clientTransaction(Request request, ResponseHandler handler) throws SipException {
        SipProvider p = provider;
        if (p == null) {
            throw new SipException("the SIP server is stopped");
        }
        ClientTransaction tx = p.getNewClientTransaction(request);
        tx.setApplicationData(handler);
        if (Request.INVITE.equals(request.getMethod())) {
            p.getNewDialog(tx);
        }
        return tx;
    }

    /** Sends an out-of-dialog request; the handler learns the outcome. */
    ClientTransaction send(Request request, ResponseHandler handler) throws SipException {
        ClientTransaction tx = clientTransaction(request, handler);
        tx.sendRequest();
        return tx;
    }

    /** CANCELs an INVITE that has no final response yet; best effort. */
    void cancel(ClientTransaction invite) {
        SipProvider p = provider;
        if (p == null) {
            return;
        }
        try {
            Request cancel = invite.createCancel();
            ClientTransaction tx = p.getNewClientTransaction(cancel);
            tx.setApplicationData(IGNORE);
            tx.sendRequest();
        } catch (SipException | RuntimeException e) {
            LOG.debug("CANCEL not sent: {}", e.toString());
        }
    }

    /** ACKs the 2xx of the dialog's INVITE. */
    void ack(Dialog dialog, Response ok) throws SipException, InvalidArgumentException {
        long seq = ((CSeqHeader) ok.getHeader(CSeqHeader.NAME)).getSeqNumber();
        Request ack = dialog.createAck(seq);
        dialog.sendAck(ack);
    }

    /** Sends BYE within a confirmed dialog (the remote target and route set of the 200 OK); best effort. */
    boolean bye(Dialog dialog) {
        SipProvider p = provider;
        if (p == null || dialog == null || dialog.getState() == null
                || dialog.getState() == DialogState.TERMINATED) {
            return false;
        }
        try {
            Request bye = dialog.createRequest(Request.BYE);
            ClientTransaction tx = p.getNewClientTransaction(bye);
            tx.setApplicationData(IGNORE);
            dialog.sendRequest(tx);
            return true;
        } catch (SipException | RuntimeException e) {
            LOG.debug("BYE not sent: {}", e.toString());
            return false;
        }
    }

    /** For requests whose outcome nobody waits for (BYE, CANCEL). */
    private static final ResponseHandler IGNORE = new ResponseHandler() {
        @Override
        public void response(Response response, ClientTransaction tx) {
            if (response.getStatusCode() >= 300) {
                CSeqHeader cseq = (CSeqHeader) response.getHeader(CSeqHeader.NAME);
                LOG.debug("{} answered {} {}", cseq == null ? "request" : cseq.getMethod(),
                        response.getStatusCode(), response.getReasonPhrase());
            }
        }

        @Override
        public void timeout() {
            // best effort
        }
    };

    /** Applies presence timeouts; runs on the sweeper thread. */
    void sweep() {
        try {
            for (DeviceRegistry.Change c : devices.sweep()) {
                try (MDC.MDCCloseable ignored = MDC.putCloseable(LogContext.DEVICE, c.deviceId())) {
                    LOG.info("device {} offline: {}", c.deviceId(), c.reason().label);
                    handlers.deviceOffline(c.deviceId(), c.reason());
                }
            }
            metrics.online(devices.online());
            auth.purge();
        } catch (RuntimeException e) {
            LOG.warn("presence sweep failed", e);
        }
    }

    @Override
    public void processRequest(RequestEvent event) {
        Request request = event.getRequest();
        String method = request.getMethod();
        if (Request.ACK.equals(method)) {
            return;
        }
        String deviceId = fromUser(request);
        // Only well-formed ids go to the MDC: the From user is whatever the peer wrote.
        boolean validId = deviceId != null && GB_ID.matcher(deviceId).matches();
        try (MDC.MDCCloseable ignored = validId ? MDC.putCloseable(LogContext.DEVICE, deviceId) : null) {
            ServerTransaction tx;
            try {
                tx = event.getServerTransaction() != null ? event.getServerTransaction()
                        : ((SipProvider) event.getSource()).getNewServerTransaction(request);
            } catch (TransactionAlreadyExistsException e) {
                return; // a retransmission racing the first copy: that one answers
            } catch (TransactionUnavailableException e) {
                tx = null;
            }
            try {
                switch (method) {
                    case Request.REGISTER -> register(event, tx, request, deviceId);
                    case Request.MESSAGE -> message(event, tx, request, deviceId);
                    case Request.OPTIONS, Request.INFO -> reply(tx, request, Response.OK);
                    case Request.BYE -> reply(tx, request, handlers.bye(request));
                    // This server never accepts an INVITE, so there is nothing a CANCEL could match.
                    case Request.CANCEL -> reply(tx, request, Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST);
                    default -> {
                        Response r = messages.createResponse(Response.METHOD_NOT_ALLOWED, request);
                        r.addHeader(headers.createAllowHeader(ALLOW));
                        send(tx, request, r);
                    }
                }
            } catch (ParseException | InvalidArgumentException | RuntimeException e) {
                LOG.warn("{} from {} failed: {}", method, remote(event), e.toString(), e);
                reply(tx, request, Response.SERVER_INTERNAL_ERROR);
            }
        }
    }

    private void register(RequestEvent event, ServerTransaction tx, Request request, String deviceId)
            throws ParseException, InvalidArgumentException {
        String from = remote(event);
        if (deviceId == null || !GB_ID.matcher(deviceId).matches()) {
            metrics.registerFailure(DigestAuthenticator.Reason.MALFORMED);
            LOG.warn("REGISTER from {} refused: From user is not a 20-digit GB28181 id", from);
            reply(tx, request, Response.BAD_REQUEST);
            return;
        }
        int expires;
        try {
            expires = requestedExpires(request);
        } catch (IllegalArgumentException e) {
            metrics.registerFailure(DigestAuthenticator.Reason.MALFORMED);
            LOG.warn("REGISTER of device {} from {} refused: {}", deviceId, from, e.getMessage());
            reply(tx, request, Response.BAD_REQUEST);
            return;
        }
        DigestAuthenticator.Outcome outcome = auth.authenticate(deviceId, Request.REGISTER, authorization(request));
        if (outcome.reason() != null) {
            metrics.registerFailure(outcome.reason());
            if (outcome.reason() == DigestAuthenticator.Reason.STALE_NONCE) {
                LOG.info("REGISTER of device {} from {}: {}, challenged again (stale)", deviceId, from,
                        outcome.detail());
            } else {
                LOG.warn("REGISTER of device {} from {} refused ({}, {}): {}", deviceId, from,
                        outcome.verdict() == DigestAuthenticator.Verdict.FORBIDDEN ? 403 : 401,
                        outcome.reason().label, outcome.detail());
            }
        }
        switch (outcome.verdict()) {
            case CHALLENGE -> {
                Response r = messages.createResponse(Response.UNAUTHORIZED, request);
                r.addHeader(headers.createHeader("WWW-Authenticate", outcome.challenge()));
                send(tx, request, r);
                return;
            }
            case FORBIDDEN -> {
                reply(tx, request, Response.FORBIDDEN);
                return;
            }
            case OK -> {
                // below
            }
        }
        if (expires == 0) {
            boolean wasOnline = devices.unregister(deviceId);
            LOG.info("device {} unregistered from {}{}", deviceId, from, wasOnline ? "" : " (was offline)");
            metrics.online(devices.online());
            if (devices.get(deviceId).isPresent()) {
                handlers.deviceOffline(deviceId, DeviceRegistry.OfflineReason.UNREGISTERED);
            }
            Response r = messages.createResponse(Response.OK, request);
            r.addHeader(date());
            send(tx, request, r);
            return;
        }
        if (expires < MIN_EXPIRES_S) {
            Response r = messages.createResponse(Response.INTERVAL_TOO_BRIEF, request);
            r.addHeader(headers.createMinExpiresHeader(MIN_EXPIRES_S));
            send(tx, request, r);
            return;
        }
        int granted = (int) Math.min(expires, settings.maxExpiry().toSeconds());
        ContactHeader contact = (ContactHeader) request.getHeader(ContactHeader.NAME);
        String transport = transport(request);
        boolean cameOnline = devices.register(deviceId, transport, remoteHost(event), remotePort(event),
                contact == null ? null : contact.getAddress().getURI().toString(), Duration.ofSeconds(granted));
        if (cameOnline) {
            LOG.info("device {} registered from {} over {} for {} s", deviceId, from, transport, granted);
        } else {
            LOG.debug("device {} refreshed its registration from {} for {} s", deviceId, from, granted);
        }
        metrics.online(devices.online());
        devices.get(deviceId).ifPresent(d -> handlers.deviceChanged(d, cameOnline));
        Response r = messages.createResponse(Response.OK, request);
        if (contact != null) {
            ContactHeader granted200 = (ContactHeader) contact.clone();
            granted200.setExpires(granted);
            r.addHeader(granted200);
        }
        r.addHeader(headers.createExpiresHeader(granted));
        r.addHeader(date());
        send(tx, request, r);
    }

    private void message(RequestEvent event, ServerTransaction tx, Request request, String deviceId) {
        String from = remote(event);
        if (deviceId == null || !GB_ID.matcher(deviceId).matches()) {
            LOG.warn("MESSAGE from {} refused: From user is not a 20-digit GB28181 id", from);
            reply(tx, request, Response.BAD_REQUEST);
            return;
        }
        ContentLengthHeader length = request.getContentLength();
        if (length != null && length.getContentLength() > xml.maxBytes()) {
            metrics.rejected(ManscdpXml.Problem.TOO_LARGE);
            LOG.warn("MESSAGE of device {} from {} refused: body of {} bytes, at most {} accepted", deviceId, from,
                    length.getContentLength(), xml.maxBytes());
            reply(tx, request, Response.REQUEST_ENTITY_TOO_LARGE);
            return;
        }
        byte[] body = request.getRawContent();
        if (body == null || body.length == 0) {
            LOG.warn("MESSAGE of device {} from {} refused: no body", deviceId, from);
            reply(tx, request, Response.BAD_REQUEST);
            return;
        }
        ManscdpXml.Message m;
        try {
            m = xml.parse(body);
        } catch (ManscdpXml.RejectedException e) {
            metrics.rejected(e.problem);
            LOG.warn("MESSAGE of device {} from {} refused: {}", deviceId, from, e.getMessage());
            reply(tx, request, e.problem == ManscdpXml.Problem.TOO_LARGE ? Response.REQUEST_ENTITY_TOO_LARGE
                    : Response.BAD_REQUEST);
            return;
        }
        if (m.deviceId() != null && !m.deviceId().equals(deviceId) && "Keepalive".equals(m.cmdType())) {
            LOG.warn("keepalive from {} refused: body DeviceID {} is not the sender {}", from,
                    abbreviate(m.deviceId()), deviceId);
            reply(tx, request, Response.BAD_REQUEST);
            return;
        }
        if ("Notify".equals(m.root()) && "Keepalive".equals(m.cmdType())) {
            switch (devices.keepalive(deviceId, remoteHost(event))) {
                case OK -> {
                    reply(tx, request, Response.OK);
                    devices.get(deviceId).ifPresent(d -> handlers.deviceChanged(d, false));
                }
                case BACK_ONLINE -> {
                    LOG.info("device {} online again (keepalive from {})", deviceId, from);
                    metrics.online(devices.online());
                    reply(tx, request, Response.OK);
                    devices.get(deviceId).ifPresent(d -> handlers.deviceChanged(d, true));
                }
                case NOT_REGISTERED -> {
                    LOG.warn("keepalive of device {} from {} refused: not registered", deviceId, from);
                    reply(tx, request, Response.FORBIDDEN);
                }
                case WRONG_ADDRESS -> {
                    LOG.warn("keepalive of device {} from {} refused: registered from another address", deviceId,
                            from);
                    reply(tx, request, Response.FORBIDDEN);
                }
            }
            return;
        }
        boolean registered = devices.get(deviceId).map(DeviceRegistry.Device::online).orElse(false);
        if (!registered) {
            LOG.warn("MESSAGE {}/{} of device {} from {} refused: not registered", abbreviate(m.root()),
                    abbreviate(m.cmdType()), deviceId, from);
            reply(tx, request, Response.FORBIDDEN);
            return;
        }
        // Answered first: the device waits for the 200 before it sends the next page of a catalog.
        reply(tx, request, Response.OK);
        switch (String.valueOf(m.root())) {
            case "Response" -> handlers.response(deviceId, m);
            case "Notify" -> handlers.notify(deviceId, m);
            default -> LOG.debug("MESSAGE {}/{} of device {} acknowledged", m.root(), m.cmdType(), deviceId);
        }
    }

    /** The registration time asked for: the Contact's expires parameter, else the Expires header. */
    private static int requestedExpires(Request request) {
        ListIterator<?> contacts = request.getHeaders(ContactHeader.NAME);
        List<ContactHeader> all = new ArrayList<>();
        while (contacts.hasNext()) {
            all.add((ContactHeader) contacts.next());
        }
        ExpiresHeader expiresHeader = request.getExpires();
        boolean wildcard = all.stream().anyMatch(ContactHeader::isWildCard);
        if (wildcard) {
            if (all.size() != 1 || expiresHeader == null || expiresHeader.getExpires() != 0) {
                throw new IllegalArgumentException("Contact * needs Expires: 0 and no other contact");
            }
            return 0;
        }
        if (all.isEmpty()) {
            throw new IllegalArgumentException("no Contact");
        }
        int fromContact = all.get(0).getExpires();
        if (fromContact >= 0) {
            return fromContact;
        }
        return expiresHeader == null ? DEFAULT_EXPIRES_S : expiresHeader.getExpires();
    }

    /** The raw value of the Authorization header for our realm (or the first), null when there is none. */
    private String authorization(Request request) {
        ListIterator<?> it = request.getHeaders(AuthorizationHeader.NAME);
        String first = null;
        while (it.hasNext()) {
            AuthorizationHeader h = (AuthorizationHeader) it.next();
            String value = ((gov.nist.javax.sip.header.SIPHeader) h).getHeaderValue();
            if (auth.realm().equals(h.getRealm())) {
                return value;
            }
            if (first == null) {
                first = value;
            }
        }
        return first;
    }

    private Header date() {
        ExtensionHeaderImpl h = new ExtensionHeaderImpl("Date");
        h.setValue(LocalDateTime.now(clock).format(GB_DATE));
        return h;
    }

    private void reply(ServerTransaction tx, Request request, int status) {
        try {
            send(tx, request, messages.createResponse(status, request));
        } catch (ParseException e) {
            LOG.warn("could not build a {} response: {}", status, e.getMessage());
        }
    }

    private void send(ServerTransaction tx, Request request, Response response) {
        // Counted before sending: the count is of answers given, and a peer reading the answer sees it counted.
        metrics.request(request.getMethod(), response.getStatusCode());
        try {
            if (tx != null) {
                tx.sendResponse(response);
            } else {
                provider.sendResponse(response);
            }
        } catch (SipException | InvalidArgumentException | RuntimeException e) {
            LOG.warn("could not send {} to {}: {}", response.getStatusCode(), request.getMethod(), e.toString());
        }
    }

    private static String fromUser(Request request) {
        FromHeader from = (FromHeader) request.getHeader(FromHeader.NAME);
        if (from == null) {
            return null;
        }
        URI uri = from.getAddress().getURI();
        return uri instanceof SipURI sip ? sip.getUser() : null;
    }

    private static String transport(Request request) {
        ViaHeader via = (ViaHeader) request.getHeader(ViaHeader.NAME);
        return via == null ? "UDP" : via.getTransport().toUpperCase(Locale.ROOT);
    }

    private static String remoteHost(RequestEvent event) {
        if (event instanceof RequestEventExt ext && ext.getRemoteIpAddress() != null) {
            return ext.getRemoteIpAddress();
        }
        ViaHeader via = (ViaHeader) event.getRequest().getHeader(ViaHeader.NAME);
        return via.getReceived() != null ? via.getReceived() : via.getHost();
    }

    private static int remotePort(RequestEvent event) {
        if (event instanceof RequestEventExt ext && ext.getRemotePort() > 0) {
            return ext.getRemotePort();
        }
        ViaHeader via = (ViaHeader) event.getRequest().getHeader(ViaHeader.NAME);
        return via.getRPort() > 0 ? via.getRPort() : via.getPort();
    }

    private static String remote(RequestEvent event) {
        return remoteHost(event) + ":" + remotePort(event);
    }

    private static String abbreviate(String s) {
        if (s == null) {
            return "-";
        }
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

    @Override
    public void processResponse(ResponseEvent event) {
        ClientTransaction tx = event.getClientTransaction();
        if (tx == null || !(tx.getApplicationData() instanceof ResponseHandler handler)) {
            // A 2xx retransmitted after its transaction ended: the stack re-sends the ACK of the dialog itself.
            LOG.debug("response {} outside any transaction", event.getResponse().getStatusCode());
            return;
        }
        try {
            handler.response(event.getResponse(), tx);
        } catch (RuntimeException e) {
            LOG.warn("handling response {} failed: {}", event.getResponse().getStatusCode(), e.toString(), e);
        }
    }

    @Override
    public void processTimeout(TimeoutEvent event) {
        if (!event.isServerTransaction() && event.getClientTransaction() != null
                && event.getClientTransaction().getApplicationData() instanceof ResponseHandler handler) {
            try {
                handler.timeout();
            } catch (RuntimeException e) {
                LOG.warn("handling a transaction timeout failed: {}", e.toString(), e);
            }
            return;
        }
        LOG.debug("SIP transaction timed out: {}", event.getTimeout());
    }

    @Override
    public void processIOException(IOExceptionEvent event) {
        LOG.debug("SIP I/O error towards {}:{} ({})", event.getHost(), event.getPort(), event.getTransport());
    }

    @Override
    public void processTransactionTerminated(TransactionTerminatedEvent event) {
        // Nothing is kept per transaction.
    }

    @Override
    public void processDialogTerminated(DialogTerminatedEvent event) {
        // Sessions end by their own bookkeeping (BYE either way, receiver end, offline), not by the stack's.
    }
}
