package io.flux.media.protocol.gb28181.internal;

import java.nio.charset.Charset;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sip.ClientTransaction;
import javax.sip.InvalidArgumentException;
import javax.sip.SipException;
import javax.sip.header.ContentTypeHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

import io.flux.media.api.gb28181.CatalogResult;
import io.flux.media.api.gb28181.ChannelView;
import io.flux.media.api.gb28181.DeviceInfoResult;
import io.flux.media.api.gb28181.DeviceStatusResult;
import io.flux.media.api.gb28181.Gb28181Exception;
import io.flux.media.api.gb28181.Gb28181Exception.Reason;
import io.flux.media.protocol.gb28181.internal.media.LogContext;

/**
 * MANSCDP queries (Catalog, DeviceInfo, DeviceStatus): a SIP MESSAGE {@code <Query>} to the device, then the
 * device's own MESSAGE(s) {@code <Response>} with the same SN, routed here by the registrar. SNs are unique per
 * server, so an answer is matched by SN and checked against the device and command it was asked for.
 */
final class QueryManager {

    private static final Logger LOG = LoggerFactory.getLogger(QueryManager.class);
    static final Charset GB18030 = Charset.forName("GB18030");

    private final Registrar sip;
    private final Duration timeout;
    private final Clock clock;
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    // Starts somewhere random so that SNs of consecutive server runs rarely meet (a device may still answer
    // a query of the previous run).
    private final AtomicInteger sn = new AtomicInteger(ThreadLocalRandom.current().nextInt(1, 1_000_000));

    QueryManager(Registrar sip, Duration timeout, Clock clock) {
        this.sip = sip;
        this.timeout = timeout;
        this.clock = clock;
    }

    /** One outstanding query: its answers so far and its end. */
    private static class Pending {
        final String deviceId;
        final String cmdType;
        final CompletableFuture<Void> done = new CompletableFuture<>();
        final List<ManscdpXml.Message> answers = new ArrayList<>();

        Pending(String deviceId, String cmdType) {
            this.deviceId = deviceId;
            this.cmdType = cmdType;
        }

        synchronized void answer(ManscdpXml.Message m) {
            answers.add(m);
            done.complete(null);
        }

        synchronized boolean answered() {
            return !answers.isEmpty();
        }
    }

    /** Catalog pages, keyed by channel id (a device repeating an item does not count it twice). */
    private static final class PendingCatalog extends Pending {
        final Map<String, ChannelView> items = new LinkedHashMap<>();
        int sumNum = -1;
        final Instant now;

        PendingCatalog(String deviceId, Instant now) {
            super(deviceId, "Catalog");
            this.now = now;
        }

        @Override
        synchronized void answer(ManscdpXml.Message m) {
            answers.add(m);
            Integer sum = integer(m.field("SumNum"));
            if (sum != null && sum >= 0) {
                sumNum = sum;
            }
            for (ChannelView c : items(deviceId, m, now)) {
                items.put(c.channel_id(), c);
            }
            if (sumNum >= 0 && items.size() >= sumNum) {
                done.complete(null);
            }
        }

        synchronized CatalogResult result(boolean complete) {
            return new CatalogResult(deviceId, Math.max(sumNum, items.size()), complete, List.copyOf(items.values()));
        }
    }

    CatalogResult catalog(DeviceRegistry.Device device) {
        PendingCatalog p = new PendingCatalog(device.id(), clock.instant());
        boolean complete = run(device, p);
        if (!complete && !p.answered()) {
            throw new Gb28181Exception(Reason.TIMEOUT, "device " + device.id() + " sent no catalog within "
                    + timeout.toSeconds() + " s");
        }
        CatalogResult result = p.result(complete);
        if (!complete) {
            LOG.warn("catalog of device {} incomplete after {} s: {} of {} items", device.id(), timeout.toSeconds(),
                    result.channels().size(), result.sum_num());
        }
        return result;
    }

    DeviceInfoResult deviceInfo(DeviceRegistry.Device device) {
        ManscdpXml.Message m = single(device, "DeviceInfo");
        return new DeviceInfoResult(device.id(), m.field("DeviceName"), m.field("Manufacturer"), m.field("Model"),
                m.field("Firmware"), integer(m.field("Channel")), m.field("Result"));
    }

    DeviceStatusResult deviceStatus(DeviceRegistry.Device device) {
        ManscdpXml.Message m = single(device, "DeviceStatus");
        return new DeviceStatusResult(device.id(), m.field("Online"), m.field("Status"), m.field("Encode"),
                m.field("Record"), m.field("DeviceTime"), m.field("Result"));
    }

    private ManscdpXml.Message single(DeviceRegistry.Device device, String cmdType) {
        Pending p = new Pending(device.id(), cmdType);
        if (!run(device, p)) {
            throw new Gb28181Exception(Reason.TIMEOUT, "device " + device.id() + " did not answer " + cmdType
                    + " within " + timeout.toSeconds() + " s");
        }
        synchronized (p) {
            return p.answers.get(0);
        }
    }

    /** Sends the query and waits; true when it finished, false on timeout. Throws for a refused MESSAGE. */
    private boolean run(DeviceRegistry.Device device, Pending p) {
        String serial = Integer.toString(nextSn());
        pending.put(serial, p);
        try (MDC.MDCCloseable ignored = MDC.putCloseable(LogContext.DEVICE, device.id())) {
            send(device, p, serial);
            try {
                p.done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                return true;
            } catch (TimeoutException e) {
                return false;
            } catch (ExecutionException e) {
                if (e.getCause() instanceof Gb28181Exception g) {
                    throw new Gb28181Exception(g.reason(), g.getMessage(), g);
                }
                throw new Gb28181Exception(Reason.UNAVAILABLE, "query failed: " + e.getCause(), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Gb28181Exception(Reason.UNAVAILABLE, "interrupted");
            }
        } finally {
            pending.remove(serial);
        }
    }

    private int nextSn() {
        return sn.updateAndGet(v -> v >= 999_999_999 ? 1 : v + 1);
    }

    private void send(DeviceRegistry.Device device, Pending p, String serial) {
        String xml = "<?xml version=\"1.0\" encoding=\"GB2312\"?>\r\n<Query>\r\n<CmdType>" + p.cmdType
                + "</CmdType>\r\n<SN>" + serial + "</SN>\r\n<DeviceID>" + device.id() + "</DeviceID>\r\n</Query>\r\n";
        try {
            Request request = sip.request(Request.MESSAGE, device, device.id(), null);
            ContentTypeHeader type = sip.headerFactory().createContentTypeHeader("Application", "MANSCDP+xml");
            // Declared GB2312 as devices expect; written GB18030, its superset (identical for ASCII).
            request.setContent(xml.getBytes(GB18030), type);
            sip.send(request, new Registrar.ResponseHandler() {
                @Override
                public void response(Response response, ClientTransaction tx) {
                    int status = response.getStatusCode();
                    if (status >= 300) {
                        p.done.completeExceptionally(new Gb28181Exception(Reason.REJECTED, "device " + device.id()
                                + " refused the " + p.cmdType + " query: " + status + " "
                                + response.getReasonPhrase()));
                    }
                }

                @Override
                public void timeout() {
                    if (p.answered()) {
                        return; // answers came; only the 200 to the MESSAGE got lost
                    }
                    p.done.completeExceptionally(new Gb28181Exception(Reason.TIMEOUT, "device " + device.id()
                            + " did not answer the " + p.cmdType + " MESSAGE"));
                }
            });
            LOG.debug("{} query SN {} sent to device {}", p.cmdType, serial, device.id());
        } catch (ParseException | InvalidArgumentException | SipException | RuntimeException e) {
            throw new Gb28181Exception(Reason.TIMEOUT, "could not send the " + p.cmdType + " query to device "
                    + device.id() + " at " + device.host() + ":" + device.port() + ": " + e.getMessage(), e);
        }
    }

    /** A {@code <Response>} MESSAGE (already answered 200); on a SIP thread. */
    void onResponse(String deviceId, ManscdpXml.Message m) {
        Pending p = m.sn() == null ? null : pending.get(m.sn());
        if (p == null || !p.deviceId.equals(m.deviceId() == null ? deviceId : m.deviceId())
                || !p.cmdType.equalsIgnoreCase(String.valueOf(m.cmdType())) || !p.deviceId.equals(deviceId)) {
            LOG.debug("{} response SN {} of device {} matches no pending query", m.cmdType(), m.sn(), deviceId);
            return;
        }
        p.answer(m);
    }

    /** The items of a catalog {@code Response} or {@code Notify}. */
    static List<ChannelView> items(String deviceId, ManscdpXml.Message m, Instant now) {
        List<ChannelView> out = new ArrayList<>();
        Element list = child(m.element(), "DeviceList");
        if (list == null) {
            return out;
        }
        for (Node n = list.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (!(n instanceof Element item) || !item.getTagName().equals("Item")) {
                continue;
            }
            String id = ManscdpXml.childText(item, "DeviceID");
            if (id == null || id.isEmpty() || id.length() > 64) {
                continue;
            }
            String status = ManscdpXml.childText(item, "Status");
            out.add(new ChannelView(deviceId, id, text(item, "Name"), text(item, "Manufacturer"), text(item, "Model"),
                    status == null || status.isEmpty() ? null : status.toUpperCase(Locale.ROOT),
                    text(item, "ParentID"), text(item, "Address"), decimal(text(item, "Longitude")),
                    decimal(text(item, "Latitude")), now));
        }
        return out;
    }

    private static String text(Element e, String name) {
        String s = ManscdpXml.childText(e, name);
        return s == null || s.isEmpty() ? null : s;
    }

    private static Element child(Element parent, String name) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                return e;
            }
        }
        return null;
    }

    static Integer integer(String s) {
        if (s == null) {
            return null;
        }
        try {
            return Integer.valueOf(s.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Double decimal(String s) {
        if (s == null) {
            return null;
        }
        try {
            double d = Double.parseDouble(s.trim());
            return Double.isFinite(d) ? d : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Fails every waiting query (the server stops). */
    void close() {
        for (Pending p : pending.values()) {
            p.done.completeExceptionally(new Gb28181Exception(Reason.UNAVAILABLE, "the GB28181 server stopped"));
        }
    }
}
